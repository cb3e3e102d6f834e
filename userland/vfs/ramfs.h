/*
 * The VFS server's RAM file system (ramfs.c): a tree of nodes holding
 * their data in memory, filled from the initrd at start-up (vfs.c).
 */
#ifndef USERLAND_VFS_RAMFS_H
#define USERLAND_VFS_RAMFS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <loupe/fsproto.h>

#define RAMFS_NAME_MAX	255
#define RAMFS_FILE_MAX	(64u << 20)	/* one file's largest size */
#define RAMFS_PATH_MAX	4096		/* a path, NUL included */
#define RAMFS_LOOPS	40		/* symlinks one lookup follows */

/* Character devices: what a read or write of one does. */
enum ramfs_dev { DEV_NONE, DEV_NULL, DEV_ZERO, DEV_CONSOLE, DEV_TTY, DEV_TEST };

/*
 * A name in the tree and, unless it is a hard link's extra name (target
 * set: that name's file), the file itself. A file lives while it has a
 * name (nlink) or a handle (opens); a primary name unlinked while other
 * names remain leaves the tree but keeps the file for them.
 */
struct node {
	struct node *target;		/* an extra hard-link name: its file */
	unsigned nlink;			/* files: names naming it */
	unsigned uid, gid;
	struct timespec atime, ctime;
	uint64_t ino;
	unsigned mode;			/* S_IF* | permissions */
	enum ramfs_dev dev;
	char name[RAMFS_NAME_MAX + 1];
	struct node *parent;		/* a directory (root: itself) */
	struct node *children;		/* directories: first child */
	struct node *next;		/* next sibling */
	char *data;			/* regular files and symlinks */
	size_t size, cap;
	int opens;			/* handles naming it */
	int linked;			/* 1 while in the tree */
	struct timespec mtime;
};

extern struct node *ramfs_root;

void ramfs_init(void);
int ramfs_lookup(const char *path, int follow, struct node **out);
int ramfs_lookup_parent(const char *path, struct node **dir,
			const char **name);
int ramfs_create(struct node *dir, const char *name, unsigned mode,
		 struct node **out);
int ramfs_mkdir_p(const char *path, unsigned mode, struct node **out);
int ramfs_write(struct node *n, const void *buf, size_t len, uint64_t off);
int ramfs_truncate(struct node *n, uint64_t len);
int ramfs_unlink(const char *path, int rmdir);
int ramfs_rename(const char *from, const char *to);
void ramfs_stat(const struct node *n, struct fs_stat *st);
long ramfs_getdents(struct node *dir, char *buf, size_t count,
		    uint64_t *cookie);
void ramfs_release(struct node *n);
int ramfs_hardlink(const char *from, int follow, const char *to);
void ramfs_statfs(struct fs_statfs *st);
void ramfs_touch(struct node *n, int atime, int mtime, int ctime);
void ramfs_read_time(struct node *n);

#endif
