/*
 * The scheduler: per-CPU run queues, round-robin time slices, timer
 * preemption, sleep and wakeup (with cross-CPU kicks by IPI), and load
 * balancing by idle CPUs stealing queued threads from the busiest one.
 *
 * The running thread is never in a run queue, and neither is the idle
 * thread. schedule() holds this CPU's rq->lock across switch_to(); the
 * thread switched to releases it in sched_finish(). So nobody can steal or
 * wake a thread whose registers are still being saved.
 */
#include "sched.h"
#include "printk.h"
#include "smp.h"
#include "trace.h"
#include "wait.h"
#include <arch/cpu.h>
#include <arch/tsc.h>

#define SLICE_TICKS 3

void rq_enqueue(struct runqueue *rq, struct thread *t)
{
	t->state = THREAD_READY;
	list_add_tail(&t->rq_link, &rq->ready);
	rq->nr_ready++;
}

static struct thread *rq_dequeue(struct runqueue *rq)
{
	struct thread *t;

	if (list_empty(&rq->ready))
		return NULL;
	t = list_first_entry(&rq->ready, struct thread, rq_link);
	list_del(&t->rq_link);
	rq->nr_ready--;
	return t;
}

/* Lock the run queue that holds t, following it if it moves meanwhile. */
static struct runqueue *sched_lock_thread(struct thread *t)
{
	for (;;) {
		unsigned cpu = READ_ONCE(t->cpu);
		struct runqueue *rq = &cpus[cpu].rq;

		spin_lock(&rq->lock);
		if (READ_ONCE(t->cpu) == cpu)
			return rq;
		spin_unlock(&rq->lock);
	}
}

/* Pick the CPU with the fewest queued threads, preferring an idle one. */
static unsigned sched_pick_cpu(void)
{
	unsigned best = 0, best_load = ~0u;

	for (unsigned i = 0; i < ncpus; i++) {
		struct cpu *c = &cpus[i];
		unsigned load;

		if (!c->online)
			continue;
		load = READ_ONCE(c->rq.nr_ready) * 2 + (c->current != c->idle);
		if (load < best_load) {
			best = i;
			best_load = load;
		}
	}
	return best;
}

static void sched_kick(unsigned cpu)
{
	if (cpu == cpu_id())
		this_cpu()->need_resched = true;
	else
		smp_send_resched(cpu);
}

/* Queue a new thread on cpu (or the least loaded with -1) and kick it. */
void sched_enqueue_new(struct thread *t, int cpu)
{
	unsigned target = cpu >= 0 ? (unsigned)cpu : sched_pick_cpu();
	struct runqueue *rq = &cpus[target].rq;
	unsigned long f = spin_lock_irqsave(&rq->lock);

	t->cpu = target;
	rq_enqueue(rq, t);
	trace_wakeup_irqoff(current_thread()->trace_tid, t->tid, target);
	spin_unlock_irqrestore(&rq->lock, f);
	sched_kick(target);
}

/*
 * Whether a thread woken onto this CPU takes it from the one running
 * here at its next chance. From an interrupt handler, yes: a device's
 * event is what its driver waits for. From a thread, only once that
 * thread has run a wakeup granularity (1 ms) since it was switched in,
 * as Linux's CFS preempts a runner only when it is a granularity ahead
 * of the woken task: a server that answers one caller and has more
 * queued goes on to the next, rather than handing the CPU to each caller
 * it wakes, and a client that frees a slot for another finishes its call
 * first. The woken thread waits at most until the runner blocks, or its
 * slice ends.
 */
static bool sched_wakeup_preempts(struct cpu *c)
{
	return c->in_intr ||
	       rdtsc() - c->current->switched_in >= tsc_hz / 1000;
}

