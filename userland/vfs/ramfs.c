/*
 * ramfs: the VFS server's tree of in-memory nodes. Paths arrive absolute
 * and normalized (the kernel resolves ".", ".." and the cwd), so a lookup
 * is a walk of "/"-separated names from the root; a symlink met on the way
 * is spliced into the path, which is normalized again, and the walk
 * restarts (at most RAMFS_LOOPS times: ELOOP). A node unlinked while open
 * lives until its last handle closes (ramfs_release).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ramfs.h"
#include <loupe/path.h>

struct node *ramfs_root;
static uint64_t ramfs_next_ino = 1;
static size_t ramfs_used;		/* bytes of file data held (capacity) */
static size_t ramfs_files;		/* files alive */
static size_t ramfs_limit;		/* bytes: half of RAM, as tmpfs */

/* Set n's times to now: any of access, modification, change. */
void ramfs_touch(struct node *n, int atime, int mtime, int ctime)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (atime)
		n->atime = ts;
	if (mtime)
		n->mtime = ts;
	if (ctime)
		n->ctime = ts;
}

static int ramfs_ts_le(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec ||
	       (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

/* A read: relatime, as Linux mounts by default (atime at most once per
 * change, or once a day). */
void ramfs_read_time(struct node *n)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ramfs_ts_le(n->atime, n->mtime) || ramfs_ts_le(n->atime, n->ctime) ||
	    ts.tv_sec - n->atime.tv_sec >= 24 * 3600)
		n->atime = ts;
}

/* The file a name names. */
static struct node *ramfs_file(struct node *n)
{
	return n->target ? n->target : n;
}

static struct node *ramfs_node_new(const char *name, unsigned mode)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->ino = ramfs_next_ino++;
	n->mode = mode;
	strncpy(n->name, name, RAMFS_NAME_MAX);
	ramfs_touch(n, 1, 1, 1);
	ramfs_files++;
	return n;
}

void ramfs_init(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);

	ramfs_limit = pages > 0 ? (size_t)pages * 4096 / 2 : 64u << 20;
	ramfs_root = ramfs_node_new("", S_IFDIR | 0755);
	ramfs_root->parent = ramfs_root;
	ramfs_root->linked = 1;
}

static struct node *ramfs_child(struct node *dir, const char *name,
				size_t len)
{
	for (struct node *c = dir->children; c; c = c->next) {
		if (strlen(c->name) == len && !memcmp(c->name, name, len))
			return c;
	}
	return NULL;
}

/*
 * Join base (absolute) and path (absolute, or relative to base) into out
 * without ".", ".." or repeated slashes. Returns 0 or -ENAMETOOLONG.
 */
static int ramfs_normalize(const char *base, size_t blen, const char *path,
			   char *out)
{
	size_t n = 0;
	long len;

	if (*path != '/') {
		if (blen >= RAMFS_PATH_MAX)
			return -ENAMETOOLONG;
		memcpy(out, base, blen);
		n = blen;
	}
	len = path_append(out, n, path, RAMFS_PATH_MAX);
	if (len < 0)
		return -ENAMETOOLONG;
	out[len] = '\0';
	return 0;
}

/*
 * The path with symlink l (its name starts at name in path; rlen bytes
 * at rest follow it) replaced by its target, normalized, in a new
 * buffer; or NULL with *err set.
 */
static char *ramfs_splice(const char *path, const char *name, const char *rest,
			  size_t rlen, const struct node *l, int *err)
{
	char *tmp = malloc(2 * RAMFS_PATH_MAX), *out;
	size_t tlen = l->size, blen = name - path;

	*err = -ENAMETOOLONG;
	if (!tmp || tlen + rlen + 2 >= RAMFS_PATH_MAX) {
		free(tmp);
		return NULL;
	}
	while (blen && path[blen - 1] == '/')
		blen--;			/* the link's directory, no slash */
	memcpy(tmp, l->data, tlen);
	tmp[tlen] = '/';
	memcpy(tmp + tlen + 1, rest, rlen);
	tmp[tlen + 1 + rlen] = '\0';
	out = tmp + RAMFS_PATH_MAX;
	*err = ramfs_normalize(path, blen, tmp, out);
	if (*err) {
		free(tmp);
		return NULL;
	}
	memmove(tmp, out, strlen(out) + 1);
	return tmp;
}

