/*
 * The TSC: its frequency is measured against the PIT at boot, together
 * with the APIC timer (lapic_timer_calibrate), and exposed as tsc_hz (the
 * trace and the benchmarks convert with it). Under QEMU's -icount the TSC
 * counts guest instructions instead, which the benchmarks rely on.
 */
#include "types.h"
#include <arch/cpu.h>
#include <arch/tsc.h>

uint64_t tsc_hz;

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
