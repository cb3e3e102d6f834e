/*
 * Linux process calls: identity, process groups and sessions, exit and
 * exit_group, fork/clone/execve/wait4, threads (clone, futex, tkill),
 * kill, TLS (arch_prctl), set_tid_address, limits, CPU affinity.
 * Programs come through the VFS (kernel/image.c).
 */
#include "linux.h"
#include "futex.h"
#include "cpu.h"
#include "kmalloc.h"
#include "string.h"
#include <arch/cpu.h>
#include <arch/lapic.h>

#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define WAIT_LINUX_OK	(WNOHANG | WUNTRACED | WCONTINUED | 0xe0000000UL)
#define EXEC_STRINGS	(32 * 1024)	/* argv + envp bytes execve accepts */
#define EXEC_MAX_ARGS	256

long sys_getpid(SYSCALL_ARGS)
{
	return current_proc()->pid;
}

long sys_getppid(SYSCALL_ARGS)
{
	struct proc *p = current_proc();
	unsigned long f = spin_lock_irqsave(&proc_lock);
	long ppid = p->parent ? p->parent->pid : 0;

	spin_unlock_irqrestore(&proc_lock, f);
	return ppid;
}

/* The thread's own id; the process's first thread has the pid. */
long sys_gettid(SYSCALL_ARGS)
{
	return current_thread()->ltid;
}

/* 0 when pid (0: the caller) names a live process, else -ESRCH. */
static long sys_proc_exists(int pid)
{
	unsigned long f;
	struct proc *p;

	if (pid < 0)
		return -ESRCH;
	if (!pid || pid == current_proc()->pid)
		return 0;
	f = spin_lock_irqsave(&proc_lock);
	p = proc_find_locked(pid);
	spin_unlock_irqrestore(&proc_lock, f);
	return p ? 0 : -ESRCH;
}

/* Process groups and sessions: proc.c keeps them and checks the rules. */
long sys_getpgid(SYSCALL_ARGS)
{
	return proc_group_of((int)a0, false);
}

long sys_getpgrp(SYSCALL_ARGS)
{
	return proc_group_of(0, false);
}

long sys_setpgid(SYSCALL_ARGS)
{
	return proc_setpgid((int)a0, (int)a1);
}

long sys_setsid(SYSCALL_ARGS)
{
	return proc_setsid();
}

long sys_getsid(SYSCALL_ARGS)
{
	return proc_group_of((int)a0, true);
}

long sys_set_tid_address(SYSCALL_ARGS)
{
	current_thread()->clear_child_tid = a0;
	return current_thread()->ltid;
}

/* exit: the calling thread ends; the process with its last thread. */
long sys_exit(SYSCALL_ARGS)
{
	proc_thread_exit((a0 & 0xff) << 8);
}

long sys_exit_group(SYSCALL_ARGS)
{
	proc_exit((a0 & 0xff) << 8);
}

long sys_sched_yield(SYSCALL_ARGS)
{
	sched_yield();
	return 0;
}

long sys_arch_prctl(SYSCALL_ARGS)
{
	struct thread *me = current_thread();

	if (a0 == ARCH_SET_FS) {
		if (a1 >= USER_TOP)
			return -EPERM;
		me->fs_base = a1;
		wrmsr(MSR_FS_BASE, a1);
		return 0;
	}
	if (a0 == ARCH_GET_FS)
		return copy_to_user((void *)a1, &me->fs_base, 8);
	return -EINVAL;
}

long sys_fork(SYSCALL_ARGS)
{
	return proc_fork(current_user_frame());
}

long sys_vfork(SYSCALL_ARGS)
{
	return proc_fork(current_user_frame());
}

#define CSIGNAL		0xff
#define CLONE_VM	0x100
#define CLONE_VFORK	0x4000
#define CLONE_THREAD	0x10000

/*
 * clone(flags, stack, ptid, ctid, tls). With CLONE_THREAD, a thread of
 * the caller's process (kernel/tgroup.c proc_clone). Without, a fork
 * whose child may start on a new stack (any exit signal: the parent is
 * not signalled), plain or CLONE_VM|CLONE_VFORK (musl's posix_spawn), which gets a copy
 * instead of shared memory, which the child cannot tell apart before its
 * execve. Any other flag without CLONE_THREAD is -EINVAL.
 */
long sys_clone(SYSCALL_ARGS)
{
	struct trap_frame tf = *current_user_frame();

	if (a1)
		tf.rsp = a1;
	if (a0 & CLONE_THREAD)
		return proc_clone(&tf, a0, a2, a3, a4);
	if ((a0 & ~(uint64_t)(CSIGNAL | CLONE_VM | CLONE_VFORK)) ||
	    ((a0 & CLONE_VM) && !(a0 & CLONE_VFORK)))
		return -EINVAL;
	return proc_fork(&tf);
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3): kernel/futex.c */
long sys_futex(SYSCALL_ARGS)
{
	return futex_call(a0, (int)a1, (uint32_t)a2, a3, a4, (uint32_t)a5);
}

/* tkill(tid, sig): the signal acts on the thread's process. */
long sys_tkill(SYSCALL_ARGS)
{
	return proc_tkill(-1, (int)a0, (int)a1);
}

/* tgkill(tgid, tid, sig): as tkill, if tid is in process tgid. */
long sys_tgkill(SYSCALL_ARGS)
{
	return proc_tkill((int)a0, (int)a1, (int)a2);
}

/*
 * set_robust_list(head, len): accepted and ignored. The kernel does not
 * walk the list when a thread dies, so a robust mutex held by a dying
 * thread is not marked FUTEX_OWNER_DIED (musl uses the list only for
 * robust mutexes). len must be the 24-byte head, as Linux checks.
 */
