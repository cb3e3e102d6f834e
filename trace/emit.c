/*
 * HOT PATH: the trace record path. trace_emit_*() run inside context
 * switches, interrupt and exception entry, IPIs and system calls, on the
 * CPU that owns the ring, nested in themselves (an interrupt may record
 * while the code it interrupted is half-way through a record).
 *
 * May not: print, format, allocate, take or wait for locks, record boot
 * stages, or call anything outside this file, trace/emit.h (reserve and
 * commit, and the hot emitters, inline) and trace/local.h. Shape: reserve
 * (one guard jumps to the slow path, which places a copy), fill, commit.
 * The protocol
 * and its barriers (steps W1-W6, R1-R6) are in docs/tracing.md.
 */
#include "types.h"
#include "trace/emit.h"

#define BLOCK		TRACE_BLOCK_SIZE
#define INLINE		TRACE_INLINE
#define PUT(field, v)	TRACE_PUT(field, v)
#define PUT64(field, v)	TRACE_PUT64(field, v)
#define SLOWPATH	TRACE_SLOWPATH

/* Fill [pos, pos + len) with a TRACE_PAD record; pos is reserved. */
static void trace_pad(struct trace_ring_hdr *r, uint64_t pos, uint64_t len)
{
	/*
	 * Release: pairs with the acquire load in trace_reader_next() (R3)
	 * and, like the fence in trace_reserve(), with its R5 fence. A pad
	 * may be 8 bytes long, so it has no tsc.
	 */
	__atomic_store_n((local_word_t *)trace_at(r, pos),
			 TRACE_COMMIT_WORD(TRACE_PAD, len, TRACE_F_COMMIT,
					   TRACE_SEQ(pos)),
			 __ATOMIC_RELEASE);
}

/* Write the owed TRACE_LOST record at reserved @pos. */
static void trace_lost(struct trace_ring_hdr *r, uint64_t pos, uint64_t tsc)
{
	struct trace_lost *e = trace_at(r, pos);
	uint64_t lost = __atomic_load_n(&r->lost, __ATOMIC_RELAXED);

	/* Release: pairs with the R5 acquire fence, as in trace_reserve(). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	PUT(e->h.tsc, tsc);
	PUT(e->lost_total, lost);
	PUT(r->lost_reported, lost);
	/* Release: pairs with the acquire load in trace_reader_next() (R3). */
	__atomic_store_n((local_word_t *)e,
			 TRACE_COMMIT_WORD(TRACE_LOST, sizeof(*e),
					   TRACE_F_COMMIT, TRACE_SEQ(pos)),
			 __ATOMIC_RELEASE);
}

/* Count a dropped record (W4) and owe a TRACE_LOST (bit 63 of head). */
static bool trace_drop(struct trace_ring_hdr *r)
{
	uint64_t h = __atomic_load_n(&r->head, __ATOMIC_RELAXED);

	local_inc(&r->lost);
	while (!(h & TRACE_HEAD_LOST) &&
	       !local_try_cmpxchg(&r->head, &h, h | TRACE_HEAD_LOST))
		;
	return false;
}

/*
 * The slow path (W2, W4): trace_reserve() could not place @size bytes at
 * head. Pad the rest of the block when the record does not fit in it,
 * write an owed TRACE_LOST, refresh wlimit, and return true: the caller
 * reserves again, with a fresh time stamp, and fits unless a nested
 * record got in first. Or, when the consumer's limit is in the way
 * (stream mode), count the record lost and return false.
 */
SLOWPATH bool trace_make_room(struct trace_ring_hdr *r, uint64_t size)
{
	for (;;) {
		uint64_t h = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
		uint64_t pos = TRACE_HEAD_POS(h);
		uint64_t owed = h & TRACE_HEAD_LOST ? sizeof(struct trace_lost) : 0;
		uint64_t next = (pos | (BLOCK - 1)) + 1;
		uint64_t end = pos + owed + size;
		/*
		 * Acquire: pairs with the release store of limit in
		 * reader_publish() (R6): the consumer is done with the space.
		 */
		uint64_t limit = __atomic_load_n(&r->limit, __ATOMIC_ACQUIRE);
		uint64_t tsc = local_clock();	/* after head, as in W1 */

		if (CONFIG_TRACE_NEST_HOOK && trace_nest_hook)
			trace_nest_hook(r, TRACE_HOOK_RESERVE);
		if (end > next) {
			if (next > limit)
				return trace_drop(r);
			if (local_try_cmpxchg(&r->head, &h,
					      next | (h & TRACE_HEAD_LOST)))
				trace_pad(r, pos, next - pos);
			continue;
		}
		if (end > limit)
			return trace_drop(r);
		if (owed) {
			if (local_try_cmpxchg(&r->head, &h, pos + owed))
				trace_lost(r, pos, tsc);
			continue;
		}
		/*
		 * wlimit and wbase in one store: a nested record never sees
		 * one without the other. One between the load of head and
		 * this store can only leave the pair too low (head moved past
		 * wlimit), so the fast path fails until the next refresh:
		 * safe. wbase is for h's lap, which the block cannot leave.
		 */
		local_store2(&r->wlimit, MIN(next, limit),
			     (uint64_t)(uintptr_t)r + TRACE_RING_HDR_SIZE -
			     (pos & ~r->data_mask));
		return true;
	}
}

