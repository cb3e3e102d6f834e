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
 * Every interrupt is recorded as an IRQ slice (entry, exit before any
 * preemption, so slices nest), exceptions as instants (trace/emit.c).
 */
#include "cpu.h"
#include "sched.h"
#include "proc.h"
#include "trace.h"
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

/* An exception: an instant in the trace, then trap.c decides. */
/*
 * Exception bodies (trap.c: demand paging, killing a faulting process,
 * fixups, the debugger, panics) are not part of the entry path: they
 * allocate and print by design. The hot path hands over through this
 * pointer and ends there (allowlisted in tools/hotcheck/indirect.allow).
 */
void (*intr_exception_body)(struct trap_frame *tf) = trap_exception;

static void intr_exception(struct trap_frame *tf)
{
	if (tf->vector == VEC_PF)
		trace_page_fault_irqoff(read_cr2(), tf->rip, (uint32_t)tf->error);
	else
		trace_exception_irqoff((uint32_t)tf->vector, tf->error, tf->rip);
	intr_exception_body(tf);
}

/*
 * On the way back out: a pending reschedule is honoured if the
 * interrupted code had interrupts enabled; then, back to user mode, a
 * process marked for death dies and signals are delivered (after the
 * preemption: one posted meanwhile is seen), through syscall_user_work.
 * t is read first: a preempted thread may come back on another CPU.
 */
static void intr_return(struct cpu *c, struct trap_frame *tf)
{
	struct thread *t = c->current;

	if (c->need_resched && (tf->rflags & RFLAGS_IF))
		sched_preempt();
	if ((tf->cs & 3) && unlikely(t->proc && t->proc->user_work))
		syscall_user_work(tf);
}

void trap_dispatch(struct trap_frame *tf)
{
	struct cpu *c = this_cpu();
	uint32_t vector = (uint32_t)tf->vector;

	c->irqs++;
	if (vector < 32 && vector != VEC_NMI) {
		intr_exception(tf);
		if (tf->cs & 3)
			intr_return(c, tf);
		return;
	}
	trace_irq_entry_irqoff(vector);
	c->in_intr++;			/* for sched_wakeup's preemption */
	switch (vector) {
	case VEC_TIMER:
		timer_irq(tf);
		break;
	case VEC_IPI_RESCHED:
		trace_ipi_irqoff(TRACE_IPI_RECV, vector, ~0u);
		ipi_resched_irq();
		break;
	case VEC_IPI_CALL:
		trace_ipi_irqoff(TRACE_IPI_RECV, vector, ~0u);
		ipi_call_irq();
		break;
	case VEC_NMI:
	case VEC_IPI_STOP:
		c->in_intr--;
		trace_irq_exit_irqoff(vector);
		ipi_stop_irq(tf);
		return;
	case VEC_SPURIOUS:
		break;
	default:
		intr_device(tf);
	}
	c->in_intr--;
	trace_irq_exit_irqoff(vector);
	intr_return(c, tf);
}
