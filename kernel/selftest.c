/*
 * kinit: the first kernel thread. It starts the other CPUs, then proves
 * the SMP machinery works, each proof a boot stage: timer ticks and the
 * scheduler on every CPU, IPI round trips, TLB shootdown, spinlocks,
 * thread life cycle, sleep/wakeup, preemption, cross-CPU wakeup, load
 * balance, a stress run and out-of-memory handling. A failed proof panics
 * with what went wrong, so the runner shows it.
 *
 * Ordering: every "done" counter a worker bumps with a release increment
 * pairs with the acquire load in selftest_await(), so what the worker wrote
 * before finishing is visible to kinit once it sees the count.
 */
#include "cmdline.h"
#include "kmalloc.h"
#include "pmm.h"
#include "printk.h"
#include "sched.h"
#include "selftest.h"
#include "smp.h"
#include "stage.h"
#include "wait.h"
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/mmu.h>
#include <arch/tsc.h>

#define MS(n) ((n) * HZ / 1000 + 1)

/*
 * Sleep until *v reaches want, or panic after ms milliseconds.
 * Acquire: pairs with the workers' release increments of *v.
 */
static void selftest_await(volatile unsigned *v, unsigned want, unsigned ms,
			   const char *what)
{
	uint64_t deadline = rdtsc() + tsc_hz / 1000 * ms;

	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) < want) {
		if (rdtsc() > deadline)
			panic("self-test '%s' timed out (%u of %u)", what, *v, want);
		sched_sleep_ticks(1);
	}
}

static void selftest_ticks(void)
{
	uint64_t deadline = rdtsc() + tsc_hz;

	for (unsigned i = 0; i < ncpus; i++) {
		while (cpus[i].ticks < 2) {
			if (rdtsc() > deadline)
				panic("CPU %u takes no timer interrupts", i);
			sched_sleep_ticks(1);
		}
	}
	stage_mark(STAGE_TIME_TICK);
}

static unsigned ran_count;
static void selftest_ran_on(void *cpu)
{
	if (cpu_id() != (uintptr_t)cpu)
		panic("thread pinned to CPU %lu ran on %u", (uintptr_t)cpu, cpu_id());
	/* Release: pairs with the acquire in selftest_await(). */
	__atomic_add_fetch(&ran_count, 1, __ATOMIC_RELEASE);
}

static void selftest_sched_run(void)
{
	for (unsigned i = 0; i < ncpus; i++) {
		if (!thread_create("st-percpu", selftest_ran_on, (void *)(uintptr_t)i, i))
			panic("thread_create failed");
	}
	selftest_await(&ran_count, ncpus, 2000, "a thread on every CPU");
	stage_mark(STAGE_SCHED_RUN);
}

static unsigned ipi_hits[MAX_CPUS];
static void selftest_ipi_hit(void *unused)
{
	__atomic_add_fetch(&ipi_hits[cpu_id()], 1, __ATOMIC_RELAXED);
}

static void selftest_ipi(void)
{
	for (unsigned i = 1; i < ncpus; i++) {
		if (smp_call(i, selftest_ipi_hit, NULL) || ipi_hits[i] != 1)
			panic("IPI round trip to CPU %u failed", i);
	}
	if (smp_call(SMP_CALL_ALL, selftest_ipi_hit, NULL))
		panic("IPI to all CPUs timed out");
	for (unsigned i = 1; i < ncpus; i++) {
		if (ipi_hits[i] != 2)
			panic("CPU %u missed the broadcast IPI", i);
	}
	stage_mark(STAGE_IPI_ROUNDTRIP);
}

#define LOCK_ROUNDS 20000
static struct spinlock st_lock = SPINLOCK_INIT("selftest");
static unsigned long st_counter;
static unsigned lock_done;

static void selftest_lock_worker(void *unused)
{
	for (int i = 0; i < LOCK_ROUNDS; i++) {
		unsigned long f = spin_lock_irqsave(&st_lock);
		unsigned long v = st_counter;

		if (irqs_enabled())
			panic("interrupts on inside spin_lock_irqsave");
		cpu_relax();
		st_counter = v + 1;
		spin_unlock_irqrestore(&st_lock, f);
	}
	/* Release: pairs with the acquire in selftest_await(). */
	__atomic_add_fetch(&lock_done, 1, __ATOMIC_RELEASE);
}

