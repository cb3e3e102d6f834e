/*
 * Linux file calls on descriptors: read, write and their vector and
 * positioned forms, lseek, fstat, getdents64, ioctl, dup*, fcntl, close.
 * Descriptors and offsets are the kernel's (kernel/file.c); the data
 * comes from the file servers over IPC, a slot of the server's shared
 * area at a time (include/loupe/fsproto.h). Path calls: sys_path.c.
 *
 * Before any server runs, init's 0, 1 and 2 are the kernel console:
 * writes go through console_write in whole chunks (so lines from
 * different processes do not shred), reads see end of file.
 */
#include "linux.h"
#include "file.h"
#include "pipe.h"
#include "srv.h"
#include "string.h"
#include "sys_fs.h"
#include <loupe/fsproto.h>

#define CHUNK		256
#define IOV_MAX		1024
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2

#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_DUPFD_CLOEXEC	1030
#define FD_CLOEXEC	1
#define SETFL_MASK	(O_APPEND | O_NONBLOCK)

void console_write(const char *s, size_t n);

struct iovec {
	uint64_t base, len;
};

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

/*
 * Move n bytes between the user's buffer and file f at offset off (write
 * or read), one request slot at a time. Returns the bytes moved (a short
 * count ends it) or -errno if none were.
 */
static long sys_fs_io(struct file *f, char *ubuf, size_t n, uint64_t off,
		      bool write, uint64_t *end)
{
	struct srv_call c;
	uint64_t out[3];
	size_t done = 0;
	long ret = 0;

	if (f->type == FILE_KCONSOLE)
		return write ? sys_fs_write_console(ubuf, n) : 0;
	if (!uaccess_ok((uintptr_t)ubuf, n))
		return -EFAULT;
	if (f->type == FILE_PIPE)
		return write ? pipe_write(f, ubuf, n) : pipe_read(f, ubuf, n);
	srv_begin(f->reg, &c);
	*end = off;
	while (done < n) {
		size_t want = MIN(n - done, FS_SLOT_SIZE);

		if (write && copy_from_user(c.buf, ubuf + done, want)) {
			ret = -EFAULT;
			break;
		}
		ret = srv_rpc(&c, write ? FS_WRITE : FS_READ, f->handle, want,
			      off + done, out);
		if (ret < 0)
			break;
		if ((size_t)ret > want)
			ret = want;	/* a server may not overrun its slot */
		if (!write && copy_to_user(ubuf + done, c.buf, ret)) {
			ret = -EFAULT;
			break;
		}
		done += ret;
		*end = write ? out[1] : off + done;
		if ((size_t)ret < want)
			break;
	}
	srv_end(&c);
	return done ? (long)done : ret;
}

/* The file behind fd if it was opened for acc (O_RDONLY or O_WRONLY). */
static struct file *sys_fs_file(int fd, unsigned acc, long *err)
{
	struct file *f = file_get(fd);
	unsigned mode;

	*err = -EBADF;
	if (!f)
		return NULL;
	mode = READ_ONCE(f->flags) & O_ACCMODE;
	if (mode != O_RDWR && mode != acc) {
		file_put(f);
		return NULL;
	}
	if (acc == O_RDONLY && (f->mode & S_IFMT) == S_IFDIR) {
		*err = -EISDIR;
		file_put(f);
		return NULL;
	}
	return f;
}

/* read/write (pos < 0: at and advancing the file's offset) */
static long sys_fs_rw(int fd, char *ubuf, long n, long pos, bool write)
{
	struct file *f;
	uint64_t end = 0, off;
	long ret;

	f = sys_fs_file(fd, write ? O_WRONLY : O_RDONLY, &ret);
	if (!f)
		return ret;
	if (n < 0 || (pos >= 0 && f->type == FILE_PIPE)) {
		file_put(f);
		return n < 0 ? -EINVAL : -ESPIPE;
	}
	off = pos >= 0 ? (uint64_t)pos : __atomic_load_n(&f->off,
							 __ATOMIC_RELAXED);
	ret = n ? sys_fs_io(f, ubuf, n, off, write, &end) : 0;
	if (ret > 0 && pos < 0)
		__atomic_store_n(&f->off, end, __ATOMIC_RELAXED);
	file_put(f);
	return ret;
}