/*
 * Walk the first len bytes of path, following symlinks (the last
 * component's only if follow). -ENOENT, -ENOTDIR, -ELOOP,
 * -ENAMETOOLONG, or 0 with *out.
 */
static int ramfs_walk(const char *path, size_t len, int follow, int raw,
		      struct node **out)
{
	char *buf = NULL;
	int loops = 0, err = 0;
	struct node *n;
	const char *p, *end;

restart:
	n = ramfs_root;
	for (p = path, end = path + len; p < end;) {
		const char *s, *q;
		struct node *c;

		while (p < end && *p == '/')
			p++;
		if (p == end)
			break;
		for (s = p; p < end && *p != '/'; p++)
			;
		err = !S_ISDIR(n->mode) ? -ENOTDIR :
		      (size_t)(p - s) > RAMFS_NAME_MAX ? -ENAMETOOLONG : 0;
		c = err ? NULL : ramfs_child(n, s, p - s);
		if (!c) {
			err = err ? err : -ENOENT;
			break;
		}
		for (q = p; q < end && *q == '/'; q++)
			;
		if (S_ISLNK(ramfs_file(c)->mode) && (q < end || follow)) {
			char *next;

			err = ++loops > RAMFS_LOOPS ? -ELOOP : 0;
			next = err ? NULL :
			       ramfs_splice(path, s, p, end - p, ramfs_file(c),
					    &err);
			if (!next)
				break;
			free(buf);
			path = buf = next;
			len = strlen(path);
			goto restart;
		}
		n = c;
	}
	free(buf);
	if (!err)
		*out = raw ? n : ramfs_file(n);
	return err;
}

/* The file at path (a hard link's extra name gives its file). */
int ramfs_lookup(const char *path, int follow, struct node **out)
{
	return ramfs_walk(path, strlen(path), follow, 0, out);
}

/* The name at path, not followed at the end (unlink, rename). */
static int ramfs_lookup_name(const char *path, struct node **out)
{
	return ramfs_walk(path, strlen(path), 0, 1, out);
}

/* The directory that would hold path's last name, and that name. */
int ramfs_lookup_parent(const char *path, struct node **dir,
			const char **name)
{
	const char *slash = strrchr(path, '/');
	int err;

	if (!slash || !slash[1])
		return -EEXIST;		/* "/" itself, or no name */
	err = ramfs_walk(path, slash - path, 1, 0, dir);
	if (err)
		return err;
	if (!S_ISDIR((*dir)->mode))
		return -ENOTDIR;
	*name = slash + 1;
	return strlen(*name) > RAMFS_NAME_MAX ? -ENAMETOOLONG : 0;
}

static void ramfs_link(struct node *dir, struct node *n)
{
	n->parent = dir;
	n->next = dir->children;
	dir->children = n;
	n->linked = 1;
	ramfs_file(n)->nlink++;
	ramfs_touch(dir, 0, 1, 1);
}

static void ramfs_unlink_node(struct node *n)
{
	struct node **pp = &n->parent->children;

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	n->next = NULL;
	n->linked = 0;
	ramfs_file(n)->nlink--;
	ramfs_touch(n->parent, 0, 1, 1);
	ramfs_touch(ramfs_file(n), 0, 0, 1);
}

/* A new node name in dir: -EEXIST if there is one. */
int ramfs_create(struct node *dir, const char *name, unsigned mode,
		 struct node **out)
{
	struct node *n;

	if (ramfs_child(dir, name, strlen(name)))
		return -EEXIST;
	n = ramfs_node_new(name, mode);
	if (!n)
		return -ENOSPC;
	ramfs_link(dir, n);
	*out = n;
	return 0;
}

/* mkdir -p: every missing directory on path (used when loading the initrd). */
int ramfs_mkdir_p(const char *path, unsigned mode, struct node **out)
{
	struct node *n = ramfs_root;

	while (*path) {
		const char *s;
		struct node *c;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		for (s = path; *path && *path != '/'; path++)
			;
		if ((size_t)(path - s) > RAMFS_NAME_MAX || !S_ISDIR(n->mode))
			return -ENOTDIR;
		c = ramfs_child(n, s, path - s);
		if (!c) {
			char name[RAMFS_NAME_MAX + 1];

			memcpy(name, s, path - s);
			name[path - s] = '\0';
			if (ramfs_create(n, name, S_IFDIR | mode, &c))
				return -ENOSPC;
		}
		n = c;
	}
	*out = n;
	return S_ISDIR(n->mode) ? 0 : -ENOTDIR;
}

