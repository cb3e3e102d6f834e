/*
 * HOT PATH: system-call entry and exit (the SYSCALL instruction).
 *
 * May not: print, format, allocate, take locks or emit boot-stage markers.
 *
 * On SYSCALL the CPU leaves the user %rip in %rcx and %rflags in %r11 and
 * masks IF, TF, DF and AC (MSR_FMASK). We switch to the thread's kernel
 * stack (%gs:16) and build the same struct trap_frame (arch/trap.h) that an
 * interrupt from user mode builds, with vector VEC_SYSCALL, so the
 * debugger, exec and signal delivery see one format. syscall_dispatch()
 * reads the number and arguments from it and writes the result into its
 * rax. We leave by SYSRET when the return address is canonical (a clobbered
 * frame may not be), else by the IRET path in entry.S.
 */
#include <arch/frame.h>

#define VEC_SYSCALL	0x100
#define GDT_UDATA	0x1b
#define GDT_UCODE	0x23

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:24		/* scratch: the user stack pointer */
	movq %gs:16, %rsp		/* this thread's kernel stack top */
	pushq $GDT_UDATA		/* ss */
	pushq %gs:24			/* rsp */
	pushq %r11			/* rflags */
	pushq $GDT_UCODE		/* cs */
	pushq %rcx			/* rip */
	pushq $0			/* error code */
	pushq $VEC_SYSCALL		/* vector */
	TRAP_PUSH_REGS
	movq %rsp, %rdi
	call syscall_dispatch		/* returns with interrupts off */

	movq 17 * 8(%rsp), %rcx		/* frame rip */
	movq %rcx, %r11
	sarq $47, %r11			/* canonical user address: bits 63..47 zero */
	jnz 1f
	cmpq $GDT_UCODE, 18 * 8(%rsp)	/* exec or a signal may have changed cs */
	jne 1f
	TRAP_POP_REGS			/* rcx and r11 are reloaded below */
	movq 16(%rsp), %rcx		/* rip */
	movq 32(%rsp), %r11		/* rflags */
	movq 40(%rsp), %rsp		/* user rsp */
	swapgs
	sysretq
1:	jmp trap_return			/* entry.S: IRET, swapgs by frame CS */