/*
 * The load averages, as Linux's calc_global_load: every LOAD_TICKS ticks
 * CPU 0's tick (sched_tick) folds the threads running or ready on every
 * CPU into three exponential averages over 1, 5 and 15 minutes, in fixed
 * point with 11 fraction bits (FIXED_1 = 1.0). Read racily (statistics).
 */
#define LOAD_FSHIFT	11
#define LOAD_FIXED_1	(1u << LOAD_FSHIFT)
static const uint32_t load_exp[3] = { 1884, 2014, 2037 };	/* 1/e^(5s/T) */
static uint32_t load_avg[3];

void sched_load_sample(void)
{
	uint32_t active = 0;

	for (unsigned i = 0; i < ncpus; i++) {
		struct cpu *c = &cpus[i];

		if (READ_ONCE(c->online))
			active += READ_ONCE(c->rq.nr_ready) +
				  (READ_ONCE(c->current) != c->idle);
	}
	active *= LOAD_FIXED_1;
	for (int i = 0; i < 3; i++) {
		uint64_t a = (uint64_t)load_avg[i] * load_exp[i] +
			     (uint64_t)active * (LOAD_FIXED_1 - load_exp[i]);

		/* Round up while rising, as Linux does, so a load shows. */
		if (active >= load_avg[i])
			a += LOAD_FIXED_1 - 1;
		WRITE_ONCE(load_avg[i], (uint32_t)(a >> LOAD_FSHIFT));
	}
}

/* The averages in 1/65536ths (sysinfo's SI_LOAD_SHIFT), or 1/2048ths. */
void sched_load_avg(uint64_t out[3], unsigned shift)
{
	for (int i = 0; i < 3; i++)
		out[i] = (uint64_t)READ_ONCE(load_avg[i]) << shift >> LOAD_FSHIFT;
}

/* Choose where a woken thread runs: home, unless home is busy and another is idle. */
static unsigned sched_wake_cpu(struct thread *t)
{
	struct cpu *home = &cpus[t->cpu];

	if (t->pinned >= 0)
		return t->pinned;
	if (home->current == home->idle && !home->rq.nr_ready)
		return t->cpu;
	for (unsigned i = 0; i < ncpus; i++) {
		if (cpus[i].online && cpus[i].current == cpus[i].idle &&
		    !READ_ONCE(cpus[i].rq.nr_ready))
			return i;
	}
	return t->cpu;
}

/*
 * The waker's record of an IPC call or reply (sched_wakeup_ipc), made
 * under the wakee's rq->lock: @wake_type when the wakee was woken onto
 * this CPU (it then stands for the SCHED_WAKEUP record too), else @type.
 */
static void sched_wakeup_record(const struct sched_wake_rec *rec, bool here)
{
	uint16_t type;

	if (!rec)
		return;
	type = here ? rec->wake_type : rec->type;
	if (rec->type == TRACE_IPC_REPLY_RECV)
		trace_ipc_reply_recv_irqoff(type, rec->endpoint,
					    rec->partner_tid, rec->tag,
					    rec->recv_tid, rec->recv_tag);
	else
		trace_ipc_irqoff(type, rec->endpoint, rec->partner_tid,
				 rec->tag);
}

/*
 * Make a SLEEPING thread runnable; anything else is left alone. Returns
 * whether t was asleep (and is now woken). @rec: an IPC record to make
 * too (sched_wakeup_ipc). Context: any, including IRQ. Locks: the
 * thread's rq->lock, then maybe the target CPU's.
 */