static void selftest_lock(void)
{
	unsigned n = ncpus < 2 ? 2 : ncpus;

	for (unsigned i = 0; i < n; i++) {
		if (!thread_create("st-lock", selftest_lock_worker, NULL, i % ncpus))
			panic("thread_create failed");
	}
	selftest_await(&lock_done, n, 20000, "spinlock counter");
	if (st_counter != (unsigned long)n * LOCK_ROUNDS)
		panic("spinlock lost updates: %lu of %lu", st_counter,
		      (unsigned long)n * LOCK_ROUNDS);
	if (spin_held(&st_lock) || st_lock.owner != -1)
		panic("spinlock left held");
	stage_mark(STAGE_LOCK_SELFTEST);
}

static unsigned kthread_done;
static void selftest_noop(void *unused)
{
	/* Release: pairs with the acquire in selftest_await(). */
	__atomic_add_fetch(&kthread_done, 1, __ATOMIC_RELEASE);
}

static unsigned selftest_thread_count(void)
{
	unsigned long f = spin_lock_irqsave(&threads_lock);
	unsigned n = list_count(&all_threads);

	spin_unlock_irqrestore(&threads_lock, f);
	return n;
}

/* Create and exit threads; all must be reaped and their memory returned. */
static void selftest_kthread(void)
{
	unsigned before = selftest_thread_count();
	uint64_t deadline = rdtsc() + 2 * tsc_hz;

	for (int i = 0; i < 64; i++) {
		if (!thread_create("st-kthread", selftest_noop, NULL, -1))
			panic("thread_create failed");
	}
	selftest_await(&kthread_done, 64, 5000, "64 threads run");
	while (selftest_thread_count() > before) {
		if (rdtsc() > deadline)
			panic("exited threads not reaped (%u left)",
			      selftest_thread_count() - before);
		sched_sleep_ticks(1);
	}
	stage_mark(STAGE_SCHED_KTHREAD);
}

static struct wait_queue st_wq = WAIT_QUEUE_INIT(st_wq, "selftest");
static volatile unsigned st_flag, st_woken, st_woke_on;

static void selftest_sleeper(void *unused)
{
	wait_event(&st_wq, st_flag);
	st_woke_on = cpu_id();
	/* Release: pairs with the acquire in selftest_await(). */
	__atomic_add_fetch(&st_woken, 1, __ATOMIC_RELEASE);
}

static void selftest_sleep(void)
{
	struct thread *t = thread_create("st-sleeper", selftest_sleeper, NULL, 0);

	if (!t)
		panic("thread_create failed");
	sched_sleep_ticks(MS(20));
	if (st_woken || t->state != THREAD_SLEEPING)
		panic("sleeper did not sleep (state %d)", t->state);
	st_flag = 1;
	wake_up(&st_wq);
	selftest_await(&st_woken, 1, 2000, "wakeup");
	stage_mark(STAGE_SCHED_SLEEP);
}

/* Cross-CPU: a thread pinned on CPU 1 sleeps; CPU 0 wakes it with an IPI. */
static void selftest_xcpu(void)
{
	uint64_t ipis;
	struct thread *t;

	if (ncpus < 2)
		return;
	st_flag = 0;
	st_woken = 0;
	t = thread_create("st-xsleeper", selftest_sleeper, NULL, 1);
	if (!t)
		panic("thread_create failed");
	while (READ_ONCE(t->state) != THREAD_SLEEPING || READ_ONCE(t->on_cpu))
		sched_sleep_ticks(1);
	sched_sleep_ticks(MS(10));	/* let CPU 1 go idle */
	ipis = cpus[1].ipis;
	st_flag = 1;
	wake_up(&st_wq);
	selftest_await(&st_woken, 1, 2000, "cross-CPU wakeup");
	if (st_woke_on != 1 || cpus[1].ipis == ipis)
		panic("cross-CPU wakeup: woke on CPU %u, IPIs %lu -> %lu",
		      st_woke_on, ipis, cpus[1].ipis);
	stage_mark(STAGE_SCHED_XCPU_WAKEUP);
}

/* CPU-bound workers that never yield: progress proves preemption. */
static volatile bool spin_stop;
static volatile uint64_t spin_progress[8];
/*
 * Timer ticks that found each spinner running: its share of the CPU time,
 * counted the way the scheduler hands it out. Not the TSC: under TCG a
 * host that deschedules QEMU mid-slice inflates one spinner's TSC runtime.
 */
static uint64_t spin_ticks[8];
static volatile unsigned spin_cpu[8];	/* where each spinner runs */
static unsigned spin_done;

