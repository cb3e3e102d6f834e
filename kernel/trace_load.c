/*
 * Tracing workloads and benchmarks, run by a traceload thread once boot is
 * done: traceload=1|exit (context-switch-heavy work for `make trace`),
 * traceflood=1 (marker floods: loss accounting, transport speed),
 * tracebench=1 (record cost, overhead; trace_bench() for bench_main()).
 */
#include "trace.h"
#include "cmdline.h"
#include "printk.h"
#include "sched.h"
#include "sched_trace.h"
#include "string.h"
#include "wait.h"
#include <arch/tsc.h>

#define PINGS		800	/* wakeup round trips per CPU pair */
#define YIELDS		1000	/* yields per thread in the yield storm */
#define CHURN		24	/* short-lived threads */
#define FLOOD_MS	200	/* length of one paced flood step */
#define FLOOD_MAX_N	200000	/* records per CPU in the unpaced step */
#define BENCH_N		20000
#define BENCH_YIELDS	4000

static const uint64_t flood_rates[] = { 62500, 125000, 250000, 500000,
					1000000, 2000000 };
#define FLOOD_STEPS	ARRAY_SIZE(flood_rates)

static unsigned load_live;		/* workload threads still running */

static void load_finish_one(void)
{
	__atomic_sub_fetch(&load_live, 1, __ATOMIC_RELEASE);
}

static void load_wait_all(void)
{
	/* Acquire: pairs with the release decrement in load_finish_one(). */
	while (__atomic_load_n(&load_live, __ATOMIC_ACQUIRE))
		sched_sleep_ticks(1);
}

/* A pair of threads on two CPUs waking each other through a wait queue. */
struct load_pair {
	struct wait_queue wq;
	unsigned turn;
};

static struct load_pair pairs[MAX_CPUS];

static void load_pinger(void *arg)
{
	struct load_pair *p = (struct load_pair *)((uintptr_t)arg & ~1ul);
	unsigned me = (uintptr_t)arg & 1;

	for (int i = 0; i < PINGS; i++) {
		wait_event(&p->wq, __atomic_load_n(&p->turn, __ATOMIC_ACQUIRE) == me);
		/* Release: pairs with the acquire load in the partner's wait. */
		__atomic_store_n(&p->turn, !me, __ATOMIC_RELEASE);
		wake_up(&p->wq);
	}
	load_finish_one();
}

static void load_yielder(void *unused)
{
	for (int i = 0; i < YIELDS; i++)
		sched_yield();
	load_finish_one();
}

static void load_churn(void *arg)
{
	thread_set_name(current_thread(), "tl-renamed");
	sched_yield();
	load_finish_one();
}

static void load_spawn(const char *name, void (*fn)(void *), void *arg,
		       int cpu)
{
	__atomic_add_fetch(&load_live, 1, __ATOMIC_RELAXED);
	if (!thread_create(name, fn, arg, cpu))
		panic("traceload: cannot create %s", name);
}

/* Cross-CPU wakeups (IPIs), same-CPU yields, and thread churn. */
static void load_run(void)
{
	for (unsigned i = 0; i < ncpus; i++) {
		wait_init(&pairs[i].wq, "tl-pair");
		pairs[i].turn = 0;
		load_spawn("tl-ping", load_pinger, &pairs[i], i);
		load_spawn("tl-pong", load_pinger, (void *)((uintptr_t)&pairs[i] | 1),
			   (i + 1) % ncpus);
		load_spawn("tl-yield", load_yielder, NULL, i);
		load_spawn("tl-yield", load_yielder, NULL, i);
	}
	for (int i = 0; i < CHURN; i++)
		load_spawn("tl-churn", load_churn, NULL, -1);
	load_wait_all();
}

/* ---- flood ------------------------------------------------------------ */

