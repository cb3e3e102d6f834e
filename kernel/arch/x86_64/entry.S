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
