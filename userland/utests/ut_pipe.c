/*
 * Pipes (kernel/pipe.c): data in order, end of file and EPIPE/SIGPIPE when
 * an end closes, O_NONBLOCK, blocking both ways across fork, atomic writes
 * of PIPE_BUF, a program's output read back through exec, kills ending
 * blocked reads and writes, and no pages lost. They pass on Linux too.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "utests.h"
#include "ut_tests.h"

#define BULK		(1024 * 1024 + 333)	/* far more than a pipe holds */
#define RECORD		512			/* <= PIPE_BUF: atomic */
#define RECORDS		200
#define WRITERS		4

static int ut_pipe_errors(void)
{
	int p[2];

	for (int i = 0; i < ut_nbad_ptrs; i++)
		EXPECT(UT_ERRNO(SYS_pipe2, ut_bad_ptrs[i], 0) == EFAULT);
	EXPECT(UT_ERRNO(SYS_pipe2, p, 0x40000000) == EINVAL);
	EXPECT(pipe(p) == 0);
	EXPECT(write(p[0], "x", 1) == -1 && errno == EBADF);
	EXPECT(read(p[1], p, 1) == -1 && errno == EBADF);
	EXPECT(lseek(p[0], 0, SEEK_SET) == -1 && errno == ESPIPE);
	EXPECT(pread(p[0], p, 1, 0) == -1 && errno == ESPIPE);
	EXPECT(pwrite(p[1], "x", 1, 0) == -1 && errno == ESPIPE);
	EXPECT(UT_ERRNO(SYS_read, p[0], UT_KERNEL_TEXT, 1) == EFAULT ||
	       !ut_on_loupe);
	EXPECT(UT_ERRNO(SYS_write, p[1], UT_UNMAPPED, 1) == EFAULT);
	close(p[0]);
	close(p[1]);
	return 0;
}

/* Data in order, fstat, FIONREAD, EOF, O_NONBLOCK, O_CLOEXEC. */
int t_pipe(void)
{
	static char page[4096];
	char buf[128];
	struct stat st;
	int p[2], n = 0, fl;

	EXPECT(pipe(p) == 0);
	EXPECT(write(p[1], "hello, ", 7) == 7 && write(p[1], "pipe", 4) == 4);
	EXPECT(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
	EXPECT(ioctl(p[0], FIONREAD, &n) == 0 && n == 11);
	EXPECT(read(p[0], buf, 5) == 5 && !memcmp(buf, "hello", 5));
	EXPECT(read(p[0], buf, sizeof(buf)) == 6 && !memcmp(buf, ", pipe", 6));
	close(p[1]);
	EXPECT(read(p[0], buf, sizeof(buf)) == 0);
	close(p[0]);

	EXPECT(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
	fl = fcntl(p[0], F_GETFL);
	EXPECT(fl >= 0 && (fl & O_NONBLOCK) && (fl & O_ACCMODE) == O_RDONLY);
	EXPECT(fcntl(p[1], F_GETFD) == FD_CLOEXEC);
	EXPECT(read(p[0], buf, 1) == -1 && errno == EAGAIN);
	for (n = 0; write(p[1], buf, 1) == 1; n++)
		;
	EXPECT(errno == EAGAIN && n >= 4096);	/* Linux holds 64 KiB, Loupe 16 */
	EXPECT(write(p[1], buf, 100) == -1 && errno == EAGAIN);
	EXPECT(read(p[0], buf, 10) == 10);
	/* 10 bytes free: a 100-byte write goes whole or not at all. */
	EXPECT(write(p[1], buf, 100) == -1 && errno == EAGAIN);
	/* A page read frees room on Linux too (its pipes hold pages). */
	EXPECT(read(p[0], page, sizeof(page)) == sizeof(page));
	EXPECT(write(p[1], buf, 10) == 10);
	close(p[0]);
	close(p[1]);
	return ut_pipe_errors();
}

static unsigned char ut_pipe_byte(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 9));
}

/* Child of t_pipe_fork: send back the sum of what arrives on in. */
static void ut_pipe_summer(int in, int out)
{
	unsigned char buf[3000];
	unsigned long sum = 0, len = 0;
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++, len++)
			sum += buf[i] == ut_pipe_byte(len) ? buf[i] : 1000000;
	}
	write(out, &sum, sizeof(sum));
	write(out, &len, sizeof(len));
	_exit(n == 0 ? 0 : 1);
}

