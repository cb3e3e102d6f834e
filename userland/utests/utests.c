/*
 * utests: Loupe's user-space self-tests, in the manner of xv6's usertests.
 * A table of {fn, name, marker}; each test runs in a child process of its
 * own (fork, run, exit status checked here), so a test that crashes fails
 * alone. A passing test prints its boot-stage marker (from the generated
 * user_stages.h, so it cannot drift from boot-stages/stages.catalog), a
 * failing one "utest: <name>: FAIL"; the run ends with "utests: ALL OK"
 * or "utests: N FAILED". Run: utests [name...] (no names: every test).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "freemem.h"
#include "user_stages.h"
#include "utests.h"
#include "ut_tests.h"


struct utest {
	int (*fn)(void);
	const char *name;
	const char *marker;
};

/* In catalog order: the runner checks the markers in that order. */
static const struct utest utests[] = {
	{ t_write_stdout, "write_stdout", USTAGE_WRITE_STDOUT },
	{ t_write_zero, "write_zero", USTAGE_WRITE_ZERO },
	{ t_write_badfd, "write_badfd", USTAGE_WRITE_BADFD },
	{ t_write_efault_null, "write_efault_null", USTAGE_WRITE_EFAULT_NULL },
	{ t_write_efault_kernel, "write_efault_kernel",
	  USTAGE_WRITE_EFAULT_KERNEL },
	{ t_write_efault_noncanon, "write_efault_noncanon",
	  USTAGE_WRITE_EFAULT_NONCANON },
	{ t_writev, "writev", USTAGE_WRITEV },
	{ t_console_tty, "console_tty", USTAGE_CONSOLE_TTY },
	{ t_stack_align, "stack_align", USTAGE_STACK_ALIGN },
	{ t_exec_static, "exec_static", USTAGE_EXEC_STATIC },
	{ t_exec_pie, "exec_pie", USTAGE_EXEC_PIE },
	{ t_exec_args, "exec_args", USTAGE_EXEC_ARGS },
	{ t_exec_auxv, "exec_auxv", USTAGE_EXEC_AUXV },
	{ t_exec_auxv_pie, "exec_auxv_pie", USTAGE_EXEC_AUXV_PIE },
	{ t_fpu_init, "fpu_init", USTAGE_FPU_INIT },
	{ t_exec_errors, "exec_errors", USTAGE_EXEC_ERRORS },
	{ t_tls, "tls", USTAGE_TLS },
	{ t_fpu_preempt, "fpu_preempt", USTAGE_FPU_PREEMPT },
	{ t_sse_regs, "sse_regs", USTAGE_SSE_REGS },
	{ t_brk, "brk", USTAGE_BRK },
	{ t_mmap, "mmap", USTAGE_MMAP },
	{ t_mmap_fixed, "mmap_fixed", USTAGE_MMAP_FIXED },
	{ t_munmap_segv, "munmap_segv", USTAGE_MUNMAP_SEGV },
	{ t_mprotect, "mprotect", USTAGE_MPROTECT },
	{ t_mremap, "mremap", USTAGE_MREMAP },
	{ t_nx, "nx", USTAGE_NX },
	{ t_demand_paging, "demand_paging", USTAGE_DEMAND_PAGING },
	{ t_mm_abuse, "mm_abuse", USTAGE_MM_ABUSE },
	{ t_segv_null, "segv_null", USTAGE_SEGV_NULL },
	{ t_segv_kernel, "segv_kernel", USTAGE_SEGV_KERNEL },
	{ t_segv_noncanon, "segv_noncanon", USTAGE_SEGV_NONCANON },
	{ t_segv_jump, "segv_jump", USTAGE_SEGV_JUMP },
	{ t_stack_overflow, "stack_overflow", USTAGE_STACK_OVERFLOW },
	{ t_sigill, "sigill", USTAGE_SIGILL },
	{ t_sigfpe, "sigfpe", USTAGE_SIGFPE },
	{ t_sigtrap, "sigtrap", USTAGE_SIGTRAP },
	{ t_privileged, "privileged", USTAGE_PRIVILEGED },
	{ t_ioport, "ioport", USTAGE_IOPORT },
	{ t_efault_writev, "efault_writev", USTAGE_EFAULT_WRITEV },
	{ t_efault_time, "efault_time", USTAGE_EFAULT_TIME },
	{ t_efault_info, "efault_info", USTAGE_EFAULT_INFO },
	{ t_efault_proc, "efault_proc", USTAGE_EFAULT_PROC },
	{ t_efault_exec, "efault_exec", USTAGE_EFAULT_EXEC },
	{ t_ids, "ids", USTAGE_IDS },
	{ t_exit_status, "exit_status", USTAGE_EXIT_STATUS },
	{ t_wait, "wait", USTAGE_WAIT },
	{ t_kill, "kill", USTAGE_KILL },
	{ t_orphan, "orphan", USTAGE_ORPHAN },
	{ t_uname, "uname", USTAGE_UNAME },
	{ t_clock, "clock", USTAGE_CLOCK },
	{ t_nanosleep, "nanosleep", USTAGE_NANOSLEEP },
	{ t_getrandom, "getrandom", USTAGE_GETRANDOM },
	{ t_sysinfo, "sysinfo", USTAGE_SYSINFO },
	{ t_pgid, "pgid", USTAGE_PGID },
	{ t_jobctl, "jobctl", USTAGE_JOBCTL },
	{ t_sched, "sched", USTAGE_SCHED },
	{ t_limits, "limits", USTAGE_LIMITS },
	{ t_fork_many, "fork_many", USTAGE_FORK_MANY },
	{ t_fork_tree, "fork_tree", USTAGE_FORK_TREE },
	{ t_stress_fork, "stress_fork", USTAGE_STRESS_FORK },
	{ t_stress_exec, "stress_exec", USTAGE_STRESS_EXEC },
	{ t_file_rw, "file_rw", USTAGE_FILE_RW },
	{ t_file_flags, "file_flags", USTAGE_FILE_FLAGS },
	{ t_file_dirs, "file_dirs", USTAGE_FILE_DIRS },
	{ t_file_dup, "file_dup", USTAGE_FILE_DUP },
	{ t_file_fork_offset, "file_fork_offset", USTAGE_FILE_FORK_OFFSET },
	{ t_file_readers, "file_readers", USTAGE_FILE_READERS },
	{ t_file_dev, "file_dev", USTAGE_FILE_DEV },
	{ t_file_initrd, "file_initrd", USTAGE_FILE_INITRD },
	{ t_file_efault, "file_efault", USTAGE_FILE_EFAULT },
	{ t_file_errors, "file_errors", USTAGE_FILE_ERRORS },
	{ t_file_links, "file_links", USTAGE_FILE_LINKS },
	{ t_file_leak, "file_leak", USTAGE_FILE_LEAK },
	{ t_file_server_dies, "file_server_dies", USTAGE_FILE_SERVER_DIES },
	{ t_shm, "shm", USTAGE_SHM },
	{ t_pipe, "pipe", USTAGE_PIPE },
	{ t_pipe_fork, "pipe_fork", USTAGE_PIPE_FORK },
	{ t_pipe_signals, "pipe_signals", USTAGE_PIPE_SIGNALS },
	{ t_pipe_atomic, "pipe_atomic", USTAGE_PIPE_ATOMIC },
	{ t_poll_pipe, "poll_pipe", USTAGE_POLL_PIPE },
	{ t_poll_files, "poll_files", USTAGE_POLL_FILES },
	{ t_poll_signal, "poll_signal", USTAGE_POLL_SIGNAL },
	{ t_file_hardlink, "file_hardlink", USTAGE_FILE_HARDLINK },
	{ t_file_statfs, "file_statfs", USTAGE_FILE_STATFS },
	{ t_misc_cputime, "misc_cputime", USTAGE_MISC_CPUTIME },
	{ t_vdso, "vdso", USTAGE_VDSO },
	{ t_vdso_protect, "vdso_protect", USTAGE_VDSO_PROTECT },
	{ t_exec_files, "exec_files", USTAGE_EXEC_FILES },
	{ t_procfs_stat, "procfs_stat", USTAGE_PROCFS_STAT },
	{ t_procfs_cmdline, "procfs_cmdline", USTAGE_PROCFS_CMDLINE },
	{ t_procfs_self, "procfs_self", USTAGE_PROCFS_SELF },
	{ t_procfs_readdir, "procfs_readdir", USTAGE_PROCFS_READDIR },
	{ t_procfs_meminfo, "procfs_meminfo", USTAGE_PROCFS_MEMINFO },
	{ t_procfs_mounts, "procfs_mounts", USTAGE_PROCFS_MOUNTS },
	{ t_procfs_maps, "procfs_maps", USTAGE_PROCFS_MAPS },
	{ t_procfs_loadavg, "procfs_loadavg", USTAGE_PROCFS_LOADAVG },
	{ t_procfs_errors, "procfs_errors", USTAGE_PROCFS_ERRORS },
	{ t_thread_join, "thread_join", USTAGE_THREAD_JOIN },
	{ t_thread_ids, "thread_ids", USTAGE_THREAD_IDS },
	{ t_thread_counter, "thread_counter", USTAGE_THREAD_COUNTER },
	{ t_thread_condvar, "thread_condvar", USTAGE_THREAD_CONDVAR },
	{ t_thread_futex, "thread_futex", USTAGE_THREAD_FUTEX },
	{ t_thread_tls_fpu, "thread_tls_fpu", USTAGE_THREAD_TLS_FPU },
	{ t_thread_exit_group, "thread_exit_group", USTAGE_THREAD_EXIT_GROUP },
	{ t_thread_segv, "thread_segv", USTAGE_THREAD_SEGV },
	{ t_thread_kill, "thread_kill", USTAGE_THREAD_KILL },
	{ t_thread_munmap, "thread_munmap", USTAGE_THREAD_MUNMAP },
	{ t_thread_exec_fork, "thread_exec_fork", USTAGE_THREAD_EXEC_FORK },
	{ t_thread_stress, "thread_stress", USTAGE_THREAD_STRESS },
	{ t_thread_ioport, "thread_ioport", USTAGE_THREAD_IOPORT },
	{ t_sig_handler, "sig_handler", USTAGE_SIG_HANDLER },
	{ t_sig_regs_async, "sig_regs_async", USTAGE_SIG_REGS_ASYNC },
	{ t_sig_mask, "sig_mask", USTAGE_SIG_MASK },
	{ t_sig_flags, "sig_flags", USTAGE_SIG_FLAGS },
	{ t_sig_altstack, "sig_altstack", USTAGE_SIG_ALTSTACK },
	{ t_sig_suspend, "sig_suspend", USTAGE_SIG_SUSPEND },
	{ t_sig_kill, "sig_kill", USTAGE_SIG_KILL },
	{ t_sig_chld, "sig_chld", USTAGE_SIG_CHLD },
	{ t_sig_eintr, "sig_eintr", USTAGE_SIG_EINTR },
	{ t_sig_fault, "sig_fault", USTAGE_SIG_FAULT },
	{ t_sig_sigreturn, "sig_sigreturn", USTAGE_SIG_SIGRETURN },
	{ t_sig_efault, "sig_efault", USTAGE_SIG_EFAULT },
	{ t_sig_fork_exec, "sig_fork_exec", USTAGE_SIG_FORK_EXEC },
	{ t_sig_stop, "sig_stop", USTAGE_SIG_STOP },
	{ t_sig_stop_chld, "sig_stop_chld", USTAGE_SIG_STOP_CHLD },
};

