/*
 * The trap frame: what entry.S saves on the kernel stack for every
 * interrupt and exception, lowest address first. The debugger and the
 * panic report read it; its layout is the contract with entry.S.
 */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include "types.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;		/* CPU's error code, or 0 */
	/* Pushed by the CPU: */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trap_frame) == 22 * 8, "entry.S frame layout");

#define VEC_DE		0
#define VEC_DB		1
#define VEC_NMI		2
#define VEC_BP		3
#define VEC_UD		6
#define VEC_DF		8
#define VEC_GP		13
#define VEC_PF		14
#define VEC_MC		18
#define VEC_IRQ_BASE	0x20	/* IOAPIC pins 0..23 -> 0x20..0x37 */
#define VEC_TIMER	0x40
#define VEC_IPI_RESCHED	0xf0
#define VEC_IPI_CALL	0xf1
#define VEC_IPI_STOP	0xf2
#define VEC_SPURIOUS	0xff
#define VEC_SYSCALL	0x100	/* a SYSCALL's frame (syscall.S); its error
				 * slot holds the call number */

typedef void (*irq_handler_t)(struct trap_frame *tf);

void trap_init(void);
void trap_init_cpu(void);
void trap_dispatch(struct trap_frame *tf);
void trap_exception(struct trap_frame *tf);
const char *trap_name(uint64_t vector);
void irq_register(int vector, irq_handler_t fn, const char *name);
__noreturn void trap_fatal(struct trap_frame *tf);
void trap_print_frame(const struct trap_frame *tf);
int trap_selftest(void);

/* An exception-table entry: a fault at `insn` resumes at `fixup`. */
struct ex_entry {
	uint64_t insn;
	uint64_t fixup;
};
bool trap_fixup(struct trap_frame *tf);

#endif