/*
 * TRACE_RECORD()'s slow path: place the record filled in @rec (its
 * commit word @word without seq) that trace_reserve() could not.
 */
SLOWPATH void trace_write_slow(struct trace_ring_hdr *r, const void *rec,
			       uint64_t word)
{
	const local_word_t *src = rec;
	uint64_t size = (word >> 16) & 0xff, pos, tsc;
	local_word_t *e;
	void *slot;

	do {
		if (!trace_make_room(r, size))
			return;
	} while (!trace_reserve(r, size, &slot, &pos, &tsc));
	e = slot;
	for (uint64_t i = 2; i < size / 8; i++)
		PUT(e[i], src[i]);
	trace_commit(r, e, pos, word);
}

/*
 * The slow paths of the emitters trace/emit.h inlines into the hot paths
 * (TRACE_RECORD_INLINE()): make room, then make the record again.
 */
SLOWPATH uint64_t trace_retry_switch(struct trace_ring_hdr *r,
				     uint32_t prev_tid, uint32_t next_tid,
				     uint32_t prev_state, int16_t prev_prio,
				     int16_t next_prio)
{
	if (trace_make_room(r, sizeof(struct trace_sched_switch)))
		return trace_emit_switch(r, prev_tid, next_tid, prev_state,
					 prev_prio, next_prio);
	return local_clock();	/* dropped: the time all the same */
}

SLOWPATH void trace_retry_wakeup(struct trace_ring_hdr *r, uint32_t waker_tid,
				 uint32_t wakee_tid, uint16_t target_cpu,
				 int16_t wakee_prio)
{
	if (trace_make_room(r, sizeof(struct trace_sched_wakeup)))
		trace_emit_wakeup(r, waker_tid, wakee_tid, target_cpu,
				  wakee_prio);
}

SLOWPATH void trace_retry_irq_entry(struct trace_ring_hdr *r, uint32_t vector,
				    uint64_t name8)
{
	if (trace_make_room(r, sizeof(struct trace_irq_entry)))
		trace_emit_irq_entry(r, vector, name8);
}

SLOWPATH void trace_retry_irq_exit(struct trace_ring_hdr *r, uint32_t vector,
				   uint32_t handled)
{
	if (trace_make_room(r, sizeof(struct trace_irq_exit)))
		trace_emit_irq_exit(r, vector, handled);
}

SLOWPATH void trace_retry_ipi(struct trace_ring_hdr *r, uint16_t type,
			      uint32_t vector, uint32_t cpu)
{
	if (trace_make_room(r, sizeof(struct trace_ipi)))
		trace_emit_ipi(r, type, vector, cpu);
}

SLOWPATH void trace_retry_syscall_enter(struct trace_ring_hdr *r, uint32_t nr,
					uint64_t a0, uint64_t a1, uint64_t a2)
{
	if (trace_make_room(r, sizeof(struct trace_syscall_enter)))
		trace_emit_syscall_enter(r, nr, a0, a1, a2);
}

SLOWPATH void trace_retry_syscall_exit(struct trace_ring_hdr *r, uint32_t nr,
				       int64_t ret)
{
	if (trace_make_room(r, sizeof(struct trace_syscall_exit)))
		trace_emit_syscall_exit(r, nr, ret);
}

SLOWPATH void trace_retry_ipc(struct trace_ring_hdr *r, uint16_t type,
			      uint32_t endpoint, uint32_t partner_tid,
			      uint64_t tag)
{
	if (trace_make_room(r, sizeof(struct trace_ipc)))
		trace_emit_ipc(r, type, endpoint, partner_tid, tag);
}

