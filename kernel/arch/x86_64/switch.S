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
 * struct thread *switch_to_user(struct context **save,
 *				 struct trap_frame *tf, struct spinlock *lock,
 *				 struct thread *prev)
 *	%rdi, %rcx: as switch_to's %rdi and %rdx
 *	%rsi: the incoming thread's trap frame, at the top of its stack
 *	%rdx: the rq->lock to release once the outgoing context is saved
 *	      (by hand, as spin_unlock() does; ipc_fast.c asserts the layout)
 * The IPC fast path's switch (kernel/ipc_fast.c): saves the outgoing
 * context as switch_to does, then leaves for the incoming thread's user
 * mode through its trap frame (syscall.S), dropping its saved context.
 * Returns, like switch_to, only when the scheduler resumes the saved one.
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

	.globl switch_to_user
switch_to_user:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	movl $-1, 4(%rdx)		/* lock->owner: none */
	movl $0, (%rdx)			/* lock->locked: a plain store releases
					 * on x86; pairs with spin_lock's xchg */
	jmp syscall_return

/* A new thread's first return lands here, with the previous thread in %rax. */
	.globl thread_trampoline
thread_trampoline:
	movq %rax, %rdi
	call thread_start
	ud2
