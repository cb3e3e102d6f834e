/*
 * Linux calls on a file's attributes rather than its data: ownership
 * (chown, fchown, lchown, fchownat), times (utimensat) and the file
 * system's figures (statfs, fstatfs). Like the path calls (sys_path.c)
 * they become requests to the file's server: FS_CHOWN, FS_UTIMES and
 * FS_STATFS (include/loupe/fsproto.h), which keeps the attributes.
 *
 * Every process runs as root (uid and gid 0: there is no setuid), so the
 * permission checks are Linux's for root: any owner may be set.
 */
#include "linux.h"
#include "clock.h"
#include "file.h"
#include "pipe.h"
#include "srv.h"
#include "string.h"
#include "sys_fs.h"
#include <loupe/fsproto.h>

#define UTIME_NOW		((1l << 30) - 1l)
#define UTIME_OMIT		((1l << 30) - 2l)
#define PIPEFS_MAGIC		0x50495045
#define NS			1000000000l

/*
 * A request on a path (dirfd/upath; nofollow: not the last symlink) or,
 * with upath NULL, on the open file fd. in: bytes copied into the slot
 * at in_off first; out: the slot's first len bytes copied back.
 */
static long sys_attr_call(int dirfd, const char *upath, unsigned op,
			  uint64_t a1, uint64_t nofollow, const void *in,
			  size_t in_off, void *out, size_t len)
{
	struct srv_call c;
	struct file *f = NULL;
	uint64_t res[3];
	long ret;

	if (upath) {
		ret = sys_path_begin(dirfd, upath, &c);
		if (ret < 0)
			return ret;
	} else {
		f = file_get(dirfd);
		if (!f)
			return -EBADF;
		if (f->type != FILE_SRV) {
			file_put(f);
			return -EINVAL;		/* the caller answers for others */
		}
		srv_begin(f->reg, &c);
	}
	if (in)
		memcpy(c.buf + in_off, in, len);
	ret = srv_rpc(&c, op, f ? f->handle : 0, a1, nofollow, res);
	if (ret >= 0 && out)
		memcpy(out, c.buf, len);
	srv_end(&c);
	if (f)
		file_put(f);
	return ret < 0 ? ret : 0;
}

/* The type of the file behind fd, or -EBADF. */
static long sys_attr_type(int fd)
{
	struct file *f = file_get(fd);
	long type;

	if (!f)
		return -EBADF;
	type = f->type;
	file_put(f);
	return type;
}

/* uid and gid as FS_CHOWN's w1: (uint32_t)-1 leaves one alone. */
static uint64_t sys_attr_owner(unsigned long uid, unsigned long gid)
{
	return (uint32_t)uid | (uint64_t)(uint32_t)gid << 32;
}

long sys_chown(SYSCALL_ARGS)
{
	return sys_attr_call(AT_FDCWD, (const char *)a0, FS_CHOWN,
			     sys_attr_owner(a1, a2), 0, NULL, 0, NULL, 0);
}

long sys_lchown(SYSCALL_ARGS)
{
	return sys_attr_call(AT_FDCWD, (const char *)a0, FS_CHOWN,
			     sys_attr_owner(a1, a2), 1, NULL, 0, NULL, 0);
}

/* fchown: pipes and the kernel console have no owner to keep: as Linux, 0. */
long sys_fchown(SYSCALL_ARGS)
{
	long type = sys_attr_type(a0);

	if (type < 0 || type != FILE_SRV)
		return type < 0 ? type : 0;
	return sys_attr_call(a0, NULL, FS_CHOWN, sys_attr_owner(a1, a2), 0,
			     NULL, 0, NULL, 0);
}

