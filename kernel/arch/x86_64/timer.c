/*
 * HOT PATH: the timer interrupt (local APIC, HZ per second on every CPU).
 *
 * May not: print, format, allocate, take contended locks or emit boot-stage
 * markers. It acknowledges the interrupt, counts the tick and lets the
 * scheduler account the slice; preemption itself happens on the way out of
 * trap_dispatch().
 */
#include "cpu.h"
#include "sched.h"
#include <arch/lapic.h>
#include <arch/trap.h>

void timer_irq(struct trap_frame *tf)
{
	/* hotcheck: timer entry */
	struct cpu *c = this_cpu();

	lapic_eoi();
	c->ticks++;
	sched_tick(c);
}
