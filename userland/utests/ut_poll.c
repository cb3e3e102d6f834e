/*
 * poll, ppoll, select and pselect6 (kernel/linux/sys_poll.c): pipes ready
 * and not, timeouts measured on the monotonic clock, hang-up and error
 * ends, a wakeup by another process's write, a kill ending a poll that
 * would never return; files and devices always ready, POLLNVAL, ignored
 * negative descriptors, EFAULT for every bad pointer, EINVAL and EBADF.
 * They pass on Linux too.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>

#include "utests.h"
#include "ut_tests.h"

/* poll's raw result (musl's wrapper is poll itself, but be explicit). */
static int ut_poll(struct pollfd *p, unsigned n, int ms)
{
	return syscall(SYS_poll, p, n, ms);
}

/* A poll of one fd: its revents, or -1 if poll did not return 0 or 1. */
static int ut_poll1(int fd, short events, int ms)
{
	struct pollfd p = { fd, events, 0x7777 };
	int r = ut_poll(&p, 1, ms);

	return r == 0 ? (p.revents ? -1 : 0) : r == 1 ? p.revents : -1;
}

static int ut_poll_pipe_ready(int p[2])
{
	uint64_t t0;
	fd_set r, w;
	struct timeval tv = { 0, 50000 };
	char c;

	EXPECT(ut_poll1(p[0], POLLIN, 0) == 0);
	EXPECT(ut_poll1(p[1], POLLOUT, 0) == POLLOUT);
	t0 = ut_now_ns();
	EXPECT(ut_poll1(p[0], POLLIN, 100) == 0);
	EXPECT(ut_now_ns() - t0 >= 100000000);		/* at least 100 ms */
	EXPECT(ut_now_ns() - t0 < 2000000000);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	t0 = ut_now_ns();
	EXPECT(select(p[0] + 1, &r, NULL, NULL, &tv) == 0 && !FD_ISSET(p[0], &r));
	EXPECT(ut_now_ns() - t0 >= 50000000);
	EXPECT(write(p[1], "x", 1) == 1);
	EXPECT(ut_poll1(p[0], POLLIN | POLLOUT, -1) == POLLIN);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	EXPECT(select(p[1] + 1, &r, &w, NULL, NULL) == 2);
	EXPECT(FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));
	EXPECT(read(p[0], &c, 1) == 1);
	return 0;
}

static void ut_poll_forever(void)
{
	int p[2];
	struct pollfd f;

	if (pipe(p))
		_exit(2);
	f = (struct pollfd){ p[0], POLLIN, 0 };
	ut_poll(&f, 1, -1);		/* nobody will ever write */
	_exit(3);
}

/* A write by another process wakes a poll; a kill ends one at once. */
static int ut_poll_pipe_wake(int p[2])
{
	int status;
	uint64_t t0 = ut_now_ns();
	pid_t pid = fork();

	EXPECT(pid >= 0);
	if (pid == 0) {
		struct timespec ts = { 0, 150000000 };

		nanosleep(&ts, NULL);
		_exit(write(p[1], "w", 1) != 1);
	}
	EXPECT(ut_poll1(p[0], POLLIN, 5000) == POLLIN);
	EXPECT(ut_now_ns() - t0 >= 100000000);
	EXPECT(waitpid(pid, &status, 0) == pid && status == 0);
	pid = fork();
	EXPECT(pid >= 0);
	if (pid == 0)
		ut_poll_forever();
	{
		struct timespec ts = { 0, 100000000 };

		nanosleep(&ts, NULL);
	}
	t0 = ut_now_ns();
	EXPECT(kill(pid, SIGKILL) == 0);
	EXPECT(waitpid(pid, &status, 0) == pid);
	EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT(ut_now_ns() - t0 < 1000000000);
	return 0;
}

