/*
 * utests: writing to the console (fds 1 and 2): write and writev, good
 * and abusive; and /dev/console as a terminal, served by /sbin/console.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>

#include "utests.h"
#include "ut_tests.h"

/* write() of @len bytes from @p, as an errno (0 when all were written). */
static int write_errno(int fd, const void *p, size_t len)
{
	long n = syscall(SYS_write, fd, p, len);

	if (n < 0)
		return errno;
	return (size_t)n == len ? 0 : -1;
}

/* The plain path: a whole line reaches the console. */
int t_write_stdout(void)
{
	static const char msg[] = "utest: write_stdout says hello\n";

	EXPECT(write_errno(1, msg, sizeof(msg) - 1) == 0);
	return 0;
}

/* A zero-length write succeeds and touches nothing, even with a NULL buffer. */
int t_write_zero(void)
{
	EXPECT(write_errno(1, NULL, 0) == 0);
	return 0;
}

/* Abuse: file descriptors that were never opened. */
int t_write_badfd(void)
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
int t_write_efault_null(void)
{
	EXPECT(write_errno(1, NULL, 1) == EFAULT);
	EXPECT(write_errno(1, UT_UNMAPPED, 8) == EFAULT);
	return 0;
}

/* Abuse: make the kernel copy out its own memory (direct map, text). */
int t_write_efault_kernel(void)
{
	EXPECT(write_errno(1, UT_KERNEL_DIRECT, 8) == EFAULT);
	EXPECT(write_errno(1, UT_KERNEL_TEXT, 8) == EFAULT);
	EXPECT(write_errno(1, (void *)-8ULL, 8) == EFAULT);
	return 0;
}

/* Abuse: a non-canonical address (#GP, not #PF, if dereferenced). */
int t_write_efault_noncanon(void)
{
	EXPECT(write_errno(1, UT_NONCANON, 8) == EFAULT);
	EXPECT(write_errno(1, UT_NONCANON_HIGH, 8) == EFAULT);
	return 0;
}

/* writev gathers its pieces in order; an empty vector writes nothing. */
int t_writev(void)
{
	char a[] = "utest: writev ", b[] = "", c[] = "gathers\n";
	struct iovec iov[] = {
		{ a, sizeof(a) - 1 }, { b, 0 }, { c, sizeof(c) - 1 },
	};

	EXPECT(syscall(SYS_writev, 1, iov, 3) ==
	       (long)(sizeof(a) + sizeof(c) - 2));
	EXPECT(syscall(SYS_writev, 1, iov, 0) == 0);
	EXPECT(UT_ERRNO(SYS_writev, 99, iov, 1) == EBADF);
	return 0;
}

/*
 * Abuse: a bad iovec array, and good arrays whose entries point at
 * kernel, unmapped or non-canonical memory; a count past IOV_MAX.
 */
int t_efault_writev(void)
{
	struct iovec iov[2] = { { "", 0 }, { NULL, 8 } };

	for (int i = 0; i < ut_nbad_ptrs; i++) {
		EXPECT(UT_ERRNO(SYS_writev, 1, ut_bad_ptrs[i], 1) == EFAULT);
		iov[1].iov_base = ut_bad_ptrs[i];
		EXPECT(UT_ERRNO(SYS_writev, 1, iov, 2) == EFAULT);
	}
	EXPECT(UT_ERRNO(SYS_writev, 1, iov, 1025) == EINVAL);
	return 0;
}

/*
 * /dev/console through the console server (/sbin/console): a character
 * device and a tty; TCGETS shows Linux's defaults; TCSETS and TCSETSF
 * round trip; the window is 80x24; abuse: an unknown request and a
 * foreground group that does not exist are refused, not obeyed.
 */
int t_console_tty(void)
{
	static const char msg[] = "utest: console_tty writes through the server\n";
	struct termios t, t2;
	struct winsize ws;
	struct stat st;
	int fd, pgrp;

	if (!ut_on_loupe)
		return UT_SKIP;
	fd = open("/dev/console", O_RDWR);
	EXPECT(fd >= 0);
	EXPECT(isatty(fd));
	EXPECT(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode));
	EXPECT(tcgetattr(fd, &t) == 0);
	EXPECT((t.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG));
	EXPECT((t.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR));
	EXPECT(t.c_cc[VINTR] == 3 && t.c_cc[VERASE] == 0x7f &&
	       t.c_cc[VKILL] == 0x15 && t.c_cc[VEOF] == 4);
	t2 = t;
	t2.c_cc[VMIN] = 5;
	t2.c_lflag &= ~ECHOCTL;
	EXPECT(tcsetattr(fd, TCSANOW, &t2) == 0);
	memset(&t2, 0, sizeof(t2));
	EXPECT(tcgetattr(fd, &t2) == 0);
	EXPECT(t2.c_cc[VMIN] == 5 && !(t2.c_lflag & ECHOCTL));
	EXPECT(tcsetattr(fd, TCSAFLUSH, &t) == 0);
	EXPECT(tcgetattr(fd, &t2) == 0 && t2.c_lflag == t.c_lflag &&
	       t2.c_cc[VMIN] == t.c_cc[VMIN]);
	EXPECT(ioctl(fd, TIOCGWINSZ, &ws) == 0);
	EXPECT(ws.ws_row == 24 && ws.ws_col == 80);
	EXPECT(ioctl(fd, TIOCGPGRP, &pgrp) == 0 && pgrp >= 0);
	EXPECT(ioctl(fd, 0x54ff, 0) == -1 && (errno == ENOTTY || errno == EINVAL));
	EXPECT(tcflush(fd, TCIFLUSH) == 0);
	EXPECT(tcflush(fd, 7) == -1 && errno == EINVAL);
	pgrp = 999999;
	EXPECT(ioctl(fd, TIOCSPGRP, &pgrp) == -1 && errno == EPERM);
	EXPECT(write(fd, msg, sizeof(msg) - 1) == (ssize_t)sizeof(msg) - 1);
	EXPECT(close(fd) == 0);
	return 0;
}
