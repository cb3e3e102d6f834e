/*
 * HOT PATH: the inline half of the trace record path (trace/emit.c): the
 * reserve and commit steps every emitter is made of, and the emitters a
 * hot path inlines to save a call (the IPC fast path's record). Same rules
 * as emit.c: no print, format, allocation or lock; steps W1-W6 and their
 * barriers are in docs/tracing.md.
 */
#ifndef TRACE_EMIT_H
#define TRACE_EMIT_H

#include "trace/local.h"
#include "trace/ring.h"

#define TRACE_INLINE	inline __attribute__((always_inline))
#define TRACE_PUT(field, v)	__atomic_store_n(&(field), (v), __ATOMIC_RELAXED)

/* emit.c: place a record trace_reserve() could not (cold). */
__attribute__((cold)) void trace_write_slow(struct trace_ring_hdr *r,
					    const void *rec, uint64_t word);

static TRACE_INLINE void *trace_at(struct trace_ring_hdr *r, uint64_t pos)
{
	return (uint8_t *)r + TRACE_RING_HDR_SIZE + (pos & r->data_mask);
}

/*
 * Reserve @size bytes (W1-W3) and return where to fill the record, or
 * @tmp when the fast path cannot: the emitter then fills @tmp and
 * trace_commit() hands it to the slow path. That includes losing the
 * cmpxchg to a nested record, so the fast path has no loop. The time
 * stamp is read before the cmpxchg, so ring order is time order.
 */
static TRACE_INLINE void *trace_reserve(struct trace_ring_hdr *r, uint32_t size,
					void *tmp, uint64_t *seq)
{
	uint64_t tsc = local_clock();
	uint64_t h = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	struct trace_hdr *e;

	if (CONFIG_TRACE_NEST_HOOK && trace_nest_hook)
		trace_nest_hook(r, TRACE_HOOK_RESERVE);
	/* wlimit is this CPU's own: a plain load the compiler can fold. */
	if (unlikely(h + size > r->wlimit ||
		     !local_try_cmpxchg(&r->head, &h, h + size))) {
		*seq = 0;
		return tmp;
	}
	/*
	 * Release: pairs with the acquire fence in trace_reader_next() (R5).
	 * A reader that copied any byte stored after this point will see
	 * head past h when it checks, and drop its copy.
	 */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e = trace_at(r, h);
	TRACE_PUT(e->tsc, tsc);
	*seq = h << 29;		/* TRACE_SEQ(h) in the commit word's top half */
	return e;
}

/* Publish the filled record @e (W5, W6), or pass @tmp to the slow path. */
static TRACE_INLINE void trace_commit(struct trace_ring_hdr *r, void *e,
				      void *tmp, uint64_t seq, uint16_t type,
				      uint8_t size)
{
	uint64_t word = TRACE_COMMIT_WORD(type, size, TRACE_F_COMMIT, 0);

	if (unlikely(e == tmp)) {
		trace_write_slow(r, tmp, word);
		return;
	}
	if (CONFIG_TRACE_NEST_HOOK && trace_nest_hook)
		trace_nest_hook(r, TRACE_HOOK_COMMIT);
	/*
	 * Release: pairs with the acquire load of the commit word in
	 * trace_reader_next() (R3): the payload is visible before the
	 * record counts as whole.
	 */
	__atomic_store_n((local_word_t *)e, seq | word, __ATOMIC_RELEASE);
	local_inc(&r->written);
}

/*
 * The IPC fast path's one record per half trip (kernel/ipc_fast.c), inline
 * there: @type is TRACE_IPC_CALL_SWITCH or TRACE_IPC_REPLY_SWITCH. The
 * payload goes in three word stores.
 */
static TRACE_INLINE void trace_emit_ipc_switch(struct trace_ring_hdr *r,
					       uint16_t type, uint32_t endpoint,
					       uint32_t partner_tid,
					       uint64_t tag, uint32_t prev_tid)
{
	struct trace_ipc_switch *e, tmp;
	uint64_t seq;

	e = trace_reserve(r, sizeof(*e), &tmp, &seq);
	TRACE_PUT(*(local_word_t *)&e->endpoint,
		  endpoint | (uint64_t)partner_tid << 32);
	TRACE_PUT(e->tag, tag);
	TRACE_PUT(*(local_word_t *)&e->prev_tid, prev_tid);
	trace_commit(r, e, &tmp, seq, type, sizeof(*e));
}

#endif
