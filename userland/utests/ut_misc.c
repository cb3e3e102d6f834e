/*
 * utests: the small calls (time, uname, getrandom, sysinfo, process
 * groups, affinity, limits), each also fed pointers into the kernel,
 * unmapped memory and non-canonical addresses, which must give EFAULT.
 */
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "utests.h"
#include "ut_tests.h"

#define ARCH_GET_FS	0x1003

/*
 * Abuse: clock_gettime, gettimeofday, time and nanosleep given bad
 * pointers or bad values.
 */
int t_efault_time(void)
{
	struct timespec ts = { 0, 0 };

	for (int i = 0; i < ut_nbad_ptrs; i++) {
		void *bad = ut_bad_ptrs[i];

		EXPECT(UT_ERRNO(SYS_clock_gettime, CLOCK_MONOTONIC, bad) ==
		       EFAULT);
		EXPECT(UT_ERRNO(SYS_clock_gettime, CLOCK_REALTIME, bad) ==
		       EFAULT);
		EXPECT(UT_ERRNO(SYS_nanosleep, bad, NULL) == EFAULT);
		EXPECT(UT_ERRNO(SYS_gettimeofday, bad, NULL) == EFAULT);
		EXPECT(UT_ERRNO(SYS_gettimeofday, NULL, bad) == EFAULT);
		EXPECT(UT_ERRNO(SYS_time, bad) == EFAULT);
		/* rem is written only if a signal interrupts the sleep. */
		EXPECT(UT_ERRNO(SYS_nanosleep, &ts, bad) == 0);
	}
	EXPECT(UT_ERRNO(SYS_clock_gettime, CLOCK_MONOTONIC, NULL) == EFAULT);
	EXPECT(UT_ERRNO(SYS_nanosleep, NULL, NULL) == EFAULT);
	EXPECT(UT_ERRNO(SYS_clock_gettime, 99, &ts) == EINVAL);
	return 0;
}

/* Abuse: uname, getrandom, sysinfo, sched_getaffinity into bad memory. */
int t_efault_info(void)
{
	for (int i = 0; i < ut_nbad_ptrs; i++) {
		void *bad = ut_bad_ptrs[i];

		EXPECT(UT_ERRNO(SYS_uname, bad) == EFAULT);
		EXPECT(UT_ERRNO(SYS_getrandom, bad, 16, 0) == EFAULT);
		EXPECT(UT_ERRNO(SYS_sysinfo, bad) == EFAULT);
		EXPECT(UT_ERRNO(SYS_sched_getaffinity, 0, 8, bad) == EFAULT);
	}
	EXPECT(UT_ERRNO(SYS_uname, NULL) == EFAULT);
	EXPECT(UT_ERRNO(SYS_sysinfo, NULL) == EFAULT);
	return 0;
}

static void exit_now(void)
{
}

/* Abuse: prlimit64 old and new, wait4's status, arch_prctl GET_FS. */
int t_efault_proc(void)
{
	for (int i = 0; i < ut_nbad_ptrs; i++) {
		void *bad = ut_bad_ptrs[i];
		pid_t c;
		int status;

		EXPECT(UT_ERRNO(SYS_prlimit64, 0, RLIMIT_STACK, bad, NULL) ==
		       EFAULT);
		EXPECT(UT_ERRNO(SYS_prlimit64, 0, RLIMIT_STACK, NULL, bad) ==
		       EFAULT);
		EXPECT(UT_ERRNO(SYS_arch_prctl, ARCH_GET_FS, bad) == EFAULT);
		fflush(stdout);
		c = fork();
		if (c == 0) {
			exit_now();
			_exit(9);
		}
		EXPECT(c > 0);
		EXPECT(UT_ERRNO(SYS_wait4, c, bad, 0, NULL) == EFAULT);
		/*
		 * Linux reaps the child before it fails to store the status;
		 * Loupe refuses kernel addresses before waiting. Either way
		 * a second wait finds it once or not at all.
		 */
		status = 0;
		if (waitpid(c, &status, 0) == c)
			EXPECT(WEXITSTATUS(status) == 9);
		else
			EXPECT(errno == ECHILD);
	}
	return 0;
}

/* uname says Loupe on x86_64; every field is a terminated string. */
int t_uname(void)
{
	struct utsname u;

	memset(&u, 0xff, sizeof(u));
	EXPECT(uname(&u) == 0);
	EXPECT(memchr(u.sysname, 0, sizeof(u.sysname)));
	EXPECT(memchr(u.release, 0, sizeof(u.release)));
	EXPECT(memchr(u.version, 0, sizeof(u.version)));
	EXPECT(!strcmp(u.machine, "x86_64"));
	if (ut_on_loupe)
		EXPECT(!strcmp(u.sysname, "Loupe"));
	else
		EXPECT(!strcmp(u.sysname, "Linux"));
	return 0;
}

