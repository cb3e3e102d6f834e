/*
 * HOT PATH: interrupt and exception entry and exit.
 *
 * May not: print, format, allocate, take contended locks or emit boot-stage
 * markers. It only saves registers into a struct trap_frame (arch/trap.h),
 * calls trap_dispatch() and restores them.
 *
 * One 16-byte stub per vector pushes a zero error code where the CPU does
 * not push one, then the vector number, and jumps to trap_common. On entry
 * from user mode (CS RPL 3) swapgs makes %gs the kernel's per-CPU base.
 */
#include <arch/frame.h>

	.section .text
	.align 16
	.globl trap_stub_base
trap_stub_base:
	vec = 0
	.rept 256
	.align 16
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	vec = vec + 1
	.endr

	.align 16
	.globl trap_common
trap_common:
	cmpq $2, (%rsp)			/* NMI: see nmi_common */
	je nmi_common
	testb $3, 24(%rsp)		/* frame CS: came from user mode? */
	jz 1f
	swapgs
1:	TRAP_PUSH_REGS
	cld
	movq %rsp, %rdi
	call trap_dispatch
	.globl trap_return
trap_return:
	TRAP_POP_REGS
	addq $16, %rsp			/* vector, error code */
	testb $3, 8(%rsp)
	jz 2f
	swapgs
2:	iretq

/*
 * NMIs (the debugger's round-up, panics) can land where CS and GS
 * disagree: in syscall_entry before its swapgs, or on a way out after its
 * swapgs and before sysretq/iretq. So, as Linux's paranoid entry does,
 * trust the GS base itself: kernel per-CPU bases are in the upper half
 * (negative); anything else is the user's, swapped for the duration.
 * %rbx (callee-saved) remembers whether to swap back.
 */
nmi_common:
	TRAP_PUSH_REGS
	cld
	xorl %ebx, %ebx
	movl $0xc0000101, %ecx		/* MSR_GS_BASE */
	rdmsr
	testl %edx, %edx
	js 3f
	swapgs
	movl $1, %ebx
3:	movq %rsp, %rdi
	call trap_dispatch
	testl %ebx, %ebx
	jz 4f
	swapgs
4:	TRAP_POP_REGS
	addq $16, %rsp			/* vector, error code */
	iretq
