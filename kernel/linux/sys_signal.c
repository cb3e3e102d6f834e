/*
 * Linux signal calls: rt_sigaction, rt_sigprocmask, rt_sigpending,
 * rt_sigsuspend, sigaltstack, rt_sigreturn. They copy the user's
 * arguments in and out (every pointer checked: EFAULT) around the bodies
 * in kernel/signal.c. Signal sets are Linux's 8 bytes.
 */
#include "linux.h"
#include "signal.h"

/* rt_sigaction(sig, act, oact, sigsetsize). */
long sys_rt_sigaction(SYSCALL_ARGS)
{
	struct k_sigaction act, old;
	long err;

	if (a3 != SIGSET_SIZE)
		return -EINVAL;
	if (a1 && copy_from_user(&act, (void *)a1, sizeof(act)))
		return -EFAULT;
	err = signal_action((int)a0, a1 ? &act : NULL, a2 ? &old : NULL);
	if (!err && a2 && copy_to_user((void *)a2, &old, sizeof(old)))
		return -EFAULT;
	return err;
}

/* rt_sigprocmask(how, set, oset, sigsetsize). */
long sys_rt_sigprocmask(SYSCALL_ARGS)
{
	uint64_t set, old;

	if (a3 != SIGSET_SIZE)
		return -EINVAL;
	if (a1 && copy_from_user(&set, (void *)a1, sizeof(set)))
		return -EFAULT;
	if (a1 && a0 != SIG_BLOCK && a0 != SIG_UNBLOCK && a0 != SIG_SETMASK)
		return -EINVAL;
	signal_mask((int)a0, a1 ? &set : NULL, &old);
	if (a2 && copy_to_user((void *)a2, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* rt_sigpending(set, sigsetsize): as Linux, a size up to 8 is copied. */
long sys_rt_sigpending(SYSCALL_ARGS)
{
	uint64_t set;

	if (a1 > SIGSET_SIZE)
		return -EINVAL;
	set = signal_pending_set();
	return copy_to_user((void *)a0, &set, a1) ? -EFAULT : 0;
}

/*
 * rt_sigsuspend(mask, sigsetsize): wait for a handler to run with mask
 * in place; EINTR after it (ERESTARTNOHAND: without a handler the call
 * restarts, mask and all).
 */
long sys_rt_sigsuspend(SYSCALL_ARGS)
{
	uint64_t mask;

	if (a1 != SIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&mask, (void *)a0, sizeof(mask)))
		return -EFAULT;
	signal_suspend(mask);
	return -ERESTARTNOHAND;
}

/* sigaltstack(ss, oss). */
long sys_sigaltstack(SYSCALL_ARGS)
{
	struct stack64 u;
	struct sig_stack ss, old;
	long err;

	if (a0) {
		if (copy_from_user(&u, (void *)a0, sizeof(u)))
			return -EFAULT;
		ss = (struct sig_stack){ u.ss_sp, u.ss_size, u.ss_flags };
	}
	err = signal_altstack(a0 ? &ss : NULL, &old,
			      current_user_frame()->rsp);
	if (err || !a1)
		return err;
	u = (struct stack64){ old.sp, old.flags, 0, old.size };
	return copy_to_user((void *)a1, &u, sizeof(u)) ? -EFAULT : 0;
}

/*
 * rt_sigreturn: back from a handler to the context its frame saved; a
 * frame that does not check out kills with SIGSEGV. Never returns here:
 * it leaves by IRET (signal_return).
 */
long sys_rt_sigreturn(SYSCALL_ARGS)
{
	signal_sigreturn(current_user_frame());
}