_Static_assert(sizeof(utests) / sizeof(utests[0]) == USTAGE_COUNT_UTEST,
	       "every \"utest:\" stage in the catalog is a test in this table");

void *const ut_bad_ptrs[] = {
	UT_UNMAPPED, UT_KERNEL_DIRECT, UT_KERNEL_TEXT, (void *)-8ULL,
	UT_NONCANON, UT_NONCANON_HIGH,
};
const int ut_nbad_ptrs = sizeof(ut_bad_ptrs) / sizeof(ut_bad_ptrs[0]);
bool ut_on_loupe;
char ut_bindir[256];

int ut_child_status(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

bool ut_dies_with(void (*fn)(void), int sig)
{
	int status = ut_child_status(fn);

	if (status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == sig)
		return true;
	printf("utest: expected signal %d, got wait status 0x%x\n", sig,
	       status);
	return false;
}

int ut_exec_status(const char *prog, char *const argv[], char *const envp[])
{
	char path[512];
	int status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", ut_bindir, prog);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

long ut_free_pages(void)
{
	return freemem_pages();
}

long ut_settled_free_pages(void)
{
	return freemem_settled();
}

/*
 * A child that, after ms, sends sig to pid (a raw kill: no libc in
 * between), then, if fd >= 0, after ms more writes a byte to fd and
 * exits: a signal, and an event after it, while the caller waits.
 * Returns its pid, or -1.
 */
pid_t ut_later(int ms, pid_t pid, int sig, int fd)
{
	pid_t c;

	fflush(stdout);
	c = fork();
	if (c == 0) {
		usleep(ms * 1000);
		syscall(SYS_kill, pid, sig);
		if (fd >= 0) {
			usleep(ms * 1000);
			write(fd, "x", 1);
		}
		_exit(0);
	}
	return c;
}

uint64_t ut_now_ns(void)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Run @t in a child. 0 on success, 1 on failure, UT_SKIP if skipped. */
static int utest_run(const struct utest *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(t->fn());
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	if (WIFSIGNALED(status))
		printf("utest: %s: killed by signal %d\n", t->name,
		       WTERMSIG(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) == UT_SKIP)
		return UT_SKIP;
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int utest_wanted(const struct utest *t, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], t->name))
			return 1;
	}
	return 0;
}

/* Where the helpers are: beside utests ("/bin" in the initrd). */
static void utest_setup(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	struct utsname u;

	if (slash && (size_t)(slash - argv0) < sizeof(ut_bindir))
		snprintf(ut_bindir, sizeof(ut_bindir), "%.*s",
			 (int)(slash - argv0), argv0);
	else
		strcpy(ut_bindir, ".");
	ut_on_loupe = !uname(&u) && !strcmp(u.sysname, "Loupe");
	setvbuf(stdout, NULL, _IONBF, 0);
}

int main(int argc, char **argv)
{
	int failed = 0;

	utest_setup(argv[0]);
	for (size_t i = 0; i < sizeof(utests) / sizeof(utests[0]); i++) {
		const struct utest *t = &utests[i];
		int res;

		if (!utest_wanted(t, argc, argv))
			continue;
		res = utest_run(t);
		if (res == UT_SKIP)
			printf("utest: %s: skipped\n", t->name);
		else if (res)
			printf("utest: %s: FAIL\n", t->name);
		else
			printf("%s\n", t->marker);
		failed += res == 1;
	}
	if (failed)
		printf("utests: %d FAILED\n", failed);
	else
		printf("utests: ALL OK\n");
	return failed ? 1 : 0;
}
