/*
 * HOT PATH: the context switch.
 *
 * May not: print, format, allocate, take locks or emit boot-stage markers.
 *
 * struct thread *switch_to(struct context **save, struct context *next,
 *			    struct thread *prev)
 *	%rdi: where to store the outgoing thread's context pointer
 *	%rsi: the incoming thread's saved context
 *	%rdx: the outgoing thread, returned in %rax to the incoming one
 * Saves the callee-saved registers as a struct context (sched.h) on the
 * outgoing stack. Interrupts are off; the caller holds its rq->lock.
 */
	.text
	.globl switch_to
switch_to:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	movq %rdx, %rax
	ret

/* A new thread's first return lands here, with the previous thread in %rax. */
	.globl thread_trampoline
thread_trampoline:
	movq %rax, %rdi
	call thread_start
	ud2
