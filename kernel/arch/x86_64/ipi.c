/*
 * Inter-processor interrupts: reschedule kicks, cross-CPU function calls
 * (TLB shootdown, self-tests) and the NMI that stops every other CPU on a
 * panic.
 *
 * smp_call() runs one request at a time: call_busy is a flag the caller
 * spins on WITH interrupts enabled, so two CPUs calling each other cannot
 * deadlock; each target runs the function from its IPI handler.
 */
#include "cpu.h"
#include "panic.h"
#include "printk.h"
#include "sched.h"
#include "smp.h"
#include "trace.h"
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/trap.h>
#include <arch/tsc.h>
#include "gdbstub/kgdb.h"

static struct {
	void (*fn)(void *);
	void *arg;
	unsigned pending;		/* targets that have not finished */
} call_req;
static uint32_t call_busy;

volatile bool cpu_stopped[MAX_CPUS];

void ipi_resched_irq(void)
{
	struct cpu *c = this_cpu();

	lapic_eoi();
	c->ipis++;
	c->need_resched = true;
}

void ipi_call_irq(void)
{
	this_cpu()->ipis++;
	call_req.fn(call_req.arg);
	/* Release: pairs with the acquire load in smp_call()'s wait loop. */
	__atomic_sub_fetch(&call_req.pending, 1, __ATOMIC_RELEASE);
	lapic_eoi();
}

/*
 * NMI or stop IPI: the GDB stub's round-up parks the CPU until it resumes;
 * on a panic, park here for good (the frame is kept for the debugger).
 */
void ipi_stop_irq(struct trap_frame *tf)
{
	if (tf->vector == VEC_IPI_STOP)
		lapic_eoi();
	if (tf->vector == VEC_NMI && panic_cpu < 0 && kgdb_nmi(tf))
		return;
	if (panic_cpu < 0 || panic_cpu == (int)cpu_id())
		return;
	kgdb_note_halt(tf);
	cpu_stopped[cpu_id()] = true;
	cpu_halt_forever();
}

static int smp_call_wait(void)
{
	/*
	 * 10 s: a backstop against a lost IPI, not a latency bound. Under
	 * emulation a CPU may legitimately run with interrupts off for over
	 * a second (the trace flood test does).
	 */
	uint64_t deadline = rdtsc() + 10 * tsc_hz;

	/* Acquire: pairs with the release decrement in ipi_call_irq(). */
	while (__atomic_load_n(&call_req.pending, __ATOMIC_ACQUIRE)) {
		if (rdtsc() > deadline)
			return -ETIMEDOUT;
		cpu_relax();
	}
	return 0;
}

/*
 * Run fn(arg) on CPU cpu, or on every other online CPU with SMP_CALL_ALL,
 * and wait until all have returned. fn runs in interrupt context.
 * Context: thread, interrupts enabled. Returns 0 or -ETIMEDOUT.
 */
int smp_call(int cpu, void (*fn)(void *), void *arg)
{
	unsigned targets = cpu == SMP_CALL_ALL ? smp_online_count() - 1 : 1;
	int err;

	if (!irqs_enabled())
		panic("smp_call with interrupts disabled");
	if (!targets)
		return 0;
	while (__atomic_exchange_n(&call_busy, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
	call_req.fn = fn;
	call_req.arg = arg;
	/* Release: the request is visible before any target can see the IPI. */
	__atomic_store_n(&call_req.pending, targets, __ATOMIC_RELEASE);
	trace_ipi_send(VEC_IPI_CALL, cpu == SMP_CALL_ALL ? ~0u : (uint32_t)cpu);
	if (cpu == SMP_CALL_ALL)
		lapic_send_ipi(0, ICR_ALL_BUT_SELF | VEC_IPI_CALL);
	else
		lapic_send_ipi(cpus[cpu].apic_id, VEC_IPI_CALL);
	err = smp_call_wait();
	/* Release: pairs with the acquire exchange of the next caller. */
	__atomic_store_n(&call_busy, 0, __ATOMIC_RELEASE);
	return err;
}

void smp_send_resched(unsigned cpu)
{
	trace_ipi_send(VEC_IPI_RESCHED, cpu);
	lapic_send_ipi(cpus[cpu].apic_id, VEC_IPI_RESCHED);
}

/* NMI every other CPU: they may be spinning with interrupts off. */
void smp_stop_others(void)
{
	if (smp_online_count() > 1)
		lapic_send_ipi(0, ICR_ALL_BUT_SELF | ICR_NMI);
}