static void selftest_spinner(void *slot)
{
	struct thread *me = current_thread();
	unsigned long f;

	while (!spin_stop) {
		spin_progress[(uintptr_t)slot]++;
		spin_cpu[(uintptr_t)slot] = cpu_id();
	}
	f = irq_save();
	spin_ticks[(uintptr_t)slot] = me->ticks;
	irq_restore(f);
	/* Release: pairs with the acquire in selftest_await(). */
	__atomic_add_fetch(&spin_done, 1, __ATOMIC_RELEASE);
}

static struct thread *selftest_spawn_spinners(unsigned n, int cpu)
{
	struct thread *last = NULL;

	spin_stop = false;
	spin_done = 0;
	for (unsigned i = 0; i < n; i++) {
		spin_progress[i] = 0;
		last = thread_create("st-spin", selftest_spinner,
				     (void *)(uintptr_t)i, cpu);
		if (!last)
			panic("thread_create failed");
	}
	return last;
}

static void selftest_preempt(void)
{
	unsigned cpu = ncpus - 1;

	selftest_spawn_spinners(2, cpu);
	sched_sleep_ticks(MS(100));
	spin_stop = true;
	selftest_await(&spin_done, 2, 2000, "spinners stop");
	if (!spin_progress[0] || !spin_progress[1])
		panic("no preemption on CPU %u: progress %lu, %lu", cpu,
		      spin_progress[0], spin_progress[1]);
	stage_mark(STAGE_SCHED_PREEMPT);
}

/* On how many different CPUs the n spinners run now. */
static unsigned selftest_spread(unsigned n)
{
	unsigned seen = 0, cpus = 0;

	for (unsigned i = 0; i < n; i++) {
		cpus += !(seen & 1u << spin_cpu[i]);
		seen |= 1u << spin_cpu[i];
	}
	return cpus;
}

/*
 * The balance verdict. On one CPU the spinners share its ticks: each
 * must have about 1/n. On several, what must hold is that the idle CPUs
 * took one spinner each (@spread, seen while they ran) and that every
 * spinner ran; tick shares are not compared, since a host that runs
 * QEMU's vCPU threads unevenly (a loaded CI machine) gives the vCPUs
 * unequal tick counts.
 */
static void selftest_balance_check(unsigned n, bool spread)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < n; i++)
		total += spin_ticks[i];
	for (unsigned i = 0; i < n; i++) {
		unsigned pct = total ? spin_ticks[i] * 100 / total : 0;
		bool fair = ncpus == 1 ? pct >= 100 / n / 2 &&
					 pct <= 100 * 3 / n / 2
				       : spin_ticks[i] > 0;

		if (!fair)
			panic("load balance: thread %u got %u%% of the ticks", i, pct);
	}
	if (!spread)
		panic("load balance: %u spinners never ran on %u CPUs at once",
		      n, n);
}

/*
 * ncpus spinners (4 on one CPU) all start on the last CPU, unpinned: idle
 * CPUs must steal them until each CPU runs one (on one CPU, each gets
 * about a quarter of the time). They run at least 300 ms, and up to 5 s
 * for the spread to show on a host that starves some vCPUs.
 */
static void selftest_balance(void)
{
	struct thread *t;
	unsigned n = MIN(ncpus, 4u) < 2 ? 4 : MIN(ncpus, 4u);
	bool spread = ncpus == 1;

	spin_stop = false;
	spin_done = 0;
	for (unsigned i = 0; i < n; i++) {
		spin_cpu[i] = ncpus - 1;
		t = thread_create("st-balance", selftest_spinner,
				  (void *)(uintptr_t)i, ncpus - 1);
		if (!t)
			panic("thread_create failed");
		t->pinned = -1;
	}
	for (unsigned ms = 0; ms < 5000 && (ms < 300 || !spread); ms += 20) {
		sched_sleep_ticks(MS(20));
		spread = spread || selftest_spread(n) == n;
	}
	spin_stop = true;
	selftest_await(&spin_done, n, 3000, "balance spinners stop");
	selftest_balance_check(n, spread);
	stage_mark(STAGE_SCHED_BALANCE);
}

/* Many threads sleeping, waking each other and yielding on all CPUs. */
#define STRESS_THREADS 32
#define STRESS_ROUNDS 40
static struct wait_queue stress_wq = WAIT_QUEUE_INIT(stress_wq, "stress");
static unsigned stress_token, stress_done;

