/*
 * The capture writer behind synth.h. Records get the commit word a ring
 * gives them (type, size, TRACE_F_COMMIT, seq from the ring position) and
 * never cross a TRACE_BLOCK_SIZE boundary: the block is padded first, as
 * trace/emit.c does. synth_cut() turns a CPU's pending records into a
 * DATA chunk; chunks of different CPUs interleave in the file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"

static void *synth_grow(uint8_t **buf, size_t *cap, size_t len, size_t need,
			int *err)
{
	size_t c = *cap ? *cap : 65536;
	uint8_t *p;

	if (len + need <= *cap)
		return *buf + len;
	while (c < len + need)
		c *= 2;
	p = realloc(*buf, c);
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	*buf = p;
	*cap = c;
	return p + len;
}

static void synth_put(struct synth *s, const void *p, size_t n)
{
	void *dst = synth_grow(&s->buf, &s->cap, s->len, n, &s->err);

	if (!dst)
		return;
	memcpy(dst, p, n);
	s->len += n;
}

/* Returns 0 or -ENOMEM. */
int synth_init(struct synth *s, unsigned int ncpus, uint64_t tsc_hz,
	       uint64_t boot_tsc, int mode)
{
	struct trace_file_hdr h = {
		.version = TRACE_VERSION,
		.hdr_size = TRACE_FILE_HDR_SIZE,
		.ncpus = (uint16_t)ncpus,
		.mode = (uint8_t)mode,
		.tsc_hz = tsc_hz,
		.boot_tsc = boot_tsc,
		.ring_size = 1 << 20,
		.block_size = TRACE_BLOCK_SIZE,
	};

	memset(s, 0, sizeof(*s));
	memcpy(h.magic, TRACE_FILE_MAGIC, sizeof(h.magic));
	s->ncpus = ncpus;
	s->cpus = calloc(ncpus, sizeof(*s->cpus));
	if (!s->cpus)
		return -ENOMEM;
	synth_put(s, &h, sizeof(h));
	return s->err;
}

void synth_free(struct synth *s)
{
	for (unsigned int i = 0; s->cpus && i < s->ncpus; i++)
		free(s->cpus[i].chunk);
	free(s->cpus);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/* Reserve @size bytes at the CPU's ring position, committed as @type. */
static struct trace_hdr *synth_place(struct synth *s, struct synth_cpu *c,
				     uint16_t type, size_t size)
{
	struct trace_hdr *h = synth_grow(&c->chunk, &c->cap, c->len, size,
					 &s->err);

	if (!h)
		return NULL;
	memset(h, 0, size);
	h->type = type;
	h->size = (uint8_t)size;
	h->flags = TRACE_F_COMMIT;
	h->seq = TRACE_SEQ(c->pos);
	c->len += size;
	c->pos += size;
	return h;
}

/*
 * Append a committed record of @type to @cpu's pending chunk; returns it
 * zeroed past the header for the caller to fill, or NULL on -ENOMEM.
 */
void *synth_rec(struct synth *s, unsigned int cpu, uint16_t type, uint64_t tsc)
{
	struct synth_cpu *c = &s->cpus[cpu];
	size_t size = trace_rec_size[type];
	uint64_t room = TRACE_BLOCK_SIZE - c->pos % TRACE_BLOCK_SIZE;
	struct trace_hdr *h;

	if (room < size && s->drop_pads) {
		c->pos += room;
		if (!c->len)
			c->chunk_pos = c->pos;
	}
	else if (room < size)
		synth_place(s, c, TRACE_PAD, room);
	h = synth_place(s, c, type, size);
	if (!h)
		return NULL;
	h->tsc = tsc;
	if (type != TRACE_LOST)
		c->written++;
	return h;
}

/* Emit @cpu's pending records as one DATA chunk. */
void synth_cut(struct synth *s, unsigned int cpu)
{
	struct synth_cpu *c = &s->cpus[cpu];
	struct trace_chunk_hdr ch = {
		.magic = TRACE_CHUNK_MAGIC,
		.kind = TRACE_CHUNK_DATA,
		.cpu = (uint16_t)cpu,
		.len = (uint32_t)c->len,
		.pos = c->chunk_pos,
		.written = c->written,
		.lost = c->lost,
	};

	if (!c->len)
		return;
	synth_put(s, &ch, sizeof(ch));
	synth_put(s, c->chunk, c->len);
	c->len = 0;
	c->chunk_pos = c->pos;
}

/*
 * Play a reader overrun: @records records (@bytes of ring) were written
 * on @cpu but never reach the file, leaving a gap before the next chunk.
 */
void synth_skip(struct synth *s, unsigned int cpu, uint64_t bytes,
		uint64_t records)
{
	struct synth_cpu *c = &s->cpus[cpu];

	synth_cut(s, cpu);
	c->pos += bytes;
	c->chunk_pos = c->pos;
	c->written += records;
}

/* Cut every CPU's pending records and close the file with an END chunk. */
void synth_end(struct synth *s)
{
	struct trace_chunk_hdr end = {
		.magic = TRACE_CHUNK_MAGIC,
		.kind = TRACE_CHUNK_END,
	};

	for (unsigned int i = 0; i < s->ncpus; i++)
		synth_cut(s, i);
	synth_put(s, &end, sizeof(end));
}