long sys_set_robust_list(SYSCALL_ARGS)
{
	return a1 == 24 ? 0 : -EINVAL;
}

/* get_robust_list: nothing was kept, so an empty list (NULL head). */
long sys_get_robust_list(SYSCALL_ARGS)
{
	uint64_t head = 0, len = 24;

	if ((int)a0 && proc_tkill(-1, (int)a0, 0))
		return -ESRCH;
	if (copy_to_user((void *)a1, &head, sizeof(head)) ||
	    copy_to_user((void *)a2, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

/* Copy a NULL-terminated user array of strings into buf; fill vec. */
static long sys_copy_strings(const char *const *uvec, const char **vec,
			     char **buf, char *end)
{
	int n = 0;

	for (; uvec; n++) {
		const char *s;
		long len;

		if (n >= EXEC_MAX_ARGS)
			return -E2BIG;
		if (copy_from_user(&s, &uvec[n], sizeof(s)))
			return -EFAULT;
		if (!s)
			break;
		len = strncpy_from_user(*buf, s, end - *buf);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return len;
		vec[n] = *buf;
		*buf += len + 1;
	}
	vec[n] = NULL;
	return 0;
}

/* execve(path, argv, envp) */
long sys_execve(SYSCALL_ARGS)
{
	char *mem = kmalloc(EXEC_STRINGS + 2 * (EXEC_MAX_ARGS + 1) * sizeof(char *));
	const char **argv, **envp;
	char *path, *p;
	long err;

	if (!mem)
		return -ENOMEM;
	argv = (const char **)(mem + EXEC_STRINGS);
	envp = argv + EXEC_MAX_ARGS + 1;
	path = mem;
	err = strncpy_from_user(path, (const char *)a0, 256);
	p = path + (err > 0 ? err + 1 : 0);
	if (err >= 0)
		err = sys_copy_strings((const char *const *)a1, argv, &p,
				       mem + EXEC_STRINGS);
	if (!err)
		err = sys_copy_strings((const char *const *)a2, envp, &p,
				       mem + EXEC_STRINGS);
	if (!err)
		err = proc_exec(path, argv, envp);
	kfree(mem);
	return err;
}

/* wait4(pid, status, options, rusage): pid > 0, -1 (any), 0 or -pgrp. */
long sys_wait4(SYSCALL_ARGS)
{
	int pid = (int)a0, status = 0;
	long ret;

	if (pid == INT32_MIN)
		return -ESRCH;			/* as Linux: no group -INT_MIN */
	/*
	 * WUNTRACED and WCONTINUED also report a child's stop and continue
	 * (once each); __WNOTHREAD, __WALL and __WCLONE change nothing: a
	 * thread is never a child to wait for (a process is reaped once,
	 * after its last thread). Anything else is -EINVAL.
	 */
	if (a2 & ~WAIT_LINUX_OK)
		return -EINVAL;
	if (a1 && !uaccess_ok(a1, sizeof(int)))
		return -EFAULT;
	ret = proc_wait(current_proc(), pid, &status,
			(int)(a2 & (WNOHANG | WUNTRACED | WCONTINUED)));
	if (ret > 0 && a1 && copy_to_user((void *)a1, &status, sizeof(status)))
		return -EFAULT;
	return ret;
}

long sys_kill(SYSCALL_ARGS)
{
	return proc_kill((int)a0, (int)a1);
}

long sys_getuid(SYSCALL_ARGS)
{
	return 0;
}

long sys_getgid(SYSCALL_ARGS)
{
	return 0;
}

long sys_geteuid(SYSCALL_ARGS)
{
	return 0;
}

long sys_getegid(SYSCALL_ARGS)
{
	return 0;
}

/* getgroups(size, list): root belongs to no supplementary group. */
long sys_getgroups(SYSCALL_ARGS)
{
	return (int)a0 < 0 ? -EINVAL : 0;
}

struct rlimit64 {
	uint64_t cur, max;
};

/* prlimit64(pid, resource, new, old): report "unlimited", accept nothing new. */
long sys_prlimit64(SYSCALL_ARGS)
{
	struct rlimit64 r = { ~0UL, ~0UL };

	if (a0 && (int)a0 != current_proc()->pid)
		return -ESRCH;
	if (a1 >= 16)
		return -EINVAL;
	if (a2) {
		struct rlimit64 n;

		if (copy_from_user(&n, (void *)a2, sizeof(n)))
			return -EFAULT;
		if (n.cur > n.max)
			return -EINVAL;
	}
	if (a3 && copy_to_user((void *)a3, &r, sizeof(r)))
		return -EFAULT;
	return 0;
}

/*
 * sched_getaffinity(pid, len, mask): every online CPU; threads are not
 * pinned. The mask is one 64-bit word, as for Linux with nr_cpu_ids <= 64.
 * Returns the bytes written (8), -EINVAL for a short or unaligned len.
 */
long sys_sched_getaffinity(SYSCALL_ARGS)
{
	uint64_t mask = ncpus >= 64 ? ~0UL : (1UL << ncpus) - 1;
	long err = sys_proc_exists((int)a0);

	if (err)
		return err;
	if (a1 < sizeof(mask) || (a1 & (sizeof(mask) - 1)))
		return -EINVAL;
	if (copy_to_user((void *)a2, &mask, sizeof(mask)))
		return -EFAULT;
	return sizeof(mask);
}

/*
 * pause: sleep until a signal is taken; EINTR after its handler
 * (ERESTARTNOHAND: a signal without one restarts the wait).
 */
long sys_pause(SYSCALL_ARGS)
{
	signal_wait();
	return -ERESTARTNOHAND;
}