static void selftest_stress_worker(void *idp)
{
	unsigned id = (uintptr_t)idp;

	for (unsigned r = 0; r < STRESS_ROUNDS; r++) {
		unsigned want = r * STRESS_THREADS + id;

		/* Threads take turns in id order: a token ring across CPUs. */
		/* Acquire: pairs with the previous holder's release store. */
		wait_event(&stress_wq,
			   __atomic_load_n(&stress_token, __ATOMIC_ACQUIRE) == want);
		if (r % 4 == id % 4)
			sched_yield();
		/* Release: pairs with the acquire in the next worker's wait. */
		__atomic_store_n(&stress_token, want + 1, __ATOMIC_RELEASE);
		wake_up(&stress_wq);
	}
	/* Release: pairs with the acquire in selftest_await(). */
	__atomic_add_fetch(&stress_done, 1, __ATOMIC_RELEASE);
}

/* Wait until only kinit and the reaper are left: every test thread reaped. */
static void selftest_quiesce(void)
{
	uint64_t deadline = rdtsc() + 5 * tsc_hz;

	while (selftest_thread_count() > 2) {
		if (rdtsc() > deadline)
			panic("self-test threads not reaped (%u left)",
			      selftest_thread_count() - 2);
		sched_sleep_ticks(1);
	}
}

static void selftest_stress(void)
{
	size_t free_before;

	selftest_quiesce();
	free_before = pmm_free_count();

	for (unsigned i = 0; i < STRESS_THREADS; i++) {
		if (!thread_create("st-stress", selftest_stress_worker,
				   (void *)(uintptr_t)i, -1))
			panic("thread_create failed");
	}
	selftest_await(&stress_done, STRESS_THREADS, 30000, "stress token ring");
	if (stress_token != STRESS_THREADS * STRESS_ROUNDS)
		panic("stress: token %u", stress_token);
	selftest_quiesce();
	if (pmm_free_count() != free_before)
		panic("stress leaked %ld pages",
		      (long)(free_before - pmm_free_count()));
	stage_mark(STAGE_SCHED_STRESS);
}

/* Allocate size-byte blocks until the heap says no; returns the chain. */
static void **selftest_exhaust(size_t size, void **head, unsigned *n)
{
	for (;;) {
		void **p = kmalloc(size);

		if (!p)
			return head;
		*p = head;
		head = p;
		(*n)++;
	}
}

/*
 * Exhaust memory with big, page-sized and small blocks: the allocators and
 * thread creation must fail cleanly, and everything must come back after.
 */
static void selftest_oom(void)
{
	void **head = NULL;
	unsigned n = 0;
	size_t before;

	selftest_quiesce();
	before = pmm_free_count();
	head = selftest_exhaust(1 << 20, head, &n);
	head = selftest_exhaust(PAGE_SIZE, head, &n);
	head = selftest_exhaust(64, head, &n);
	if (n < 2 || pmm_free_count() != 0)
		panic("OOM test: %u blocks, %lu pages still free", n,
		      pmm_free_count());
	if (thread_create("st-oom", selftest_noop, NULL, -1))
		panic("OOM test: thread_create succeeded with no memory");
	if (pmm_alloc(0))
		panic("OOM test: pmm_alloc succeeded with no memory");
	while (head) {
		void **next = *head;

		kfree(head);
		head = next;
	}
	selftest_quiesce();
	if (pmm_free_count() != before)
		panic("OOM test: %ld pages not returned",
		      (long)(before - pmm_free_count()));
	stage_mark(STAGE_MM_OOM);
}

void selftest_main(void *unused)
{
	char what[16];

	smp_boot_aps();
	if (smp_online_count() != ncpus)
		panic("only %u of %u CPUs online", smp_online_count(), ncpus);
	stage_mark(STAGE_SMP_ALL);
	selftest_ticks();
	selftest_sched_run();
	selftest_ipi();
	if (mmu_selftest_shootdown())
		panic("TLB shootdown self-test failed");
	stage_mark(STAGE_MM_TLB_SHOOTDOWN);
	selftest_lock();
	selftest_kthread();
	selftest_sleep();
	selftest_preempt();
	selftest_xcpu();
	selftest_balance();
	selftest_stress();
	selftest_oom();
	if (!printk_log_contains(stage_catalog[STAGE_MM_OOM].marker) ||
	    !printk_log_contains(stage_catalog[STAGE_BOOT_CONSOLE].marker))
		panic("the dmesg ring lost boot log lines");
	stage_mark(STAGE_BOOT_DONE);
	if (cmdline_is("bench", "1"))
		bench_main();
	if (cmdline_get("panic_test", what, sizeof(what)))
		panictest_start(what);
}
