/*
 * utests: processes. Identity, exit status and wait4, kill, orphans, many
 * processes at once on every CPU, and long fork/exec runs that must give
 * every page back.
 */
#include <sched.h>
#include <signal.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>

#include "utests.h"
#include "ut_tests.h"

#define MANY		96	/* fork_many: siblings alive at once */
#define TREE_DEPTH	6	/* fork_tree: 2^7 - 1 = 127 processes */
#define STRESS_FORKS	400
#define STRESS_EXECS	100

/* fork; the child runs fn and exits with its result. The pid, or -1. */
static pid_t spawn(int (*fn)(int), int arg)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

/* Wait for pid; its exit code, or -1 if it was killed or not ours. */
static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int ids_child(int parent)
{
	return getppid() == parent && syscall(SYS_gettid) == getpid() ? 0 : 1;
}

/* pids are unique; the child sees its parent; tid == pid; uid 0 on Loupe. */
int t_ids(void)
{
	pid_t me = getpid(), c = spawn(ids_child, me);

	EXPECT(me > 1 && getppid() > 0 && getppid() != me);
	EXPECT(syscall(SYS_gettid) == me);
	EXPECT(c > 0 && c != me);
	EXPECT(reap(c) == 0);
	if (ut_on_loupe)
		EXPECT(!getuid() && !geteuid() && !getgid() && !getegid());
	return 0;
}

static int exit_with(int code)
{
	return code;
}

static void exit_group_300(void)
{
	syscall(SYS_exit_group, 300);
}

/* Exit codes come back whole, modulo 256 as Linux keeps them. */
int t_exit_status(void)
{
	static const int codes[] = { 0, 1, 42, 127, 255 };
	int status;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		EXPECT(reap(spawn(exit_with, codes[i])) == codes[i]);
	status = ut_child_status(exit_group_300);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 300 % 256);
	return 0;
}

static int sleep_then_exit(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
	return 3;
}

/*
 * wait4 by group: 0 waits for a child in the caller's group, -pgrp for
 * one in group pgrp, and neither takes a child of the other group; a
 * group with no child of ours is ECHILD, -INT_MIN ESRCH.
 */
static int wait_groups(void)
{
	pid_t mine, other;
	int status;

	EXPECT(setpgid(0, 0) == 0);	/* a group of our own: not 1 (-1 is "any") */
	mine = spawn(sleep_then_exit, 50);
	other = spawn(sleep_then_exit, 50);
	EXPECT(mine > 0 && other > 0);
	EXPECT(setpgid(other, other) == 0);
	EXPECT(syscall(SYS_wait4, 0, &status, 0, NULL) == mine);
	EXPECT(syscall(SYS_wait4, 0, &status, WNOHANG, NULL) == -1 &&
	       errno == ECHILD);
	EXPECT(UT_ERRNO(SYS_wait4, -getpgrp(), &status, WNOHANG, NULL) ==
	       ECHILD);
	EXPECT(syscall(SYS_wait4, -other, &status, 0, NULL) == other);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	EXPECT(UT_ERRNO(SYS_wait4, -other, &status, 0, NULL) == ECHILD);
	EXPECT(UT_ERRNO(SYS_wait4, INT32_MIN, &status, 0, NULL) == ESRCH);
	return 0;
}

/*
 * Abuse: wait with no children, for a stranger, with unknown options;
 * WNOHANG (and WUNTRACED, as ash passes it) on a live child; then a
 * blocking wait collects it once; and by group (wait_groups).
 */
int t_wait(void)
{
	int status;
	pid_t c;

	EXPECT(UT_ERRNO(SYS_wait4, -1, &status, 0, NULL) == ECHILD);
	EXPECT(UT_ERRNO(SYS_wait4, 1, &status, 0, NULL) == ECHILD);
	EXPECT(UT_ERRNO(SYS_wait4, 99999, &status, 0, NULL) == ECHILD);
	c = spawn(sleep_then_exit, 100);
	EXPECT(c > 0);
	EXPECT(UT_ERRNO(SYS_wait4, c, &status, 0x100, NULL) == EINVAL);
	EXPECT(syscall(SYS_wait4, c, &status, WNOHANG, NULL) == 0);
	EXPECT(syscall(SYS_wait4, c, &status, WNOHANG | WUNTRACED, NULL) == 0);
	EXPECT(syscall(SYS_wait4, -1, &status, 0, NULL) == c);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	EXPECT(UT_ERRNO(SYS_wait4, c, &status, 0, NULL) == ECHILD);
	EXPECT(syscall(SYS_wait4, -1, NULL, WNOHANG, NULL) == -1);
	EXPECT(wait_groups() == 0);
	return 0;
}

