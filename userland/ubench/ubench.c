/*
 * ubench: user-space micro-benchmarks, one static musl binary run as PID 1
 * on Loupe and, unchanged, on Linux (tools/qemu/ubench boots both). Each
 * benchmark times a loop with rdtsc and prints "bench: user_<name>_tsc <n>
 * tsc/op"; under QEMU -icount the TSC counts guest instructions. Then, as
 * PID 1, it powers the machine off. Run by hand it just prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "loupe.h"
#include "say.h"

#define NULL_ITERS	100000
#define FORK_ITERS	200
#define EXEC_ITERS	100
#define THREAD_ITERS	1000
#define IPC_ITERS	10000
#define OPEN_ITERS	10000
#define READ_ITERS	10000
#define WARMUP		5
#define CALIBRATE_NS	50000000L
#define EXIT_ARG	"--exit-now"	/* execve'd child: exit at once */

static const char *self_path = "/init";

static void report(const char *name, uint64_t ticks, long ops)
{
	say("bench: user_%s_tsc %llu tsc/op\n", name,
	    (unsigned long long)((ticks + ops / 2) / ops));
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* TSC ticks per second against CLOCK_MONOTONIC, over ~50 ms. */
static void calibrate(void)
{
	int64_t t0 = mono_ns(), t1;
	uint64_t c0 = bench_tsc(), c1;

	do {
		t1 = mono_ns();
		c1 = bench_tsc();
	} while (t1 - t0 < CALIBRATE_NS);
	say("bench: user_tsc_hz %llu hz\n",
	    (unsigned long long)((c1 - c0) * 1000000000.0 / (t1 - t0)));
}

/* musl's getppid() is the bare syscall: no caching, no errno work. */
static void bench_null(void)
{
	uint64_t t;

	for (int i = 0; i < WARMUP; i++)
		getppid();
	t = bench_tsc();
	for (int i = 0; i < NULL_ITERS; i++)
		getppid();
	report("getppid", bench_tsc() - t, NULL_ITERS);
}

/* musl's clock_gettime(): the vDSO where the kernel maps one. */
static void bench_clock(void)
{
	struct timespec ts;
	uint64_t t;

	for (int i = 0; i < WARMUP; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	t = bench_tsc();
	for (int i = 0; i < NULL_ITERS; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	report("clock_gettime", bench_tsc() - t, NULL_ITERS);
}

static int spawn_exit(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(0);
	return pid > 0 && waitpid(pid, &st, 0) == pid ? 0 : -1;
}

static int spawn_exec(void)
{
	char *argv[] = { (char *)self_path, EXIT_ARG, NULL };
	char *envp[] = { NULL };
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execve(self_path, argv, envp);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* pthread_create + pthread_join of a thread that returns at once. */
static int spawn_thread(void)
{
	static char token;
	pthread_t t;
	void *r;

	if (pthread_create(&t, NULL, thread_fn, &token) || pthread_join(t, &r))
		return -1;
	return r == &token ? 0 : -1;
}

/* Time @iters runs of @fn, after a warm-up; "failed" if any run fails. */
static void bench_spawn(const char *name, int (*fn)(void), int iters)
{
	uint64_t t;

	for (int i = 0; i < WARMUP; i++) {
		if (fn())
			goto failed;
	}
	t = bench_tsc();
	for (int i = 0; i < iters; i++) {
		if (fn())
			goto failed;
	}
	report(name, bench_tsc() - t, iters);
	return;
failed:
	say("bench: user_%s_tsc failed -\n", name);
}

static int ipc_ping(long ep, uint64_t label)
{
	struct ipc_msg m = { ipc_tag(label, 1), { label } };

	return ipc_call(ep, &m) ? -1 : 0;
}

/*
 * n pings with one message buffer, each answer checked: the timed loop,
 * so that it adds little beyond the call itself.
 */
static int ipc_ping_n(long ep, int n)
{
	struct ipc_msg m = { 0 };

	for (int i = 0; i < n; i++) {
		m.tag = ipc_tag(LABEL_PING, 1);
		m.w[0] = LABEL_PING;
		if (ipc_call(ep, &m) || ipc_tag_label(m.tag) != LABEL_PING + 1)
			return -1;
	}
	return 0;
}

/* Call/reply round trips to a server process; "n/a" where IPC is absent. */
static void bench_ipc(void)
{
	long ep = ipc_endpoint_new();
	int bad = 0, st;
	uint64_t t = 0;
	long fast0, fast1;
	pid_t srv;

	if (ep == -ENOSYS) {
		say("bench: user_ipc_call_tsc n/a -\n");
		return;
	}
	srv = ep < 0 ? -1 : fork();
	if (srv == 0)
		_exit(bench_ping_server(ep));
	if (srv < 0) {
		say("bench: user_ipc_call_tsc failed -\n");
		return;
	}
	for (int i = 0; i < WARMUP; i++)
		bad |= ipc_ping(ep, LABEL_PING);
	fast0 = ipc_stats(1);
	t = bench_tsc();
	bad |= ipc_ping_n(ep, IPC_ITERS);
	t = bench_tsc() - t;
	fast1 = ipc_stats(1);
	bad |= ipc_ping(ep, LABEL_STOP);
	if (waitpid(srv, &st, 0) != srv || !WIFEXITED(st) || WEXITSTATUS(st))
		bad = 1;
	if (bad)
		say("bench: user_ipc_call_tsc failed -\n");
	else
		report("ipc_call", t, IPC_ITERS);
	/* Loupe: the share of the loop's switches the IPC fast path made. */
	if (fast0 >= 0 && fast1 >= fast0)
		say("bench: user_ipc_fastpath_share %ld %%\n",
		    (fast1 - fast0) * 100 / (2 * IPC_ITERS));
}

/* open+close of this program's file; "n/a" where open is missing. */
static void bench_open(void)
{
	uint64_t t;
	int fd;

	fd = open(self_path, O_RDONLY);
	if (fd < 0) {
		say("bench: user_open_close_tsc %s -\n",
		    errno == ENOSYS ? "n/a" : "failed");
		return;
	}
	close(fd);
	t = bench_tsc();
	for (int i = 0; i < OPEN_ITERS; i++)
		close(open(self_path, O_RDONLY));
	report("open_close", bench_tsc() - t, OPEN_ITERS);
}

/* A 1-byte pread of this program's file (no offset to move, no EOF). */
static void bench_pread(void)
{
	uint64_t t;
	char c;
	int fd;

	fd = open(self_path, O_RDONLY);
	if (fd < 0 || pread(fd, &c, 1, 1) != 1) {
		say("bench: user_pread1_tsc %s -\n",
		    fd < 0 && errno == ENOSYS ? "n/a" : "failed");
		return;
	}
	t = bench_tsc();
	for (int i = 0; i < READ_ITERS; i++)
		pread(fd, &c, 1, i & 1023);
	report("pread1", bench_tsc() - t, READ_ITERS);
	close(fd);
}

/* Linux starts PID 1 on /dev/console; without it, try to open one. */
static void console_check(void)
{
	int fd;

	if (write(1, "", 0) == 0)
		return;
	fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], EXIT_ARG))
		_exit(0);
	if (argc > 0 && strchr(argv[0], '/'))
		self_path = argv[0];
	console_check();
	bench_vfs_start("ubench");
	say("ubench: start (pid %d)\n", (int)getpid());
	calibrate();
	bench_null();
	bench_clock();
	bench_spawn("fork_exit_wait", spawn_exit, FORK_ITERS);
	bench_spawn("fork_exec_wait", spawn_exec, EXEC_ITERS);
	bench_spawn("thread_create_join", spawn_thread, THREAD_ITERS);
	bench_ipc();
	bench_open();
	bench_pread();
	say("ubench: done\n");
	if (getpid() == 1)
		reboot(RB_POWER_OFF);
	return 0;
}
