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
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
		      (v) == 21 || (v) == 29 || (v) == 30)

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
1:	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_dispatch
	.globl trap_return
trap_return:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp			/* vector, error code */
	testb $3, 8(%rsp)
	jz 2f
	swapgs
2:	iretq
