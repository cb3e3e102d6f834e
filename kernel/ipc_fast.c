/*
 * HOT PATH: the IPC fast path. NC_CALL and NC_REPLY_RECV between two user
 * threads on one CPU: the message stays in registers (words 1-3) and the
 * entering thread's trap frame (tag, word 0), and syscall.S leaves
 * straight for the partner's user mode with it, without the run queue
 * (seL4's fastpath; docs/ipc.md).
 *
 * May not: print, format, allocate, take contended locks or emit boot-
 * stage markers. It tries the endpoint's lock and this CPU's rq->lock
 * (in that order, as the slow path takes them) and falls back to the slow
 * path if either is busy. Each entry
 * is a line of guards that fall back to the slow path, a "committed"
 * point, then unconditional updates and the switch. The slow path stays
 * the reference: anything unusual (no partner asleep in the right state,
 * another CPU, a bound notification, a queued caller, a kill, a pending
 * reschedule, a process with more threads) goes there, and a thread this
 * path put to sleep that the scheduler resumes finishes its call in the
 * slow path (ipc_resume).
 *
 * Built with every callee-saved register but rbp caller-saved, rbp, r8,
 * r9 and r10 never used, and no frame pointer (kernel/build.mk): syscall.S
 * saved the user's registers in the trap frame and reloads them from
 * frames, never from these functions, but for the message words r8-r10
 * carry through. So it may not call anything that clobbers r8-r10 (its one
 * call, the trace record's cold retry, keeps them), nor write over its
 * own return address, which becomes a sleeper's saved context's rip.
 */
#include "ipc.h"
#include "proc.h"
#include "sched.h"
#include "trace.h"
#include "trace/emit.h"
#include <arch/cpu.h>
#include <arch/trap.h>
#include <arch/user.h>

/* syscall.S compares rax with these numbers. */
_Static_assert(NATIVE_SYS_BASE + NC_CALL == 1024, "syscall.S: IPC_FAST_CALL");
_Static_assert(NATIVE_SYS_BASE + NC_REPLY_RECV == 1027,
	       "syscall.S: IPC_FAST_REPLY_RECV");

bool ipc_fast_enabled = true;		/* ipcfast=off clears it at boot; the
					 * path itself tests each CPU's
					 * ipc_fast_off (ipc_fast_init) */

/*
 * The slow-path body a thread resumed by the scheduler hands over to,
 * called through this pointer as syscall_dispatch() calls its handlers
 * (tools/hotcheck/indirect.allow): the hot path ends at the call.
 */
long (*ipc_fast_resume_body)(unsigned, struct endpoint *,
			     struct trap_frame *) = ipc_resume;

/*
 * ipc_fast_call() and ipc_fast_reply_recv() return (0) to syscall.S only
 * to take the slow path, syscall_dispatch(). Having switched, they jump to
 * ipc_fast_leave (syscall.S) instead, with rax = the partner's trap frame,
 * rdi = the badge (or 0) and rcx = the entering thread's frame; r8, r9
 * and r10, message words 2, 3 and 1, still hold what the entering thread
 * passed: this file's build never uses them (kernel/build.mk), and the
 * one call it makes while they matter keeps them (ipc_fast_trace_retry).
 */
long ipc_fast_call(uint64_t slot, struct trap_frame *tf);
long ipc_fast_reply_recv(uint64_t slot, struct trap_frame *tf);
void ipc_fast_resumed(struct thread *prev);
void switch_user_resumed(void);		/* switch.S */

/*
 * ipc_fast_leave (syscall.S) releases this CPU's rq->lock by hand through
 * %gs, once off the entering thread's stack, and writes its context just
 * below its trap frame: these offsets.
 */
_Static_assert(offsetof(struct cpu, rq.lock) == 0x38 &&
	       offsetof(struct spinlock, locked) == 0, "syscall.S: rq->lock");
_Static_assert(offsetof(struct context, rbp) == 5 * 8 &&
	       offsetof(struct context, rip) == 6 * 8 &&
	       sizeof(struct context) == 7 * 8, "syscall.S: context");