static bool sched_wakeup_to(struct thread *t, bool sync, volatile int *p,
			    int val, volatile int *only_if,
			    const struct sched_wake_rec *rec)
{
	unsigned long f = irq_save();
	struct runqueue *rq = sched_lock_thread(t);
	unsigned target;

	if (p)
		*p = val;
	if (!thread_asleep(t->state) || (only_if && !*only_if)) {
		sched_wakeup_record(rec, false);
		spin_unlock(&rq->lock);
		irq_restore(f);
		return false;
	}
	if (!list_empty(&t->rq_link))
		list_del(&t->rq_link);		/* from the sleepers list */
	if (t->on_cpu) {
		t->state = THREAD_RUNNING;	/* it has not switched out yet */
		sched_wakeup_record(rec, false);
		spin_unlock(&rq->lock);
		irq_restore(f);
		return true;
	}
	target = sync && t->pinned < 0 ? cpu_id() : sched_wake_cpu(t);
	if (target != t->cpu) {
		t->state = THREAD_WAKING;	/* no one else touches it now */
		t->cpu = target;
		spin_unlock(&rq->lock);
		rq = &cpus[target].rq;
		spin_lock(&rq->lock);
	}
	rq_enqueue(rq, t);
	if (rec && target == cpu_id()) {
		sched_wakeup_record(rec, true);	/* it says the wakeup */
	} else {
		sched_wakeup_record(rec, false);
		trace_wakeup_irqoff(current_thread()->trace_tid, t->tid,
				    target);
	}
	spin_unlock(&rq->lock);
	if (cpus[target].current == cpus[target].idle ||
	    (target == cpu_id() && sched_wakeup_preempts(&cpus[target])))
		sched_kick(target);
	irq_restore(f);
	return true;
}

bool sched_wakeup(struct thread *t)
{
	return sched_wakeup_to(t, false, NULL, 0, NULL, NULL);
}

/*
 * Wake t onto this CPU because the caller is about to block for it
 * (synchronous IPC): t runs here next, with no IPI and no hop to an idle
 * CPU, as L4's direct process switch intends. Context: as sched_wakeup.
 */
void sched_wakeup_sync(struct thread *t)
{
	sched_wakeup_to(t, true, NULL, 0, NULL, NULL);
}

/*
 * Store val to *p under t's rq->lock, then wake t as sched_wakeup_sync()
 * does, unless only_if is given and *only_if is 0. A thread that tests *p
 * under its own rq->lock before sleeping (sched_sleep_until()) cannot miss
 * the store. Once this returns t may run and exit: the caller must not
 * touch it after. Context: as sched_wakeup.
 */
void sched_wakeup_store(struct thread *t, volatile int *p, int val,
			volatile int *only_if)
{
	sched_wakeup_to(t, true, p, val, only_if, NULL);
}

/*
 * sched_wakeup_store() (with 1) for an IPC call or reply, which makes the
 * call's or reply's record too: under t's rq->lock, so it comes before
 * anything t records once woken. When t is woken onto this CPU the
 * record is rec->wake_type (TRACE_IPC_CALL_WAKE, _REPLY_WAKE) and stands
 * for the wakeup's record as well; otherwise rec->type, and a woken t's
 * SCHED_WAKEUP after it. Context: as sched_wakeup.
 */
void sched_wakeup_ipc(struct thread *t, volatile int *p,
		      const struct sched_wake_rec *rec)
{
	sched_wakeup_to(t, true, p, 1, NULL, rec);
}

/*
 * As sched_wakeup_store() with 1, but the thread wakes where
 * sched_wakeup() would put it (an idle CPU first): the waker goes on
 * running (futex wake). Set *p under t's rq->lock, so a sleep in
 * sched_sleep_flag() cannot miss it. Context: as sched_wakeup.
 */
void sched_wakeup_flag(struct thread *t, volatile int *p)
{
	sched_wakeup_to(t, false, p, 1, NULL, NULL);
}

/*
 * Interrupt t if it runs on another CPU, so that it passes through the
 * interrupt return path (which honours proc->killed). Context: any.
 */
void sched_kick_thread(struct thread *t)
{
	unsigned cpu = READ_ONCE(t->cpu);

	if (READ_ONCE(t->on_cpu) && cpu != cpu_id())
		smp_send_resched(cpu);
}

