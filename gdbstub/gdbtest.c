/*
 * Targets for the GDB end-to-end tests (tests/gdb/), started by kinit
 * after the boot self-tests only with gdbtest=1 on the command line:
 *   gdbt-busy   pinned to CPU 1: calls gdbtest_tick() (a breakpoint target,
 *               writes the watched gdbtest_counter) and runs gdbtest_loop()
 *               (a call-free loop to single-step through);
 *   gdbt-cli    pinned to the last CPU: spins with interrupts off (break-in
 *               must still stop it, by NMI);
 *   gdbt-sleep  sleeps in gdbtest_nap() (registers from a saved context).
 * Setting gdbtest_action from GDB makes gdbt-busy panic (1) or fault (2).
 */
#include "panic.h"
#include "printk.h"
#include "sched.h"
#include "gdbstub/kgdb_internal.h"
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/tsc.h>

volatile uint64_t gdbtest_counter;
volatile uint64_t gdbtest_loop_result;
volatile int gdbtest_action;
uint8_t gdbtest_buf[4096];
/* Through a volatile pointer: a literal NULL store is UB gcc deletes. */
static volatile int *volatile gdbtest_bad_ptr = (int *)8;

__attribute__((noinline)) void gdbtest_tick(void)
{
	gdbtest_counter = gdbtest_counter + 1;
}

__attribute__((noinline)) uint64_t gdbtest_loop(uint64_t n)
{
	uint64_t acc = 1;

	for (uint64_t i = 0; i < n; i++) {
		acc = acc * 3 + i;
		if (acc & 0x100)
			acc ^= i << 3;
		barrier();
	}
	return acc;
}

static void gdbtest_act(void)
{
	if (gdbtest_action == 1)
		panic("gdbtest: panic requested by the debugger");
	if (gdbtest_action == 2)
		*gdbtest_bad_ptr = 1;
}

static void gdbtest_busy(void *unused)
{
	for (;;) {
		gdbtest_tick();
		gdbtest_loop_result = gdbtest_loop(2000);
		gdbtest_act();
	}
}

__attribute__((noinline)) void gdbtest_cli_spin(uint64_t ticks)
{
	uint64_t end = rdtsc() + ticks;

	while (rdtsc() < end)
		cpu_relax();
}

static void gdbtest_cli(void *unused)
{
	for (;;) {
		irq_disable();
		gdbtest_cli_spin(tsc_hz / 5); /* 200 ms, interrupts off */
		irq_enable();
		sched_sleep_ticks(1);
	}
}

__attribute__((noinline)) void gdbtest_nap(void)
{
	sched_sleep_ticks(HZ / 10);
}

static void gdbtest_sleeper(void *unused)
{
	for (;;)
		gdbtest_nap();
}

void gdbtest_start(void)
{
	bool ok = thread_create("gdbt-busy", gdbtest_busy, NULL, 1 % ncpus) &&
		  thread_create("gdbt-sleep", gdbtest_sleeper, NULL, -1);

	if (ncpus > 2)
		ok = ok &&
		     thread_create("gdbt-cli", gdbtest_cli, NULL, ncpus - 1);
	printk("gdbtest: test threads %s", ok ? "started" : "FAILED");
}
