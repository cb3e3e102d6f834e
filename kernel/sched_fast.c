/*
 * HOT PATH: the scheduler's fast paths: the context switch's bookkeeping
 * and the per-tick accounting called from the timer interrupt.
 *
 * May not: print, format, allocate, take contended locks or emit boot-stage
 * markers. The only lock taken is this CPU's own rq->lock (in the tick, to
 * move expired sleepers; other CPUs take it only to wake or steal). Trace
 * records go through trace/emit.c, itself a hot path. Every 5 s CPU 0's
 * tick also samples the load (sched.c, sched_load_sample: a lock-free
 * read of each CPU's counts).
 */
#include "sched.h"
#include "sched_trace.h"
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/percpu.h>
#include <arch/user.h>

/*
 * Switch from prev to next on CPU c. Called by schedule() with c->rq.lock
 * held and interrupts off; the lock stays held across the switch and is
 * released by sched_finish() in next. Returns, once prev runs again, the
 * thread that was running just before it.
 */
struct thread *sched_switch_to(struct cpu *c, struct thread *prev,
			       struct thread *next)
{
	uint64_t now = sched_trace_switch(prev, next);

	sched_account_switch(prev, next, now);
	if (prev->fpu || next->fpu)
		user_switch(prev, next);
	c->current = next;
	c->kstack_top = next->kstack_top;
	c->arch.tss.rsp[0] = next->kstack_top;
	return switch_to(&prev->ctx, next->ctx, prev);
}

/* Called from the timer interrupt with c == this_cpu(). */
/* Ticks between load-average samples (5 s, as Linux's LOAD_FREQ). */
#define LOAD_TICKS	(5 * HZ)

void sched_tick(struct cpu *c)
{
	struct runqueue *rq = &c->rq;

	c->current->ticks++;
	if (!list_empty(&rq->sleepers)) {
		spin_lock(&rq->lock);
		while (!list_empty(&rq->sleepers)) {
			struct thread *t = list_first_entry(&rq->sleepers,
						struct thread, rq_link);

			if (t->wake_tick > c->ticks)
				break;
			list_del(&t->rq_link);
			rq_enqueue(rq, t);
			trace_wakeup_irqoff(0, t->tid, c->id);
		}
		spin_unlock(&rq->lock);
	}
	if (rq->nr_ready && (c->current == c->idle || c->ticks >= c->slice_end))
		c->need_resched = true;
	if (unlikely(c->id == 0 && c->ticks % LOAD_TICKS == 0))
		sched_load_sample();	/* every 5 s: a loop over the CPUs */
}