static int ramfs_reserve(struct node *n, uint64_t size)
{
	char *d;
	size_t cap;

	if (size > RAMFS_FILE_MAX)
		return -EFBIG;
	if (size <= n->cap)
		return 0;
	cap = n->cap ? n->cap : 64;
	while (cap < size)
		cap *= 2;
	if (ramfs_used - n->cap + cap > ramfs_limit)
		return -ENOSPC;
	d = realloc(n->data, cap);
	if (!d)
		return -ENOSPC;
	ramfs_used += cap - n->cap;
	n->data = d;
	n->cap = cap;
	return 0;
}

/* Write len bytes at off, growing the file (a hole reads as zeros). */
int ramfs_write(struct node *n, const void *buf, size_t len, uint64_t off)
{
	int err;

	if (off > RAMFS_FILE_MAX || len > RAMFS_FILE_MAX - off)
		return -EFBIG;
	err = ramfs_reserve(n, off + len);
	if (err)
		return err;
	if (off > n->size)
		memset(n->data + n->size, 0, off - n->size);
	memcpy(n->data + off, buf, len);
	if (off + len > n->size)
		n->size = off + len;
	ramfs_touch(n, 0, 1, 1);
	return 0;
}

int ramfs_truncate(struct node *n, uint64_t len)
{
	int err = ramfs_reserve(n, len);

	if (err)
		return err;
	if (len > n->size)
		memset(n->data + n->size, 0, len - n->size);
	n->size = len;
	ramfs_touch(n, 0, 1, 1);
	return 0;
}

/* Free file n if no name and no handle is left. */
void ramfs_release(struct node *n)
{
	if (n->nlink || n->opens || n->linked)
		return;
	ramfs_used -= n->cap;
	ramfs_files--;
	free(n->data);
	free(n);
}

/* Take name n out of the tree; its file goes with its last name and handle. */
static void ramfs_drop_name(struct node *n)
{
	struct node *f = ramfs_file(n);

	ramfs_unlink_node(n);
	if (f != n)
		free(n);		/* an extra name: only a name */
	ramfs_release(f);
}

/* unlink (rmdir = 0) or rmdir (rmdir != 0) of path. */
int ramfs_unlink(const char *path, int rmdir)
{
	struct node *n;
	int err = ramfs_lookup_name(path, &n);

	if (err)
		return err;
	if (n == ramfs_root)
		return rmdir ? -EBUSY : -EISDIR;
	if (rmdir && !S_ISDIR(n->mode))
		return -ENOTDIR;
	if (!rmdir && S_ISDIR(n->mode))
		return -EISDIR;
	if (rmdir && n->children)
		return -ENOTEMPTY;
	ramfs_drop_name(n);
	return 0;
}

/* link(from, to): another name for from's file (not a directory's). */
int ramfs_hardlink(const char *from, int follow, const char *to)
{
	struct node *f, *dir, *n;
	const char *name;
	int err = ramfs_lookup(from, follow, &f);

	if (err)
		return err;
	if (S_ISDIR(f->mode))
		return -EPERM;
	err = ramfs_lookup_parent(to, &dir, &name);
	if (err)
		return err;
	if (ramfs_child(dir, name, strlen(name)))
		return -EEXIST;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOSPC;
	strcpy(n->name, name);
	n->mode = f->mode;
	n->target = f;
	ramfs_link(dir, n);
	ramfs_touch(f, 0, 0, 1);
	return 0;
}

static int ramfs_is_under(struct node *n, struct node *dir)
{
	for (; n != ramfs_root; n = n->parent) {
		if (n == dir)
			return 1;
	}
	return n == dir;
}