/* CLOCK_MONOTONIC never goes back, even across CPUs; REALTIME is sane. */
int t_clock(void)
{
	struct timespec a, b;
	uint64_t prev = 0;

	for (int i = 0; i < 5000; i++) {
		uint64_t now = ut_now_ns();

		EXPECT(now >= prev);
		prev = now;
		if (i % 500 == 0)
			sched_yield();
	}
	EXPECT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a) == 0);
	EXPECT(a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
	EXPECT(syscall(SYS_clock_gettime, CLOCK_REALTIME, &b) == 0);
	EXPECT(b.tv_sec > 1600000000 && b.tv_nsec < 1000000000);
	return 0;
}

/* nanosleep sleeps at least what was asked; bad times are EINVAL. */
int t_nanosleep(void)
{
	struct timespec req = { 0, 30000000 };
	uint64_t t0 = ut_now_ns();

	EXPECT(syscall(SYS_nanosleep, &req, NULL) == 0);
	EXPECT(ut_now_ns() - t0 >= 30000000);
	req.tv_nsec = 1000000000;
	EXPECT(UT_ERRNO(SYS_nanosleep, &req, NULL) == EINVAL);
	req.tv_nsec = -1;
	EXPECT(UT_ERRNO(SYS_nanosleep, &req, NULL) == EINVAL);
	req.tv_sec = -1;
	req.tv_nsec = 0;
	EXPECT(UT_ERRNO(SYS_nanosleep, &req, NULL) == EINVAL);
	req.tv_sec = 0;
	EXPECT(syscall(SYS_nanosleep, &req, NULL) == 0);
	return 0;
}

/* Two draws differ and are not all zeros; unknown flags are refused. */
int t_getrandom(void)
{
	unsigned char a[64], b[64], zero[64] = { 0 };

	EXPECT(syscall(SYS_getrandom, a, sizeof(a), 0) == sizeof(a));
	EXPECT(syscall(SYS_getrandom, b, sizeof(b), 0) == sizeof(b));
	EXPECT(memcmp(a, b, sizeof(a)) && memcmp(a, zero, sizeof(a)));
	EXPECT(syscall(SYS_getrandom, a, 0, 0) == 0);
	EXPECT(UT_ERRNO(SYS_getrandom, a, sizeof(a), 0x100) == EINVAL);
	return 0;
}

/* sysinfo: memory figures consistent, this process and its ancestors counted. */
int t_sysinfo(void)
{
	struct sysinfo si;

	EXPECT(sysinfo(&si) == 0);
	EXPECT(si.mem_unit > 0 && si.totalram > si.freeram && si.freeram > 0);
	EXPECT(si.procs >= 3);	/* init, utests, this test */
	return 0;
}

/* Process groups, in their trivial form: each process leads its own. */
int t_pgid(void)
{
	EXPECT(setpgid(0, 0) == 0);
	EXPECT(getpgid(0) == getpid());
	EXPECT(getpgrp() == getpid());
	EXPECT(getpgid(getpid()) == getpid());
	EXPECT(getpgid(999999) == -1 && errno == ESRCH);
	EXPECT(setpgid(0, -1) == -1 && errno == EINVAL);
	return 0;
}

/* sched_yield returns; the affinity mask names at least this CPU. */
int t_sched(void)
{
	cpu_set_t set;
	unsigned long word;

	EXPECT(sched_yield() == 0);
	CPU_ZERO(&set);
	EXPECT(sched_getaffinity(0, sizeof(set), &set) == 0);
	EXPECT(CPU_COUNT(&set) >= 1);
	EXPECT(syscall(SYS_sched_getaffinity, 0, sizeof(word), &word) > 0);
	EXPECT(word != 0);
	EXPECT(UT_ERRNO(SYS_sched_getaffinity, 0, 4, &word) == EINVAL);
	EXPECT(UT_ERRNO(SYS_sched_getaffinity, 999999, 8, &word) == ESRCH);
	return 0;
}

/* prlimit64 reads limits, refuses nonsense, and only knows real pids. */
int t_limits(void)
{
	struct rlimit r, bad = { 10, 5 };

	EXPECT(getrlimit(RLIMIT_STACK, &r) == 0 && r.rlim_cur > 0);
	EXPECT(getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur >= 3);
	EXPECT(UT_ERRNO(SYS_prlimit64, 0, 999, NULL, &r) == EINVAL);
	EXPECT(UT_ERRNO(SYS_prlimit64, 0, RLIMIT_STACK, &bad, NULL) == EINVAL);
	EXPECT(UT_ERRNO(SYS_prlimit64, 999999, RLIMIT_STACK, NULL, &r) ==
	       ESRCH);
	return 0;
}