/*
 * Give up the CPU: requeue the current thread if it is still RUNNING (or
 * if it is being preempted: a thread interrupted between marking itself
 * SLEEPING and calling schedule() has not gone to sleep yet, and its
 * wakeup may already have happened), then switch to the next ready thread
 * or idle. Context: thread, or interrupt return; no spinlocks held.
 */
static void sched_pick_and_switch(bool preempt)
{
	unsigned long f = irq_save();
	struct cpu *c = this_cpu();
	struct thread *prev = c->current, *next;

	spin_lock(&c->rq.lock);
	c->need_resched = false;
	if (prev != c->idle && (prev->state == THREAD_RUNNING ||
				(preempt && thread_asleep(prev->state))))
		rq_enqueue(&c->rq, prev);
	next = rq_dequeue(&c->rq);
	if (!next)
		next = c->idle;
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		spin_unlock(&c->rq.lock);
		irq_restore(f);
		return;
	}
	c->slice_end = c->ticks + SLICE_TICKS;
	sched_finish(sched_switch_to(c, prev, next));
	irq_restore(f);
}

void schedule(void)
{
	sched_pick_and_switch(false);
}

void sched_yield(void)
{
	sched_pick_and_switch(false);
}

/* Preempt on the way out of an interrupt (trap_dispatch). */
void sched_preempt(void)
{
	sched_pick_and_switch(true);
}

/* Put the current thread on c's sleepers to wake ticks from now. rq->lock held. */
static void sched_add_sleeper(struct cpu *c, struct thread *me, uint64_t ticks)
{
	struct list_head *p;

	me->wake_tick = c->ticks + (ticks ? ticks : 1);
	list_for_each(p, &c->rq.sleepers) {
		struct thread *t = list_entry(p, struct thread, rq_link);

		if (t->wake_tick > me->wake_tick)
			break;
	}
	list_add_tail(&me->rq_link, p);	/* before the first later one */
}

/*
 * A sleep in two halves, for a thread waiting on several wait queues at
 * once (poll); sched_sleep_ticks() is both at once. sched_sleep_prepare() marks it SLEEPING, with ticks also
 * on the sleepers list (the tick after that many wakes it), and returns
 * with interrupts off (its flags), so no preemption or tick can find it
 * half asleep. The caller re-checks its conditions after a full fence,
 * without sleeping, then sched_sleep_finish(flags, sleep): schedule()
 * (returning at once if a wakeup came in between), or without sleep call
 * the sleep off. Context: thread, may sleep.
 */
unsigned long sched_sleep_prepare(uint64_t ticks)
{
	unsigned long f = irq_save();
	struct cpu *c = this_cpu();
	struct thread *me = c->current;

	spin_lock(&c->rq.lock);
	if (ticks)
		sched_add_sleeper(c, me, ticks);
	me->state = THREAD_SLEEPING;
	spin_unlock(&c->rq.lock);
	return f;
}

void sched_sleep_finish(unsigned long f, bool sleep)
{
	if (sleep)
		schedule();
	else
		sched_wakeup(current_thread());	/* off the sleepers, RUNNING */
	irq_restore(f);
}

/* Sleep for at least ticks timer ticks. Context: thread, may sleep. */
void sched_sleep_ticks(uint64_t ticks)
{
	/* Interrupts stay off until this thread is switched out. */
	sched_sleep_finish(sched_sleep_prepare(ticks ? ticks : 1), true);
}

/*
 * Sleep once: until *flag is set (by sched_wakeup_flag or _store, under
 * this thread's rq->lock, which the test here holds), any wakeup, or,
 * with ticks, that many timer ticks. Returns at once if *flag is set, or
 * the thread's signal flag (set under the same lock: signal.c), so no
 * sleep here misses a signal. Wakeups may be spurious: the caller loops
 * on its own conditions, signal_pending() among them.
 * Context: thread, may sleep.
 */
