/*
 * HOT PATH: interrupt and exception dispatch, called by entry.S for every
 * vector with the trap frame.
 *
 * May not: print, format, allocate, take contended locks or emit boot-stage
 * markers. Exceptions go to trap_exception() (trap.c), which ends in the
 * cold panic path for kernel faults; device IRQs go through the handler
 * table (an indirect call, allowlisted in tools/hotcheck/indirect.allow).
 * On the way out, a pending reschedule is honoured if the interrupted code
 * had interrupts enabled (so it held no spinlock: spinlocks disable them).
 */
#include "cpu.h"
#include "sched.h"
#include <arch/trap.h>
#include <arch/lapic.h>
#include <arch/cpu.h>

irq_handler_t irq_handlers[256];
const char *irq_names[256];

void timer_irq(struct trap_frame *tf);
void ipi_resched_irq(void);
void ipi_call_irq(void);
void ipi_stop_irq(struct trap_frame *tf);

static void intr_device(struct trap_frame *tf)
{
	irq_handler_t fn = irq_handlers[tf->vector];

	if (fn)
		fn(tf);
	lapic_eoi();
}

void trap_dispatch(struct trap_frame *tf)
{
	struct cpu *c = this_cpu();

	c->irqs++;
	switch (tf->vector) {
	case VEC_TIMER:
		timer_irq(tf);
		break;
	case VEC_IPI_RESCHED:
		ipi_resched_irq();
		break;
	case VEC_IPI_CALL:
		ipi_call_irq();
		break;
	case VEC_NMI:
	case VEC_IPI_STOP:
		ipi_stop_irq(tf);
		return;
	case VEC_SPURIOUS:
		return;
	default:
		if (tf->vector < 32) {
			trap_exception(tf);
			return;
		}
		intr_device(tf);
	}
	if (c->need_resched && (tf->rflags & RFLAGS_IF))
		sched_preempt();
}
