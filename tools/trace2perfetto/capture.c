/*
 * Reads a capture file (layout in trace/record.h). capture_open() checks
 * every byte the converter will trust: the file header, each chunk header
 * and each record's commit word (type, size, commit flag and ring
 * sequence), and names the byte offset of the first thing that is wrong.
 * capture_next() then merges the CPUs' records by time stamp, so state that
 * spans CPUs (a thread migrating mid-syscall, IPC) is seen in order.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

#define CAPTURE_MAX_CPUS 4096

static int capture_fail(struct capture *c, size_t off, char *err,
			size_t errlen, const char *fmt, ...)
{
	int n = snprintf(err, errlen, "offset %zu: ", off);
	va_list ap;

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	c->bad_off = off;
	return -EINVAL;
}

static int capture_header(struct capture *c, char *err, size_t errlen)
{
	const struct trace_file_hdr *h = &c->hdr;

	if (c->len < 8 || memcmp(c->buf, TRACE_FILE_MAGIC, 8))
		return capture_fail(c, 0, err, errlen,
				    "bad magic (not a Loupe capture; want \"%s\")",
				    TRACE_FILE_MAGIC);
	if (c->len < TRACE_FILE_HDR_SIZE)
		return capture_fail(c, c->len, err, errlen,
				    "truncated file header (%zu of %u bytes)",
				    c->len, TRACE_FILE_HDR_SIZE);
	memcpy(&c->hdr, c->buf, sizeof(c->hdr));
	if (h->version != TRACE_VERSION)
		return capture_fail(c, offsetof(struct trace_file_hdr, version),
				    err, errlen, "version %u, this tool reads %u",
				    h->version, TRACE_VERSION);
	if (h->hdr_size < TRACE_FILE_HDR_SIZE || h->hdr_size % TRACE_ALIGN ||
	    h->hdr_size > c->len)
		return capture_fail(c, offsetof(struct trace_file_hdr, hdr_size),
				    err, errlen, "bad header size %u",
				    h->hdr_size);
	if (h->ncpus == 0 || h->ncpus > CAPTURE_MAX_CPUS)
		return capture_fail(c, offsetof(struct trace_file_hdr, ncpus),
				    err, errlen, "bad CPU count %u", h->ncpus);
	if (h->block_size && (h->block_size & (h->block_size - 1) ||
			      h->block_size < TRACE_REC_MAX))
		return capture_fail(c, offsetof(struct trace_file_hdr,
						block_size), err, errlen,
				    "bad block size %u", h->block_size);
	c->ncpus = h->ncpus;
	c->cpus = calloc(c->ncpus, sizeof(*c->cpus));
	if (!c->cpus)
		return -ENOMEM;
	for (unsigned int i = 0; i < c->ncpus; i++)
		c->cpus[i].block = h->block_size ? h->block_size :
				   TRACE_BLOCK_SIZE;
	return 0;
}

/* The ring position after @pos if the PAD that filled its block was dropped. */
static uint64_t capture_block_end(uint64_t pos, uint64_t block)
{
	return (pos | (block - 1)) + 1;
}

/*
 * Check one record at file offset @off, expected at ring position *@pos.
 * A capture may drop PADs, so a record may instead start the next block;
 * *@pos is moved there. Returns 0 or -EINVAL.
 */
static int capture_record(struct capture *c, size_t off, size_t room,
			  uint64_t *posp, uint64_t block, char *err,
			  size_t errlen)
{
	const struct trace_hdr *h = (const void *)(c->buf + off);
	uint64_t pos = *posp;
	size_t need;

	if (room >= 8 && h->seq != TRACE_SEQ(pos) && pos % block &&
	    h->seq == TRACE_SEQ(capture_block_end(pos, block)))
		*posp = pos = capture_block_end(pos, block);

	if (room < 8)
		return capture_fail(c, off, err, errlen, "record header cut short");
	if (h->type >= TRACE_TYPE_COUNT)
		return capture_fail(c, off, err, errlen,
				    "corrupt record: unknown type %u", h->type);
	if (h->size < 8 || h->size % TRACE_ALIGN || h->size > TRACE_REC_MAX ||
	    h->size > room)
		return capture_fail(c, off, err, errlen,
				    "corrupt record: type %u, size %u",
				    h->type, h->size);
	if (!(h->flags & TRACE_F_COMMIT) || h->seq != TRACE_SEQ(pos))
		return capture_fail(c, off, err, errlen,
				    "corrupt record: type %u not committed at "
				    "ring position %" PRIu64 " (flags %#x, seq %u)",
				    h->type, pos, h->flags, h->seq);
	need = h->type == TRACE_PAD ? 8 : trace_rec_size[h->type];
	if (h->size != need && !(h->type == TRACE_PAD && h->size >= 8))
		return capture_fail(c, off, err, errlen,
				    "corrupt record: type %u has size %u, want %zu",
				    h->type, h->size, need);
	return 0;
}