static unsigned flood_arrived;
static uint64_t flood_produced[FLOOD_STEPS + 1][MAX_CPUS];
static uint64_t flood_lost[MAX_CPUS];
static uint64_t flood_tsc[MAX_CPUS];	/* length of the unpaced step */

/* Every flood thread waits here for the others before step @gen. */
static void flood_barrier(unsigned gen)
{
	__atomic_add_fetch(&flood_arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&flood_arrived, __ATOMIC_ACQUIRE) < gen * ncpus)
		cpu_relax();
}

/* Markers at @rate per second for FLOOD_MS; a = step << 32 | cpu, b = seq. */
static uint64_t flood_paced(unsigned step, uint64_t rate)
{
	uint64_t period = tsc_hz / rate, t0 = rdtsc(), n = 0;
	uint64_t end = t0 + tsc_hz / 1000 * FLOOD_MS;
	uint64_t a = (uint64_t)step << 32 | cpu_id();

	for (uint64_t now = t0; now < end; now = rdtsc()) {
		if (now < t0 + n * period)
			continue;
		unsigned long f = irq_save();

		trace_emit_marker(trace_ring(), a, n++);
		irq_restore(f);
	}
	return n;
}

/* FLOOD_MAX_N markers as fast as possible, interrupts off: every record
 * this CPU produces in the window is a marker, so the ring's lost counter
 * moves by exactly the markers dropped. */
static uint64_t flood_unpaced(unsigned step, uint64_t *lost)
{
	unsigned long f = irq_save();
	struct trace_ring_hdr *r = trace_ring();
	uint64_t a = (uint64_t)step << 32 | cpu_id();
	uint64_t lost0 = r->lost, t0 = rdtsc();

	for (uint64_t n = 0; n < FLOOD_MAX_N; n++)
		trace_emit_marker(r, a, n);
	flood_tsc[cpu_id()] = rdtsc() - t0;
	*lost = r->lost - lost0;
	irq_restore(f);
	return FLOOD_MAX_N;
}

static void flood_thread(void *unused)
{
	unsigned cpu = cpu_id(), step;

	for (step = 0; step < FLOOD_STEPS; step++) {
		flood_barrier(step + 1);
		flood_produced[step][cpu] = flood_paced(step, flood_rates[step]);
	}
	flood_barrier(step + 1);
	flood_produced[step][cpu] = flood_unpaced(step, &flood_lost[cpu]);
	load_finish_one();
}

static void flood_run(void)
{
	flood_arrived = 0;
	for (unsigned i = 0; i < ncpus; i++)
		load_spawn("tl-flood", flood_thread, NULL, i);
	load_wait_all();
	for (unsigned s = 0; s < FLOOD_STEPS; s++) {
		for (unsigned c = 0; c < ncpus; c++)
			printk("traceflood: step %u cpu %u rate %lu produced %lu",
			       s, c, flood_rates[s], flood_produced[s][c]);
	}
	for (unsigned c = 0; c < ncpus; c++)
		printk("traceflood: step %u cpu %u rate max produced %lu lost %lu "
		       "in %lu us", (unsigned)FLOOD_STEPS, c,
		       flood_produced[FLOOD_STEPS][c], flood_lost[c],
		       tsc_to_ns(flood_tsc[c]) / 1000);
}

/* ---- benchmarks ------------------------------------------------------- */

static uint8_t bench_mem[64 * 1024 + 4096] __aligned(64);

/*
 * TSC ticks for BENCH_N rounds of @expr, which may use the round number
 * i; the empty asm hides i's range, so nothing is folded on the strength
 * of it, and every loop keeps the same three instructions of its own.
 */
#define BENCH_LOOP(expr) ({ \
	uint64_t __t0 = rdtsc(); \
	for (uint64_t i = 0; i < BENCH_N; i++) { \
		expr; \
		barrier(); \
		__asm__("" : "+r"(i)); \
	} \
	rdtsc() - __t0; })

