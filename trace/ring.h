/*
 * Per-CPU lock-free trace rings. Each CPU records into its own ring (one
 * writer, plus interrupts nesting on that CPU); readers on other CPUs, a
 * debugger or the host read it without locks and never block the writer.
 * The same code builds into the kernel and into host tests. The protocol
 * is in docs/tracing.md; the memory layout is in trace/record.h.
 */
#ifndef TRACE_RING_H
#define TRACE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/record.h"

/* Test builds set this to 1 to run trace_nest_hook inside each record. */
#ifndef CONFIG_TRACE_NEST_HOOK
#define CONFIG_TRACE_NEST_HOOK 0
#endif

/*
 * When CONFIG_TRACE_NEST_HOOK is 1, called where an interrupt would hurt
 * most, so a test can play one there: between loading head and reading
 * the clock, so before the reserving cmpxchg (TRACE_HOOK_RESERVE), and
 * between filling a record and committing it (TRACE_HOOK_COMMIT).
 */
#define TRACE_HOOK_RESERVE	0
#define TRACE_HOOK_COMMIT	1
extern void (*trace_nest_hook)(struct trace_ring_hdr *r, int where);

/* Bytes a ring with data_size bytes of records occupies. */
static inline size_t trace_ring_bytes(uint64_t data_size)
{
	return TRACE_RING_HDR_SIZE + data_size;
}

int trace_ring_init(void *mem, size_t bytes, uint32_t cpu, int mode);
uint64_t trace_name8(const char *s);

/*
 * The record path (trace/emit.c). Context: any, including IRQ and NMI, on
 * the CPU that owns @r, and the caller may not migrate to another CPU
 * during the call (preemption or interrupts off): the ring's updates are
 * atomic against this CPU's interrupts only. Never blocks; a record that
 * does not fit (stream mode) is counted in r->lost and dropped. Names are
 * TRACE_NAME_LEN bytes, read whole. The emitters hot paths call are
 * inline, in trace/emit.h.
 */
void trace_emit_task_new(struct trace_ring_hdr *r, uint32_t tid, uint32_t pid,
			 uint32_t parent_tid, uint32_t flags,
			 const char name[TRACE_NAME_LEN]);
void trace_emit_task_exit(struct trace_ring_hdr *r, uint32_t tid, uint32_t pid,
			  int32_t exit_code);
void trace_emit_task_rename(struct trace_ring_hdr *r, uint32_t tid,
			    const char name[TRACE_NAME_LEN]);
void trace_emit_exception(struct trace_ring_hdr *r, uint32_t vector,
			  uint64_t error_code, uint64_t rip);
void trace_emit_boot_stage(struct trace_ring_hdr *r, uint32_t stage,
			   uint32_t what);
void trace_emit_counter(struct trace_ring_hdr *r, uint32_t id, int64_t value);
void trace_emit_tick(struct trace_ring_hdr *r, uint64_t ticks);
void trace_emit_page_fault(struct trace_ring_hdr *r, uint64_t addr,
			   uint64_t rip, uint32_t error_code);
void trace_emit_marker(struct trace_ring_hdr *r, uint64_t a, uint64_t b);

/*
 * A reader of one ring (trace/reader.c). Any number may read a ring at
 * once; at most one may be its consumer, which in stream mode publishes
 * how far it has read so the writer can reuse the space.
 */
struct trace_reader {
	struct trace_ring_hdr *r;
	const uint8_t *data;
	uint64_t mask;		/* r->data_mask, checked once */
	uint64_t pos;		/* next ring position to read */
	bool consume;		/* publish r->tail and r->limit */
	/* Statistics, for the reader's owner. */
	uint64_t records;	/* records returned, PAD and LOST excluded */
	uint64_t overruns;	/* times the writer lapped the reader */
	uint64_t skipped;	/* bytes skipped by overruns and trace_reader_skip */
	uint64_t corrupt;	/* committed records with an impossible size */
};

int trace_reader_init(struct trace_reader *rd, struct trace_ring_hdr *r,
		      bool consume);
int trace_reader_next(struct trace_reader *rd, void *buf);
void trace_reader_skip(struct trace_reader *rd);

#endif
