/*
 * Linux file calls. For now only the console descriptors exist: 0, 1 and
 * 2 are the kernel console, written through console_write (whole chunks,
 * so lines from different processes do not shred). This is the bootstrap
 * path until the console and VFS servers take the file calls over IPC
 * (docs/syscalls.md says which calls go where).
 */
#include "linux.h"

#define TCGETS		0x5401
#define TIOCGWINSZ	0x5413
#define CHUNK		256

void console_write(const char *s, size_t n);

struct iovec {
	uint64_t base, len;
};

static long sys_fs_console(unsigned long fd)
{
	return fd == 1 || fd == 2 ? 0 : -EBADF;
}

/* Write n user bytes at ubuf to the console. Returns bytes or -EFAULT. */
static long sys_fs_write_console(const char *ubuf, size_t n)
{
	char buf[CHUNK];
	size_t done = 0;

	while (done < n) {
		size_t c = MIN(n - done, sizeof(buf));

		if (copy_from_user(buf, ubuf + done, c))
			return done ? (long)done : -EFAULT;
		console_write(buf, c);
		done += c;
	}
	return done;
}

long sys_write(SYSCALL_ARGS)
{
	long err = sys_fs_console(a0);

	if (err)
		return err;
	if ((long)a2 < 0)
		return -EINVAL;
	return sys_fs_write_console((const char *)a1, a2);
}

long sys_writev(SYSCALL_ARGS)
{
	long err = sys_fs_console(a0), total = 0;

	if (err)
		return err;
	if (a2 > 1024)
		return -EINVAL;
	for (unsigned long i = 0; i < a2; i++) {
		struct iovec v;
		long n;

		if (copy_from_user(&v, (struct iovec *)a1 + i, sizeof(v)))
			return total ? total : -EFAULT;
		n = sys_fs_write_console((const char *)v.base, v.len);
		if (n < 0)
			return total ? total : n;
		total += n;
	}
	return total;
}

/* ioctl: the console is not a terminal yet (no line discipline). */
long sys_ioctl(SYSCALL_ARGS)
{
	if (a0 > 2)
		return -EBADF;
	return a1 == TCGETS || a1 == TIOCGWINSZ ? -ENOTTY : -EINVAL;
}