/*
 * Stand-ins for what the hooks read their payload from: two threads (the
 * switch's prev and next, the IPC's caller and server), and the IPC's
 * endpoint id and message tag. In memory, as in the kernel: the loop's
 * compiler barrier makes every round load them again.
 */
static struct thread bench_prev = { .trace_tid = 5, .tid = 5,
				    .state = THREAD_SLEEPING };
static struct thread bench_next = { .trace_tid = 6, .tid = 6 };
static uint32_t bench_ep_id = 7;
static uint64_t bench_tag = 0x10001;

/*
 * The IPC fast path's record as ipc_fast_switch() makes it
 * (kernel/ipc_fast.c): the ring from the struct cpu in hand, the payload
 * from the endpoint, the trap frame and the partner thread.
 */
static inline void bench_ipc_switch(struct cpu *c)
{
	struct trace_ring_hdr *r = c->trace_ring;

	if (r)
		trace_emit_ipc_switch(r, TRACE_IPC_CALL_SWITCH, bench_ep_id,
				      bench_next.tid, bench_tag);
}

/*
 * Print one record kind's two figures: "record", the record path with the
 * ring in hand and the payload in registers (the call and its argument
 * set-up included where the record is not inline); "hook", the record as
 * its hot path makes it (this CPU's ring loaded and tested, tids mapped).
 */
#define BENCH_KIND(name, record, hook) do { \
	printk("bench: trace_" name "_tsc %lu tsc/op", \
	       (BENCH_LOOP(record) - empty) / BENCH_N); \
	printk("bench: trace_" name "_hook_tsc %lu tsc/op", \
	       (BENCH_LOOP(hook) - empty) / BENCH_N); \
} while (0)

/*
 * TSC ticks per record of each kind the hot paths make (see BENCH_KIND),
 * into a private flight-recorder ring that stands in for this CPU's own.
 * The payload is the round number i. Under
 * -icount: guest instructions, the loop's own subtracted.
 */
static void bench_record(void)
{
	struct trace_ring_hdr *r = (struct trace_ring_hdr *)bench_mem;
	struct cpu *c = this_cpu();
	struct trace_ring_hdr *mine = c->trace_ring;
	unsigned id = c->id;
	unsigned long f;
	uint64_t empty, mk;

	trace_ring_init(bench_mem, sizeof(bench_mem), id, TRACE_MODE_OVERWRITE);
	/* The stand-ins escape: no round may fold their loads into constants. */
	__asm__ __volatile__("" : : "r"(&bench_prev), "r"(&bench_next),
			     "r"(&bench_ep_id), "r"(&bench_tag) : "memory");
	f = irq_save();
	trace_rings[id] = c->trace_ring = r;
	empty = BENCH_LOOP((void)0);
	mk = BENCH_LOOP(trace_emit_marker(r, i, i));
	printk("bench: trace_record_tsc %lu tsc/op", (mk - empty) / BENCH_N);
	BENCH_KIND("switch",
		   trace_emit_switch(r, i, i + 1, i & 1, 0, 0),
		   sched_trace_switch(&bench_prev, &bench_next));
	BENCH_KIND("wakeup",
		   trace_emit_wakeup(r, i, i + 1, id, 0),
		   trace_wakeup_irqoff(i, i + 1, id));
	BENCH_KIND("irq_entry",
		   trace_emit_irq_entry(r, i, i),
		   trace_irq_entry_irqoff(i & 0xff));
	BENCH_KIND("irq_exit", trace_emit_irq_exit(r, i, 1),
		   trace_irq_exit_irqoff(i));
	BENCH_KIND("ipi",
		   trace_emit_ipi(r, TRACE_IPI_RECV, i, ~0u),
		   trace_ipi_irqoff(TRACE_IPI_RECV, i, ~0u));
	BENCH_KIND("syscall_enter",
		   trace_emit_syscall_enter(r, i, i, i, i),
		   trace_syscall_enter_irqoff(i, i, i, i));
	BENCH_KIND("syscall_exit",
		   trace_emit_syscall_exit(r, i, i),
		   trace_syscall_exit_irqoff(i, i));
	BENCH_KIND("ipc_switch",
		   trace_emit_ipc_switch(r, TRACE_IPC_CALL_SWITCH, 7, i, i),
		   bench_ipc_switch(c));
	trace_rings[id] = c->trace_ring = mine;
	irq_restore(f);
	printk("bench: trace_record_ns %lu ns/op",
	       tsc_to_ns(mk - empty) / BENCH_N);
}