/*
 * This CPU's struct cpu seen through %gs, whose base is the struct
 * (cpu.h: self at %gs:0): each field is one %gs-relative operand and no
 * register holds the pointer. The call half's record needs every
 * register there is (with this CPU's pointer in one, a value spilled to
 * the stack and back). GNU C's named address space: kernel/build.mk
 * builds this file as gnu11.
 */
#define ipc_fast_cpu ((struct cpu __seg_gs *)0)

/*
 * Take l if it is free, never spinning: a hot path may not wait on a
 * contended lock, its caller falls back to the slow path instead.
 * Interrupts are off. Acquire: pairs with the release in spin_unlock()
 * and ipc_fast_unlock(). (xchg on a held lock leaves it held.)
 *
 * The owner field is left -1 (spinlock.h): this path holds each lock for
 * a few dozen instructions with interrupts off, calls nothing that could
 * take it (so spin_lock()'s recursion check, the one reader on this CPU,
 * cannot run against it) and releases it itself (never through
 * spin_unlock(), which checks the owner); naming the holder would cost
 * two stores a lock on every half trip.
 */
#define IPC_FAST_TRYLOCK(locked) ({					\
	bool held_;							\
									\
	/*								\
	 * xchg with 1, as spin_lock() takes it, in two instructions	\
	 * with the branch: bit 0 is the whole of locked (0 or 1), its	\
	 * old value lands in CF. A locked RMW: a full barrier on x86.	\
	 */								\
	__asm__ __volatile__("lock btsl $0, %[l]"			\
			     : [l] "+m"(locked), "=@ccc"(held_)		\
			     : : "memory");				\
	!held_;								\
})

static inline bool ipc_fast_trylock(struct spinlock *l)
{
	return IPC_FAST_TRYLOCK(l->locked);
}

/* This CPU's rq->lock, through %gs. */
static inline bool ipc_fast_trylock_rq(void)
{
	return IPC_FAST_TRYLOCK(ipc_fast_cpu->rq.lock.locked);
}

/* Release: pairs with the acquire in spin_lock()/IPC_FAST_TRYLOCK(). */
static inline void ipc_fast_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline void ipc_fast_unlock_rq(void)
{
	/*
	 * The __atomic builtins take no other address space: a compiler
	 * barrier and a volatile store, a release on x86 (TSO). Pairs as
	 * above.
	 */
	__asm__ __volatile__("" : : : "memory");
	*(volatile uint32_t __seg_gs *)&ipc_fast_cpu->rq.lock.locked = 0;
}

static inline struct trap_frame *ipc_fast_tf(struct thread *t)
{
	return (struct trap_frame *)t->kstack_top - 1;
}

/*
 * The thread's process may take the fast path: one thread (the threads of
 * a process share its capability table, which ipc_fast_cap() reads
 * without the table's lock), not killed and no signal to look at. All in
 * one compare (proc.h: nthreads 1 in the low half, user_work = killed
 * and sigwork 0 in the high).
 */
static inline bool ipc_fast_proc_ok(const struct proc *p)
{
	return p->ipc_fast_key == 1;
}

/*
 * The partner's kill, or signal. Only the entering thread's process is
 * tested for a kill or a signal to look at (proc->user_work, in the same
 * compare as its one thread): a thread that went to sleep killed would
 * never be woken for it. The partner's is not: a kill sets proc->killed,
 * a signal proc->sigwork (signal.c, signal_notify_locked), then each
 * wakes the thread under its rq->lock and kicks one found running on
 * another CPU (tgroup.c, sched_kick_thread). This path holds rq->lock
 * from its test of the partner's state to the switch, so the wakeup
 * comes either first (the partner is no longer asleep: the slow path)
 * or after it, finding the partner running here: the kick's IPI then
 * interrupts it in user mode, where it dies or takes the signal on the
 * way back (intr.c), as it would have at the end of the slow path's
 * call. A caller woken so whose call a server holds sleeps again with
 * ipc.fast cleared (ipc.c, ipc_call_done): the reply then resumes it
 * through the scheduler, never straight to user mode. A partner's
 * thread count needs no test: it was 1 when it set its fast flag
 * (ipc_endpoint_call), and only the sleeping thread could clone.
 */

