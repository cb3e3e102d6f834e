/*
 * HOT PATH: the IPC fast path. NC_CALL and NC_REPLY_RECV between two user
 * threads on one CPU: the message stays in the entering thread's trap
 * frame, syscall.S loads it from there into registers and leaves straight
 * for the partner's user mode, without the run queue (seL4's fastpath;
 * docs/ipc.md).
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
 * Built with every callee-saved register caller-saved and no frame
 * pointer (kernel/build.mk): syscall.S saved the user's registers in the
 * trap frame and reloads them from frames, never from these functions.
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

bool ipc_fast_enabled = true;		/* ipcfast=off clears it at boot */
static uint64_t ipc_fast_hits[MAX_CPUS];	/* direct switches, per CPU */

/*
 * The slow-path body a thread resumed by the scheduler hands over to,
 * called through this pointer as syscall_dispatch() calls its handlers
 * (tools/hotcheck/indirect.allow): the hot path ends at the call.
 */
long (*ipc_fast_resume_body)(unsigned, struct endpoint *,
			     struct trap_frame *) = ipc_resume;

/*
 * What ipc_fast_call() and ipc_fast_reply_recv() return to syscall.S, in
 * rax and rdx: the partner's trap frame, to leave through with the
 * message of the entering thread's frame and rdi = badge (ipc_fast_leave);
 * or tf NULL: take the slow path, syscall_dispatch().
 */
struct ipc_fast_next {
	struct trap_frame *tf;
	uint64_t badge;
};

struct ipc_fast_next ipc_fast_call(struct trap_frame *tf);
struct ipc_fast_next ipc_fast_reply_recv(struct trap_frame *tf);
void ipc_fast_resumed(struct thread *prev);
void switch_user_resumed(void);		/* switch.S */

/*
 * ipc_fast_leave (syscall.S) releases this CPU's rq->lock by hand through
 * %gs, once off the entering thread's stack, and writes its context just
 * below its trap frame: these offsets.
 */
_Static_assert(offsetof(struct cpu, rq.lock) == 0x38 &&
	       offsetof(struct spinlock, locked) == 0 &&
	       offsetof(struct spinlock, owner) == 4, "syscall.S: rq->lock");
_Static_assert(offsetof(struct context, rbp) == 5 * 8 &&
	       offsetof(struct context, rip) == 6 * 8 &&
	       sizeof(struct context) == 7 * 8, "syscall.S: context");

/*
 * Take l if it is free, never spinning: a hot path may not wait on a
 * contended lock, its caller falls back to the slow path instead.
 * Interrupts are off. Acquire: pairs with the release in spin_unlock()
 * and ipc_fast_unlock(). (xchg on a held lock leaves it held.)
 */
static inline bool ipc_fast_trylock(struct spinlock *l, unsigned cpu)
{
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		return false;
	l->owner = cpu;
	return true;
}