/* fchownat(dirfd, path, uid, gid, flags); AT_EMPTY_PATH with "" is fchown. */
long sys_fchownat(SYSCALL_ARGS)
{
	char c;

	if (a4 & ~(unsigned long)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((a4 & AT_EMPTY_PATH) && !copy_from_user(&c, (void *)a1, 1) && !c)
		return sys_fchown(a0, a2, a3, 0, 0, 0);
	return sys_attr_call(a0, (const char *)a1, FS_CHOWN,
			     sys_attr_owner(a2, a3), !!(a4 & AT_SYMLINK_NOFOLLOW),
			     NULL, 0, NULL, 0);
}

/* One of utimensat's times: UTIME_NOW becomes now, OMIT stays. */
static long sys_attr_time(const int64_t t[2], uint64_t now, long long *sec,
			  long long *nsec)
{
	if (t[1] == UTIME_NOW) {
		*sec = now / NS;
		*nsec = now % NS;
	} else if (t[1] == UTIME_OMIT || (t[1] >= 0 && t[1] < NS)) {
		*sec = t[0];
		*nsec = t[1];
	} else {
		return -EINVAL;
	}
	return 0;
}

/*
 * utimensat(dirfd, path, times, flags): times NULL is now for both; a
 * NULL path works on dirfd itself (futimens).
 */
long sys_utimensat(SYSCALL_ARGS)
{
	int64_t t[4] = { 0, UTIME_NOW, 0, UTIME_NOW };
	struct fs_utimes u;
	uint64_t now = clock_realtime_ns();
	long type;

	if (a3 & ~(unsigned long)AT_SYMLINK_NOFOLLOW)
		return -EINVAL;
	if (a2 && copy_from_user(t, (void *)a2, sizeof(t)))
		return -EFAULT;
	if (sys_attr_time(t, now, &u.atime_sec, &u.atime_nsec) ||
	    sys_attr_time(t + 2, now, &u.mtime_sec, &u.mtime_nsec))
		return -EINVAL;
	if (t[1] == UTIME_OMIT && t[3] == UTIME_OMIT)
		return 0;		/* Linux returns before the lookup */
	if (a1)
		return sys_attr_call(a0, (const char *)a1, FS_UTIMES, 0,
				     !!(a3 & AT_SYMLINK_NOFOLLOW), &u,
				     FS_UTIMES_OFF, NULL, sizeof(u));
	if ((int)a0 == AT_FDCWD)
		return -EFAULT;		/* no path and no descriptor */
	if (a3)
		return -EINVAL;
	type = sys_attr_type(a0);
	if (type < 0 || type != FILE_SRV)
		return type < 0 ? type : 0;
	return sys_attr_call(a0, NULL, FS_UTIMES, 0, 0, &u, FS_UTIMES_OFF,
			     NULL, sizeof(u));
}

/* Linux's struct statfs on x86_64 from the protocol's. */
static long sys_attr_statfs_out(void *ubuf, const struct fs_statfs *s)
{
	struct {
		int64_t type, bsize;
		uint64_t blocks, bfree, bavail, files, ffree;
		int32_t fsid[2];
		int64_t namelen, frsize, flags, spare[4];
	} st = {
		.type = s->type, .bsize = s->bsize, .blocks = s->blocks,
		.bfree = s->bfree, .bavail = s->bavail, .files = s->files,
		.ffree = s->ffree, .namelen = s->namelen, .frsize = s->bsize,
	};

	_Static_assert(sizeof(st) == 120, "Linux x86_64 struct statfs");
	return copy_to_user(ubuf, &st, sizeof(st));
}

long sys_statfs(SYSCALL_ARGS)
{
	struct fs_statfs s;
	long ret;

	if (!uaccess_ok(a1, 120))
		return -EFAULT;
	ret = sys_attr_call(AT_FDCWD, (const char *)a0, FS_STATFS, 0, 0, NULL,
			    0, &s, sizeof(s));
	return ret < 0 ? ret : sys_attr_statfs_out((void *)a1, &s);
}

/* fstatfs: a pipe is pipefs's, as on Linux; served files ask the server. */
long sys_fstatfs(SYSCALL_ARGS)
{
	struct fs_statfs s = { .type = PIPEFS_MAGIC, .bsize = PAGE_SIZE,
			       .namelen = 255 };
	long type = sys_attr_type(a0), ret = 0;

	if (type < 0)
		return type;
	if (!uaccess_ok(a1, 120))
		return -EFAULT;
	if (type == FILE_SRV)
		ret = sys_attr_call(a0, NULL, FS_STATFS, 0, 0, NULL, 0, &s,
				    sizeof(s));
	return ret < 0 ? ret : sys_attr_statfs_out((void *)a1, &s);
}
