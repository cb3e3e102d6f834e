/*
 * HOT PATH: the inline half of the trace record path (trace/emit.c): the
 * reserve and commit steps every emitter is made of, and the emitters the
 * kernel's hot paths inline (switch, wakeup, interrupt, IPI, system call,
 * the IPC slow path's records and the fast path's), so that a record
 * costs no call and no argument shuffling there. Same rules as emit.c: no
 * print, format, allocation or lock; steps W1-W6 and their barriers are
 * in docs/tracing.md.
 */
#ifndef TRACE_EMIT_H
#define TRACE_EMIT_H

#include "trace/local.h"
#include "trace/ring.h"

#define TRACE_INLINE	inline __attribute__((always_inline))

#define TRACE_PUT(field, v)	__atomic_store_n(&(field), (v), __ATOMIC_RELAXED)
/* A record's 8-byte word at @field, stored as one integer. */
#define TRACE_PUT64(field, v) \
	TRACE_PUT(*(local_word_t *)&(field), (uint64_t)(v))

/* emit.c: the slow path, cold and out of line. */
#define TRACE_SLOWPATH	__attribute__((noinline, cold))
TRACE_SLOWPATH bool trace_make_room(struct trace_ring_hdr *r, uint64_t size);
TRACE_SLOWPATH void trace_write_slow(struct trace_ring_hdr *r,
				     const void *rec, uint64_t word);

static TRACE_INLINE void *trace_at(struct trace_ring_hdr *r, uint64_t pos)
{
	return (uint8_t *)r + TRACE_RING_HDR_SIZE + (pos & r->data_mask);
}

/*
 * Reserve @size bytes and stamp them (W1-W3): return true with the record
 * in *@rec, its position in *@pos and its time stamp in *@tsc (for a
 * caller that wants the time too: computed only if used), or false when
 * the fast path cannot place it (the
 * block or the consumer's limit is in the way, a TRACE_LOST is owed, or a
 * nested record took head first): TRACE_RECORD() and TRACE_RECORD_INLINE()
 * then take the slow path. So the fast path has no loop. Head is loaded
 * before the clock is read: a nested record after either makes the
 * cmpxchg fail, so ring order is time order.
 */
static TRACE_INLINE bool trace_reserve(struct trace_ring_hdr *r,
					uint64_t size, void **rec,
					uint64_t *pos, uint64_t *tsc)
{
	uint64_t h = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	uint64_t base, end;
	uint32_t *e, lo, hi;

	if (CONFIG_TRACE_NEST_HOOK && trace_nest_hook)
		trace_nest_hook(r, TRACE_HOOK_RESERVE);
	lo = local_clock_after(&h, &hi);
	/*
	 * wlimit and wbase are this CPU's own: plain loads, both before the
	 * cmpxchg, which fails if a nested record moved them on since head
	 * was loaded (the pair only changes on the way to a reservation).
	 * They were stored together (trace_make_room()), so h + size <=
	 * wlimit puts h in the lap wbase is for.
	 */
	base = r->wbase;
	end = h + size;
	if (__builtin_expect(end > r->wlimit ||
			     !local_try_cmpxchg(&r->head, &h, end), 0))
		return false;
	/*
	 * Release: pairs with the acquire fence in trace_reader_next() (R5).
	 * A reader that copied any byte stored after this point will see
	 * head past h when it checks, and drop its copy.
	 */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/*
	 * The record is at base + end - size: end, free once the cmpxchg
	 * is done, makes the address (one lea), and h goes on into the
	 * commit word. The empty asm keeps the compiler from rewriting
	 * end - size as h, which would cost a copy of h.
	 */
	__asm__("" : "+r"(end));
	e = (uint32_t *)((uint8_t *)(uintptr_t)base + end - size);
	TRACE_PUT(*(local_half_t *)&e[2], lo);	/* tsc, in rdtsc's halves */
	TRACE_PUT(*(local_half_t *)&e[3], hi);
	*rec = e;
	*pos = h;
	*tsc = (uint64_t)hi << 32 | lo;
	return true;
}

/*
 * Publish the filled record @e at @pos (W5, W6): the commit word's first
 * half (type, size, flags: @word's low half) with the payload, then seq,
 * the position's low half as it is (no shift), which makes it whole.
 */