/*
 * The endpoint capability in the caller's slot, if it has right. No lock:
 * its process has one thread (ipc_fast_proc_ok) and only that thread
 * writes its table.
 */
static inline struct cap *ipc_fast_cap(struct proc *p, uint64_t slot,
				       unsigned right)
{
	struct cap *c;

	if (unlikely(slot >= CAP_SLOTS))
		return NULL;
	c = &p->caps->slot[slot];
	if (unlikely(c->type != CAP_ENDPOINT || !(c->rights & right)))
		return NULL;
	return c;
}

/*
 * trace_retry_ipc_switch() (trace/emit.c: room made, the record again),
 * keeping every register but r8-r10, which this file's build reserves
 * (its caller's asm keeps those). GCC does not use that at its call sites, so
 * ipc_fast_trace() calls it from asm that clobbers nothing: a plain call,
 * clobbering what the ABI lets it, would make the fast functions (built
 * with every register caller-saved) keep a stack frame to spill into,
 * paid on every trip.
 */
static __attribute__((used, noinline, noclone, cold,
		      no_caller_saved_registers)) void
ipc_fast_trace_retry(struct trace_ring_hdr *r, uint16_t type,
		     uint32_t endpoint, uint32_t partner_tid, uint64_t tag)
{
	trace_retry_ipc_switch(r, type, endpoint, partner_tid, tag);
}

static inline __attribute__((always_inline)) void
ipc_fast_trace_retry_call(struct trace_ring_hdr *r, uint16_t type,
			  uint32_t endpoint, uint32_t partner_tid,
			  uint64_t tag)
{
	/*
	 * r8, r9 and r10 carry message words this file's build leaves
	 * alone (kernel/build.mk), so GCC does not save them in the
	 * wrapper either, and the function it calls may change them: kept
	 * here, around the argument r8 passes.
	 * The kernel has no red zone (-mno-red-zone): the pushes are safe.
	 */
	__asm__ __volatile__("pushq %%r8\n\t"
			     "pushq %%r9\n\t"
			     "pushq %%r10\n\t"
			     "movq %[tag], %%r8\n\t"
			     "call ipc_fast_trace_retry\n\t"
			     "popq %%r10\n\t"
			     "popq %%r9\n\t"
			     "popq %%r8"
			     : : "D"(r), "S"((uint64_t)type),
			       "d"((uint64_t)endpoint),
			       "c"((uint64_t)partner_tid), [tag] "r"(tag)
			     : "memory");
}

/*
 * trace_emit_ipc_switch() (trace/emit.h): the same record and the same
 * fill (TRACE_FILL_IPC_SWITCH), with the register-keeping retry above on
 * its slow path; returns the switch's
 * time for the scheduler's books. On the fast path that is the record's
 * own stamp, read back (one load, not a second rdtsc and the joining of
 * its halves), so the trace and the runtime books agree on the instant.
 */
static inline __attribute__((always_inline)) uint64_t
ipc_fast_trace(struct trace_ring_hdr *r, uint16_t type,
	       const struct endpoint *ep, const struct thread *next,
	       const struct trap_frame *tf)
{
	uint64_t now;

	/*
	 * The fields are read where they are stored, not passed in: the
	 * pointers are live anyway, three loaded values would not be.
	 */
	TRACE_RECORD_INLINE(r, struct trace_ipc_switch, type,
			    (ipc_fast_trace_retry_call(r, type, ep->id,
						       next->tid, tf->rsi),
			     now = rdtsc()),
		     TRACE_FILL_IPC_SWITCH(e, ep->id, next->tid, tf->rsi);
		     /* stamped by the reservation; a real load, so the
		      * clock's halves need not stay live (a spill) */
		     now = READ_ONCE(e->h.tsc));
	return now;
}

