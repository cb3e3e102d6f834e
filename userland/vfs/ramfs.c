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

#include "ramfs.h"
#include <loupe/path.h>

struct node *ramfs_root;
static uint64_t ramfs_next_ino = 1;

static long long ramfs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static struct node *ramfs_node_new(const char *name, unsigned mode)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->ino = ramfs_next_ino++;
	n->mode = mode;
	strncpy(n->name, name, RAMFS_NAME_MAX);
	n->mtime = ramfs_now();
	return n;
}

void ramfs_init(void)
{
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
static int ramfs_walk(const char *path, size_t len, int follow,
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
		if (S_ISLNK(c->mode) && (q < end || follow)) {
			char *next;

			err = ++loops > RAMFS_LOOPS ? -ELOOP : 0;
			next = err ? NULL :
			       ramfs_splice(path, s, p, end - p, c, &err);
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
		*out = n;
	return err;
}

int ramfs_lookup(const char *path, int follow, struct node **out)
{
	return ramfs_walk(path, strlen(path), follow, out);
}

/* The directory that would hold path's last name, and that name. */
int ramfs_lookup_parent(const char *path, struct node **dir,
			const char **name)
{
	const char *slash = strrchr(path, '/');
	int err;

	if (!slash || !slash[1])
		return -EEXIST;		/* "/" itself, or no name */
	err = ramfs_walk(path, slash - path, 1, dir);
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
	dir->mtime = ramfs_now();
}

static void ramfs_unlink_node(struct node *n)
{
	struct node **pp = &n->parent->children;

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	n->next = NULL;
	n->linked = 0;
	n->parent->mtime = ramfs_now();
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
	d = realloc(n->data, cap);
	if (!d)
		return -ENOSPC;
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
	n->mtime = ramfs_now();
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
	n->mtime = ramfs_now();
	return 0;
}

/* Free n if it is neither in the tree nor open. */
void ramfs_release(struct node *n)
{
	if (n->linked || n->opens)
		return;
	free(n->data);
	free(n);
}

/* unlink (rmdir = 0) or rmdir (rmdir != 0) of path. */
int ramfs_unlink(const char *path, int rmdir)
{
	struct node *n;
	int err = ramfs_lookup(path, 0, &n);

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
	ramfs_unlink_node(n);
	ramfs_release(n);
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
	int err = ramfs_lookup(from, 0, &n);

	if (!err)
		err = ramfs_lookup_parent(to, &dir, &name);
	if (err)
		return err == -EEXIST ? -EBUSY : err;
	if (n == ramfs_root || (S_ISDIR(n->mode) && ramfs_is_under(dir, n)))
		return -EINVAL;		/* "/" or a directory into itself */
	ramfs_lookup(to, 0, &old);
	if (old == n)
		return 0;
	if (old && S_ISDIR(old->mode) && !S_ISDIR(n->mode))
		return -EISDIR;
	if (old && !S_ISDIR(old->mode) && S_ISDIR(n->mode))
		return -ENOTDIR;
	if (old && old->children)
		return -ENOTEMPTY;
	if (old) {
		ramfs_unlink_node(old);
		ramfs_release(old);
	}
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
	st->nlink = S_ISDIR(n->mode) ? 2 : 1;
	st->size = n->size;
	st->rdev = n->dev == DEV_NONE ? 0 :
		   n->dev == DEV_NULL ? 0x103 : n->dev == DEV_ZERO ? 0x105 :
		   n->dev == DEV_CONSOLE ? 0x501 : 0x500;
	st->mtime_sec = n->mtime;
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
		d->ino = c->ino;
		d->off = *cookie + 1;
		d->reclen = len;
		d->type = ramfs_dtype(c->mode);
		strcpy(d->name, name);
		used += len;
		++*cookie;
	}
	return used;
}
