/*
 * Reader for "newc" cpio archives (magic 070701, and 070702 with regular
 * files' checksums checked): the initrd, loaded as a Multiboot module. Pure logic,
 * no allocation: entries point into the archive, every field is checked
 * against the archive's length first, so a truncated or hostile archive
 * yields an error, never an out-of-bounds read.
 */
#ifndef KERNEL_CPIO_H
#define KERNEL_CPIO_H

#include "types.h"

/* Errors, returned negated; cpio_strerror() names them. */
enum cpio_err {
	CPIO_OK = 0,
	CPIO_ETRUNC,		/* header, name or data runs past the end */
	CPIO_EMAGIC,		/* not 070701/070702 where a header must be */
	CPIO_EHEX,		/* a header field is not 8 hex digits */
	CPIO_ENAME,		/* name size 0, too long, or not NUL-ended */
	CPIO_ECHECK,		/* 070702 regular file failing its checksum */
	CPIO_ENOTRAILER,	/* archive ended without "TRAILER!!!" */
	CPIO_ENOENT,		/* cpio_find(): no such entry */
	CPIO_NR_ERRS
};

#define CPIO_NAME_MAX	4096	/* name size limit, NUL included (PATH_MAX) */
#define CPIO_TRAILER	"TRAILER!!!"

/* File type bits of cpio_entry.mode (the same as Linux's st_mode). */
#define CPIO_S_IFMT	0170000
#define CPIO_S_IFDIR	0040000
#define CPIO_S_IFREG	0100000
#define CPIO_S_IFLNK	0120000

/*
 * One archive member. @name is NUL-terminated and points into the archive
 * (no leading "/" is added or removed); @data is @size bytes, also inside
 * the archive. A symlink's target is its data, not NUL-terminated.
 */
struct cpio_entry {
	const char *name;
	size_t namelen;		/* strlen(name) */
	const void *data;
	size_t size;
	uint32_t ino;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t nlink;
	uint32_t mtime;
	uint32_t rdevmajor;
	uint32_t rdevminor;
};

/* Position in an archive; fields are cpio.c's. */
struct cpio_iter {
	const uint8_t *base;
	size_t len;
	size_t off;		/* offset of the next header */
	int state;		/* 0 running, 1 at trailer, <0 a sticky error */
};

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t len);
int cpio_next(struct cpio_iter *it, struct cpio_entry *e);
int cpio_find(const void *archive, size_t len, const char *name,
	      struct cpio_entry *e);
int cpio_validate(const void *archive, size_t len, size_t *nentries);
const char *cpio_strerror(int err);

static inline bool cpio_is_dir(const struct cpio_entry *e)
{
	return (e->mode & CPIO_S_IFMT) == CPIO_S_IFDIR;
}

static inline bool cpio_is_reg(const struct cpio_entry *e)
{
	return (e->mode & CPIO_S_IFMT) == CPIO_S_IFREG;
}

static inline bool cpio_is_symlink(const struct cpio_entry *e)
{
	return (e->mode & CPIO_S_IFMT) == CPIO_S_IFLNK;
}

#endif