/*
 * Record the half trip (@type, on endpoint @ep), put prev to sleep in IPC
 * and switch from it (entered through tf) to next, keeping the
 * scheduler's books as sched_switch_to() does, and leave for next's user
 * mode through ipc_fast_leave (syscall.S), never returning. rq->lock is
 * held; ipc_fast_leave drops it once off prev's stack. prev's saved
 * context, just below tf, holds no registers: its rip is this path's own
 * return address into syscall.S (the call's push, at tf - 8; nothing here
 * pushes), its rbp 0 (ipc_fast_leave). If the scheduler, not a partner's
 * fast path, resumes prev later, switch_to() "returns" there with prev's
 * predecessor in rax, and syscall.S goes on to switch_user_resumed and
 * ipc_fast_resumed().
 */
static inline __attribute__((always_inline, noreturn)) void
ipc_fast_switch(struct thread *prev, struct trap_frame *tf,
		struct thread *next, uint64_t badge, uint16_t type,
		const struct endpoint *ep)
{
	struct trace_ring_hdr *r = ipc_fast_cpu->trace_ring;
	uint64_t now, top;

	if (r)
		now = ipc_fast_trace(r, type, ep, next, tf);
	else
		now = rdtsc();
	top = next->kstack_top;		/* after the record: fewer live */
	prev->state = THREAD_SLEEPING;
	sched_account_switch(prev, next, now);
	user_switch_fast(prev, next);
	prev->ctx = (struct context *)tf - 1;
	ipc_fast_cpu->current = next;
	ipc_fast_cpu->kstack_top = top;
	ipc_fast_cpu->arch.tss.rsp[0] = top;
	ipc_fast_cpu->ipc_fast_hits++;
	/* This function's return address (at tf - 8) becomes prev's context. */
	__asm__ __volatile__("jmp ipc_fast_leave"
			     : : "a"((struct trap_frame *)top - 1), "D"(badge),
			       "c"(tf)
			     : "memory");
	__builtin_unreachable();
}

/*
 * The scheduler, not a partner's fast path, resumed a thread this path
 * put to sleep (a slow-path reply or call woke it, or a kill): switch.S
 * calls this on the thread's stack just below its trap frame, with the
 * thread switched from. Finish as sched_pick_and_switch() and
 * syscall_dispatch() would. The frame still holds the call number in rax
 * (nothing but the thread's own kernel code writes its frame, the fast
 * path not even that), and ipc.ep the endpoint, set by either entry.
 */
void ipc_fast_resumed(struct thread *prev)
{
	struct thread *me;
	struct trap_frame *tf;

	sched_finish(prev);
	me = current_thread();
	tf = ipc_fast_tf(me);
	irq_enable();
	tf->rax = ipc_fast_resume_body(
		tf->rax == NATIVE_SYS_BASE + NC_CALL ? NC_CALL : NC_REPLY_RECV,
		me->ipc.ep, tf);
	irq_disable();
	if (this_cpu()->need_resched)
		sched_preempt();
	if (unlikely(me->proc->user_work))
		syscall_user_work(tf);
}

/*
 * NC_CALL: if a receiver sleeps on the endpoint ready to be resumed at its
 * trap frame, on this CPU, hand it the message and switch to it; the
 * caller sleeps held by it. Context: syscall entry, interrupts off.
 * Leaves for the partner's user mode (ipc_fast_switch), or returns to
 * take the slow path; a caller resumed by the scheduler, not by the
 * partner's reply, finishes in ipc_fast_resumed().
 */