static inline void ipc_fast_unlock(struct spinlock *l)
{
	l->owner = -1;
	/* Release: pairs with the acquire in spin_lock()/ipc_fast_trylock(). */
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline struct trap_frame *ipc_fast_tf(struct thread *t)
{
	return (struct trap_frame *)t->kstack_top - 1;
}

/*
 * The thread's process may take the fast path: not killed, and one thread
 * (the threads of a process share its capability table, which
 * ipc_fast_cap() reads without the table's lock).
 */
static inline bool ipc_fast_proc_ok(const struct proc *p)
{
	return !p->killed && p->nthreads == 1;
}

/*
 * The endpoint capability in the caller's slot, if it has right. No lock:
 * its process has one thread (ipc_fast_proc_ok) and only that thread
 * writes its table.
 */
static inline struct cap *ipc_fast_cap(struct thread *me, uint64_t slot,
				       unsigned right)
{
	struct cap *c;

	if (unlikely(slot >= CAP_SLOTS))
		return NULL;
	c = &me->proc->caps->slot[slot];
	if (unlikely(c->type != CAP_ENDPOINT || !(c->rights & right)))
		return NULL;
	return c;
}

/*
 * Record the half trip (@type, on endpoint @ep), put prev to sleep in IPC
 * and switch from it (entered through tf) to next, keeping the
 * scheduler's books as sched_switch_to() does, and return
 * what syscall.S needs to leave for next's user mode. c->rq.lock is held;
 * ipc_fast_leave drops it once off prev's stack. prev's saved context
 * (ipc_fast_leave writes it just below tf) holds no registers: if the
 * scheduler, not a partner's fast path, resumes prev later, it does so
 * in switch_user_resumed and ipc_fast_resumed().
 */
static inline __attribute__((always_inline)) struct ipc_fast_next
ipc_fast_switch(struct cpu *c, struct thread *prev, struct trap_frame *tf,
		struct thread *next, uint64_t badge, uint16_t type,
		const struct endpoint *ep)
{
	struct trace_ring_hdr *r = c->trace_ring;
	uint64_t now, top = next->kstack_top;

	if (r)
		trace_emit_ipc_switch(r, type, ep->id, next->tid, tf->rsi,
				      prev->tid);
	prev->state = THREAD_SLEEPING;
	now = rdtsc();
	sched_account_switch(prev, next, now);
	user_switch_fast(prev, next);
	prev->ctx = (struct context *)tf - 1;
	c->current = next;
	c->kstack_top = top;
	c->arch.tss.rsp[0] = top;
	ipc_fast_hits[next->cpu]++;
	return (struct ipc_fast_next){ (struct trap_frame *)top - 1, badge };
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
	if (unlikely(me->proc->killed))
		proc_die();
	if (this_cpu()->need_resched)
		sched_preempt();
}

/*
 * NC_CALL: if a receiver sleeps on the endpoint ready to be resumed at its
 * trap frame, on this CPU, hand it the message and switch to it; the
 * caller sleeps held by it. Context: syscall entry, interrupts off.
 * Returns the partner to leave for (rq->lock held), or tf NULL for the
 * slow path; a caller resumed by the scheduler, not by the partner's
 * reply, finishes in ipc_fast_resumed().
 */
struct ipc_fast_next ipc_fast_call(struct trap_frame *tf)
{
	struct cpu *c = this_cpu();
	struct thread *me = c->current, *srv;
	unsigned id = c->id;
	struct ipc_wait *rw;
	struct endpoint *ep;
	struct cap *cap;

	if (unlikely(!ipc_fast_enabled || c->need_resched ||
		     !ipc_fast_proc_ok(me->proc)))
		goto slow;
	cap = ipc_fast_cap(me, tf->rdi, CAP_SEND);
	if (!cap)
		goto slow;
	ep = cap->obj;
	if (unlikely(!ipc_fast_trylock(&ep->lock, id)))
		goto slow;
	if (unlikely(list_empty(&ep->receivers)))
		goto slow_ep;
	rw = list_first_entry(&ep->receivers, struct ipc_wait, link);
	srv = container_of(rw, struct thread, ipc);
	if (unlikely(!rw->fast || rw->bound || srv->proc->killed))
		goto slow_ep;
	if (unlikely(!ipc_fast_trylock(&c->rq.lock, id)))
		goto slow_ep;
	if (unlikely(srv->state != THREAD_SLEEPING || srv->cpu != id))
		goto slow_rq;

	/* Committed: srv holds the call, the caller sleeps until the reply. */
	list_del(&rw->link);
	rw->caller = me;
	rw->got_call = 1;
	rw->fast = false;
	me->ipc.ep = ep;		/* reply: NULL since its last call */
	me->ipc.got_reply = 0;
	me->ipc.state = IPC_HELD;
	me->ipc.fast = true;
	ipc_fast_unlock(&ep->lock);
	return ipc_fast_switch(c, me, tf, srv, cap->badge,
			       TRACE_IPC_CALL_SWITCH, ep);
slow_rq:
	ipc_fast_unlock(&c->rq.lock);
slow_ep:
	ipc_fast_unlock(&ep->lock);
slow:
	return (struct ipc_fast_next){ NULL, 0 };
}

/*
 * NC_REPLY_RECV: if the caller held sleeps ready to be resumed at its
 * trap frame, on this CPU, and no call is queued, put the reply in its
 * frame, queue this thread as a receiver and switch to the caller.
 * Context and return: as ipc_fast_call().
 */
struct ipc_fast_next ipc_fast_reply_recv(struct trap_frame *tf)
{
	struct cpu *c = this_cpu();
	struct thread *me = c->current, *caller = me->ipc.caller;
	unsigned id = c->id;
	struct endpoint *ep;
	struct cap *cap;

	if (unlikely(!ipc_fast_enabled || !caller || c->need_resched ||
		     !ipc_fast_proc_ok(me->proc) || me->ipc.bound))
		goto slow;
	cap = ipc_fast_cap(me, tf->rdi, CAP_RECV);
	if (!cap || unlikely(!caller->ipc.fast || caller->proc->killed))
		goto slow;
	ep = cap->obj;
	if (unlikely(!ipc_fast_trylock(&ep->lock, id)))
		goto slow;
	if (unlikely(!list_empty(&ep->senders)))
		goto slow_ep;
	if (unlikely(!ipc_fast_trylock(&c->rq.lock, id)))
		goto slow_ep;
	if (unlikely(caller->state != THREAD_SLEEPING || caller->cpu != id))
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
	return ipc_fast_switch(c, me, tf, caller, 0, TRACE_IPC_REPLY_SWITCH,
			       ep);
slow_rq:
	ipc_fast_unlock(&c->rq.lock);
slow_ep:
	ipc_fast_unlock(&ep->lock);
slow:
	return (struct ipc_fast_next){ NULL, 0 };
}

/*
 * Direct switches so far, all CPUs (NC_IPC_STATS). Called from C, so it
 * must keep the registers this file's build otherwise clobbers.
 */
__attribute__((no_caller_saved_registers)) uint64_t ipc_fast_count(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++)
		n += READ_ONCE(ipc_fast_hits[i]);
	return n;
}
