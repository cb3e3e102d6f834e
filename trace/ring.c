/*
 * Setting up a trace ring, and the small helpers the record path's callers
 * need once rather than per record. The record path itself is in
 * trace/emit.c, readers are in trace/reader.c.
 */
#include "types.h"
#include "trace/ring.h"

void (*trace_nest_hook)(struct trace_ring_hdr *r, int where);

/*
 * Make @mem (@bytes long, 64-byte aligned) an empty ring for @cpu in
 * @mode. The data area is the largest power of two that fits, at least
 * two blocks. Fills the data with 0xff bytes: seq 0xffffffff matches no
 * position (they are 8-aligned), so neither a commit word from an earlier
 * use (a warm reboot) nor the first lap's fresh memory, read while a
 * record's first half is stored and its seq not yet, passes for a record.
 * Context: boot, before the ring is published. Returns 0 or -EINVAL.
 */
int trace_ring_init(void *mem, size_t bytes, uint32_t cpu, int mode)
{
	struct trace_ring_hdr *r = mem;
	uint64_t size = 2 * TRACE_BLOCK_SIZE;

	if (((uintptr_t)mem & 63) || bytes < trace_ring_bytes(size) ||
	    (mode != TRACE_MODE_OVERWRITE && mode != TRACE_MODE_STREAM))
		return -EINVAL;
	while (trace_ring_bytes(size * 2) <= bytes)
		size *= 2;
	__builtin_memset(mem, 0, TRACE_RING_HDR_SIZE);
	__builtin_memset((uint8_t *)mem + TRACE_RING_HDR_SIZE, 0xff, size);
	r->version = TRACE_VERSION;
	r->mode = (uint8_t)mode;
	r->cpu = cpu;
	r->data_offset = TRACE_RING_HDR_SIZE;
	r->data_size = size;
	r->data_mask = size - 1;
	r->limit = mode == TRACE_MODE_STREAM ? size : ~0ull;
	r->wlimit = TRACE_BLOCK_SIZE;
	r->wbase = (uint64_t)(uintptr_t)r + TRACE_RING_HDR_SIZE;
	/*
	 * Release: pairs with the acquire load of magic in
	 * trace_reader_init(); a reader that sees the magic sees the rest.
	 */
	__atomic_store_n(&r->magic, TRACE_RING_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Pack up to 8 bytes of @s, NUL-padded, the way trace_irq_entry.name
 * holds them. For set-up time (registering a handler), not per record.
 */
uint64_t trace_name8(const char *s)
{
	uint64_t w = 0;

	for (int i = 0; i < 8 && s[i]; i++)
		w |= (uint64_t)(uint8_t)s[i] << (8 * i);
	return w;
}