static TRACE_INLINE void trace_commit(struct trace_ring_hdr *r, void *e,
				      uint64_t pos, uint64_t word)
{
	if (CONFIG_TRACE_NEST_HOOK && trace_nest_hook)
		trace_nest_hook(r, TRACE_HOOK_COMMIT);
	TRACE_PUT(*(local_half_t *)e, (uint32_t)word);
	/*
	 * Release: pairs with the acquire load of the commit word in
	 * trace_reader_next() (R3): the payload and the first half are
	 * visible before the record counts as whole.
	 */
	__atomic_store_n((local_half_t *)e + 1, TRACE_SEQ(pos),
			 __ATOMIC_RELEASE);
	local_inc(&r->written);
}

/*
 * Make one record: a struct @T of type @type, filled by the statements
 * that follow, which store the payload through `e` (TRACE_PUT; a field
 * and the reserved zeros after it in one TRACE_PUT64, but two values
 * that would need a shift and an or to share a word in two stores). The
 * fill is written out twice: into the ring on the fast path, which so
 * tests nothing between the reservation and the commit, and into a copy
 * on the stack for trace_write_slow(), which nothing is live across.
 */
#define TRACE_RECORD(r, T, type, ...) do {				\
	uint64_t word_ = TRACE_COMMIT_WORD(type, sizeof(T),		\
					   TRACE_F_COMMIT, 0);		\
	uint64_t pos_, tsc_;						\
	void *rec_;							\
	T *e, tmp_;							\
									\
	if (__builtin_expect(trace_reserve(r, sizeof(T), &rec_, &pos_,	\
					   &tsc_), 1)) {		\
		e = rec_;						\
		__VA_ARGS__;						\
		trace_commit(r, e, pos_, word_);			\
	} else {							\
		e = &tmp_;						\
		__VA_ARGS__;						\
		trace_write_slow(r, &tmp_, word_);			\
	}								\
} while (0)

/*
 * TRACE_RECORD() for the emitters the hot paths inline: on the slow path
 * it calls @retry, the emitter's twin in emit.c (trace_make_room(), then
 * the record again), instead of filling a copy here, so a function that
 * inlines a record grows no stack frame for it.
 */
#define TRACE_RECORD_INLINE(r, T, type, retry, ...) do {		\
	uint64_t unused_tsc_;						\
									\
	TRACE_RECORD_STAMPED(r, T, type, unused_tsc_, retry, __VA_ARGS__); \
} while (0)

/*
 * TRACE_RECORD_INLINE() that also leaves the record's time stamp in
 * @tsc, for a hot path that needs the time anyway (the context switch's
 * books) and so reads the clock once: @retry must set @tsc too.
 */
#define TRACE_RECORD_STAMPED(r, T, type, tsc, retry, ...) do {		\
	uint64_t pos_;							\
	void *rec_;							\
	T *e;								\
									\
	if (__builtin_expect(trace_reserve(r, sizeof(T), &rec_, &pos_,	\
					   &(tsc)), 1)) {		\
		e = rec_;						\
		__VA_ARGS__;						\
		trace_commit(r, e, pos_, TRACE_COMMIT_WORD(type,	\
				sizeof(T), TRACE_F_COMMIT, 0));		\
	} else {							\
		retry;							\
	}								\
} while (0)

TRACE_SLOWPATH uint64_t trace_retry_switch(struct trace_ring_hdr *r,
					   uint32_t prev_tid, uint32_t next_tid,
					   uint32_t prev_state,
					   int16_t prev_prio, int16_t next_prio);
TRACE_SLOWPATH void trace_retry_wakeup(struct trace_ring_hdr *r,
				       uint32_t waker_tid, uint32_t wakee_tid,
				       uint16_t target_cpu, int16_t wakee_prio);
TRACE_SLOWPATH void trace_retry_irq_entry(struct trace_ring_hdr *r,
					  uint32_t vector, uint64_t name8);
TRACE_SLOWPATH void trace_retry_irq_exit(struct trace_ring_hdr *r,
					 uint32_t vector, uint32_t handled);
TRACE_SLOWPATH void trace_retry_ipi(struct trace_ring_hdr *r, uint16_t type,
				    uint32_t vector, uint32_t cpu);