void sched_sleep_flag(volatile int *flag, uint64_t ticks)
{
	unsigned long f = irq_save();
	struct cpu *c = this_cpu();
	struct thread *me = c->current;

	spin_lock(&c->rq.lock);
	if (*flag || me->sig.flag) {
		spin_unlock(&c->rq.lock);
		irq_restore(f);
		return;
	}
	if (ticks)
		sched_add_sleeper(c, me, ticks);
	me->state = THREAD_SLEEPING;
	spin_unlock(&c->rq.lock);
	schedule();
	irq_restore(f);
}

/*
 * Runs in the thread just switched to, with this CPU's rq->lock still held
 * by the switch: release it, and hand an exited thread to the reaper now
 * that nobody runs on its stack. Whether last is dead must be read under
 * the lock: once it is dropped, a last that went to sleep may be woken,
 * run on another CPU, exit and be reaped there (it was, under TCG, while
 * this vCPU stood still), and its memory reused.
 */
void sched_finish(struct thread *last)
{
	bool dead = last->state == THREAD_DEAD;

	spin_unlock(&this_cpu()->rq.lock);
	if (dead)
		thread_reap(last);
}

/* Move one queued thread from the busiest CPU to this idle one. */
static bool sched_steal(struct cpu *me)
{
	struct cpu *victim = NULL;
	struct runqueue *a, *b;
	struct list_head *p;
	bool moved = false;

	for (unsigned i = 0; i < ncpus; i++) {
		if (&cpus[i] != me && READ_ONCE(cpus[i].rq.nr_ready) &&
		    (!victim || cpus[i].rq.nr_ready > victim->rq.nr_ready))
			victim = &cpus[i];
	}
	if (!victim)
		return false;
	a = me->id < victim->id ? &me->rq : &victim->rq;
	b = a == &me->rq ? &victim->rq : &me->rq;
	spin_lock(&a->lock);
	spin_lock(&b->lock);
	list_for_each(p, &victim->rq.ready) {
		struct thread *t = list_entry(p, struct thread, rq_link);

		if (t->pinned < 0) {
			list_del(&t->rq_link);
			victim->rq.nr_ready--;
			t->cpu = me->id;
			rq_enqueue(&me->rq, t);
			moved = true;
			break;
		}
	}
	spin_unlock(&b->lock);
	spin_unlock(&a->lock);
	return moved;
}

/*
 * The idle loop: run what is queued, else steal, else halt until an
 * interrupt. sti;hlt is atomic (sti's shadow), so a wakeup IPI between the
 * check and the hlt still ends the hlt.
 */
__noreturn void sched_idle(void)
{
	struct cpu *c = this_cpu();

	irq_enable();
	for (;;) {
		uint64_t t0;

		trace_idle(c);
		if (c->rq.nr_ready || c->need_resched) {
			schedule();
			continue;
		}
		irq_disable();
		if (sched_steal(c)) {
			irq_enable();
			continue;
		}
		t0 = rdtsc();
		if (!c->rq.nr_ready && !c->need_resched)
			__asm__ __volatile__("sti; hlt" ::: "memory");
		irq_enable();
		c->idle_tsc += rdtsc() - t0;
	}
}

/*
 * Set up CPU c's run queue and make the code already running on it (on
 * the stack ending at stack_top) its idle thread. Context: that CPU, boot.
 */
void sched_init_cpu(struct cpu *c, uint64_t stack_top)
{
	struct thread *thread_create_idle(struct cpu *c, uint64_t stack_top);

	trace_init_cpu(c->id);
	spin_init(&c->rq.lock, "rq");
	list_init(&c->rq.ready);
	list_init(&c->rq.sleepers);
	c->ipc_fast_sleeping = sched_state_cpu_sleeping(c->id);
	c->idle = thread_create_idle(c, stack_top);
	c->idle->switched_in = rdtsc();
	c->current = c->idle;
	c->kstack_top = stack_top;
	c->arch.tss.rsp[0] = stack_top;
}