/* Every end closing: POLLHUP to the reader, POLLERR to the writer. */
static int ut_poll_pipe_ends(void)
{
	int p[2], q[2];
	struct pollfd f[3];

	EXPECT(pipe(p) == 0 && pipe(q) == 0);
	EXPECT(write(p[1], "z", 1) == 1);
	close(p[1]);
	EXPECT(ut_poll1(p[0], POLLIN, -1) == (POLLIN | POLLHUP));
	EXPECT(ut_poll1(p[0], 0, 0) == POLLHUP);	/* always reported */
	close(q[0]);
	EXPECT(ut_poll1(q[1], POLLOUT, 0) == (POLLOUT | POLLERR));
	f[0] = (struct pollfd){ p[0], POLLIN, 0 };
	f[1] = (struct pollfd){ -1, POLLIN, 0x55 };	/* ignored, revents 0 */
	f[2] = (struct pollfd){ q[1], 0, 0 };
	EXPECT(ut_poll(f, 3, 0) == 2);
	EXPECT(f[1].revents == 0 && f[2].revents == POLLERR);
	close(p[0]);
	close(q[1]);
	return 0;
}

int t_poll_pipe(void)
{
	int p[2];

	EXPECT(pipe(p) == 0);
	if (ut_poll_pipe_ready(p) || ut_poll_pipe_wake(p))
		return 1;
	close(p[0]);
	close(p[1]);
	return ut_poll_pipe_ends();
}

/* Regular files and /dev/null, /dev/zero are always ready both ways. */
static int ut_poll_always(void)
{
	int fd = open("/tmp/ut_poll", O_RDWR | O_CREAT | O_TRUNC, 0600);
	int nul = open("/dev/null", O_RDWR), zero = open("/dev/zero", O_RDONLY);
	fd_set r, w;

	EXPECT(fd >= 0 && nul >= 0 && zero >= 0);
	EXPECT(ut_poll1(fd, POLLIN | POLLOUT, -1) == (POLLIN | POLLOUT));
	EXPECT(ut_poll1(nul, POLLIN | POLLOUT, -1) == (POLLIN | POLLOUT));
	EXPECT(ut_poll1(zero, POLLIN, -1) == POLLIN);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fd, &r);
	FD_SET(nul, &w);
	EXPECT(select(nul > fd ? nul + 1 : fd + 1, &r, &w, NULL, NULL) == 2);
	close(fd);
	close(zero);
	unlink("/tmp/ut_poll");
	/* A closed descriptor: POLLNVAL, counted; select says EBADF. */
	EXPECT(close(nul) == 0);
	EXPECT(ut_poll1(nul, POLLIN, -1) == POLLNVAL);
	FD_ZERO(&r);
	FD_SET(nul, &r);
	EXPECT(select(nul + 1, &r, NULL, NULL, NULL) == -1 && errno == EBADF);
	return 0;
}

/* Bad pointers, sizes and times; ppoll and pselect6's own checks. */
static int ut_poll_bad(void)
{
	struct pollfd p = { 0, POLLOUT, 0 };
	struct timespec ts = { 0, 1000000 }, bad_ts = { 0, 1000000000 };
	uint64_t sig[2] = { 0, 8 };

	for (int i = 0; i < ut_nbad_ptrs; i++) {
		EXPECT(UT_ERRNO(SYS_poll, ut_bad_ptrs[i], 1, 0) == EFAULT);
		EXPECT(UT_ERRNO(SYS_ppoll, &p, 1, ut_bad_ptrs[i], NULL, 8) ==
		       EFAULT);
		EXPECT(UT_ERRNO(SYS_select, 1, ut_bad_ptrs[i], NULL, NULL,
				NULL) == EFAULT);
		EXPECT(UT_ERRNO(SYS_select, 1, NULL, NULL, NULL,
				ut_bad_ptrs[i]) == EFAULT);
		EXPECT(UT_ERRNO(SYS_pselect6, 1, NULL, NULL, NULL, &ts,
				ut_bad_ptrs[i]) == EFAULT);
	}
	EXPECT(UT_ERRNO(SYS_poll, &p, 1 << 20, 0) == EINVAL);
	EXPECT(UT_ERRNO(SYS_ppoll, &p, 1, &bad_ts, NULL, 8) == EINVAL);
	EXPECT(UT_ERRNO(SYS_ppoll, &p, 1, &ts, &sig, 4) == EINVAL);
	EXPECT(UT_ERRNO(SYS_select, -1, NULL, NULL, NULL, NULL) == EINVAL);
	EXPECT(UT_ERRNO(SYS_pselect6, 1, NULL, NULL, NULL, &bad_ts, NULL) ==
	       EINVAL);
	EXPECT(syscall(SYS_ppoll, &p, 1, &ts, NULL, 8) == 1);
	EXPECT(syscall(SYS_poll, NULL, 0, 1) == 0);	/* a 1 ms sleep */
	ts = (struct timespec){ 0, 20000000 };
	EXPECT(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, sig) == 0);
	EXPECT(ts.tv_sec == 0 && ts.tv_nsec == 0);	/* the time left */
	return 0;
}

