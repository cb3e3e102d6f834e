/*
 * The signal frame, as Linux x86_64's rt_sigframe: below the user's stack
 * (past its 128-byte red zone, or at the top of the alternate stack) the
 * FXSAVE image, 64-byte aligned, then { pretcode = the restorer, struct
 * ucontext (uc_mcontext = struct sigcontext, uc_sigmask), siginfo }, so
 * that rsp at the handler is 8 mod 16 as after a call. musl's handlers
 * and its restorer (rt_sigreturn) read and pass it back unchanged.
 * Every user access goes through the fault-recovering copies.
 */
#include "signal.h"
#include "sched.h"
#include "string.h"
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/sigframe.h>
#include <arch/trap.h>
#include <arch/uaccess.h>
#include <arch/user.h>

#define RED_ZONE	128
#define UC_SIGCONTEXT_SS	0x2
#define UC_STRICT_RESTORE_SS	0x4
#define FXSAVE_MXCSR	24		/* byte offset in the FXSAVE image */
#define FXSAVE_SW	464		/* bytes 464-511: software's, zeroed */

/* The flags a frame may change, as Linux's FIX_EFLAGS: CF PF AF ZF SF TF DF OF RF AC. */
#define RFLAGS_USER	(0x1UL | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | \
			 0x800 | 0x10000 | 0x40000)
#define RFLAGS_DF	(1UL << 10)
#define RFLAGS_RF	(1UL << 16)
#define RFLAGS_AC	(1UL << 18)

struct sigcontext64 {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;		/* user address of the FXSAVE image */
	uint64_t reserved1[8];
};

struct ucontext64 {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct stack64 uc_stack;
	struct sigcontext64 uc_mcontext;
	uint64_t uc_sigmask;
};

struct siginfo64 {
	int32_t signo, errno_, code, pad0;
	union {
		struct {
			int32_t pid, uid, status;
		} kill;				/* and SIGCHLD's */
		uint64_t addr;			/* faults */
		uint8_t pad[112];
	};
};

struct rt_sigframe {
	uint64_t pretcode;
	struct ucontext64 uc;
	struct siginfo64 info;
};

_Static_assert(sizeof(struct sigcontext64) == 256, "struct sigcontext");
_Static_assert(offsetof(struct ucontext64, uc_mcontext) == 40 &&
	       offsetof(struct ucontext64, uc_sigmask) == 296,
	       "struct ucontext (musl's ucontext_t agrees up to uc_sigmask)");
_Static_assert(sizeof(struct siginfo64) == 128, "siginfo_t");
_Static_assert(sizeof(struct rt_sigframe) == 440, "rt_sigframe");

static bool sigframe_canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static void sigframe_regs_out(struct sigcontext64 *sc,
			      const struct trap_frame *tf)
{
	sc->r8 = tf->r8;
	sc->r9 = tf->r9;
	sc->r10 = tf->r10;
	sc->r11 = tf->r11;
	sc->r12 = tf->r12;
	sc->r13 = tf->r13;
	sc->r14 = tf->r14;
	sc->r15 = tf->r15;
	sc->rdi = tf->rdi;
	sc->rsi = tf->rsi;
	sc->rbp = tf->rbp;
	sc->rbx = tf->rbx;
	sc->rdx = tf->rdx;
	sc->rax = tf->rax;
	sc->rcx = tf->rcx;
	sc->rsp = tf->rsp;
	sc->rip = tf->rip;
	sc->eflags = tf->rflags;
	sc->cs = (uint16_t)tf->cs;
	sc->ss = (uint16_t)tf->ss;
}

static void sigframe_regs_in(struct trap_frame *tf,
			     const struct sigcontext64 *sc)
{
	tf->r8 = sc->r8;
	tf->r9 = sc->r9;
	tf->r10 = sc->r10;
	tf->r11 = sc->r11;
	tf->r12 = sc->r12;
	tf->r13 = sc->r13;
	tf->r14 = sc->r14;
	tf->r15 = sc->r15;
	tf->rdi = sc->rdi;
	tf->rsi = sc->rsi;
	tf->rbp = sc->rbp;
	tf->rbx = sc->rbx;
	tf->rdx = sc->rdx;
	tf->rax = sc->rax;
	tf->rcx = sc->rcx;
	tf->rsp = sc->rsp;
	tf->rip = sc->rip;
	/* Only what user code may change; IF on, IOPL 0, no VM/NT/VIF. */
	tf->rflags = (sc->eflags & RFLAGS_USER) | RFLAGS_IF | 2;
	tf->cs = GDT_UCODE;
	tf->ss = GDT_UDATA;
	tf->error = ~0UL;		/* not a system call to restart */
}

/* The siginfo of sig as the kernel kept it. */
static void sigframe_info(struct siginfo64 *si, int sig,
			  const struct sig_info *info)
{
	si->signo = sig;
	si->code = info->code;
	if (info->code > 0 && sig != SIGCHLD) {
		si->addr = info->val;		/* a fault */
	} else {
		si->kill.pid = info->pid;
		si->kill.status = (int32_t)info->val;
	}
}