long sys_read(SYSCALL_ARGS)
{
	return sys_fs_rw(a0, (char *)a1, a2, -1, false);
}

long sys_write(SYSCALL_ARGS)
{
	return sys_fs_rw(a0, (char *)a1, a2, -1, true);
}

long sys_pread64(SYSCALL_ARGS)
{
	return (long)a3 < 0 ? -EINVAL : sys_fs_rw(a0, (char *)a1, a2, a3, false);
}

long sys_pwrite64(SYSCALL_ARGS)
{
	return (long)a3 < 0 ? -EINVAL : sys_fs_rw(a0, (char *)a1, a2, a3, true);
}

static long sys_fs_rwv(int fd, const struct iovec *uiov, unsigned long cnt,
		       bool write)
{
	long total = 0;

	if (cnt > IOV_MAX)
		return -EINVAL;
	for (unsigned long i = 0; i < cnt; i++) {
		struct iovec v;
		long n;

		if (copy_from_user(&v, uiov + i, sizeof(v)))
			return total ? total : -EFAULT;
		n = sys_fs_rw(fd, (char *)v.base, v.len, -1, write);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((uint64_t)n < v.len)
			break;
	}
	if (!cnt) {	/* still check the descriptor */
		struct file *f = sys_fs_file(fd, write ? O_WRONLY : O_RDONLY,
					     &total);

		if (!f)
			return total;
		file_put(f);
		return 0;
	}
	return total;
}

long sys_readv(SYSCALL_ARGS)
{
	return sys_fs_rwv(a0, (const struct iovec *)a1, a2, false);
}

long sys_writev(SYSCALL_ARGS)
{
	return sys_fs_rwv(a0, (const struct iovec *)a1, a2, true);
}

/*
 * One request on an open file with no user data: the server's w0 (and
 * w1, w2 in out), with the slot's contents copied to kbuf (len bytes).
 */
long sys_fs_call(struct file *f, unsigned op, uint64_t a1, uint64_t a2,
		 uint64_t out[3], void *kbuf, size_t len)
{
	struct srv_call c;
	long ret;

	if (f->type != FILE_SRV)
		return -EINVAL;
	srv_begin(f->reg, &c);
	ret = srv_rpc(&c, op, f->handle, a1, a2, out);
	if (ret >= 0 && kbuf)
		memcpy(kbuf, c.buf, len);
	srv_end(&c);
	return ret;
}

long sys_lseek(SYSCALL_ARGS)
{
	struct file *f = file_get(a0);
	uint64_t out[3];
	long base = 0, ret;

	if (!f)
		return -EBADF;
	if (f->type == FILE_PIPE) {
		file_put(f);
		return -ESPIPE;
	}
	if (a2 == SEEK_CUR)
		base = __atomic_load_n(&f->off, __ATOMIC_RELAXED);
	else if (a2 == SEEK_END)
		base = f->type == FILE_SRV ?
		       sys_fs_call(f, FS_SIZE, 0, 0, out, NULL, 0) : 0;
	else if (a2 != SEEK_SET)
		base = -EINVAL;
	ret = base;
	if (ret >= 0 && (f->mode & S_IFMT) == S_IFDIR)
		ret = a1 || a2 != SEEK_SET ? -EINVAL : 0;	/* rewinddir */
	else if (ret >= 0)
		ret = base + (long)a1 < 0 ? -EINVAL : base + (long)a1;
	if (ret >= 0 && (f->mode & S_IFMT) == S_IFCHR)
		ret = 0;			/* devices have no position */
	if (ret >= 0)
		__atomic_store_n(&f->off, ret, __ATOMIC_RELAXED);
	file_put(f);
	return ret;
}