int t_poll_files(void)
{
	return ut_poll_always() || ut_poll_bad();
}

static volatile int ut_poll_hits;

static void ut_poll_on_usr1(int sig)
{
	(void)sig;
	ut_poll_hits++;
}

static int ut_poll_blocked(void)
{
	sigset_t set;

	sigprocmask(SIG_BLOCK, NULL, &set);
	return sigismember(&set, SIGUSR1);
}

/*
 * A handled signal ends a poll that would wait 5 s (EINTR, the handler
 * ran); ppoll and pselect6 run their wait under the mask given: a pending
 * signal it unblocks ends the wait at once and the caller's mask (which
 * blocks it) is back afterwards; one it blocks does not end the wait (a
 * byte written after it does) and is taken on the way out, once the
 * caller's mask is back.
 */
int t_poll_signal(void)
{
	struct sigaction sa = { .sa_handler = ut_poll_on_usr1 };
	struct timespec ts = { 5, 0 };
	sigset_t usr1, none;
	struct { const void *mask; uint64_t size; } psig = { &none, 8 };
	struct pollfd p;
	int fds[2], status;
	uint64_t t0;
	pid_t c;

	EXPECT(pipe(fds) == 0);
	p = (struct pollfd){ fds[0], POLLIN, 0 };
	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	sigemptyset(&none);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);

	t0 = ut_now_ns();
	c = ut_later(30, getpid(), SIGUSR1, -1);
	EXPECT(ut_poll(&p, 1, 5000) == -1 && errno == EINTR);
	EXPECT(ut_poll_hits == 1 && ut_now_ns() - t0 < 4000000000ull);
	EXPECT(waitpid(c, &status, 0) == c);

	EXPECT(sigprocmask(SIG_BLOCK, &usr1, NULL) == 0);
	EXPECT(kill(getpid(), SIGUSR1) == 0 && ut_poll_hits == 1);
	EXPECT(syscall(SYS_ppoll, &p, 1, &ts, &none, 8) == -1 &&
	       errno == EINTR && ut_poll_hits == 2 && ut_poll_blocked());
	EXPECT(kill(getpid(), SIGUSR1) == 0 && ut_poll_hits == 2);
	ts = (struct timespec){ 5, 0 };
	EXPECT(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, &psig) == -1 &&
	       errno == EINTR && ut_poll_hits == 3 && ut_poll_blocked());
	EXPECT(UT_ERRNO(SYS_ppoll, &p, 1, &ts, (void *)8, 8) == EFAULT);

	/* The signal comes first, then the byte: ppoll sees the byte. */
	EXPECT(sigprocmask(SIG_UNBLOCK, &usr1, NULL) == 0);
	c = ut_later(30, getpid(), SIGUSR1, fds[1]);
	ts = (struct timespec){ 5, 0 };
	EXPECT(syscall(SYS_ppoll, &p, 1, &ts, &usr1, 8) == 1);
	EXPECT(ut_poll_hits == 4 && !ut_poll_blocked());
	EXPECT(waitpid(c, &status, 0) == c);
	close(fds[0]);
	close(fds[1]);
	signal(SIGUSR1, SIG_DFL);
	return 0;
}
