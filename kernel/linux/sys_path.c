/*
 * Linux file calls that take a path: open, stat, access, mkdir, unlink,
 * rename, truncate, and the current directory (getcwd, chdir, fchdir).
 * The kernel makes every path absolute and normalized (kernel/file.c)
 * in a slot of the VFS's request area and asks the VFS; the VFS may
 * answer an open with another server (/dev/console: SRV_CONSOLE).
 *
 * Before the VFS registers, stat and access look in the initrd, so init
 * can find its servers.
 */
#include "linux.h"
#include "bootinfo.h"
#include "cpio.h"
#include "file.h"
#include "kmalloc.h"
#include "pmm.h"
#include "srv.h"
#include "string.h"
#include "sys_fs.h"
#include <arch/mmu.h>
#include <loupe/fsproto.h>

#define AT_REMOVEDIR		0x200
#define AT_EACCESS		0x200
#define AT_SYMLINK_FOLLOW	0x400
#define X_OK			1
#define SCRATCH			(FS_SLOT_SIZE / 2)	/* slot half for the raw path */

static unsigned sys_path_umask(void)
{
	return __atomic_load_n(&current_proc()->files->umask, __ATOMIC_RELAXED);
}

/*
 * Start a path call: a VFS slot holding dirfd/upath resolved. Returns
 * the path's length or -errno (the call is then not begun).
 */
long sys_path_begin(int dirfd, const char *upath, struct srv_call *c)
{
	long ret = srv_begin_id(SRV_VFS, c);

	if (ret)
		return ret;
	ret = file_path(dirfd, upath, c->buf, PATH_MAX, c->buf + SCRATCH);
	if (ret < 0)
		srv_end(c);
	return ret;
}

/* A request about a path with no other result: w0 (0 or -errno). */
static long sys_path_simple(int dirfd, const char *upath, unsigned op,
			    uint64_t a1)
{
	struct srv_call c;
	uint64_t out[3];
	long ret = sys_path_begin(dirfd, upath, &c);

	if (ret < 0)
		return ret;
	ret = srv_rpc(&c, op, 0, a1, 0, out);
	srv_end(&c);
	return ret;
}

