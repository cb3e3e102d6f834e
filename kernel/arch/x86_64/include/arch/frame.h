/*
 * The general registers of struct trap_frame (arch/trap.h), pushed and
 * popped in its order: the one definition entry.S and syscall.S share, so
 * an interrupt and a system call from user mode leave the same frame.
 * Assembly only.
 */
#ifndef ARCH_FRAME_H
#define ARCH_FRAME_H

.macro TRAP_PUSH_REGS
	pushq %rax
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
.endm

.macro TRAP_POP_REGS
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
.endm

#endif