static int capture_add_chunk(struct capture_cpu *cpu, size_t off,
			     const struct trace_chunk_hdr *ch, bool gap)
{
	if (cpu->n == cpu->cap) {
		size_t cap = cpu->cap ? 2 * cpu->cap : 16;
		void *p = realloc(cpu->chunks, cap * sizeof(*cpu->chunks));

		if (!p)
			return -ENOMEM;
		cpu->chunks = p;
		cpu->cap = cap;
	}
	cpu->chunks[cpu->n++] = (struct capture_chunk){ off, ch->len, ch->pos,
							gap };
	return 0;
}

/*
 * Check the records of the DATA chunk whose payload is at @off. On a bad
 * record the chunk is still indexed up to it, for --partial.
 */
static int capture_data(struct capture *c, size_t off,
			const struct trace_chunk_hdr *ch, char *err,
			size_t errlen)
{
	struct capture_cpu *cpu = &c->cpus[ch->cpu];
	struct trace_chunk_hdr good = *ch;
	uint64_t pos = ch->pos;
	const struct trace_hdr *h;
	bool gap;
	int ret = 0;
	size_t o;

	for (o = 0; o < ch->len; o += h->size, pos += h->size) {
		h = (const void *)(c->buf + off + o);
		ret = capture_record(c, off + o, ch->len - o, &pos, cpu->block,
				     err, errlen);
		if (ret)
			break;
		if (h->type != TRACE_PAD && h->type != TRACE_LOST)
			cpu->records++;
	}
	good.len = (uint32_t)o;
	gap = cpu->n && ch->pos != cpu->end_pos &&
	      ch->pos != capture_block_end(cpu->end_pos, cpu->block);
	cpu->gaps += gap;
	cpu->end_pos = pos;
	cpu->written = ch->written;
	cpu->lost = ch->lost;
	if (o && capture_add_chunk(cpu, off, &good, gap))
		return -ENOMEM;
	return ret;
}

/* Check the chunk at @off; sets *next past it. Returns 0, 1 at END, or -errno. */
static int capture_chunk(struct capture *c, size_t off, size_t *next,
			 char *err, size_t errlen)
{
	struct trace_chunk_hdr ch;

	if (c->len - off < TRACE_CHUNK_HDR_SIZE)
		return capture_fail(c, off, err, errlen,
				    "truncated chunk header (%zu of %u bytes)",
				    c->len - off, TRACE_CHUNK_HDR_SIZE);
	memcpy(&ch, c->buf + off, sizeof(ch));
	if (ch.magic != TRACE_CHUNK_MAGIC)
		return capture_fail(c, off, err, errlen,
				    "bad chunk magic %#x", ch.magic);
	if (ch.kind < TRACE_CHUNK_DATA || ch.kind > TRACE_CHUNK_END ||
	    ch.len % TRACE_ALIGN || (ch.kind != TRACE_CHUNK_DATA && ch.len))
		return capture_fail(c, off, err, errlen,
				    "bad chunk (kind %u, length %u)",
				    ch.kind, ch.len);
	if (ch.kind != TRACE_CHUNK_END && ch.cpu >= c->ncpus)
		return capture_fail(c, off, err, errlen,
				    "chunk for CPU %u, capture has %u",
				    ch.cpu, c->ncpus);
	off += TRACE_CHUNK_HDR_SIZE;
	if (ch.len > c->len - off)
		return capture_fail(c, off, err, errlen,
				    "truncated chunk: %u payload bytes, %zu left",
				    ch.len, c->len - off);
	*next = off + ch.len;
	if (ch.kind == TRACE_CHUNK_END)
		return 1;
	if (ch.kind == TRACE_CHUNK_STATS) {
		c->cpus[ch.cpu].written = ch.written;
		c->cpus[ch.cpu].lost = ch.lost;
		return 0;
	}
	return capture_data(c, off, &ch, err, errlen);
}