/* Linux's struct stat (x86_64) from the protocol's. */
long sys_fs_stat_out(void *ubuf, const struct fs_stat *s)
{
	struct {
		uint64_t dev, ino, nlink;
		uint32_t mode, uid, gid, pad;
		uint64_t rdev;
		int64_t size, blksize, blocks;
		int64_t times[6];
		int64_t unused[3];
	} st = {
		.dev = s->dev, .ino = s->ino, .nlink = s->nlink,
		.mode = s->mode, .rdev = s->rdev, .size = s->size,
		.blksize = s->blksize ? s->blksize : 4096,
		.blocks = (s->size + 511) / 512,
		.uid = s->uid, .gid = s->gid,
		.times = { s->atime_sec, s->atime_nsec, s->mtime_sec,
			   s->mtime_nsec, s->ctime_sec, s->ctime_nsec },
	};

	/* A server that keeps only mtime (pipes, the console, the initrd). */
	if (!s->atime_sec && !s->atime_nsec) {
		st.times[0] = s->mtime_sec;
		st.times[1] = s->mtime_nsec;
	}
	if (!s->ctime_sec && !s->ctime_nsec) {
		st.times[4] = s->mtime_sec;
		st.times[5] = s->mtime_nsec;
	}

	_Static_assert(sizeof(st) == 144, "Linux x86_64 struct stat");
	return copy_to_user(ubuf, &st, sizeof(st));
}

long sys_fs_fstat(int fd, void *ubuf)
{
	struct file *f = file_get(fd);
	struct fs_stat s = { .mode = S_IFCHR | 0620, .nlink = 1 };
	uint64_t out[3];
	long err = 0;

	if (!f)
		return -EBADF;
	if (!uaccess_ok((uintptr_t)ubuf, 144))
		err = -EFAULT;
	else if (f->type == FILE_SRV)
		err = sys_fs_call(f, FS_FSTAT, 0, 0, out, &s, sizeof(s));
	else if (f->type == FILE_PIPE)
		s = (struct fs_stat){ .mode = f->mode, .nlink = 1,
				      .size = pipe_unread(f), .blksize = 4096 };
	if (err >= 0)
		err = sys_fs_stat_out(ubuf, &s);
	file_put(f);
	return err;
}

long sys_fstat(SYSCALL_ARGS)
{
	return sys_fs_fstat(a0, (void *)a1);
}

/* getdents64(fd, buf, count): the directory's offset is the server's cookie. */
long sys_getdents64(SYSCALL_ARGS)
{
	struct file *f = file_get(a0);
	struct srv_call c;
	uint64_t out[3];
	long ret;

	if (!f)
		return -EBADF;
	if ((f->mode & S_IFMT) != S_IFDIR || f->type != FILE_SRV)
		ret = -ENOTDIR;
	else if (!uaccess_ok(a1, a2))
		ret = -EFAULT;
	else {
		srv_begin(f->reg, &c);
		ret = srv_rpc(&c, FS_GETDENTS, f->handle, MIN(a2, FS_SLOT_SIZE),
			      __atomic_load_n(&f->off, __ATOMIC_RELAXED), out);
		if (ret > (long)MIN(a2, FS_SLOT_SIZE))
			ret = -EIO;
		if (ret > 0 && copy_to_user((void *)a1, c.buf, ret))
			ret = -EFAULT;
		else if (ret > 0)
			__atomic_store_n(&f->off, out[1], __ATOMIC_RELAXED);
		srv_end(&c);
	}
	file_put(f);
	return ret;
}

/*
 * The terminal requests the kernel forwards: the size and direction of the
 * argument struct it copies (0: the argument is a plain integer, in w2).
 */
static int sys_fs_ioctl_size(unsigned long req, bool *in)
{
	*in = true;
	switch (req) {
	case 0x5401:			/* TCGETS */
		*in = false;
		return 36;
	case 0x5402: case 0x5403: case 0x5404:	/* TCSETS, TCSETSW, TCSETSF */
		return 36;
	case 0x5413:			/* TIOCGWINSZ */
		*in = false;
		return 8;
	case 0x5414:			/* TIOCSWINSZ */
		return 8;
	case 0x540f: case 0x541b:	/* TIOCGPGRP, FIONREAD */
		*in = false;
		return 4;
	case 0x5410:			/* TIOCSPGRP */
		return 4;
	case 0x540b:			/* TCFLSH */
		return 0;
	default:
		return -ENOTTY;
	}
}

