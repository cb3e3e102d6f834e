/*
 * The TSC: frequency measured against the PIT at boot (the trace and the
 * benchmarks convert with it). Under QEMU's -icount the TSC counts guest
 * instructions instead, which is what the benchmarks rely on.
 */
#include "types.h"
#include <arch/cpu.h>
#include <arch/pit.h>
#include <arch/tsc.h>

uint64_t tsc_hz;

/* Best of three 10 ms PIT intervals. Context: boot CPU, interrupts off. */
void tsc_calibrate(void)
{
	uint64_t best = ~0UL;

	for (int i = 0; i < 3; i++) {
		uint64_t t0 = rdtsc(), d;

		pit_wait_ms(10);
		d = rdtsc() - t0;
		if (d < best)
			best = d;
	}
	tsc_hz = best * 100;
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	return tsc_hz ? ticks * 1000 / (tsc_hz / 1000000) : 0;
}

/* Busy-wait; for boot-time hardware delays (AP start-up) only. */
void tsc_delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + us * (tsc_hz / 1000000);

	while (rdtsc() < end)
		cpu_relax();
}