/* rename(from, to), replacing a compatible to. */
int ramfs_rename(const char *from, const char *to)
{
	struct node *n, *dir, *old = NULL;
	const char *name;
	int err = ramfs_lookup_name(from, &n);

	if (!err)
		err = ramfs_lookup_parent(to, &dir, &name);
	if (err)
		return err == -EEXIST ? -EBUSY : err;
	if (n == ramfs_root || (S_ISDIR(n->mode) && ramfs_is_under(dir, n)))
		return -EINVAL;		/* "/" or a directory into itself */
	ramfs_lookup_name(to, &old);
	if (old && ramfs_file(old) == ramfs_file(n))
		return 0;		/* two names of one file: nothing */
	if (old && S_ISDIR(old->mode) && !S_ISDIR(n->mode))
		return -EISDIR;
	if (old && !S_ISDIR(old->mode) && S_ISDIR(n->mode))
		return -ENOTDIR;
	if (old && old->children)
		return -ENOTEMPTY;
	if (old)
		ramfs_drop_name(old);
	ramfs_unlink_node(n);
	strcpy(n->name, name);
	ramfs_link(dir, n);
	return 0;
}

void ramfs_stat(const struct node *n, struct fs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->ino = n->ino;
	st->mode = n->mode;
	st->nlink = n->nlink;
	if (S_ISDIR(n->mode)) {		/* its "." and each child's ".." */
		st->nlink = 2;
		for (struct node *c = n->children; c; c = c->next)
			st->nlink += S_ISDIR(c->mode) && !c->target;
	}
	st->uid = n->uid;
	st->gid = n->gid;
	st->atime_sec = n->atime.tv_sec;
	st->atime_nsec = n->atime.tv_nsec;
	st->ctime_sec = n->ctime.tv_sec;
	st->ctime_nsec = n->ctime.tv_nsec;
	st->mtime_nsec = n->mtime.tv_nsec;
	st->size = n->size;
	st->rdev = n->dev == DEV_NONE ? 0 :
		   n->dev == DEV_NULL ? 0x103 : n->dev == DEV_ZERO ? 0x105 :
		   n->dev == DEV_CONSOLE ? 0x501 : 0x500;
	st->mtime_sec = n->mtime.tv_sec;
	st->blksize = 4096;
	st->dev = 1;
}

struct dirent64 {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
	char name[];
};

/* Linux's d_type for a mode. */
static uint8_t ramfs_dtype(unsigned mode)
{
	return S_ISDIR(mode) ? 4 : S_ISCHR(mode) ? 2 : S_ISLNK(mode) ? 10 : 8;
}

/*
 * Fill buf with linux_dirent64 records from *cookie (0 ".", 1 "..", then
 * children in order). Returns bytes, 0 at the end, -EINVAL if count
 * cannot hold the next record.
 */
long ramfs_getdents(struct node *dir, char *buf, size_t count,
		    uint64_t *cookie)
{
	size_t used = 0;

	for (;;) {
		struct node *c = dir->children;
		const char *name = *cookie == 0 ? "." : "..";
		struct dirent64 *d = (struct dirent64 *)(buf + used);
		size_t len;

		if (*cookie >= 2) {
			for (uint64_t i = 2; c && i < *cookie; i++)
				c = c->next;
			if (!c)
				break;
			name = c->name;
		} else {
			c = *cookie == 0 ? dir : dir->parent;
		}
		len = (sizeof(*d) + strlen(name) + 1 + 7) & ~7ul;
		if (used + len > count)
			return used ? (long)used : -EINVAL;
		memset(d, 0, len);
		d->ino = ramfs_file(c)->ino;
		d->off = *cookie + 1;
		d->reclen = len;
		d->type = ramfs_dtype(ramfs_file(c)->mode);
		strcpy(d->name, name);
		used += len;
		++*cookie;
	}
	return used;
}

/* statfs: tmpfs's figures for a RAM file system of half the memory. */
void ramfs_statfs(struct fs_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->type = 0x01021994;		/* TMPFS_MAGIC */
	st->bsize = 4096;
	st->blocks = ramfs_limit / 4096;
	st->bfree = st->bavail = (ramfs_limit - ramfs_used) / 4096;
	st->files = ramfs_limit / 4096;
	st->ffree = st->files > ramfs_files ? st->files - ramfs_files : 0;
	st->namelen = RAMFS_NAME_MAX;
}