static unsigned bench_ready, bench_done;
static uint64_t bench_t0, bench_t1;

static void bench_yielder(void *unused)
{
	if (__atomic_add_fetch(&bench_ready, 1, __ATOMIC_ACQ_REL) == 1) {
		while (__atomic_load_n(&bench_ready, __ATOMIC_ACQUIRE) < 2)
			sched_yield();
	} else {
		bench_t0 = rdtsc();
	}
	for (int i = 0; i < BENCH_YIELDS; i++)
		sched_yield();
	if (__atomic_add_fetch(&bench_done, 1, __ATOMIC_ACQ_REL) == 2)
		bench_t1 = rdtsc();
}

/* TSC ticks per yield (one switch) between two threads on the last CPU. */
static uint64_t bench_yield_once(void)
{
	bench_ready = bench_done = 0;
	if (!thread_create("tb-yield", bench_yielder, NULL, ncpus - 1) ||
	    !thread_create("tb-yield", bench_yielder, NULL, ncpus - 1))
		panic("tracebench: thread_create failed");
	while (__atomic_load_n(&bench_done, __ATOMIC_ACQUIRE) < 2)
		sched_sleep_ticks(1);
	return (bench_t1 - bench_t0) / (2 * BENCH_YIELDS);
}

/* The same yield ping-pong with every ring on, then with tracing paused. */
static void bench_overhead(void)
{
	uint64_t on, off;
	int64_t permille;

	on = bench_yield_once();
	trace_pause(true);
	off = bench_yield_once();
	trace_pause(false);
	/* Signed: under TCG's wall clock a traced run can be the faster. */
	permille = ((int64_t)on - (int64_t)off) * 1000 / (int64_t)off;
	printk("bench: trace_ctxsw_on_tsc %lu tsc/op", on);
	printk("bench: trace_ctxsw_off_tsc %lu tsc/op", off);
	printk("bench: trace_overhead_pct %s%ld.%ld %%",
	       permille < 0 ? "-" : "", MAX(permille, -permille) / 10,
	       MAX(permille, -permille) % 10);
}

/* The tracing benchmarks. Context: thread, after boot (bench_main). */
void trace_bench(void)
{
	bench_record();
	if (trace_ring())
		bench_overhead();
	else
		printk("bench: trace_overhead_pct skipped (trace=off)");
}

/* Does the command line ask for a workload or benchmark? */
bool trace_load_wanted(void)
{
	char what[8];

	return cmdline_get("traceload", what, sizeof(what)) ||
	       cmdline_is("traceflood", "1") || cmdline_is("tracebench", "1");
}

/* The traceload thread runs this once boot is done, if asked for on the command line. */
void trace_load_main(void)
{
	char what[8] = "";

	cmdline_get("traceload", what, sizeof(what));
	if (cmdline_is("tracebench", "1"))
		trace_bench();
	if (what[0] && strcmp(what, "0")) {
		load_run();
		printk("traceload: workload done");
	}
	if (cmdline_is("traceflood", "1") && trace_ring())
		flood_run();
	trace_snapshot_names(false);
	/* No barrier: a host stopping on it still drains every ring to head. */
	WRITE_ONCE(trace_ctl.load_done, 1);
	printk("traceload: done");
	if (!strcmp(what, "exit") || cmdline_is("tracebench", "1"))
		qemu_exit(0);
}
