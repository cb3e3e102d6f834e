/*
 * Per-CPU data. Each CPU's struct cpu is reached through %gs (its first
 * field points at itself), so this_cpu() is one load. Fields are owned by
 * that CPU unless stated; the debugger reads them all.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include "types.h"
#include "list.h"
#include "spinlock.h"
#include <arch/percpu.h>

#define MAX_CPUS 16

struct thread;
struct trace_ring_hdr;

/* A CPU's run queue. Lock order: rq->lock of the lower CPU id first. */
struct runqueue {
	struct spinlock lock;
	/* rq->lock protects: */
	struct list_head ready;		/* runnable threads, not the current one */
	unsigned nr_ready;
	struct list_head sleepers;	/* sched_sleep_ticks(), by wake_tick */
};

struct cpu {
	/* Fixed offsets: entry code reads these through %gs. */
	struct cpu *self;		/* %gs:0 */
	struct thread *current;		/* %gs:8 */
	uint64_t kstack_top;		/* %gs:16, top of current's kernel stack */
	uint64_t scratch;		/* %gs:24, entry-code scratch */

	unsigned id;			/* dense CPU number, 0 = boot CPU */
	uint32_t apic_id;
	volatile bool online;
	/*
	 * The IPC fast path tests both bytes in one compare (ipc_fast.c):
	 * ipc_fast_block is 0 when it may run here.
	 */
	union {
		struct {
			volatile bool need_resched;	/* set by tick/IPI, read
							 * on IRQ return */
			bool ipc_fast_off;	/* ipcfast=off, set at boot */
		};
		uint16_t ipc_fast_block;	/* read once a trip */
	};
	struct thread *idle;		/* never in a run queue */
	struct runqueue rq;
	uint64_t slice_end;		/* tick count at which current's slice ends */
	volatile uint64_t user_cr3;	/* user page tables in CR3, or 0; stored
					 * before each CR3 load (vm_shootdown) */

	volatile uint64_t ticks;	/* timer interrupts taken */
	volatile uint64_t irqs;		/* all interrupts taken */
	volatile uint64_t ipis;		/* IPIs received */
	uint64_t idle_tsc;		/* TSC ticks spent in the idle thread */
	uint64_t ipc_fast_hits;		/* the IPC fast path's direct switches */
	uint64_t ipc_fast_sleeping;	/* thread.state_cpu of a thread asleep
					 * here (sched_init_cpu) */

	struct arch_cpu arch;		/* GDT, TSS, IDT, IST stacks */
	/*
	 * This CPU's trace ring or NULL (tracing off or paused): a copy of
	 * trace_rings[id] the record hooks load through %gs in one
	 * instruction. Written by kernel/trace.c only (trace_publish(),
	 * trace_pause(), from any CPU): a hook loads the old pointer or the
	 * new one, and a ring, once made, stays valid.
	 */
	struct trace_ring_hdr *trace_ring;
	uint32_t in_intr;		/* interrupt handlers running here
					 * (trap_dispatch); this CPU only */
};

_Static_assert(offsetof(struct cpu, id) == SPIN_CPU_ID_OFFSET,
	       "spinlock.h reads the CPU id at this offset");

extern struct cpu cpus[MAX_CPUS];
extern unsigned ncpus;			/* CPUs found (and allowed by smp=) */

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(c));
	return c;
}

static inline unsigned cpu_id(void)
{
	return this_cpu()->id;
}

static inline struct thread *current_thread(void)
{
	struct thread *t;

	__asm__ __volatile__("movq %%gs:8, %0" : "=r"(t));
	return t;
}

#endif