/*
 * Check and index the capture in @buf (which must stay mapped). With
 * @partial, a problem after the header ends the capture at the last whole
 * record before it and is left in c->warning; otherwise it is an error.
 * Returns 0, or -EINVAL with "offset N: what" in @err, or -ENOMEM.
 */
int capture_open(struct capture *c, const void *buf, size_t len, bool partial,
		 char *err, size_t errlen)
{
	size_t off, next = 0;
	int ret;

	memset(c, 0, sizeof(*c));
	c->buf = buf;
	c->len = len;
	ret = capture_header(c, err, errlen);
	if (ret)
		return ret;
	for (off = c->hdr.hdr_size; off < len; off = next) {
		ret = capture_chunk(c, off, &next, err, errlen);
		if (ret == 1) {
			c->complete = true;
			break;
		}
		if (ret == -EINVAL && partial) {
			snprintf(c->warning, sizeof(c->warning), "%s", err);
			break;
		}
		if (ret)
			return ret;
	}
	if (!c->complete && !c->warning[0]) {
		if (!partial)
			return capture_fail(c, len, err, errlen,
					    "truncated capture: no END chunk "
					    "(use --partial to convert what is there)");
		snprintf(c->warning, sizeof(c->warning),
			 "offset %zu: no END chunk, capture truncated", len);
		c->bad_off = len;
	}
	for (unsigned int i = 0; i < c->ncpus; i++)
		c->records += c->cpus[i].records;
	capture_rewind(c);
	return 0;
}

void capture_close(struct capture *c)
{
	for (unsigned int i = 0; c->cpus && i < c->ncpus; i++)
		free(c->cpus[i].chunks);
	free(c->cpus);
	c->cpus = NULL;
}

static const struct trace_hdr *capture_peek(const struct capture *c,
					    const struct capture_cpu *cpu)
{
	if (cpu->ci >= cpu->n)
		return NULL;
	return (const void *)(c->buf + cpu->chunks[cpu->ci].off + cpu->ri);
}

/* Step @cpu's cursor past the record @h, into the next chunk if need be. */
static void capture_step(struct capture_cpu *cpu, const struct trace_hdr *h)
{
	cpu->ri += h->size;
	if (cpu->ri < cpu->chunks[cpu->ci].len)
		return;
	cpu->ci++;
	cpu->ri = 0;
	if (cpu->ci < cpu->n && cpu->chunks[cpu->ci].gap)
		cpu->gap_pending = true;
}

/* Step @cpu's cursor past PADs to its next real record and cache its tsc. */
static void capture_settle(const struct capture *c, struct capture_cpu *cpu)
{
	const struct trace_hdr *h;

	while ((h = capture_peek(c, cpu)) && h->type == TRACE_PAD)
		capture_step(cpu, h);
	cpu->next_tsc = h ? h->tsc : UINT64_MAX;
}

void capture_rewind(struct capture *c)
{
	for (unsigned int i = 0; i < c->ncpus; i++) {
		c->cpus[i].ci = 0;
		c->cpus[i].ri = 0;
		c->cpus[i].gap_pending = false;
		capture_settle(c, &c->cpus[i]);
	}
}

/*
 * The next record in time order over all CPUs (ties: lower CPU first).
 * Returns false at the end. A linear scan: CPU counts are small, and the
 * cached next_tsc keeps it to one compare per CPU.
 */
bool capture_next(struct capture *c, struct capture_rec *r)
{
	struct capture_cpu *best = NULL;
	unsigned int bi = 0;

	for (unsigned int i = 0; i < c->ncpus; i++) {
		struct capture_cpu *p = &c->cpus[i];

		if (p->ci < p->n && (!best || p->next_tsc < best->next_tsc)) {
			best = p;
			bi = i;
		}
	}
	if (!best)
		return false;
	r->h = capture_peek(c, best);
	r->cpu = bi;
	r->gap = best->gap_pending;
	best->gap_pending = false;
	capture_step(best, r->h);
	capture_settle(c, best);
	return true;
}
