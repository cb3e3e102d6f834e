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
 * rax. NC_CALL and NC_REPLY_RECV go to the IPC fast path instead
 * (kernel/ipc_fast.c), which falls back to syscall_dispatch() itself, or
 * switches threads and leaves through syscall_return with the partner's
 * frame. We leave by SYSRET when the return address is canonical (a clobbered
 * frame may not be), else by the IRET path in entry.S.
 */
#include <arch/frame.h>

#define VEC_SYSCALL	0x100
#define GDT_UDATA	0x1b
#define GDT_UCODE	0x23
#define IPC_FAST_CALL		1024	/* NATIVE_SYS_BASE + NC_CALL */
#define IPC_FAST_REPLY_RECV	1027	/* NATIVE_SYS_BASE + NC_REPLY_RECV */

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
	cmpq $IPC_FAST_CALL, %rax
	je 2f
	cmpq $IPC_FAST_REPLY_RECV, %rax
	je 3f
	call syscall_dispatch		/* returns with interrupts off */

	/* Leave through the frame at %rsp (also switch_to_user's way out). */
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

	/* The IPC fast path (kernel/ipc_fast.c): same contract as dispatch. */
2:	call ipc_fast_call
	jmp syscall_return
3:	call ipc_fast_reply_recv
	jmp syscall_return
