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
 * rax. We leave by SYSRET when the return address is canonical (a
 * clobbered frame may not be), else by the IRET path in entry.S.
 *
 * NC_CALL and NC_REPLY_RECV go to the IPC fast path (kernel/ipc_fast.c)
 * instead. It returns only to take the slow path, syscall_dispatch().
 * Having switched to the partner, with this CPU's rq->lock held, it jumps
 * to ipc_fast_leave with the partner's frame in %rax, the badge in %rdi
 * and the entering thread's frame in %rcx. ipc_fast_leave loads the
 * message's tag and word 0 from that frame (words 1-3 are still in r10,
 * r8 and r9, which the fast path's C never touches), moves to the
 * partner's frame, drops the lock and leaves through that frame with the
 * message in the registers (include/loupe/native.h); only a frame SYSRET
 * may not take gets the message written into it, to leave by IRET.
 */
#include <arch/frame.h>

#define VEC_SYSCALL	0x100
#define GDT_UDATA	0x1b
#define GDT_UCODE	0x23
#define IPC_FAST_CALL		1024	/* NATIVE_SYS_BASE + NC_CALL */
#define IPC_FAST_REPLY_RECV	1027	/* NATIVE_SYS_BASE + NC_REPLY_RECV */
#define CPU_RQ_LOCK		0x38	/* struct cpu: rq.lock (ipc_fast.c) */

/* struct trap_frame (arch/trap.h), byte offsets. */
#define TF_R15		(0 * 8)
#define TF_R14		(1 * 8)
#define TF_R13		(2 * 8)
#define TF_R12		(3 * 8)
#define TF_R10		(5 * 8)
#define TF_R9		(6 * 8)
#define TF_R8		(7 * 8)
#define TF_RBP		(8 * 8)
#define TF_RDI		(9 * 8)
#define TF_RSI		(10 * 8)
#define TF_RDX		(11 * 8)
#define TF_RBX		(13 * 8)
#define TF_RAX		(14 * 8)
#define TF_RIP		(17 * 8)
#define TF_CS		(18 * 8)
#define TF_RFLAGS	(19 * 8)
#define TF_RSP		(20 * 8)

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
	pushq %rax			/* error code slot: the call number,
					 * for a restart (kernel/signal.c) */
	pushq $VEC_SYSCALL		/* vector */
	TRAP_PUSH_REGS
	cmpq $IPC_FAST_CALL, %rax	/* the first native call */
	jae 2f
	movq %rsp, %rdi
	call syscall_dispatch		/* returns with interrupts off */

	/* Leave through the frame at %rsp (also switch_user_resumed's way out). */
	.globl syscall_return
syscall_return:
	movq 17 * 8(%rsp), %r11		/* frame rip */
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

	/*
	 * Native calls; the IPC fast path (kernel/ipc_fast.c) for two,
	 * called with the slot (the user's rdi, still there) and the frame.
	 */
2:	je 3f				/* flags of the cmpq above */
	cmpq $IPC_FAST_REPLY_RECV, %rax
	je 4f
5:	movq %rsp, %rdi
	call syscall_dispatch
	jmp syscall_return
	/*
	 * Back after either call two ways: the fast path returning 0 (the
	 * slow path after all); or, having put this thread to sleep with the
	 * call's return address as its saved context's rip, switch_to()
	 * resuming it with the thread switched from in %rax (never 0).
	 */
3:	movq %rsp, %rsi
	call ipc_fast_call
	testq %rax, %rax
	jnz switch_user_resumed
	jmp 5b
4:	movq %rsp, %rsi
	call ipc_fast_reply_recv
	testq %rax, %rax
	jnz switch_user_resumed
	jmp 5b

/*
 * The fast path switched to a partner: %rax its frame, %rdi the badge,
 * %rcx the entering thread's frame. Its context (switch.S) is just below
 * that frame, where ipc_fast.c pointed its ctx: its rip is already there,
 * the return address of the call into the fast path (above), its rbp is
 * written 0. The tag and word 0 from that frame (words 1-3 never left
 * r10, r8, r9); then onto the partner's stack, and only then drop
 * rq->lock, after which the entering thread may be resumed elsewhere.
 */
	.globl ipc_fast_leave
ipc_fast_leave:
	movq $0, -16(%rcx)		/* context: rbp (ends a backtrace) */
	movq TF_RSI(%rcx), %rsi
	movq TF_RDX(%rcx), %rdx
	movq %rax, %rsp
	movl $0, %gs:CPU_RQ_LOCK	/* rq->lock (owner left -1: ipc_fast.c);
					 * a plain store releases on x86; pairs
					 * with spin_lock's xchg */
	/*
	 * A canonical rip, as syscall_return checks (SYSRET to one that is
	 * not faults in ring 0 on the user's stack). Not its CS: the frame
	 * of a thread asleep in IPC is the one its own SYSCALL entry built
	 * (exec and signals rewrite only the running thread's), and SYSRET
	 * loads the user selectors whatever the frame says.
	 */
	movq TF_RIP(%rsp), %rcx
	movq %rcx, %r11
	sarq $47, %r11
	jnz 6f
	movq TF_R15(%rsp), %r15		/* the partner's own registers */
	movq TF_R14(%rsp), %r14
	movq TF_R13(%rsp), %r13
	movq TF_R12(%rsp), %r12
	movq TF_RBP(%rsp), %rbp
	movq TF_RBX(%rsp), %rbx
	movq TF_RFLAGS(%rsp), %r11
	movq TF_RSP(%rsp), %rsp
	xorl %eax, %eax
	swapgs
	sysretq
	/* A frame SYSRET may not take: the message into it, then IRET. */
6:	movq $0, TF_RAX(%rsp)
	movq %rdi, TF_RDI(%rsp)
	movq %rsi, TF_RSI(%rsp)
	movq %rdx, TF_RDX(%rsp)
	movq %r10, TF_R10(%rsp)
	movq %r8, TF_R8(%rsp)
	movq %r9, TF_R9(%rsp)
	jmp trap_return
