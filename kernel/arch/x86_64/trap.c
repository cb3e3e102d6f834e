/*
 * Exceptions: the 32 CPU exception vectors. A kernel fault at an address
 * listed in the exception table (safe memory access) resumes at its fixup;
 * breakpoints, debug traps and (with GDB attached) faults go to the GDB
 * stub (gdbstub/kgdb.c); a breakpoint compiled into the kernel is counted
 * and skipped; anything else is fatal and produces a panic report. Not a hot path, but reached
 * from one (intr.c), so it prints only through the cold trap_fatal().
 */
#include "cpu.h"
#include "panic.h"
#include "sched.h"
#include <arch/cpu.h>
#include <arch/trap.h>
#include <arch/uaccess.h>
#include "printk.h"
#include "proc.h"
#include "vm.h"
#include <arch/safemem.h>
#include "gdbstub/kgdb.h"

extern const struct ex_entry __ex_table_start[], __ex_table_end[];

static const char *const trap_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "device not available",
	"double fault", "coprocessor overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection",
	"page fault", "reserved 15", "x87 FP error", "alignment check",
	"machine check", "SIMD FP error", "virtualization", "control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27", "hypervisor injection",
	"VMM communication", "security", "reserved 31",
};

volatile uint64_t trap_breakpoints;	/* int3s taken in the kernel */

bool trap_fixup(struct trap_frame *tf)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == tf->rip) {
			tf->rip = e->fixup;
			return true;
		}
	}
	return false;
}

/*
 * Fixups first (the debugger's own memory access relies on them), then
 * the debugger: #BP and #DB it planted, and any other exception while GDB
 * is attached or with gdb=wait. Without it, an int3 is counted.
 */
/* The signal a user-mode exception raises, as Linux maps them. */
static int trap_signal(uint64_t vector)
{
	switch (vector) {
	case VEC_DE:
	case 16:	/* x87 error */
	case 19:	/* SIMD error */
		return SIGFPE;
	case VEC_DB:
	case VEC_BP:
		return SIGTRAP;
	case VEC_UD:
		return SIGILL;
	case 17:	/* alignment check */
		return SIGBUS;
	default:
		return SIGSEGV;
	}
}

/* The si_code of a user exception (pf: vm_fault's answer), as Linux's. */
static int trap_si_code(const struct trap_frame *tf, int pf)
{
	switch (tf->vector) {
	case VEC_PF:
		return pf == -EFAULT ? 1 : 2;	/* SEGV_MAPERR, SEGV_ACCERR */
	case VEC_UD:
		return 2;			/* ILL_ILLOPN */
	case VEC_DE:				/* FPE_INTDIV */
	case VEC_BP:
	case VEC_DB:				/* TRAP_BRKPT */
	case 17:				/* BUS_ADRALN */
		return 1;
	default:
		return SI_KERNEL;		/* #GP and the rest */
	}
}

/*
 * An exception in user mode: a page fault the address space can satisfy
 * is demand paging; else the signal it raises goes to the thread's
 * handler, if it has one and does not block the signal (delivered on the
 * way out, intr.c); anything else kills the process with a one-line
 * report. Never the kernel.
 */
static void trap_user(struct trap_frame *tf)
{
	struct thread *t = current_thread();
	struct proc *p = t->proc;
	uint64_t cr2 = read_cr2();
	int sig = trap_signal(tf->vector), pf = 0, code;

	if (!p)
		trap_fatal(tf);
	if (tf->vector == VEC_PF && (pf = vm_fault(p->vm, cr2, tf->error)) == 0)
		return;
	code = trap_si_code(tf, pf);
	if (signal_fault(sig, code, tf->vector == VEC_PF ? cr2 :
			 code == SI_KERNEL ? 0 : tf->rip))
		return;
	printk("loupe: %s (pid %d) killed by signal %d: %s at 0x%lx, ip 0x%lx",
	       p->name, p->pid, sig, trap_name(tf->vector),
	       tf->vector == VEC_PF ? cr2 : tf->rip, tf->rip);
	irq_enable();
	proc_exit(sig);
}

/* A kernel access to a user page not mapped yet (copy_from_user...). */
static bool trap_user_page(struct trap_frame *tf)
{
	struct thread *t = current_thread();
	uint64_t cr2 = read_cr2();

	return tf->vector == VEC_PF && cr2 < USER_TOP && t && t->proc &&
	       vm_fault(t->proc->vm, cr2, tf->error) == 0;
}

void trap_exception(struct trap_frame *tf)
{
	if (tf->cs & 3) {
		trap_user(tf);
		return;
	}
	if (trap_user_page(tf))
		return;
	if ((tf->vector == VEC_PF || tf->vector == VEC_GP) && trap_fixup(tf))
		return;
	if (kgdb_trap(tf))
		return;
	if (tf->vector == VEC_BP) {
		trap_breakpoints++;
		return;
	}
	trap_fatal(tf);
}

const char *trap_name(uint64_t vector)
{
	return vector < 32 ? trap_names[vector] : "interrupt";
}

__coldexit void trap_fatal(struct trap_frame *tf)
{
	panic_trap(tf, trap_name(tf->vector));
}

/*
 * Exceptions that must not panic: a compiled-in int3 is counted and
 * skipped; faulting reads through safe_memcpy (non-canonical: #GP,
 * unmapped guard page: #PF) resume at their fixup.
 */
int trap_selftest(void)
{
	extern char boot_stack_guard[];
	uint64_t before = trap_breakpoints, buf;

	__asm__ __volatile__("int3");
	if (trap_breakpoints != before + 1)
		return -EINVAL;
	if (safe_memcpy(&buf, (void *)0x8000000000000000UL, 8) != 8)
		return -EFAULT;
	if (safe_memcpy(&buf, boot_stack_guard, 8) != 8)
		return -EFAULT;
	if (safe_memcpy(&buf, &before, 8) != 0 || buf != before)
		return -EIO;
	return 0;
}