/* openat(dirfd, path, flags, mode) */
static long sys_path_open(int dirfd, const char *upath, unsigned long flags,
			  unsigned mode)
{
	struct srv_reg *reg = NULL;
	struct srv_call c;
	struct file *f;
	uint64_t out[3];
	char *dirpath = NULL;
	long ret = sys_path_begin(dirfd, upath, &c), len = ret;

	if (ret < 0)
		return ret;
	ret = srv_rpc(&c, FS_OPEN, 0, flags & ~(unsigned long)O_CLOEXEC,
		      mode & 07777 & ~sys_path_umask(), out);
	if (ret >= 0 && out[1] == SRV_VFS)
		reg = srv_hold(c.reg);	/* the very VFS that issued the handle */
	else if (ret >= 0)
		reg = srv_get(out[1]);
	/* The path is still in the slot: FS_OPEN writes none back. */
	if (ret >= 0 && (out[2] & S_IFMT) == S_IFDIR)
		dirpath = kmalloc(len + 1);
	if (dirpath) {
		memcpy(dirpath, c.buf, len);
		dirpath[len] = '\0';
	}
	srv_end(&c);
	if (ret >= 0 && !reg)
		ret = -ENXIO;		/* e.g. /dev/console, no console server */
	if (ret < 0) {
		kfree(dirpath);
		return ret;
	}
	f = file_alloc(FILE_SRV, flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	if (!f) {
		srv_put(reg);		/* the server keeps an unused handle */
		kfree(dirpath);
		return -ENOMEM;
	}
	f->reg = reg;
	f->handle = ret;
	f->mode = out[2];
	f->path = dirpath;
	if ((out[2] & S_IFMT) == S_IFDIR && !dirpath) {
		file_put(f);		/* FS_CLOSE for the handle */
		return -ENOMEM;
	}
	return file_install(f, 0, flags & O_CLOEXEC);
}

/* As Linux, unknown open flags are ignored. */
long sys_open(SYSCALL_ARGS)
{
	return sys_path_open(AT_FDCWD, (const char *)a0, a1, a2);
}

long sys_openat(SYSCALL_ARGS)
{
	return sys_path_open(a0, (const char *)a1, a2, a3);
}

/* The initrd's idea of path (absolute, normalized), before the VFS runs. */
static long sys_path_initrd_stat(const char *path, struct fs_stat *s)
{
	struct cpio_entry e;

	if (!boot_info.nmods)
		return -ENOENT;
	if (!strcmp(path, "/")) {
		s->mode = S_IFDIR | 0755;
		return 0;
	}
	if (cpio_find(phys_to_virt(boot_info.mods[0].base),
		      boot_info.mods[0].len, path + 1, &e))
		return -ENOENT;
	s->ino = e.ino;
	s->mode = e.mode;
	s->nlink = e.nlink;
	s->size = e.size;
	s->mtime_sec = e.mtime;
	return 0;
}

/* stat of a path into *s: the VFS's answer, or the initrd's without one. */
static long sys_path_stat(int dirfd, const char *upath, bool nofollow,
			  struct fs_stat *s)
{
	struct srv_call c;
	uint64_t out[3];
	char *tmp;
	long ret = sys_path_begin(dirfd, upath, &c);

	if (ret >= 0) {
		ret = srv_rpc(&c, FS_STAT, 0, nofollow, 0, out);
		if (ret >= 0)
			memcpy(s, c.buf, sizeof(*s));
		srv_end(&c);
		return ret;
	}
	if (ret != -ENXIO)
		return ret;
	tmp = pmm_alloc_virt(1);	/* the path, then PATH_MAX of scratch */
	if (!tmp)
		return -ENOMEM;
	ret = file_path(dirfd, upath, tmp, PATH_MAX, tmp + PATH_MAX);
	if (ret >= 0)
		ret = sys_path_initrd_stat(tmp, s);
	pmm_free_virt(tmp, 1);
	return ret;
}

static long sys_path_stat_user(int dirfd, const char *upath, void *ubuf,
			       bool nofollow)
{
	struct fs_stat s = { 0 };
	long ret;

	if (!uaccess_ok((uintptr_t)ubuf, 144))
		return -EFAULT;
	ret = sys_path_stat(dirfd, upath, nofollow, &s);
	return ret < 0 ? ret : sys_fs_stat_out(ubuf, &s);
}

long sys_stat(SYSCALL_ARGS)
{
	return sys_path_stat_user(AT_FDCWD, (const char *)a0, (void *)a1, false);
}

long sys_lstat(SYSCALL_ARGS)
{
	return sys_path_stat_user(AT_FDCWD, (const char *)a0, (void *)a1, true);
}

/* newfstatat(dirfd, path, buf, flags); AT_EMPTY_PATH with "" is fstat. */
long sys_newfstatat(SYSCALL_ARGS)
{
	char c;

	if (a3 & ~(unsigned long)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((a3 & AT_EMPTY_PATH) && !copy_from_user(&c, (void *)a1, 1) && !c)
		return sys_fs_fstat(a0, (void *)a2);
	return sys_path_stat_user(a0, (const char *)a1, (void *)a2,
				  a3 & AT_SYMLINK_NOFOLLOW);
}

/* access: root may do anything, but X_OK needs some execute bit. */
static long sys_path_access(int dirfd, const char *upath, unsigned long mode)
{
	struct fs_stat s = { 0 };
	long ret;

	if (mode & ~7ul)
		return -EINVAL;
	ret = sys_path_stat(dirfd, upath, false, &s);
	if (ret >= 0 && (mode & X_OK) && !(s.mode & 0111))
		ret = -EACCES;
	return ret < 0 ? ret : 0;
}

long sys_access(SYSCALL_ARGS)
{
	return sys_path_access(AT_FDCWD, (const char *)a0, a1);
}

long sys_faccessat(SYSCALL_ARGS)
{
	return sys_path_access(a0, (const char *)a1, a2);
}

long sys_mkdir(SYSCALL_ARGS)
{
	return sys_path_simple(AT_FDCWD, (const char *)a0, FS_MKDIR,
			       a1 & 07777 & ~sys_path_umask());
}

long sys_mkdirat(SYSCALL_ARGS)
{
	return sys_path_simple(a0, (const char *)a1, FS_MKDIR,
			       a2 & 07777 & ~sys_path_umask());
}

long sys_unlink(SYSCALL_ARGS)
{
	return sys_path_simple(AT_FDCWD, (const char *)a0, FS_UNLINK, 0);
}

long sys_rmdir(SYSCALL_ARGS)
{
	return sys_path_simple(AT_FDCWD, (const char *)a0, FS_UNLINK,
			       AT_REMOVEDIR);
}

long sys_unlinkat(SYSCALL_ARGS)
{
	if (a2 & ~(unsigned long)AT_REMOVEDIR)
		return -EINVAL;
	return sys_path_simple(a0, (const char *)a1, FS_UNLINK, a2);
}

/* rename(old, new): both paths in one slot, "old\0new". */
long sys_rename(SYSCALL_ARGS)
{
	struct srv_call c;
	uint64_t out[3];
	long ret = sys_path_begin(AT_FDCWD, (const char *)a0, &c), n;

	if (ret < 0)
		return ret;
	n = file_path(AT_FDCWD, (const char *)a1, c.buf + ret + 1,
		      SCRATCH - ret - 1, c.buf + SCRATCH);
	if (n >= 0)
		n = srv_rpc(&c, FS_RENAME, 0, 0, 0, out);
	srv_end(&c);
	return n < 0 ? n : 0;
}

/*
 * linkat(olddirfd, old, newdirfd, new, flags): both paths in one slot,
 * "old\0new"; w1 = 1 follows a symlink at old (AT_SYMLINK_FOLLOW).
 */
static long sys_path_link(int odir, const char *uold, int ndir,
			  const char *unew, unsigned long flags)
{
	struct srv_call c;
	uint64_t out[3];
	long ret, n;

	if (flags & ~(unsigned long)AT_SYMLINK_FOLLOW)
		return -EINVAL;
	ret = sys_path_begin(odir, uold, &c);
	if (ret < 0)
		return ret;
	n = file_path(ndir, unew, c.buf + ret + 1, SCRATCH - ret - 1,
		      c.buf + SCRATCH);
	if (n >= 0)
		n = srv_rpc(&c, FS_LINK, 0, !!(flags & AT_SYMLINK_FOLLOW), 0,
			    out);
	srv_end(&c);
	return n < 0 ? n : 0;
}

long sys_link(SYSCALL_ARGS)
{
	return sys_path_link(AT_FDCWD, (const char *)a0, AT_FDCWD,
			     (const char *)a1, 0);
}

long sys_linkat(SYSCALL_ARGS)
{
	return sys_path_link(a0, (const char *)a1, a2, (const char *)a3, a4);
}

static long sys_path_ftruncate(struct file *f, long len)
{
	uint64_t out[3];

	if (len < 0)
		return -EINVAL;
	if ((READ_ONCE(f->flags) & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	if ((f->mode & S_IFMT) == S_IFDIR)
		return -EISDIR;
	return sys_fs_call(f, FS_TRUNCATE, len, 0, out, NULL, 0);
}

long sys_ftruncate(SYSCALL_ARGS)
{
	struct file *f = file_get(a0);
	long ret;

	if (!f)
		return -EBADF;
	ret = sys_path_ftruncate(f, a1);
	file_put(f);
	return ret;
}

/* truncate(path, len): open for writing, truncate, close. */
long sys_truncate(SYSCALL_ARGS)
{
	long fd = sys_path_open(AT_FDCWD, (const char *)a0, O_WRONLY, 0);

	if (fd < 0)
		return fd;
	a0 = fd;
	fd = sys_ftruncate(a0, a1, a2, a3, a4, a5);
	file_close(a0);
	return fd;
}

/* getcwd(buf, size): the length with its NUL, as the Linux call returns. */
long sys_getcwd(SYSCALL_ARGS)
{
	char cwd[CWD_MAX];
	size_t n = file_cwd(cwd) + 1;	/* a copy: a sibling may chdir */

	if (a1 < n)
		return -ERANGE;
	return copy_to_user((void *)a0, cwd, n) ? -EFAULT : (long)n;
}

/* Make path (absolute, normalized, a directory) the cwd. */
static long sys_path_setcwd(const char *path)
{
	return file_set_cwd(path);
}

long sys_chdir(SYSCALL_ARGS)
{
	struct srv_call c;
	uint64_t out[3];
	struct fs_stat s;
	char *path;
	long ret = sys_path_begin(AT_FDCWD, (const char *)a0, &c);

	if (ret < 0)
		return ret;
	if (ret >= CWD_MAX) {
		srv_end(&c);
		return -ENAMETOOLONG;
	}
	/* Keep the path clear of the stat the server writes at the start. */
	path = c.buf + SCRATCH;
	memcpy(path, c.buf, ret + 1);
	ret = srv_rpc(&c, FS_STAT, 0, 0, 0, out);
	if (ret >= 0) {
		memcpy(&s, c.buf, sizeof(s));
		ret = (s.mode & S_IFMT) == S_IFDIR ? 0 : -ENOTDIR;
	}
	if (ret >= 0) {
		path[CWD_MAX - 1] = '\0';	/* whatever the server did */
		ret = sys_path_setcwd(path);
	}
	srv_end(&c);
	return ret;
}

long sys_fchdir(SYSCALL_ARGS)
{
	struct file *f = file_get(a0);
	long ret;

	if (!f)
		return -EBADF;
	ret = f->path ? sys_path_setcwd(f->path) : -ENOTDIR;
	file_put(f);
	return ret;
}

long sys_umask(SYSCALL_ARGS)
{
	return __atomic_exchange_n(&current_proc()->files->umask, a0 & 0777,
				   __ATOMIC_RELAXED);
}

/* Everything lives in servers' memory: there is nothing to write back. */
long sys_sync(SYSCALL_ARGS)
{
	return 0;
}

long sys_chmod(SYSCALL_ARGS)
{
	return sys_path_simple(AT_FDCWD, (const char *)a0, FS_CHMOD, a1 & 07777);
}

/* fchmodat(dirfd, path, mode, flags): no flags (AT_SYMLINK_NOFOLLOW is
 * EOPNOTSUPP on Linux too for this call). */
long sys_fchmodat(SYSCALL_ARGS)
{
	return sys_path_simple(a0, (const char *)a1, FS_CHMOD, a2 & 07777);
}

long sys_fchmod(SYSCALL_ARGS)
{
	struct file *f = file_get(a0);
	uint64_t out[3];
	long ret;

	if (!f)
		return -EBADF;
	ret = f->type == FILE_SRV ?
	      sys_fs_call(f, FS_CHMOD, a1 & 07777, 0, out, NULL, 0) : -EPERM;
	file_put(f);
	return ret;
}

/* symlinkat(target, dirfd, linkpath): "linkpath\0target" in one slot. */
static long sys_path_symlink(const char *utarget, int dirfd,
			     const char *ulink)
{
	struct srv_call c;
	uint64_t out[3];
	long ret = sys_path_begin(dirfd, ulink, &c), n;

	if (ret < 0)
		return ret;
	n = strncpy_from_user(c.buf + ret + 1, utarget, PATH_MAX);
	if (!n)
		n = -ENOENT;
	if (n > 0)
		n = srv_rpc(&c, FS_SYMLINK, 0, 0, 0, out);
	srv_end(&c);
	return n < 0 ? n : 0;
}

long sys_symlink(SYSCALL_ARGS)
{
	return sys_path_symlink((const char *)a0, AT_FDCWD, (const char *)a1);
}

long sys_symlinkat(SYSCALL_ARGS)
{
	return sys_path_symlink((const char *)a0, a1, (const char *)a2);
}

/* readlinkat(dirfd, path, buf, size): the target, not NUL-terminated. */
static long sys_path_readlink(int dirfd, const char *upath, char *ubuf,
			      long size)
{
	struct srv_call c;
	uint64_t out[3];
	long ret;

	if (size <= 0)
		return -EINVAL;
	if (!uaccess_ok((uintptr_t)ubuf, size))
		return -EFAULT;
	ret = sys_path_begin(dirfd, upath, &c);
	if (ret < 0)
		return ret;
	ret = srv_rpc(&c, FS_READLINK, 0, 0, 0, out);
	ret = MIN(ret, MIN(size, FS_SLOT_SIZE));
	if (ret > 0 && copy_to_user(ubuf, c.buf, ret))
		ret = -EFAULT;
	srv_end(&c);
	return ret;
}

long sys_readlink(SYSCALL_ARGS)
{
	return sys_path_readlink(AT_FDCWD, (const char *)a0, (char *)a1, a2);
}

long sys_readlinkat(SYSCALL_ARGS)
{
	return sys_path_readlink(a0, (const char *)a1, (char *)a2, a3);
}