SLOWPATH void trace_retry_ipc_reply_recv(struct trace_ring_hdr *r,
					 uint16_t type, uint32_t endpoint,
					 uint32_t partner_tid, uint64_t tag,
					 uint32_t recv_tid, uint64_t recv_tag)
{
	if (trace_make_room(r, sizeof(struct trace_ipc_reply_recv)))
		trace_emit_ipc_reply_recv(r, type, endpoint, partner_tid, tag,
					  recv_tid, recv_tag);
}

SLOWPATH void trace_retry_ipc_switch(struct trace_ring_hdr *r, uint16_t type,
				     uint32_t endpoint, uint32_t partner_tid,
				     uint64_t tag)
{
	if (trace_make_room(r, sizeof(struct trace_ipc_switch)))
		trace_emit_ipc_switch(r, type, endpoint, partner_tid, tag);
}

/* Copy a task name: two words, so @src must be TRACE_NAME_LEN bytes. */
static INLINE void trace_put_name(char *dst, const char *src)
{
	uint64_t w0, w1;

	__builtin_memcpy(&w0, src, sizeof(w0));
	__builtin_memcpy(&w1, src + 8, sizeof(w1));
	PUT(((local_word_t *)dst)[0], w0);
	PUT(((local_word_t *)dst)[1], w1);
}

void trace_emit_task_new(struct trace_ring_hdr *r, uint32_t tid, uint32_t pid,
			 uint32_t parent_tid, uint32_t flags,
			 const char name[TRACE_NAME_LEN])
{
	TRACE_RECORD(r, struct trace_task_new, TRACE_TASK_NEW,
		     PUT(e->tid, tid);
		     PUT(e->pid, pid);
		     PUT(e->parent_tid, parent_tid);
		     PUT(e->flags, flags);
		     trace_put_name(e->name, name));
}

void trace_emit_task_exit(struct trace_ring_hdr *r, uint32_t tid, uint32_t pid,
			  int32_t exit_code)
{
	TRACE_RECORD(r, struct trace_task_exit, TRACE_TASK_EXIT,
		     PUT(e->tid, tid);
		     PUT(e->pid, pid);
		     PUT64(e->exit_code, (uint32_t)exit_code));	/* reserved 0 */
}

void trace_emit_task_rename(struct trace_ring_hdr *r, uint32_t tid,
			    const char name[TRACE_NAME_LEN])
{
	TRACE_RECORD(r, struct trace_task_rename, TRACE_TASK_RENAME,
		     PUT64(e->tid, tid);	/* reserved 0 */
		     trace_put_name(e->name, name));
}

void trace_emit_exception(struct trace_ring_hdr *r, uint32_t vector,
			  uint64_t error_code, uint64_t rip)
{
	TRACE_RECORD(r, struct trace_exception, TRACE_EXCEPTION,
		     PUT64(e->vector, vector);			/* reserved 0 */
		     PUT(e->error_code, error_code);
		     PUT(e->rip, rip));
}

void trace_emit_boot_stage(struct trace_ring_hdr *r, uint32_t stage,
			   uint32_t what)
{
	TRACE_RECORD(r, struct trace_boot_stage, TRACE_BOOT_STAGE,
		     PUT(e->stage, stage);
		     PUT(e->what, what));
}

void trace_emit_counter(struct trace_ring_hdr *r, uint32_t id, int64_t value)
{
	TRACE_RECORD(r, struct trace_counter, TRACE_COUNTER,
		     PUT64(e->id, id);				/* reserved 0 */
		     PUT(e->value, value));
}

void trace_emit_tick(struct trace_ring_hdr *r, uint64_t ticks)
{
	TRACE_RECORD(r, struct trace_timer_tick, TRACE_TIMER_TICK,
		     PUT(e->ticks, ticks));
}

void trace_emit_page_fault(struct trace_ring_hdr *r, uint64_t addr,
			   uint64_t rip, uint32_t error_code)
{
	TRACE_RECORD(r, struct trace_page_fault, TRACE_PAGE_FAULT,
		     PUT(e->addr, addr);
		     PUT(e->rip, rip);
		     PUT64(e->error_code, error_code));	/* reserved 0 */
}

void trace_emit_marker(struct trace_ring_hdr *r, uint64_t a, uint64_t b)
{
	TRACE_RECORD(r, struct trace_marker, TRACE_MARKER,
		     PUT(e->a, a);
		     PUT(e->b, b));
}