TRACE_SLOWPATH void trace_retry_syscall_enter(struct trace_ring_hdr *r,
					      uint32_t nr, uint64_t a0,
					      uint64_t a1, uint64_t a2);
TRACE_SLOWPATH void trace_retry_syscall_exit(struct trace_ring_hdr *r,
					     uint32_t nr, int64_t ret);
TRACE_SLOWPATH void trace_retry_ipc(struct trace_ring_hdr *r, uint16_t type,
				    uint32_t endpoint, uint32_t partner_tid,
				    uint64_t tag);
TRACE_SLOWPATH void trace_retry_ipc_reply_recv(struct trace_ring_hdr *r,
					       uint16_t type, uint32_t endpoint,
					       uint32_t partner_tid,
					       uint64_t tag, uint32_t recv_tid,
					       uint64_t recv_tag);
TRACE_SLOWPATH void trace_retry_ipc_switch(struct trace_ring_hdr *r,
					   uint16_t type, uint32_t endpoint,
					   uint32_t partner_tid, uint64_t tag);

/*
 * Returns the record's time stamp (or, if the record was dropped, the
 * clock): the switch's books take it instead of reading the clock again.
 */
static TRACE_INLINE uint64_t trace_emit_switch(struct trace_ring_hdr *r,
					       uint32_t prev_tid,
					       uint32_t next_tid,
					       uint32_t prev_state,
					       int16_t prev_prio,
					       int16_t next_prio)
{
	uint64_t tsc;

	TRACE_RECORD_STAMPED(r, struct trace_sched_switch, TRACE_SCHED_SWITCH,
			     tsc, tsc = trace_retry_switch(r, prev_tid, next_tid,
							   prev_state, prev_prio,
							   next_prio),
		     TRACE_PUT(e->prev_tid, prev_tid);
		     TRACE_PUT(e->next_tid, next_tid);
		     TRACE_PUT64(e->prev_state, prev_state |
				 (uint64_t)(uint16_t)prev_prio << 32 |
				 (uint64_t)(uint16_t)next_prio << 48));
	return tsc;
}

static TRACE_INLINE void trace_emit_wakeup(struct trace_ring_hdr *r,
					   uint32_t waker_tid,
					   uint32_t wakee_tid,
					   uint16_t target_cpu,
					   int16_t wakee_prio)
{
	TRACE_RECORD_INLINE(r, struct trace_sched_wakeup, TRACE_SCHED_WAKEUP,
			    trace_retry_wakeup(r, waker_tid, wakee_tid,
					       target_cpu, wakee_prio),
		     TRACE_PUT(e->waker_tid, waker_tid);
		     TRACE_PUT(e->wakee_tid, wakee_tid);
		     TRACE_PUT64(e->target_cpu, target_cpu |	/* reserved 0 */
				 (uint32_t)(uint16_t)wakee_prio << 16));
}

static TRACE_INLINE void trace_emit_irq_entry(struct trace_ring_hdr *r,
					      uint32_t vector, uint64_t name8)
{
	TRACE_RECORD_INLINE(r, struct trace_irq_entry, TRACE_IRQ_ENTRY,
			    trace_retry_irq_entry(r, vector, name8),
		     TRACE_PUT64(e->vector, vector);		/* reserved 0 */
		     TRACE_PUT64(e->name, name8));
}

static TRACE_INLINE void trace_emit_irq_exit(struct trace_ring_hdr *r,
					     uint32_t vector, uint32_t handled)
{
	TRACE_RECORD_INLINE(r, struct trace_irq_exit, TRACE_IRQ_EXIT,
			    trace_retry_irq_exit(r, vector, handled),
		     TRACE_PUT(e->vector, vector);
		     TRACE_PUT(e->handled, handled));
}

/* @type is TRACE_IPI_SEND (cpu = target) or TRACE_IPI_RECV (cpu = source). */
static TRACE_INLINE void trace_emit_ipi(struct trace_ring_hdr *r,
					uint16_t type, uint32_t vector,
					uint32_t cpu)
{
	TRACE_RECORD_INLINE(r, struct trace_ipi, type,
			    trace_retry_ipi(r, type, vector, cpu),
		     TRACE_PUT(e->vector, vector);
		     TRACE_PUT(e->cpu, cpu));
}

