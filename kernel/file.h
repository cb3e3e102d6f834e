/*
 * Open files and file-descriptor tables (file.c). An open file (struct
 * file, Linux's "open file description") is shared by dup and fork and
 * holds the offset; the descriptor table maps small numbers to them. The
 * Linux calls on them are in kernel/linux/sys_fs.c.
 */
#ifndef KERNEL_FILE_H
#define KERNEL_FILE_H

#include "types.h"
#include "spinlock.h"

#define FD_MAX		256
#define AT_FDCWD	(-100)		/* a dirfd: the current directory */
#define CWD_MAX		1024		/* the longest current directory */
#define PATH_MAX	4096		/* the longest path a call takes */

#define O_ACCMODE	3
#define O_RDONLY	0
#define O_WRONLY	1
#define O_RDWR		2
#define O_CREAT		0100
#define O_EXCL		0200
#define O_TRUNC		01000
#define O_APPEND	02000
#define O_NONBLOCK	04000
#define O_DIRECTORY	0200000
#define O_CLOEXEC	02000000

#define S_IFMT		0170000
#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFIFO		0010000
#define S_IFREG		0100000

/* poll's event bits (Linux's). */
#define POLLIN		0x001
#define POLLPRI		0x002
#define POLLOUT		0x004
#define POLLERR		0x008
#define POLLHUP		0x010
#define POLLNVAL	0x020
#define POLLRDNORM	0x040
#define POLLWRNORM	0x100

enum file_type {
	FILE_KCONSOLE,			/* the kernel console (before servers) */
	FILE_SRV,			/* served by a file server over IPC */
	FILE_PIPE,			/* one end of a pipe (pipe.c) */
};

struct file {
	int refs;			/* atomic: descriptors naming it */
	enum file_type type;
	struct srv_reg *reg;		/* FILE_SRV: the server (a reference) */
	uint64_t handle;		/* FILE_SRV: what the server issued */
	unsigned mode;			/* st_mode from the open */
	char *path;			/* directories: for fchdir and *at */
	struct pipe *pipe;		/* FILE_PIPE: the pipe (pipe.c) */
	/* Changed by any sharer without a lock (atomic accesses): */
	unsigned flags;			/* O_ACCMODE, O_APPEND, O_NONBLOCK */
	uint64_t off;			/* the file offset, or dirent cookie */
};

struct pipe;
struct proc;
struct srv_reg;

struct fd_table {
	struct spinlock lock;		/* protects fd[], cloexec[], cwd */
	struct file *fd[FD_MAX];
	uint64_t cloexec[FD_MAX / 64];
	char cwd[CWD_MAX];		/* absolute, normalized */
	unsigned umask;			/* atomic: cleared from new files' modes */
};

int file_table_init(struct proc *p, bool console);
int file_table_copy(struct proc *child, struct proc *parent);
void file_table_release(struct proc *p);
void file_table_exec(struct proc *p);

struct file *file_alloc(enum file_type type, unsigned flags);
struct file *file_get(int fd);
void file_put(struct file *f);
int file_install(struct file *f, int min, bool cloexec);
int file_close(int fd);
int file_dup2(int oldfd, int newfd, bool cloexec);
int file_cloexec(int fd, int set);

int file_path(int dirfd, const char *upath, char *out, size_t max,
	      char *scratch);
size_t file_cwd(char *out);
int file_set_cwd(const char *path);
int file_normalize(const char *base, const char *path, char *out, size_t max);

#endif