static int spin_forever(int unused)
{
	for (volatile int i = 0;; i++)
		(void)unused;
	return 0;
}

static int pause_forever(int unused)
{
	for (;;)
		pause();
	return unused;
}

static void kill_self(void)
{
	kill(getpid(), SIGKILL);
	_exit(0);
}

static bool killed_by(pid_t pid, int sig)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	       WTERMSIG(status) == sig;
}

/*
 * Abuse: kill a child spinning in user mode and one asleep in pause; a
 * default-ignored signal does nothing; bad pids and signals are refused.
 */
int t_kill(void)
{
	pid_t spin = spawn(spin_forever, 0), idle = spawn(pause_forever, 0);
	int status;

	EXPECT(spin > 0 && idle > 0);
	EXPECT(kill(spin, 0) == 0);
	EXPECT(kill(spin, SIGCHLD) == 0);
	EXPECT(waitpid(spin, &status, WNOHANG) == 0);
	EXPECT(kill(spin, SIGTERM) == 0);
	EXPECT(killed_by(spin, SIGTERM));
	EXPECT(kill(idle, SIGKILL) == 0);
	EXPECT(killed_by(idle, SIGKILL));
	EXPECT(kill(spin, SIGKILL) == -1 && errno == ESRCH);
	EXPECT(kill(999999, SIGKILL) == -1 && errno == ESRCH);
	EXPECT(kill(getpid(), 65) == -1 && errno == EINVAL);
	EXPECT(kill(getpid(), -1) == -1 && errno == EINVAL);
	status = ut_child_status(kill_self);
	EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	return 0;
}

/* The orphan: wait until init adopts it, then linger until killed. */
static int orphan_wait(int parent)
{
	while (getppid() == parent)
		sched_yield();
	if (getppid() != 1)
		printf("utest: FAIL orphan adopted by %d, not 1\n", getppid());
	return pause_forever(0);
}

/* The middle process: start the orphan, exit with its pid's offset. */
static int orphan_parent(int unused)
{
	pid_t g = spawn(orphan_wait, getpid());

	(void)unused;
	return g > getpid() && g - getpid() < 256 ? g - getpid() : 0;
}

/*
 * A process whose parent exits is adopted by init (which reaps it), not
 * left to its grandparent; it stays alive and killable.
 */
int t_orphan(void)
{
	pid_t m, g;
	int off;

	if (!ut_on_loupe)
		return UT_SKIP;	/* a subreaper or pid namespace may adopt */
	m = spawn(orphan_parent, 0);
	off = reap(m);
	EXPECT(off > 0);
	g = m + off;
	EXPECT(kill(g, 0) == 0);
	EXPECT(UT_ERRNO(SYS_wait4, g, NULL, 0, NULL) == ECHILD);
	EXPECT(UT_ERRNO(SYS_wait4, -1, NULL, WNOHANG, NULL) == ECHILD);
	EXPECT(kill(g, SIGKILL) == 0);
	return 0;
}

static uint64_t many_t0;	/* set before the first fork, inherited */

/* Compute and yield until 300 ms after the first fork: all alive at once. */
static int many_child(int i)
{
	volatile double x = i;

	while (ut_now_ns() - many_t0 < 300000000ULL) {
		for (int j = 0; j < 1000; j++)
			x = x * 1.5 - x / 2;
		sched_yield();
	}
	return x == i ? i & 0x7f : 0xff;
}

/* Many processes at once on every CPU, each exit code to its own parent. */
int t_fork_many(void)
{
	pid_t pids[MANY];
	struct sysinfo si;
	int bad = 0;

	many_t0 = ut_now_ns();
	for (int i = 0; i < MANY; i++) {
		pids[i] = spawn(many_child, i);
		EXPECT(pids[i] > 0);
	}
	EXPECT(sysinfo(&si) == 0);
	if (ut_on_loupe)
		EXPECT(si.procs >= MANY);
	for (int i = 0; i < MANY; i++)
		bad += reap(pids[i]) != (i & 0x7f);
	EXPECT(bad == 0);
	return 0;
}

/* A node: fork two subtrees, exit with the number of processes in ours. */
static int tree_node(int depth)
{
	pid_t l, r;
	int nl, nr;

	if (!depth)
		return 1;
	l = spawn(tree_node, depth - 1);
	r = spawn(tree_node, depth - 1);
	nl = l > 0 ? reap(l) : -1;
	nr = r > 0 ? reap(r) : -1;
	return nl < 0 || nr < 0 ? 0 : 1 + nl + nr;
}

