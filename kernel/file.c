/*
 * Open files, descriptor tables and the current directory: the parts of
 * the file system that live in the kernel (include/loupe/fsproto.h says
 * why). fork copies the table and shares the open files (so parent and
 * child share offsets); execve closes the O_CLOEXEC descriptors; exit
 * closes all. The last close of a served file sends FS_CLOSE.
 *
 * The threads of a process share its table (CLONE_FILES and CLONE_FS
 * together: struct proc holds one). table->lock protects fd[], cloexec[]
 * and cwd; it is never held across a server call (file_put may call
 * one), so closes collect the files under the lock and put them after.
 * umask is read and swapped atomically. Lock order: proc_lock (/proc's
 * snapshot reads another process's cwd, procinfo.c) -> table->lock ->
 * nothing (nothing under it touches user memory).
 */
#include "file.h"
#include "kmalloc.h"
#include "pmm.h"
#include "pipe.h"
#include "proc.h"
#include "sched.h"
#include "srv.h"
#include "string.h"
#include <arch/uaccess.h>
#include <loupe/fsproto.h>
#include <loupe/path.h>

static struct fd_table *file_table(void)
{
	return current_thread()->proc->files;
}

struct file *file_alloc(enum file_type type, unsigned flags)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->refs = 1;
	f->type = type;
	f->flags = flags;
	return f;
}

/* Drop a reference; the last one tells the server and frees the file. */
void file_put(struct file *f)
{
	struct srv_call c;

	/* Acq_rel: the last put sees every sharer's updates before the free. */
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (f->type == FILE_SRV) {
		srv_begin(f->reg, &c);
		srv_close(&c, f->handle);	/* even killed, at exit */
		srv_end(&c);
		srv_put(f->reg);
	}
	if (f->type == FILE_PIPE)
		pipe_release(f);
	kfree(f->path);
	kfree(f);
}

/* The file behind fd in the caller's table, with a reference; or NULL. */
struct file *file_get(int fd)
{
	struct fd_table *t = file_table();
	struct file *f = NULL;
	unsigned long fl;

	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	fl = spin_lock_irqsave(&t->lock);
	f = t->fd[fd];
	if (f)
		__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&t->lock, fl);
	return f;
}

static void file_set_cloexec(struct fd_table *t, int fd, bool on)
{
	if (on)
		t->cloexec[fd / 64] |= 1ull << (fd % 64);
	else
		t->cloexec[fd / 64] &= ~(1ull << (fd % 64));
}

/*
 * Put f (whose reference the caller hands over) in the lowest free
 * descriptor >= min. Returns it, or -EMFILE (the reference is dropped).
 */
int file_install(struct file *f, int min, bool cloexec)
{
	struct fd_table *t = file_table();
	unsigned long fl = spin_lock_irqsave(&t->lock);
	int fd;

	for (fd = min; fd < FD_MAX && t->fd[fd]; fd++)
		;
	if (fd < FD_MAX) {
		t->fd[fd] = f;
		file_set_cloexec(t, fd, cloexec);
	}
	spin_unlock_irqrestore(&t->lock, fl);
	if (fd >= FD_MAX) {
		file_put(f);
		return -EMFILE;
	}
	return fd;
}

int file_close(int fd)
{
	struct fd_table *t = file_table();
	struct file *f = NULL;
	unsigned long fl;

	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	fl = spin_lock_irqsave(&t->lock);
	f = t->fd[fd];
	t->fd[fd] = NULL;
	spin_unlock_irqrestore(&t->lock, fl);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

/* dup2/dup3: make newfd name oldfd's file, closing what newfd named. */
int file_dup2(int oldfd, int newfd, bool cloexec)
{
	struct fd_table *t = file_table();
	struct file *f = file_get(oldfd), *old;
	unsigned long fl;

	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= FD_MAX) {
		file_put(f);
		return -EBADF;
	}
	fl = spin_lock_irqsave(&t->lock);
	old = t->fd[newfd];
	t->fd[newfd] = f;
	file_set_cloexec(t, newfd, cloexec);
	spin_unlock_irqrestore(&t->lock, fl);
	if (old)
		file_put(old);
	return newfd;
}

/* F_GETFD (set < 0) or F_SETFD: fd's close-on-exec flag. */
int file_cloexec(int fd, int set)
{
	struct fd_table *t = file_table();
	unsigned long fl;
	int ret;

	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	fl = spin_lock_irqsave(&t->lock);
	if (!t->fd[fd])
		ret = -EBADF;
	else if (set < 0)
		ret = (t->cloexec[fd / 64] >> (fd % 64)) & 1;
	else {
		file_set_cloexec(t, fd, set);
		ret = 0;
	}
	spin_unlock_irqrestore(&t->lock, fl);
	return ret;
}

/*
 * A new table for p: empty, or (console) with 0, 1 and 2 on the kernel
 * console (PID 1, before any server runs). The cwd is "/".
 */
int file_table_init(struct proc *p, bool console)
{
	static const unsigned acc[3] = { O_RDONLY, O_WRONLY, O_WRONLY };
	struct fd_table *t = pmm_alloc_virt(0);

	_Static_assert(sizeof(struct fd_table) <= PAGE_SIZE, "one page");
	if (!t)
		return -ENOMEM;
	memset(t, 0, sizeof(*t));
	spin_init(&t->lock, "files");
	strlcpy(t->cwd, "/", sizeof(t->cwd));
	t->umask = 022;
	p->files = t;
	for (int fd = 0; console && fd < 3; fd++) {
		t->fd[fd] = file_alloc(FILE_KCONSOLE, acc[fd]);
		if (!t->fd[fd])
			return -ENOMEM;
		t->fd[fd]->mode = S_IFCHR | 0620;
	}
	return 0;
}

