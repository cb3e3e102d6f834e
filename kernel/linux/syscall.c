/*
 * HOT PATH: system-call dispatch, called by syscall_entry with the user's
 * trap frame.
 *
 * May not: print, format, allocate, take contended locks or emit boot-stage
 * markers. It runs the handler from the generated table (the single source
 * of truth is kernel/linux/syscall.tbl) with interrupts on, stores the
 * result, and on the way out honours a pending reschedule, then a kill or a
 * signal (syscall_user_work). Unknown numbers
 * go to sys_ni_syscall(), which counts them and returns -ENOSYS. With
 * tracesys= on, each call but IPC's is recorded (number and arguments,
 * then the result) through trace/emit.c, itself a hot path.
 */
#include "cpu.h"
#include "sched.h"
#include "syscall_table.h"
#include "proc.h"
#include "ipc.h"
#include "trace.h"
#include <arch/cpu.h>
#include <arch/trap.h>

/*
 * Loupe's native calls (IPC, numbers from NATIVE_SYS_BASE) go to their body
 * through this pointer, as Linux calls go through syscall_fns[].
 */
long (*syscall_native)(unsigned call, struct trap_frame *tf) = ipc_syscall;

/*
 * The work of a return to user mode whose process is killed or has a
 * signal to look at (proc->user_work): dying, signal delivery, settling
 * an interrupted call (kernel/signal.c). It prints, allocates pages on
 * a user-stack fault and takes locks, so every way back to user mode
 * (here, intr.c, ipc_fast.c) hands over through this pointer
 * (tools/hotcheck/indirect.allow) after testing the one word. It runs
 * after any preemption: a signal posted while the thread was switched
 * out (no kick reaches it then) is seen here.
 */
void (*syscall_user_work)(struct trap_frame *tf) = signal_user_work;

/*
 * Whether tracesys= records call nr. Not the IPC calls NC_CALL, NC_RECV,
 * NC_REPLY and NC_REPLY_RECV: their IPC records (ipc.c) say what they
 * did, as the fast path's one record per half trip does for the calls it
 * takes, and a server's "serve" slice runs from the RECV inside one call
 * to the REPLY in the next, which a slice per call would cut.
 */
static inline bool syscall_traced(uint64_t nr)
{
	_Static_assert(NC_CALL == 0 && NC_REPLY_RECV == 3,
		       "the IPC calls are the first four native calls");
	return nr - (NATIVE_SYS_BASE + NC_CALL) > NC_REPLY_RECV;
}

/* How often each unimplemented number was called ([SYSCALL_NR]: others). */
uint64_t syscall_unknown[SYSCALL_NR + 1];

long sys_ni_syscall(SYSCALL_ARGS)
{
	return -ENOSYS;
}

/* Run call nr's handler with interrupts on; its result goes in tf->rax. */
static inline __attribute__((always_inline)) void
syscall_run(uint64_t nr, struct trap_frame *tf)
{
	long ret;

	irq_enable();
	if (likely(nr < SYSCALL_NR && syscall_fns[nr] != sys_ni_syscall)) {
		ret = syscall_fns[nr](tf->rdi, tf->rsi, tf->rdx, tf->r10,
				      tf->r8, tf->r9);
	} else if (nr - NATIVE_SYS_BASE < NC_NR_CALLS) {
		ret = syscall_native(nr - NATIVE_SYS_BASE, tf);
	} else {
		__atomic_add_fetch(&syscall_unknown[MIN(nr, SYSCALL_NR)], 1,
				   __ATOMIC_RELAXED);
		ret = -ENOSYS;
	}
	tf->rax = ret;
	irq_disable();
}

/*
 * syscall_run() between its two records. Out of line, so that the
 * untraced path keeps no register for them (each would be a push and a
 * pop on every call).
 */
static __attribute__((noinline)) void syscall_run_traced(uint64_t nr,
							 struct trap_frame *tf)
{
	trace_syscall_enter_irqoff(nr, tf->rdi, tf->rsi, tf->rdx);
	syscall_run(nr, tf);
	trace_syscall_exit_irqoff(nr, (long)tf->rax);
}

void syscall_dispatch(struct trap_frame *tf)
{
	uint64_t nr = tf->rax;

	if (unlikely(trace_syscalls) && syscall_traced(nr))
		syscall_run_traced(nr, tf);
	else
		syscall_run(nr, tf);
	if (this_cpu()->need_resched)
		sched_preempt();
	if (unlikely(current_thread()->proc->user_work))
		syscall_user_work(tf);
}