static TRACE_INLINE void trace_emit_syscall_enter(struct trace_ring_hdr *r,
						  uint32_t nr, uint64_t a0,
						  uint64_t a1, uint64_t a2)
{
	TRACE_RECORD_INLINE(r, struct trace_syscall_enter, TRACE_SYSCALL_ENTER,
			    trace_retry_syscall_enter(r, nr, a0, a1, a2),
		     TRACE_PUT64(e->nr, nr);			/* reserved 0 */
		     TRACE_PUT(e->args[0], a0);
		     TRACE_PUT(e->args[1], a1);
		     TRACE_PUT(e->args[2], a2));
}

static TRACE_INLINE void trace_emit_syscall_exit(struct trace_ring_hdr *r,
						 uint32_t nr, int64_t ret)
{
	TRACE_RECORD_INLINE(r, struct trace_syscall_exit, TRACE_SYSCALL_EXIT,
			    trace_retry_syscall_exit(r, nr, ret),
		     TRACE_PUT64(e->nr, nr);			/* reserved 0 */
		     TRACE_PUT(e->ret, ret));
}

/*
 * The IPC slow path's records: @type is TRACE_IPC_CALL, _RECV, _REPLY,
 * _CALL_WAKE or _REPLY_WAKE.
 */
static TRACE_INLINE void trace_emit_ipc(struct trace_ring_hdr *r,
					uint16_t type, uint32_t endpoint,
					uint32_t partner_tid, uint64_t tag)
{
	TRACE_RECORD_INLINE(r, struct trace_ipc, type,
			    trace_retry_ipc(r, type, endpoint, partner_tid, tag),
		     TRACE_PUT(e->endpoint, endpoint);
		     TRACE_PUT(e->partner_tid, partner_tid);
		     TRACE_PUT(e->tag, tag));
}

/*
 * A reply-and-receive that took a queued call (kernel/ipc.c): @type is
 * TRACE_IPC_REPLY_RECV or _REPLY_WAKE_RECV.
 */
static TRACE_INLINE void trace_emit_ipc_reply_recv(struct trace_ring_hdr *r,
						   uint16_t type,
						   uint32_t endpoint,
						   uint32_t partner_tid,
						   uint64_t tag,
						   uint32_t recv_tid,
						   uint64_t recv_tag)
{
	TRACE_RECORD_INLINE(r, struct trace_ipc_reply_recv, type,
			    trace_retry_ipc_reply_recv(r, type, endpoint,
						       partner_tid, tag,
						       recv_tid, recv_tag),
		     TRACE_PUT(e->endpoint, endpoint);
		     TRACE_PUT(e->partner_tid, partner_tid);
		     TRACE_PUT(e->tag, tag);
		     TRACE_PUT64(e->recv_tid, recv_tid);	/* reserved 0 */
		     TRACE_PUT(e->recv_tag, recv_tag));
}

/*
 * The payload of a struct trace_ipc_switch at @e, for
 * trace_emit_ipc_switch() and for the fast path's own emitter
 * (ipc_fast_trace() in kernel/ipc_fast.c), which passes field loads as the
 * arguments: each is read where it is stored, so nothing stays live.
 */
#define TRACE_FILL_IPC_SWITCH(e, endpoint_, partner_tid_, tag_)	\
do {									\
	TRACE_PUT((e)->endpoint, (endpoint_));				\
	TRACE_PUT((e)->partner_tid, (partner_tid_));			\
	TRACE_PUT((e)->tag, (tag_));					\
} while (0)

/*
 * The IPC fast path's one record per half trip (kernel/ipc_fast.c): @type
 * is TRACE_IPC_CALL_SWITCH or TRACE_IPC_REPLY_SWITCH.
 */
static TRACE_INLINE void trace_emit_ipc_switch(struct trace_ring_hdr *r,
					       uint16_t type, uint32_t endpoint,
					       uint32_t partner_tid,
					       uint64_t tag)
{
	TRACE_RECORD_INLINE(r, struct trace_ipc_switch, type,
			    trace_retry_ipc_switch(r, type, endpoint, partner_tid,
						   tag),
		     TRACE_FILL_IPC_SWITCH(e, endpoint, partner_tid, tag));
}

#endif