/* A bounded fork bomb: a binary tree of 127 processes, all reaped. */
int t_fork_tree(void)
{
	EXPECT(tree_node(TREE_DEPTH) == (1 << (TREE_DEPTH + 1)) - 1);
	return 0;
}

/*
 * Pages lost since @before (settled), said on the console if any change.
 * Negative when pages freed late for earlier tests came back meanwhile.
 */
static long ut_leaked(const char *name, long before)
{
	long after = ut_settled_free_pages();

	if (after != before)
		printf("utest: %s: %ld free pages before, %ld after\n", name,
		       before, after);
	return before - after;
}

static int nothing(int unused)
{
	return unused;
}

/* Thousands of fork+exit+wait; free memory ends where it started. */
int t_stress_fork(void)
{
	long before;

	for (int i = 0; i < 20; i++)
		EXPECT(reap(spawn(nothing, 0)) == 0);
	before = ut_settled_free_pages();
	for (int i = 0; i < STRESS_FORKS; i++)
		EXPECT(reap(spawn(nothing, i & 0x7f)) == (i & 0x7f));
	if (ut_on_loupe)
		EXPECT(ut_leaked("stress_fork", before) <= 0);
	return 0;
}

/* Hundreds of fork+execve+wait; free memory ends where it started. */
int t_stress_exec(void)
{
	char *argv[] = { "uhelper", "exit", "5", NULL }, *envp[] = { NULL };
	long before;

	for (int i = 0; i < 5; i++)
		EXPECT(ut_exec_status("uhelper", argv, envp) == 5 << 8);
	before = ut_settled_free_pages();
	for (int i = 0; i < STRESS_EXECS; i++)
		EXPECT(ut_exec_status("uhelper", argv, envp) == 5 << 8);
	if (ut_on_loupe)
		EXPECT(ut_leaked("stress_exec", before) <= 0);
	return 0;
}

static __attribute__((noreturn)) void jc_idle(void)
{
	for (;;)
		pause();
}

/* 0 if pid ended by signal sig. */
static int jc_reaped_by(pid_t pid, int sig)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	       WTERMSIG(st) == sig ? 0 : -1;
}

/* setsid in a child: the exit status names the first check that failed. */
static void jc_session_child(void)
{
	pid_t me = getpid();

	if (setsid() != me)
		_exit(1);
	if (getsid(0) != me || getpgrp() != me)
		_exit(2);
	if (setsid() != -1 || errno != EPERM)
		_exit(3);		/* a group leader cannot */
	if (setpgid(0, 0) != -1 || errno != EPERM)
		_exit(4);		/* a session leader cannot move */
	_exit(0);
}

/*
 * Job control: a group made of two children (setpgid from both sides,
 * as shells do) dies together of kill(-pgrp); kill(0) hits only the
 * caller's group; setsid makes a new session and group. Abuse: joining
 * a group that does not exist, moving a process that is not our child.
 */
int t_jobctl(void)
{
	pid_t a, b;
	int status;

	a = fork();
	if (a == 0) {
		setpgid(0, 0);
		jc_idle();
	}
	EXPECT(a > 0);
	EXPECT(setpgid(a, a) == 0 && getpgid(a) == a);
	b = fork();
	if (b == 0)
		jc_idle();
	EXPECT(b > 0);
	EXPECT(setpgid(b, a) == 0 && getpgid(b) == a);
	EXPECT(setpgid(b, 999999) == -1 && errno == EPERM);
	EXPECT(setpgid(1, 1) == -1 && errno == ESRCH);
	EXPECT(getpgrp() != a);
	EXPECT(kill(-a, SIGTERM) == 0);
	EXPECT(jc_reaped_by(a, SIGTERM) == 0 && jc_reaped_by(b, SIGTERM) == 0);
	EXPECT(kill(-a, 0) == -1 && errno == ESRCH);
	status = ut_child_status(jc_session_child);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT(getsid(0) > 0);
	EXPECT(getsid(999999) == -1 && errno == ESRCH);
	a = fork();
	if (a == 0) {
		setpgid(0, 0);
		if (fork() == 0)
			jc_idle();
		kill(0, SIGTERM);
		_exit(9);
	}
	EXPECT(a > 0 && jc_reaped_by(a, SIGTERM) == 0);
	return 0;
}