/* fork: the child names the same open files and starts in the same cwd. */
int file_table_copy(struct proc *child, struct proc *parent)
{
	struct fd_table *pt = parent->files, *t;
	unsigned long fl;
	int err = file_table_init(child, false);

	if (err)
		return err;
	t = child->files;
	fl = spin_lock_irqsave(&pt->lock);
	for (int fd = 0; fd < FD_MAX; fd++) {
		t->fd[fd] = pt->fd[fd];
		if (t->fd[fd])
			__atomic_add_fetch(&t->fd[fd]->refs, 1,
					   __ATOMIC_RELAXED);
	}
	memcpy(t->cloexec, pt->cloexec, sizeof(t->cloexec));
	spin_unlock_irqrestore(&pt->lock, fl);
	memcpy(t->cwd, pt->cwd, sizeof(t->cwd));
	t->umask = pt->umask;
	return 0;
}

/*
 * Close every descriptor of p whose bit is set in mask (NULL: all). The
 * table is scanned under its lock, which is dropped only around each
 * file_put() (a last close calls the file's server): an exit used to
 * take the lock once per slot, 256 times.
 */
static void file_close_mask(struct proc *p, const uint64_t *mask)
{
	struct fd_table *t = p->files;
	unsigned long fl = spin_lock_irqsave(&t->lock);

	for (int fd = 0; fd < FD_MAX; fd++) {
		struct file *f = t->fd[fd];

		if (mask && !(mask[fd / 64] >> (fd % 64) & 1))
			continue;
		file_set_cloexec(t, fd, false);
		if (!f)
			continue;
		t->fd[fd] = NULL;
		spin_unlock_irqrestore(&t->lock, fl);
		file_put(f);
		fl = spin_lock_irqsave(&t->lock);
	}
	spin_unlock_irqrestore(&t->lock, fl);
}

/* execve: close the O_CLOEXEC descriptors. */
void file_table_exec(struct proc *p)
{
	uint64_t mask[FD_MAX / 64];

	memcpy(mask, p->files->cloexec, sizeof(mask));
	file_close_mask(p, mask);
}

/* exit (or a process that never ran): close everything, free the table. */
void file_table_release(struct proc *p)
{
	struct fd_table *t = p->files;
	unsigned long f;

	if (!t)
		return;
	file_close_mask(p, NULL);
	f = spin_lock_irqsave(&proc_lock);	/* /proc reads the cwd under it */
	p->files = NULL;
	spin_unlock_irqrestore(&proc_lock, f);
	pmm_free_virt(t, 0);
}

/* Copy the caller's cwd into out (CWD_MAX bytes). Returns its length. */
size_t file_cwd(char *out)
{
	struct fd_table *t = file_table();
	unsigned long fl = spin_lock_irqsave(&t->lock);
	size_t n = strlcpy(out, t->cwd, CWD_MAX);

	spin_unlock_irqrestore(&t->lock, fl);
	return n;
}

/* Make path (absolute, normalized) the cwd. Returns 0 or -ENAMETOOLONG. */
int file_set_cwd(const char *path)
{
	struct fd_table *t = file_table();
	unsigned long fl;

	if (strlen(path) >= CWD_MAX)
		return -ENAMETOOLONG;
	fl = spin_lock_irqsave(&t->lock);
	strlcpy(t->cwd, path, CWD_MAX);
	spin_unlock_irqrestore(&t->lock, fl);
	return 0;
}

/*
 * Join absolute, normalized base and path (absolute or relative) into
 * out as an absolute path without ".", ".." or repeated slashes ("/.."
 * is "/"). Returns its length, or -ENAMETOOLONG.
 */
int file_normalize(const char *base, const char *path, char *out, size_t max)
{
	size_t n = 0;
	long len;

	if (*path != '/') {
		n = strlen(base);
		if (n >= max)
			return -ENAMETOOLONG;
		memcpy(out, base, n);
	}
	/* base "/": components append to "" */
	len = path_append(out, n == 1 ? 0 : n, path, max);
	if (len < 0)
		return -ENAMETOOLONG;
	if (!len)
		out[len++] = '/';
	out[len] = '\0';
	return len;
}

/*
 * The user's path, taken relative to dirfd (AT_FDCWD: the cwd; or an
 * open directory), as an absolute normalized path in out (max bytes).
 * scratch holds PATH_MAX bytes. Returns the length, -EFAULT,
 * -ENAMETOOLONG, -ENOENT (empty path), -EBADF or -ENOTDIR (dirfd).
 */
int file_path(int dirfd, const char *upath, char *out, size_t max,
	      char *scratch)
{
	long len = strncpy_from_user(scratch, upath, PATH_MAX);
	struct fd_table *t = file_table();
	struct file *dir;
	unsigned long fl;
	int ret;

	if (len < 0)
		return len;
	if (!len)
		return -ENOENT;
	if (scratch[0] == '/' || dirfd == AT_FDCWD) {
		fl = spin_lock_irqsave(&t->lock);	/* a sibling's chdir */
		ret = file_normalize(t->cwd, scratch, out, max);
		spin_unlock_irqrestore(&t->lock, fl);
		return ret;
	}
	dir = file_get(dirfd);
	if (!dir)
		return -EBADF;
	ret = dir->path ? file_normalize(dir->path, scratch, out, max) :
	      -ENOTDIR;
	file_put(dir);
	return ret;
}
