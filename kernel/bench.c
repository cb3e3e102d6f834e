/*
 * In-kernel benchmarks (bench=1 on the command line), run after the boot
 * self-tests. Each prints "bench: <name>_tsc <n> tsc/op" and
 * "bench: <name>_ns <n> ns/op"; under QEMU's -icount the TSC counts guest
 * instructions, so the _tsc figure is then instructions per operation.
 */
#include "printk.h"
#include "sched.h"
#include "selftest.h"
#include "smp.h"
#include "stage.h"
#include <arch/cpu.h>
#include <arch/tsc.h>

#define YIELDS 5000
#define IPIS 500

static unsigned yield_ready, yield_done;
static uint64_t yield_t0, yield_t1;

/*
 * Both yielders meet first, so the timed part is only the ping-pong; the
 * second to finish stamps the end (the clock is read in the threads, not
 * by kinit, whose sleeps are tick-granular). The acq_rel increments and
 * acquire loads pair with each other: each side sees the other's stamp.
 */
static void bench_yielder(void *unused)
{
	if (__atomic_add_fetch(&yield_ready, 1, __ATOMIC_ACQ_REL) == 1) {
		while (__atomic_load_n(&yield_ready, __ATOMIC_ACQUIRE) < 2)
			sched_yield();
	} else {
		yield_t0 = rdtsc();
	}
	for (int i = 0; i < YIELDS; i++)
		sched_yield();
	if (__atomic_add_fetch(&yield_done, 1, __ATOMIC_ACQ_REL) == 2)
		yield_t1 = rdtsc();
}

static void bench_report(const char *name, uint64_t ticks, uint64_t ops)
{
	printk("bench: %s_tsc %lu tsc/op", name, ticks / ops);
	printk("bench: %s_ns %lu ns/op", name, tsc_to_ns(ticks) / ops);
}

/* Two threads on one CPU yield to each other: one switch per yield. */
static void bench_ctxsw(void)
{
	unsigned cpu = ncpus - 1;
	yield_ready = 0;
	yield_done = 0;
	if (!thread_create("bench-yield", bench_yielder, NULL, cpu) ||
	    !thread_create("bench-yield", bench_yielder, NULL, cpu))
		panic("bench: thread_create failed");
	while (__atomic_load_n(&yield_done, __ATOMIC_ACQUIRE) < 2)
		sched_sleep_ticks(1);
	bench_report("ctxsw_yield", yield_t1 - yield_t0, 2 * YIELDS);
}

static void bench_nop(void *unused)
{
}

/* A function-call IPI to another CPU and back (sent, run, acknowledged). */
static void bench_ipi(void)
{
	uint64_t t0;

	if (ncpus < 2) {
		printk("bench: ipi_roundtrip skipped (1 CPU)");
		return;
	}
	t0 = rdtsc();
	for (int i = 0; i < IPIS; i++)
		smp_call(1, bench_nop, NULL);
	bench_report("ipi_roundtrip", rdtsc() - t0, IPIS);
}

void bench_main(void)
{
	bench_ctxsw();
	bench_ipi();
	printk("bench: done");
}