long ipc_fast_call(uint64_t slot, struct trap_frame *tf)
{
	struct thread *me = ipc_fast_cpu->current, *srv;
	struct proc *p = me->proc;
	struct list_head *next;
	struct ipc_wait *rw;
	struct endpoint *ep;
	struct cap *cap;

	if (unlikely(ipc_fast_cpu->ipc_fast_block || !ipc_fast_proc_ok(p)))
		goto slow;
	cap = ipc_fast_cap(p, slot, CAP_SEND);
	if (!cap)
		goto slow;
	ep = cap->obj;
	if (unlikely(!ipc_fast_trylock(&ep->lock)))
		goto slow;
	next = ep->receivers.next;
	if (unlikely(next == &ep->receivers))
		goto slow_ep;
	rw = list_entry(next, struct ipc_wait, link);
	srv = container_of(rw, struct thread, ipc);
	/*
	 * fast: never with a bound notification (ipc_do_recv), nor in a
	 * process of several threads. Its process may have been killed:
	 * see "The partner's kill" above.
	 */
	if (unlikely(!rw->fast))
		goto slow_ep;
	if (unlikely(!ipc_fast_trylock_rq()))
		goto slow_ep;
	/* Asleep here: state and cpu in one compare. */
	if (unlikely(srv->state_cpu != ipc_fast_cpu->ipc_fast_sleeping))
		goto slow_rq;

	/*
	 * Committed: srv holds the call, the caller sleeps until the reply.
	 * srv leaves the queue's head; its own link is left as it is, as
	 * nothing reads the link of a thread off the queues.
	 */
	next = rw->link.next;
	ep->receivers.next = next;
	next->prev = &ep->receivers;
	rw->caller = me;
	rw->got_call = 1;
	rw->fast = false;
	me->ipc.ep = ep;		/* reply: NULL since its last call */
	me->ipc.got_reply = 0;
	me->ipc.state = IPC_HELD;
	me->ipc.fast = true;
	ipc_fast_unlock(&ep->lock);
	ipc_fast_switch(me, tf, srv, cap->badge, TRACE_IPC_CALL_SWITCH, ep);
slow_rq:
	ipc_fast_unlock_rq();
slow_ep:
	ipc_fast_unlock(&ep->lock);
slow:
	return 0;			/* the slow path (syscall.S) */
}

/*
 * NC_REPLY_RECV: if the caller held sleeps ready to be resumed at its
 * trap frame, on this CPU, and no call is queued, put the reply in its
 * frame, queue this thread as a receiver and switch to the caller.
 * Context and return: as ipc_fast_call().
 */
long ipc_fast_reply_recv(uint64_t slot, struct trap_frame *tf)
{
	struct thread *me = ipc_fast_cpu->current, *caller = me->ipc.caller;
	struct proc *p = me->proc;
	struct endpoint *ep;
	struct cap *cap;

	if (unlikely(ipc_fast_cpu->ipc_fast_block || !caller || !ipc_fast_proc_ok(p) ||
		     me->ipc.bound))
		goto slow;
	cap = ipc_fast_cap(p, slot, CAP_RECV);
	/* Its kill, if any: see "The partner's kill" above. */
	if (!cap || unlikely(!caller->ipc.fast))
		goto slow;
	ep = cap->obj;
	if (unlikely(!ipc_fast_trylock(&ep->lock)))
		goto slow;
	if (unlikely(!list_empty(&ep->senders)))
		goto slow_ep;
	if (unlikely(!ipc_fast_trylock_rq()))
		goto slow_ep;
	if (unlikely(caller->state_cpu != ipc_fast_cpu->ipc_fast_sleeping))
		goto slow_rq;

	/* Committed: the caller gets the reply, this thread waits on ep. */
	me->ipc.caller = NULL;
	me->ipc.got_call = 0;
	me->ipc.fast = true;
	me->ipc.ep = ep;		/* for ipc_fast_resumed() */
	list_add_tail(&me->ipc.link, &ep->receivers);
	ipc_fast_unlock(&ep->lock);
	caller->ipc.state = IPC_IDLE;
	caller->ipc.got_reply = 1;
	caller->ipc.fast = false;
	ipc_fast_switch(me, tf, caller, 0, TRACE_IPC_REPLY_SWITCH, ep);
slow_rq:
	ipc_fast_unlock_rq();
slow_ep:
	ipc_fast_unlock(&ep->lock);
slow:
	return 0;			/* the slow path (syscall.S) */
}

/*
 * Direct switches so far, all CPUs (NC_IPC_STATS). Called from C, so it
 * must keep the registers this file's build otherwise clobbers.
 */
__attribute__((no_caller_saved_registers)) uint64_t ipc_fast_count(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++)
		n += READ_ONCE(cpus[i].ipc_fast_hits);
	return n;
}
