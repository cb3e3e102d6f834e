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
 *
 * switch_user_resumed: where a thread the IPC fast path put to sleep
 * goes when the scheduler resumes it (kernel/ipc_fast.c, syscall.S).
 * Such a thread needs nothing of its kernel stack but its own trap frame,
 * so its context, just below that frame, holds no registers (rbp 0 ends a
 * debugger's frame chain), only a return address: that of its call into
 * the fast path, in syscall.S, which sees prev (not 0) in %rax and comes
 * here. switch_user_resumed calls ipc_fast_resumed(prev) just below the
 * trap frame and leaves through it.
 */
#define TRAP_FRAME_SIZE	(22 * 8)	/* struct trap_frame, arch/frame.h */

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

/* From syscall.S: switch_to resumed a fast-path sleeper, prev in %rax. */
	.globl switch_user_resumed
switch_user_resumed:
	movq %rax, %rdi
	movq %gs:16, %rsp		/* this thread's kernel stack top */
	subq $TRAP_FRAME_SIZE, %rsp	/* its trap frame */
	call ipc_fast_resumed
	jmp syscall_return

/* A new thread's first return lands here, with the previous thread in %rax. */
	.globl thread_trampoline
thread_trampoline:
	movq %rax, %rdi
	call thread_start
	ud2