/* A program's standard output, read back through a pipe. */
static int ut_pipe_exec_output(void)
{
	char path[512], buf[128];
	int p[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/hello", ut_bindir);
	EXPECT(pipe(p) == 0);
	pid = fork();
	EXPECT(pid >= 0);
	if (pid == 0) {
		char *const argv[] = { path, NULL };

		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(path, argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	close(p[0]);
	EXPECT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0);
	EXPECT(!strcmp(buf, "hello: hello from musl\n"));
	return 0;
}

/* 1 MiB through a pipe to a child and its checksum back. */
int t_pipe_fork(void)
{
	static unsigned char chunk[4999];
	unsigned long want = 0, sum = 0, len = 0;
	int to[2], from[2], status;
	size_t off = 0;
	pid_t pid;

	EXPECT(pipe(to) == 0 && pipe(from) == 0);
	pid = fork();
	EXPECT(pid >= 0);
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		ut_pipe_summer(to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	while (off < BULK) {
		size_t n = BULK - off < sizeof(chunk) ? BULK - off : sizeof(chunk);

		for (size_t i = 0; i < n; i++) {
			chunk[i] = ut_pipe_byte(off + i);
			want += chunk[i];
		}
		EXPECT(write(to[1], chunk, n) == (ssize_t)n);
		off += n;
	}
	close(to[1]);
	EXPECT(read(from[0], &sum, sizeof(sum)) == sizeof(sum));
	EXPECT(read(from[0], &len, sizeof(len)) == sizeof(len));
	close(from[0]);
	EXPECT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0);
	EXPECT(len == BULK && sum == want);
	return ut_pipe_exec_output();
}

static int ut_sigpipe_fd = -1;

static void ut_pipe_write_broken(void)
{
	write(ut_sigpipe_fd, "x", 1);
	_exit(0);	/* not reached: SIGPIPE ends it */
}

/* A child blocked on @fd (reading, or writing a full pipe) is killed. */
static int ut_pipe_kill_blocked(int fd, bool reader)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char buf[512] = { 0 };
	int status;
	pid_t pid = fork();

	EXPECT(pid >= 0);
	if (pid == 0) {
		for (;;) {
			if (reader ? read(fd, buf, 1) : write(fd, buf, sizeof(buf)))
				continue;
		}
	}
	nanosleep(&ts, NULL);
	EXPECT(waitpid(pid, &status, WNOHANG) == 0);	/* still blocked */
	EXPECT(kill(pid, SIGKILL) == 0);
	EXPECT(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGKILL);
	return 0;
}

/* SIGPIPE and EPIPE; kills end blocked reads and writes. */
int t_pipe_signals(void)
{
	int p[2];

	EXPECT(pipe(p) == 0);
	close(p[0]);
	ut_sigpipe_fd = p[1];
	EXPECT(ut_dies_with(ut_pipe_write_broken, SIGPIPE));
	close(p[1]);

	EXPECT(pipe(p) == 0);
	EXPECT(ut_pipe_kill_blocked(p[0], true) == 0);
	EXPECT(ut_pipe_kill_blocked(p[1], false) == 0);
	close(p[0]);
	close(p[1]);
	return 0;
}

/* Check every RECORD-sized piece read is one writer's, whole. */
static int ut_pipe_read_records(int fd)
{
	static unsigned char rec[RECORD];
	int seen[WRITERS] = { 0 };

	for (int r = 0; r < WRITERS * RECORDS; r++) {
		size_t got = 0;

		while (got < RECORD) {
			ssize_t n = read(fd, rec + got, RECORD - got);

			EXPECT(n > 0);
			got += n;
		}
		EXPECT(rec[0] < WRITERS);
		for (int i = 1; i < RECORD; i++)
			EXPECT(rec[i] == rec[0]);
		seen[rec[0]]++;
	}
	for (int w = 0; w < WRITERS; w++)
		EXPECT(seen[w] == RECORDS);
	return 0;
}

static int ut_pipe_churn(int rounds)
{
	for (int i = 0; i < rounds; i++) {
		int p[2];

		EXPECT(pipe(p) == 0);
		EXPECT(write(p[1], "x", 1) == 1);
		close(p[0]);
		close(p[1]);
	}
	return 0;
}

/* Writes of RECORD bytes from four writers never interleave; no leaks. */
int t_pipe_atomic(void)
{
	long before, after;
	int p[2], status;

	EXPECT(pipe(p) == 0);
	for (int w = 0; w < WRITERS; w++) {
		pid_t pid = fork();

		EXPECT(pid >= 0);
		if (pid == 0) {
			unsigned char rec[RECORD];

			memset(rec, w, sizeof(rec));
			for (int r = 0; r < RECORDS; r++) {
				if (write(p[1], rec, sizeof(rec)) != RECORD)
					_exit(1);
			}
			_exit(0);
		}
	}
	close(p[1]);
	EXPECT(ut_pipe_read_records(p[0]) == 0);
	close(p[0]);
	for (int w = 0; w < WRITERS; w++)
		EXPECT(wait(&status) > 0 && WIFEXITED(status) &&
		       WEXITSTATUS(status) == 0);
	EXPECT(ut_pipe_churn(50) == 0);
	before = ut_settled_free_pages();
	EXPECT(ut_pipe_churn(500) == 0);
	after = ut_settled_free_pages();
	EXPECT(!ut_on_loupe || after == before);
	return 0;
}