/*
 * Write the frame for sig's handler ka below tf's stack (or on t's
 * alternate stack for SA_ONSTACK), mask being the mask to restore, and
 * point tf at the handler: rdi = sig, rsi = &info, rdx = &uc, rax = 0,
 * rsp = the frame (pretcode is the return address). The handler starts
 * with a fresh FPU state, as on Linux. Returns 0, or -EFAULT if the
 * frame cannot be written (or the handler or restorer is unusable):
 * then nothing has changed and the caller kills the process.
 */
int sigframe_setup(struct trap_frame *tf, int sig, const struct k_sigaction *ka,
		   const struct sig_info *info, uint64_t mask, struct thread *t)
{
	struct rt_sigframe f;
	struct fpu_state fx;
	bool on = signal_on_altstack(t, tf->rsp);
	uint64_t sp = tf->rsp - RED_ZONE, fp, frame;

	if (!(ka->flags & SA_RESTORER) || ka->handler >= USER_TOP)
		return -EFAULT;
	if ((ka->flags & SA_ONSTACK) && t->sig.ss.size && !on)
		sp = t->sig.ss.sp + t->sig.ss.size;
	fp = (sp - sizeof(fx)) & ~63UL;
	frame = ((fp - sizeof(f)) & ~15UL) - 8;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.ss_sp = t->sig.ss.sp;
	f.uc.uc_stack.ss_size = t->sig.ss.size;
	f.uc.uc_stack.ss_flags = signal_altstack_flags(t, tf->rsp);
	sigframe_regs_out(&f.uc.uc_mcontext, tf);
	if (tf->vector < 32) {
		f.uc.uc_mcontext.err = tf->error;
		f.uc.uc_mcontext.trapno = tf->vector;
		f.uc.uc_mcontext.cr2 = tf->vector == VEC_PF ? info->val : 0;
	}
	f.uc.uc_mcontext.oldmask = mask;
	f.uc.uc_mcontext.fpstate = fp;
	f.uc.uc_sigmask = mask;
	sigframe_info(&f.info, sig, info);
	user_fpu_save(&fx);
	memset(fx.fxsave + FXSAVE_SW, 0, sizeof(fx.fxsave) - FXSAVE_SW);
	if (frame >= fp || !uaccess_ok(frame, fp + sizeof(fx) - frame) ||
	    copy_to_user((void *)fp, &fx, sizeof(fx)) ||
	    copy_to_user((void *)frame, &f, sizeof(f)))
		return -EFAULT;
	user_fpu_load_initial();
	tf->rdi = (uint64_t)sig;
	tf->rsi = frame + offsetof(struct rt_sigframe, info);
	tf->rdx = frame + offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rsp = frame;
	tf->rip = ka->handler;
	tf->cs = GDT_UCODE;
	tf->ss = GDT_UDATA;
	tf->rflags &= ~(RFLAGS_DF | RFLAGS_RF | RFLAGS_TF | RFLAGS_AC);
	return 0;
}

/*
 * rt_sigreturn: read the frame whose pretcode the handler's ret popped
 * (at rsp - 8) and, only if all of it is valid, restore tf and the FPU
 * registers from it; the mask and alternate stack to restore go to *mask
 * and *ss. Refused (-EFAULT, -EINVAL): an unreadable frame or FXSAVE
 * image, a CS or SS that is not the user's, a non-canonical rip (SYSRET
 * or IRET to it would fault in the kernel), MXCSR bits the CPU reserves
 * (FXRSTOR would #GP in the kernel). RFLAGS keep only the user's bits.
 */
int sigframe_restore(struct trap_frame *tf, uint64_t *mask,
		     struct sig_stack *ss)
{
	uint64_t frame = tf->rsp - 8;
	struct ucontext64 uc;
	struct fpu_state fx;
	const struct sigcontext64 *sc = &uc.uc_mcontext;
	uint32_t mxcsr;

	if (copy_from_user(&uc, (void *)(frame + offsetof(struct rt_sigframe,
							  uc)), sizeof(uc)))
		return -EFAULT;
	if (sc->cs != GDT_UCODE || sc->ss != GDT_UDATA ||
	    !sigframe_canonical(sc->rip))
		return -EINVAL;
	if (sc->fpstate) {
		if (copy_from_user(&fx, (void *)sc->fpstate, sizeof(fx)))
			return -EFAULT;
		memcpy(&mxcsr, fx.fxsave + FXSAVE_MXCSR, sizeof(mxcsr));
		if (mxcsr & ~user_mxcsr_mask())
			return -EINVAL;
	}
	sigframe_regs_in(tf, sc);
	if (sc->fpstate)
		user_fpu_load(&fx);
	else
		user_fpu_load_initial();
	*mask = uc.uc_sigmask;
	ss->sp = uc.uc_stack.ss_sp;
	ss->size = uc.uc_stack.ss_size;
	ss->flags = uc.uc_stack.ss_flags;
	return 0;
}

/* Leave for user mode through tf (the thread's own frame) by IRET. */
__noreturn void sigframe_leave(struct trap_frame *tf)
{
	extern char trap_return[];

	__asm__ __volatile__("movq %0, %%rsp; jmp *%1"
			     : : "r"(tf), "r"(trap_return) : "memory");
	__builtin_unreachable();
}
