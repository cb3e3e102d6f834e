/*
 * The kernel's side of tracing (kernel/trace.c): one ring per CPU, set up
 * from the first instruction of kmain, and the hooks the rest of the kernel
 * calls. Hooks named *_irqoff are for hot paths that already run with
 * interrupts off; the others may be called from any context.
 */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H

#include "types.h"
#include "cpu.h"
#include "trace/emit.h"
#include <arch/cpu.h>

struct thread;

/* This CPU's ring, or NULL when tracing is off or not set up yet. */
extern struct trace_ring_hdr *trace_rings[MAX_CPUS];
extern struct trace_ctl trace_ctl;
/* Packed names of interrupt vectors for TRACE_IRQ_ENTRY (trace_name8()). */
extern uint64_t trace_irq_name8[256];

void trace_init_early(void);
void trace_init(void);
void trace_init_cpu(unsigned cpu);
void trace_start(void);
void trace_snapshot_names(bool locked);
void trace_task_new(struct thread *t);
void trace_task_exit(struct thread *t);
void trace_task_rename(struct thread *t);
void trace_stage(unsigned stage);
void trace_panic_dump(void);
int trace_dump(void (*out)(const char *line, void *arg), void *arg,
	       uint64_t bytes_per_cpu);
void trace_bench(void);
void trace_pause(bool paused);
void trace_load_main(void);
bool trace_load_wanted(void);
void trace_idle(struct cpu *c);

/* This CPU's ring, or NULL: one load through %gs (struct cpu.trace_ring). */
static inline struct trace_ring_hdr *trace_ring(void)
{
	struct trace_ring_hdr *r;

	__asm__ __volatile__("movq %%gs:%c1, %0" : "=r"(r)
			     : "i"(offsetof(struct cpu, trace_ring)));
	return r;
}

/* The trace's tid: every CPU's idle thread is TRACE_TID_IDLE. */
static inline uint32_t trace_tid_of(unsigned tid)
{
	return tid >= 0x10000 ? TRACE_TID_IDLE : tid;
}

static inline void trace_irq_entry_irqoff(uint32_t vector)
{
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_irq_entry(r, vector, trace_irq_name8[vector & 0xff]);
}

static inline void trace_irq_exit_irqoff(uint32_t vector)
{
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_irq_exit(r, vector, 1);
}

static inline void trace_ipi_irqoff(uint16_t type, uint32_t vector,
				    uint32_t cpu)
{
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_ipi(r, type, vector, cpu);
}

/* An IPI is being sent to @cpu (~0u: all others). Context: any. */
static inline void trace_ipi_send(uint32_t vector, uint32_t cpu)
{
	unsigned long f = irq_save();

	trace_ipi_irqoff(TRACE_IPI_SEND, vector, cpu);
	irq_restore(f);
}

/*
 * @waker is a trace tid (thread.trace_tid: idle already 0, so nothing is
 * mapped here); @wakee is never an idle thread (those are never woken).
 */
static inline void trace_wakeup_irqoff(uint32_t waker, uint32_t wakee,
				       unsigned target)
{
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_wakeup(r, waker, wakee, (uint16_t)target, 0);
}

static inline void trace_counter(uint32_t id, int64_t value)
{
	unsigned long f = irq_save();
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_counter(r, id, value);
	irq_restore(f);
}

/* System calls, when trace_syscalls (tracesys=) asks for them. */
extern bool trace_syscalls;

static inline void trace_syscall_enter_irqoff(uint32_t nr, uint64_t a0,
					      uint64_t a1, uint64_t a2)
{
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_syscall_enter(r, nr, a0, a1, a2);
}

static inline void trace_syscall_exit_irqoff(uint32_t nr, int64_t ret)
{
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_syscall_exit(r, nr, ret);
}

/*
 * @type: TRACE_IPC_CALL, _RECV, _REPLY, _CALL_WAKE or _REPLY_WAKE.
 * @partner_tid (0: none) is never an idle thread's: those take no part in
 * IPC.
 */
static inline void trace_ipc_irqoff(uint16_t type, uint32_t endpoint,
				    uint32_t partner_tid, uint64_t tag)
{
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_ipc(r, type, endpoint, partner_tid, tag);
}

/* @type: TRACE_IPC_REPLY_RECV or _REPLY_WAKE_RECV (trace/record.h). */
static inline void trace_ipc_reply_recv_irqoff(uint16_t type,
					       uint32_t endpoint,
					       uint32_t partner_tid,
					       uint64_t tag, uint32_t recv_tid,
					       uint64_t recv_tag)
{
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_ipc_reply_recv(r, type, endpoint, partner_tid, tag,
					  recv_tid, recv_tag);
}

static inline void trace_ipc(uint16_t type, uint32_t endpoint,
			     uint32_t partner_tid, uint64_t tag)
{
	unsigned long f = irq_save();

	trace_ipc_irqoff(type, endpoint, partner_tid, tag);
	irq_restore(f);
}

static inline void trace_page_fault_irqoff(uint64_t addr, uint64_t rip,
					   uint32_t error_code)
{
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_page_fault(r, addr, rip, error_code);
}

static inline void trace_exception_irqoff(uint32_t vector, uint64_t error,
					  uint64_t rip)
{
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_exception(r, vector, error, rip);
}

#endif
