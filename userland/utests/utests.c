/*
 * utests: Loupe's user-space self-tests, in the manner of xv6's usertests.
 * A table of {fn, name}; each test runs in a child process of its own, so
 * a test that crashes fails alone. Each prints one line
 * "utest: <name>: ok" or "utest: <name>: FAIL ..." (the stage markers
 * init will report), and the run ends with "utests: ALL OK" or
 * "utests: N FAILED". Until the kernel has fork, tests run in-process.
 * Run: utests [name...] (no names: every test).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc.h"

struct utest {
	int (*fn)(void);
	const char *name;
};

/* A failed expectation: say where, and fail the test. */
#define EXPECT(cond) do { \
	if (!(cond)) { \
		printf("utest: FAIL at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		return 1; \
	} \
} while (0)

/* write() of @len bytes from @p, as an errno (0 when all were written). */
static int write_errno(int fd, const void *p, size_t len)
{
	ssize_t n = write(fd, p, len);

	if (n < 0)
		return errno;
	return (size_t)n == len ? 0 : -1;
}

/* The plain path: a whole line reaches the console. */
static int t_write_stdout(void)
{
	static const char msg[] = "utest: write_stdout says hello\n";

	EXPECT(write_errno(1, msg, sizeof(msg) - 1) == 0);
	return 0;
}

/* A zero-length write succeeds and touches nothing, even with a NULL buffer. */
static int t_write_zero(void)
{
	EXPECT(write(1, NULL, 0) == 0);
	return 0;
}

/* Abuse: file descriptors that were never opened. */
static int t_write_badfd(void)
{
	EXPECT(write_errno(-1, "x", 1) == EBADF);
	EXPECT(write_errno(1000, "x", 1) == EBADF);
	EXPECT(write_errno(INT32_MAX, "x", 1) == EBADF);
	return 0;
}

/*
 * Abuse: the NULL page and a low unmapped page as the buffer. (fd 1 must
 * read its buffer: on Linux, /dev/null as stdout would not fault.)
 */
static int t_write_efault_null(void)
{
	EXPECT(write_errno(1, NULL, 1) == EFAULT);
	EXPECT(write_errno(1, (void *)0x1000, 8) == EFAULT);
	return 0;
}

/* Abuse: make the kernel copy out its own memory (direct map, text). */
static int t_write_efault_kernel(void)
{
	EXPECT(write_errno(1, (void *)0xffff800000000000ULL, 8) == EFAULT);
	EXPECT(write_errno(1, (void *)0xffffffff80000000ULL, 8) == EFAULT);
	EXPECT(write_errno(1, (void *)-8ULL, 8) == EFAULT);
	return 0;
}

/* Abuse: a non-canonical address (#GP, not #PF, if dereferenced). */
static int t_write_efault_noncanon(void)
{
	EXPECT(write_errno(1, (void *)0x0000800000000000ULL, 8) == EFAULT);
	EXPECT(write_errno(1, (void *)0x8000000000000000ULL, 8) == EFAULT);
	return 0;
}

/* The loader left %rsp 16-byte aligned, so aligned locals are honoured. */
static int t_stack_align(void)
{
	long aligned __attribute__((aligned(16)));

	EXPECT(((uintptr_t)&aligned & 15) == 0);
	return 0;
}

static const struct utest utests[] = {
	{ t_write_stdout, "write_stdout" },
	{ t_write_zero, "write_zero" },
	{ t_write_badfd, "write_badfd" },
	{ t_write_efault_null, "write_efault_null" },
	{ t_write_efault_kernel, "write_efault_kernel" },
	{ t_write_efault_noncanon, "write_efault_noncanon" },
	{ t_stack_align, "stack_align" },
};

/* Run @t in a child; in-process if fork is not there yet. 0 on success. */
static int utest_run(const struct utest *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return t->fn();
	if (pid == 0)
		_exit(t->fn() ? 1 : 0);
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	if (WIFSIGNALED(status))
		printf("utest: %s: killed by signal %d\n", t->name,
		       WTERMSIG(status));
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

int main(int argc, char **argv)
{
	int failed = 0;

	for (size_t i = 0; i < sizeof(utests) / sizeof(utests[0]); i++) {
		const struct utest *t = &utests[i];
		int bad;

		if (!utest_wanted(t, argc, argv))
			continue;
		bad = utest_run(t);
		printf("utest: %s: %s\n", t->name, bad ? "FAIL" : "ok");
		failed += bad;
	}
	if (failed)
		printf("utests: %d FAILED\n", failed);
	else
		printf("utests: ALL OK\n");
	return failed ? 1 : 0;
}
