/*
 * Reading a trace ring without locks (steps R1-R6 in docs/tracing.md):
 * from another CPU, from a panic dump, or on the host over a copy or a
 * live mapping of guest memory. The writer never waits for a reader; a
 * reader that is lapped (overwrite mode) notices and skips ahead to the
 * oldest block still intact. Freestanding: no libc.
 */
#include "types.h"
#include "trace/local.h"
#include "trace/ring.h"

#define BLOCK TRACE_BLOCK_SIZE

/*
 * Start reading @r where its consumer left off (position 0 for a fresh
 * ring). With @consume, this reader frees space for a stream-mode writer;
 * a ring has at most one consumer. Returns 0, or -EINVAL if @r does not
 * look like a ring (host tools point this at raw guest memory).
 */
int trace_reader_init(struct trace_reader *rd, struct trace_ring_hdr *r,
		      bool consume)
{
	uint64_t size;

	/* Acquire: pairs with the release store of magic in trace_ring_init(). */
	if (__atomic_load_n(&r->magic, __ATOMIC_ACQUIRE) != TRACE_RING_MAGIC ||
	    r->version != TRACE_VERSION ||
	    r->data_offset != TRACE_RING_HDR_SIZE)
		return -EINVAL;
	size = r->data_size;
	if (size < 2 * BLOCK || (size & (size - 1)) || r->data_mask != size - 1)
		return -EINVAL;
	*rd = (struct trace_reader){
		.r = r,
		.data = (const uint8_t *)r + TRACE_RING_HDR_SIZE,
		.mask = size - 1,
		.pos = __atomic_load_n(&r->tail, __ATOMIC_RELAXED),
		.consume = consume,
	};
	return 0;
}

static uint64_t reader_head(const struct trace_reader *rd)
{
	return TRACE_HEAD_POS(__atomic_load_n(&rd->r->head, __ATOMIC_RELAXED));
}

/* True if the writer may have reused [pos, pos + 1) already. */
static bool reader_lapped(const struct trace_reader *rd, uint64_t head)
{
	return head - rd->pos > rd->mask + 1;
}

/* Lapped (R2): resume at the oldest block the writer has not reused. */
static void reader_resync(struct trace_reader *rd, uint64_t head)
{
	uint64_t pos = ALIGN_UP(head - (rd->mask + 1), (uint64_t)BLOCK);

	rd->skipped += pos - rd->pos;
	rd->overruns++;
	rd->pos = pos;
}

/* Tell a stream-mode writer the space before rd->pos is free (R6). */
static void reader_publish(struct trace_reader *rd)
{
	if (!rd->consume)
		return;
	__atomic_store_n(&rd->r->tail, rd->pos, __ATOMIC_RELAXED);
	if (rd->r->mode != TRACE_MODE_STREAM)
		return;
	/*
	 * Release: pairs with the acquire load of limit in trace_make_room();
	 * our loads of the records before pos are done before the writer
	 * may overwrite them.
	 */
	__atomic_store_n(&rd->r->limit, rd->pos + rd->mask + 1, __ATOMIC_RELEASE);
}

/* A commit word that cannot be a record: skip to the next block. */
static void reader_bad(struct trace_reader *rd)
{
	rd->corrupt++;
	trace_reader_skip(rd);
}

static bool reader_size_ok(uint64_t pos, unsigned int type, unsigned int size)
{
	if (size < TRACE_ALIGN || size % TRACE_ALIGN ||
	    (pos & (BLOCK - 1)) + size > BLOCK)
		return false;
	if (type == TRACE_PAD)
		return true;
	if (size < sizeof(struct trace_hdr) || size > TRACE_REC_MAX)
		return false;
	return type >= TRACE_TYPE_COUNT || trace_rec_size[type] == size;
}

/*
 * Copy the next whole record into @buf (TRACE_REC_MAX bytes, 8-aligned).
 * Returns its size, 0 when the reader has caught up with the writer, or
 * -EAGAIN when the next record is reserved but not committed yet: the
 * writer (or an interrupt it is nested under) is filling it. Call again
 * later; a post-mortem reader calls trace_reader_skip() instead.
 * Skips TRACE_PAD; returns TRACE_LOST records.
 */
int trace_reader_next(struct trace_reader *rd, void *buf)
{
	local_word_t *dst = buf;

	for (;;) {
		uint64_t head = reader_head(rd);
		const local_word_t *src;
		uint64_t w;
		unsigned int type, size;

		if (rd->pos >= head)		/* R1 */
			return 0;
		if (reader_lapped(rd, head)) {	/* R2 */
			reader_resync(rd, head);
			continue;
		}
		src = (const local_word_t *)(rd->data + (rd->pos & rd->mask));
		/*
		 * Acquire (R3): pairs with the release store of the commit
		 * word in trace_commit(): the payload is visible.
		 */
		w = __atomic_load_n(src, __ATOMIC_ACQUIRE);
		if (!(w >> 24 & TRACE_F_COMMIT) || w >> 32 != TRACE_SEQ(rd->pos)) {
			if (reader_lapped(rd, reader_head(rd)))
				continue;
			return -EAGAIN;
		}
		type = w & 0xffff;
		size = w >> 16 & 0xff;
		if (!reader_size_ok(rd->pos, type, size)) {
			reader_bad(rd);
			continue;
		}
		dst[0] = w;			/* R4 */
		for (unsigned int i = 1; i < size / 8; i++)
			dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
		/*
		 * Acquire (R5): pairs with the release fence after the
		 * reservation in trace_reserve(): if the writer has started
		 * to reuse these bytes, the head we load now shows it.
		 */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (reader_lapped(rd, reader_head(rd)))
			continue;
		rd->pos += size;
		reader_publish(rd);		/* R6 */
		if (type == TRACE_PAD)
			continue;
		if (type != TRACE_LOST)
			rd->records++;
		return (int)size;
	}
}

/*
 * Give up on the record at the reader's position (it will never be
 * committed: the CPU stopped in the middle of it) and resume at the next
 * block. The rest of its block is lost to this reader.
 */
void trace_reader_skip(struct trace_reader *rd)
{
	uint64_t next = (rd->pos | (BLOCK - 1)) + 1;

	rd->skipped += next - rd->pos;
	rd->pos = next;
	reader_publish(rd);
}
