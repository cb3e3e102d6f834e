/*
 * Panics: stop every other CPU with an NMI, then print what happened
 * (CPU, thread, registers, CR2, error code) and a backtrace symbolized from
 * the table embedded in the image. The first CPU to panic reports; any
 * other that panics meanwhile just stops. With GDB attached (or gdb=wait)
 * the panicking CPU then stops in the GDB stub. With panic=exit on the command
 * line QEMU is ended through isa-debug-exit (tests); otherwise the CPU halts
 * so a debugger can look.
 */
#include "panic.h"
#include "printk.h"
#include "fmt.h"
#include "cpu.h"
#include "ksym.h"
#include "sched.h"
#include <arch/cpu.h>
#include <arch/safemem.h>
#include "smp.h"
#include <arch/mmu.h>
#include "kstack.h"
#include "trace.h"
#include "gdbstub/kgdb.h"

volatile int panic_cpu = -1;
bool panic_exit;
extern bool console_busted;

static bool panic_enter(void)
{
	int me = cpu_id();

	irq_disable();
	if (!__atomic_compare_exchange_n(&panic_cpu, &(int){ -1 }, me, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		if (panic_cpu != me)
			cpu_halt_forever();
		return false;	/* panicked while panicking: keep it short */
	}
	smp_stop_others();
	console_busted = true;
	return true;
}

static __noreturn void panic_finish(void)
{
	trace_panic_dump();
	printk("PANIC: end of report, CPU %u halted", cpu_id());
	if (panic_exit)
		qemu_exit(1);
	cpu_halt_forever();
}

static const char *panic_thread_name(void)
{
	struct thread *t = current_thread();

	return t ? t->name : "(none)";
}

/*
 * Walk the frame-pointer chain from (rip, rbp). If rsp is given (a trap
 * frame) and rip is a function's first instruction, that function has not
 * pushed its frame yet: its caller's return address is at [rsp].
 */
void panic_backtrace(uint64_t rip, uint64_t rbp, uint64_t rsp)
{
	uintptr_t off = 1;
	int depth = 0;
	char sym[96];

	printk("Backtrace:");
	if (rsp && ksym_lookup(rip, &off) && off == 0) {
		uint64_t ret;

		ksym_format(sym, sizeof(sym), rip);
		printk("  #%-2d %016lx %s", depth++, rip, sym);
		if (safe_memcpy(&ret, (void *)rsp, sizeof(ret)))
			return;
		rip = ret;
	}
	for (; depth < 32 && rip; depth++) {
		uint64_t frame[2];

		ksym_format(sym, sizeof(sym), rip);
		printk("  #%-2d %016lx %s", depth, rip, sym);
		if (!rbp || (rbp & 7) || rbp < DIRECT_MAP_BASE ||
		    safe_memcpy(frame, (void *)rbp, sizeof(frame)))
			break;
		rbp = frame[0];
		rip = frame[1];
	}
}

__coldexit void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	uint64_t rbp;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!panic_enter()) {
		printk("PANIC (nested): %s", msg);
		panic_finish();
	}
	printk("PANIC: %s", msg);
	printk("PANIC: on CPU %u, thread '%s'", cpu_id(), panic_thread_name());
	__asm__ __volatile__("movq %%rbp, %0" : "=r"(rbp));
	panic_backtrace((uint64_t)__builtin_return_address(0),
			*(uint64_t *)rbp, 0);
	kgdb_panic(msg, NULL);
	panic_finish();
}

void trap_print_frame(const struct trap_frame *tf)
{
	printk("RIP %04lx:%016lx RFLAGS %016lx ERR %016lx",
	       tf->cs, tf->rip, tf->rflags, tf->error);
	printk("RSP %04lx:%016lx CR2 %016lx CR3 %016lx",
	       tf->ss, tf->rsp, read_cr2(), read_cr3());
	printk("RAX %016lx RBX %016lx RCX %016lx", tf->rax, tf->rbx, tf->rcx);
	printk("RDX %016lx RSI %016lx RDI %016lx", tf->rdx, tf->rsi, tf->rdi);
	printk("RBP %016lx R8  %016lx R9  %016lx", tf->rbp, tf->r8, tf->r9);
	printk("R10 %016lx R11 %016lx R12 %016lx", tf->r10, tf->r11, tf->r12);
	printk("R13 %016lx R14 %016lx R15 %016lx", tf->r13, tf->r14, tf->r15);
	printk("CR0 %016lx CR4 %016lx", read_cr0(), read_cr4());
}

__coldexit void panic_trap(struct trap_frame *tf, const char *what)
{
	char sym[96];
	bool first = panic_enter();

	ksym_format(sym, sizeof(sym), tf->rip);
	printk("PANIC: %s (vector %lu) at %s", what, tf->vector, sym);
	if (!first)
		panic_finish();
	printk("PANIC: on CPU %u, thread '%s'", cpu_id(), panic_thread_name());
	if ((tf->vector == 14 || tf->vector == 8) && kstack_is_guard(read_cr2()))
		printk("PANIC: kernel stack overflow (CR2 in a guard page)");
	trap_print_frame(tf);
	panic_backtrace(tf->rip, tf->rbp, tf->rsp);
	kgdb_panic(what, tf);
	panic_finish();
}
