/* Shared by the file-call files (sys_fs.c, sys_path.c, sys_attr.c). */
#ifndef KERNEL_LINUX_SYS_FS_H
#define KERNEL_LINUX_SYS_FS_H

#include "types.h"

/* The *at calls' flags, as Linux numbers them (AT_FDCWD: file.h). */
#define AT_SYMLINK_NOFOLLOW	0x100
#define AT_EMPTY_PATH		0x1000

struct file;
struct fs_stat;
struct srv_call;

long sys_fs_call(struct file *f, unsigned op, uint64_t a1, uint64_t a2,
		 uint64_t out[3], void *kbuf, size_t len);
long sys_fs_stat_out(void *ubuf, const struct fs_stat *s);
long sys_fs_fstat(int fd, void *ubuf);
long sys_path_begin(int dirfd, const char *upath, struct srv_call *c);

#endif