/* ioctl: forwarded (FS_IOCTL) with its argument struct in the slot. */
long sys_ioctl(SYSCALL_ARGS)
{
	struct file *f = file_get(a0);
	struct srv_call c;
	uint64_t out[3];
	bool in;
	int size = sys_fs_ioctl_size(a1, &in);
	long ret = size;

	if (!f)
		return -EBADF;
	if (f->type == FILE_PIPE && a1 == 0x541b) {	/* FIONREAD */
		uint32_t n = pipe_unread(f);

		ret = copy_to_user((void *)a2, &n, sizeof(n));
	} else if (f->type == FILE_PIPE)
		ret = -ENOTTY;
	else if (f->type != FILE_SRV || (f->mode & S_IFMT) != S_IFCHR)
		ret = -ENOTTY;
	else if (size > 0 && !uaccess_ok(a2, size))
		ret = -EFAULT;
	else if (size >= 0) {
		srv_begin(f->reg, &c);
		ret = in ? copy_from_user(c.buf, (void *)a2, size) : 0;
		if (!ret)
			ret = srv_rpc(&c, FS_IOCTL, f->handle, a1, a2, out);
		if (ret >= 0 && !in && copy_to_user((void *)a2, c.buf, size))
			ret = -EFAULT;
		srv_end(&c);
	}
	file_put(f);
	return ret;
}

/*
 * pipe2(fds, flags): the read end in fds[0], the write end in fds[1].
 * Both descriptors are installed only once the array can be written.
 */
long sys_pipe2(SYSCALL_ARGS)
{
	struct file *rd, *wr;
	int fd[2] = { -1, -1 };
	long err;

	if (a1 & ~(unsigned long)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (!uaccess_ok(a0, sizeof(fd)))
		return -EFAULT;
	err = pipe_create(a1 & O_NONBLOCK, &rd, &wr);
	if (err)
		return err;
	/* file_install() drops the reference it could not install. */
	fd[0] = file_install(rd, 0, a1 & O_CLOEXEC);
	if (fd[0] < 0) {
		file_put(wr);
		return fd[0];
	}
	fd[1] = file_install(wr, 0, a1 & O_CLOEXEC);
	err = fd[1] < 0 ? fd[1] : copy_to_user((void *)a0, fd, sizeof(fd));
	if (err) {
		file_close(fd[0]);
		if (fd[1] >= 0)
			file_close(fd[1]);
	}
	return err;
}

long sys_pipe(SYSCALL_ARGS)
{
	return sys_pipe2(a0, 0, 0, 0, 0, 0);
}

long sys_close(SYSCALL_ARGS)
{
	return file_close(a0);
}

long sys_dup(SYSCALL_ARGS)
{
	struct file *f = file_get(a0);

	return f ? file_install(f, 0, false) : -EBADF;
}

long sys_dup2(SYSCALL_ARGS)
{
	struct file *f;

	if (a0 != a1)
		return file_dup2(a0, a1, false);
	f = file_get(a0);		/* dup2(fd, fd) only checks fd */
	if (!f)
		return -EBADF;
	file_put(f);
	return a1;
}

long sys_dup3(SYSCALL_ARGS)
{
	if (a0 == a1 || (a2 & ~(unsigned long)O_CLOEXEC))
		return -EINVAL;
	return file_dup2(a0, a1, a2 & O_CLOEXEC);
}

long sys_fcntl(SYSCALL_ARGS)
{
	struct file *f = file_get(a0);
	long ret = 0;

	if (!f)
		return -EBADF;
	switch (a1) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a2 >= FD_MAX) {
			file_put(f);
			return -EINVAL;
		}
		return file_install(f, a2, a1 == F_DUPFD_CLOEXEC);
	case F_GETFD:
		ret = file_cloexec(a0, -1);
		break;
	case F_SETFD:
		ret = file_cloexec(a0, a2 & FD_CLOEXEC);
		break;
	case F_GETFL:
		ret = READ_ONCE(f->flags);
		break;
	case F_SETFL:
		__atomic_store_n(&f->flags, (f->flags & ~SETFL_MASK) |
				 (a2 & SETFL_MASK), __ATOMIC_RELAXED);
		break;
	default:
		ret = -EINVAL;
	}
	file_put(f);
	return ret;
}
