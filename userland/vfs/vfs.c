/*
 * vfs: the root file system server (/sbin/vfs). It copies the initrd
 * into a RAM file system (ramfs.c), adds /dev (null, zero, console, tty)
 * and a writable /tmp, registers as SRV_VFS and answers the kernel's file
 * requests (include/loupe/fsproto.h) until the system stops. Paths under
 * /proc go to procfs.c, which makes them up from the kernel's snapshots. /dev/console
 * and /dev/tty are the console server's: an open of them answers with
 * SRV_CONSOLE and the console's handle, and the kernel goes there;
 * /dev/test likewise names SRV_TEST (the tests' throwaway servers).
 *
 * Only the kernel calls (no one else holds the endpoint), but a request
 * is still checked like hostile input: a bad slot, handle, count or path
 * gets an errno reply, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "loupe.h"
#include "procfs.h"
#include "ramfs.h"
#include "server.h"

#define AT_REMOVEDIR_FLAG	0x200
#define VFS_REDIRECTS		8	/* /proc links followed out of /proc */

/* An open file: a node (or an open /proc file) and how it was opened. */
struct handle {
	struct node *node;
	struct pfs_open *pf;
	unsigned flags;
};

static struct handle *handles;
static size_t nhandles;
static char *area;			/* the request area, FS_SLOTS slots */

/* The reply's three words. */
struct reply {
	int64_t w[3];
};

static int vfs_handle_new(struct node *n, struct pfs_open *pf,
			  unsigned flags)
{
	size_t i;

	for (i = 1; i < nhandles && (handles[i].node || handles[i].pf); i++)
		;
	if (i >= nhandles) {
		size_t nn = nhandles ? nhandles * 2 : 64;
		struct handle *h = realloc(handles, nn * sizeof(*h));

		if (!h)
			return -ENFILE;
		memset(h + nhandles, 0, (nn - nhandles) * sizeof(*h));
		handles = h;
		i = nhandles ? nhandles : 1;
		nhandles = nn;
	}
	handles[i].node = n;
	handles[i].pf = pf;
	handles[i].flags = flags;
	if (n)
		n->opens++;
	return i;
}

static struct handle *vfs_handle(uint64_t h)
{
	return h && h < nhandles && (handles[h].node || handles[h].pf) ?
	       &handles[h] : NULL;
}

/* The path in a slot, if NUL-terminated inside it; else NULL. */
static const char *vfs_path(char *slot)
{
	return memchr(slot, '\0', FS_SLOT_SIZE) && slot[0] == '/' ? slot : NULL;
}

static int vfs_open(char *slot, unsigned flags, unsigned mode,
		    struct reply *r)
{
	const char *path = vfs_path(slot), *name;
	struct node *n, *dir;
	int err;

	if (!path)
		return -EINVAL;
	err = ramfs_lookup(path, !(flags & O_NOFOLLOW), &n);
	if (err == -ENOENT && (flags & O_CREAT)) {
		err = ramfs_lookup_parent(path, &dir, &name);
		if (!err)
			err = ramfs_create(dir, name, S_IFREG | (mode & 07777),
					   &n);
	} else if (!err && (flags & O_CREAT) && (flags & O_EXCL)) {
		err = -EEXIST;
	}
	if (err)
		return err;
	if ((flags & O_DIRECTORY) && !S_ISDIR(n->mode))
		return -ENOTDIR;
	if (S_ISLNK(n->mode))
		return -ELOOP;		/* O_NOFOLLOW on a symlink */
	if (S_ISDIR(n->mode) && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	r->w[2] = n->mode;
	if (n->dev == DEV_CONSOLE || n->dev == DEV_TTY) {
		r->w[1] = SRV_CONSOLE;
		return n->dev == DEV_CONSOLE ? FS_HANDLE_CONSOLE : FS_HANDLE_TTY;
	}
	if (n->dev == DEV_TEST) {
		r->w[1] = SRV_TEST;
		return 1;
	}
	if ((flags & O_TRUNC) && S_ISREG(n->mode) &&
	    (flags & O_ACCMODE) != O_RDONLY)
		ramfs_truncate(n, 0);
	r->w[1] = SRV_VFS;
	return vfs_handle_new(n, NULL, flags);
}

static long vfs_read(struct handle *h, char *slot, uint64_t count,
		     uint64_t off)
{
	struct node *n = h->node;

	if (count > FS_SLOT_SIZE)
		return -EINVAL;
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if (n->dev == DEV_ZERO) {
		memset(slot, 0, count);
		return count;
	}
	if (n->dev != DEV_NONE || off >= n->size)
		return 0;
	if (count > n->size - off)
		count = n->size - off;
	memcpy(slot, n->data + off, count);
	ramfs_read_time(n);
	return count;
}

static long vfs_write(struct handle *h, const char *slot, uint64_t count,
		      uint64_t off, struct reply *r)
{
	struct node *n = h->node;
	int err;

	if (count > FS_SLOT_SIZE)
		return -EINVAL;
	if (n->dev != DEV_NONE)
		return count;
	if (!S_ISREG(n->mode))
		return -EINVAL;
	if (h->flags & O_APPEND)
		off = n->size;
	err = ramfs_write(n, slot, count, off);
	if (err)
		return err;
	r->w[1] = off + count;
	return count;
}

/* FS_CHOWN: uid | gid << 32, -1 leaving one; set-id bits go, as Linux. */
static long vfs_chown(struct node *n, uint64_t ids)
{
	uint32_t uid = (uint32_t)ids, gid = (uint32_t)(ids >> 32);

	if (uid != (uint32_t)-1)
		n->uid = uid;
	if (gid != (uint32_t)-1)
		n->gid = gid;
	if (S_ISREG(n->mode) && (uid != (uint32_t)-1 || gid != (uint32_t)-1)) {
		n->mode &= ~S_ISUID;
		if (n->mode & S_IXGRP)
			n->mode &= ~S_ISGID;
	}
	ramfs_touch(n, 0, 0, 1);
	return 0;
}

/* FS_UTIMES: the times the kernel resolved (UTIME_NOW is a time by now). */
static long vfs_utimes(struct node *n, const char *slot)
{
	struct fs_utimes u;

	memcpy(&u, slot + FS_UTIMES_OFF, sizeof(u));
	if (u.atime_nsec != FS_UTIME_OMIT)
		n->atime = (struct timespec){ u.atime_sec, u.atime_nsec };
	if (u.mtime_nsec != FS_UTIME_OMIT)
		n->mtime = (struct timespec){ u.mtime_sec, u.mtime_nsec };
	ramfs_touch(n, 0, 0, 1);
	return 0;
}

/* Requests on a node, by handle or by path. */
static long vfs_on_node(unsigned op, struct node *n, uint64_t *w, char *slot)
{
	switch (op) {
	case FS_CHMOD:
		n->mode = (n->mode & S_IFMT) | (w[1] & 07777);
		ramfs_touch(n, 0, 0, 1);
		return 0;
	case FS_CHOWN:
		return vfs_chown(n, w[1]);
	case FS_UTIMES:
		return vfs_utimes(n, slot);
	case FS_STATFS:
		ramfs_statfs((struct fs_statfs *)slot);
		return 0;
	}
	return -ENOSYS;
}

/* Requests on an open /proc file or directory. */
static long vfs_proc_handle(unsigned op, struct handle *h, uint64_t *w,
			    char *slot, struct reply *r)
{
	uint64_t cookie;
	long ret;

	switch (op) {
	case FS_CLOSE:
		procfs_close(h->pf);
		h->pf = NULL;
		return 0;
	case FS_READ:
		if (w[1] > FS_SLOT_SIZE)
			return -EINVAL;
		return procfs_read(h->pf, slot, w[1], w[2]);
	case FS_FSTAT:
		procfs_stat(&h->pf->node, (struct fs_stat *)slot);
		return 0;
	case FS_GETDENTS:
		cookie = w[2];
		ret = procfs_getdents(h->pf, slot, w[1] > FS_SLOT_SIZE ?
				      FS_SLOT_SIZE : w[1], &cookie);
		r->w[1] = cookie;
		return ret;
	case FS_SIZE:
		return 0;		/* as Linux: /proc's files have none */
	case FS_POLL:
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	case FS_IOCTL:
		return -ENOTTY;
	case FS_STATFS:
		procfs_statfs((struct fs_statfs *)slot);
		return 0;
	case FS_CHMOD:
	case FS_CHOWN:
	case FS_UTIMES:
		return -EPERM;
	}
	return -EINVAL;			/* write, truncate */
}

/* Requests naming an open file (w0 = handle). */
static long vfs_on_handle(unsigned op, uint64_t *w, char *slot,
			  struct reply *r)
{
	struct handle *h = vfs_handle(w[0]);
	uint64_t cookie;
	long ret;

	if (!h)
		return -EBADF;
	if (h->pf)
		return vfs_proc_handle(op, h, w, slot, r);
	switch (op) {
	case FS_CLOSE:
		h->node->opens--;
		ramfs_release(h->node);
		h->node = NULL;
		return 0;
	case FS_READ:
		return vfs_read(h, slot, w[1], w[2]);
	case FS_WRITE:
		return vfs_write(h, slot, w[1], w[2], r);
	case FS_FSTAT:
		ramfs_stat(h->node, (struct fs_stat *)slot);
		return 0;
	case FS_GETDENTS:
		if (!S_ISDIR(h->node->mode))
			return -ENOTDIR;
		cookie = w[2];
		ret = ramfs_getdents(h->node, slot, w[1] > FS_SLOT_SIZE ?
				     FS_SLOT_SIZE : w[1], &cookie);
		r->w[1] = cookie;
		return ret;
	case FS_IOCTL:
		return -ENOTTY;
	case FS_TRUNCATE:
		if (!S_ISREG(h->node->mode))
			return -EINVAL;
		return ramfs_truncate(h->node, w[1]);
	case FS_SIZE:
		return h->node->size;
	case FS_POLL:		/* files and /dev's devices never wait */
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	case FS_CHMOD:
	case FS_CHOWN:
	case FS_UTIMES:
	case FS_STATFS:
		return vfs_on_node(op, h->node, w, slot);
	}
	return -ENOSYS;
}

/* A symlink at path holding target (as given, up to RAMFS_PATH_MAX). */
static long vfs_symlink(const char *path, const char *target)
{
	size_t len = strlen(target);
	struct node *dir, *n;
	const char *name;
	long err;

	if (len >= RAMFS_PATH_MAX)
		return -ENAMETOOLONG;
	err = ramfs_lookup_parent(path, &dir, &name);
	if (!err)
		err = ramfs_create(dir, name, S_IFLNK | 0777, &n);
	if (!err)
		err = ramfs_write(n, target, len, 0);
	return err;
}

/* Requests naming a path in the slot. */
static long vfs_on_path(unsigned op, uint64_t *w, char *slot,
			struct reply *r)
{
	const char *path = vfs_path(slot), *name, *to;
	struct node *n, *dir;
	long err;

	if (!path)
		return -EINVAL;
	switch (op) {
	case FS_OPEN:
		return vfs_open(slot, w[1], w[2], r);
	case FS_STAT:
		err = ramfs_lookup(path, !w[1], &n);
		if (!err)
			ramfs_stat(n, (struct fs_stat *)slot);
		return err;
	case FS_CHMOD:
	case FS_STATFS:
		err = ramfs_lookup(path, 1, &n);
		return err ? err : vfs_on_node(op, n, w, slot);
	case FS_CHOWN:
	case FS_UTIMES:
		err = ramfs_lookup(path, !w[2], &n);
		return err ? err : vfs_on_node(op, n, w, slot);
	case FS_LINK:
		to = path + strlen(path) + 1;
		if (to >= slot + FS_SLOT_SIZE || *to != '/' ||
		    !memchr(to, '\0', slot + FS_SLOT_SIZE - to))
			return -EINVAL;
		return ramfs_hardlink(path, w[1], to);
	case FS_READLINK:
		err = ramfs_lookup(path, 0, &n);
		if (!err && !S_ISLNK(n->mode))
			err = -EINVAL;
		if (!err && n->size > FS_SLOT_SIZE)
			err = -ENAMETOOLONG;
		if (!err)
			memcpy(slot, n->data, n->size);
		return err ? err : (long)n->size;
	case FS_SYMLINK:
		to = path + strlen(path) + 1;
		if (to >= slot + FS_SLOT_SIZE || !*to ||
		    !memchr(to, '\0', slot + FS_SLOT_SIZE - to))
			return -EINVAL;
		return vfs_symlink(path, to);
	case FS_MKDIR:
		err = ramfs_lookup_parent(path, &dir, &name);
		return err ? err : ramfs_create(dir, name,
						S_IFDIR | (w[1] & 07777), &n);
	case FS_UNLINK:
		return ramfs_unlink(path, w[1] & AT_REMOVEDIR_FLAG);
	case FS_RENAME:
		to = path + strlen(path) + 1;
		if (to >= slot + FS_SLOT_SIZE || *to != '/' ||
		    !memchr(to, '\0', slot + FS_SLOT_SIZE - to))
			return -EINVAL;
		return ramfs_rename(path, to);
	}
	return -ENOSYS;
}

/* Whether op follows a symlink at the end of its path (w: its words). */
static int vfs_follows(unsigned op, const uint64_t *w)
{
	switch (op) {
	case FS_OPEN:
		return !(w[1] & O_NOFOLLOW);
	case FS_STAT:
		return !w[1];
	case FS_CHOWN:
	case FS_UTIMES:
		return !w[2];
	case FS_CHMOD:
	case FS_STATFS:
		return 1;
	}
	return 0;
}

/* Open /proc node n. */
static long vfs_proc_open(const struct pfs_node *n, unsigned flags,
			  struct reply *r)
{
	struct pfs_open *o;
	struct fs_stat st;
	long h = procfs_open(n, flags, &o);

	if (h)
		return h;
	h = vfs_handle_new(NULL, o, flags);
	if (h < 0) {
		procfs_close(o);
		return h;
	}
	procfs_stat(n, &st);
	r->w[1] = SRV_VFS;
	r->w[2] = st.mode;
	return h;
}

/*
 * A path request under /proc, from process caller. PROCFS_REDIRECT: a
 * symlink led out of /proc and the slot holds the path to go on with.
 */
static long vfs_proc_path(unsigned op, uint64_t *w, char *slot,
			  struct reply *r, int caller)
{
	static char redirect[RAMFS_PATH_MAX];
	struct pfs_node n;
	long err = procfs_lookup(slot, vfs_follows(op, w), caller, &n,
				 redirect);

	if (err == PROCFS_REDIRECT)
		strcpy(slot, redirect);
	if (err == -ENOENT && op == FS_OPEN && (w[1] & O_CREAT))
		return -EACCES;
	if (err)
		return err;
	switch (op) {
	case FS_OPEN:
		return vfs_proc_open(&n, w[1], r);
	case FS_STAT:
		procfs_stat(&n, (struct fs_stat *)slot);
		return 0;
	case FS_READLINK:
		return procfs_readlink(&n, caller, slot, FS_SLOT_SIZE);
	case FS_STATFS:
		procfs_statfs((struct fs_statfs *)slot);
		return 0;
	case FS_CHMOD:
	case FS_CHOWN:
	case FS_UTIMES:
		return -EPERM;
	}
	return -EACCES;			/* mkdir, unlink */
}

/*
 * A path request: /proc's or the RAM file system's, after any /proc
 * symlinks that led out of /proc. Two-path requests (rename, link,
 * symlink) never cross into /proc.
 */
static long vfs_path_request(unsigned op, uint64_t *w, char *slot,
			     struct reply *r, int caller)
{
	const char *path = vfs_path(slot), *to;
	long ret;

	if (!path)
		return -EINVAL;
	to = path + strlen(path) + 1;
	if (op == FS_RENAME || op == FS_LINK || op == FS_SYMLINK) {
		if (procfs_owns(path))
			return op == FS_SYMLINK ? -EACCES : -EXDEV;
		if (op != FS_SYMLINK && to < slot + FS_SLOT_SIZE &&
		    memchr(to, '\0', slot + FS_SLOT_SIZE - to) &&
		    procfs_owns(to))
			return -EXDEV;
	}
	for (int i = 0; i < VFS_REDIRECTS; i++) {
		if (!vfs_path(slot))
			return -EINVAL;
		if (!procfs_owns(slot))
			return vfs_on_path(op, w, slot, r);
		ret = vfs_proc_path(op, w, slot, r, caller);
		if (ret != PROCFS_REDIRECT)
			return ret;
	}
	return -ELOOP;
}

/* One request from process caller: the reply's words in r, the result. */
static long vfs_request(const struct ipc_msg *m, struct reply *r, int caller)
{
	unsigned op = ipc_tag_label(m->tag);
	uint64_t w[4] = { m->w[0], m->w[1], m->w[2], m->w[3] };
	char *slot;

	if (w[3] >= FS_SLOTS)
		return -EINVAL;
	slot = area + w[3] * FS_SLOT_SIZE;
	switch (op) {
	case FS_OPEN:
	case FS_STAT:
	case FS_MKDIR:
	case FS_UNLINK:
	case FS_RENAME:
	case FS_SYMLINK:
	case FS_READLINK:
	case FS_LINK:
		return vfs_path_request(op, w, slot, r, caller);
	case FS_CHMOD:
	case FS_CHOWN:
	case FS_UTIMES:
	case FS_STATFS:
		if (!w[0])
			return vfs_path_request(op, w, slot, r, caller);
		/* fall through */
	default:
		return vfs_on_handle(op, w, slot, r);
	}
}

/* NC_SHM_MAP also returns the object's length, in rdx. */
static long vfs_map_initrd(long slot, size_t *len)
{
	register uint64_t r10 __asm__("r10") = 0;
	register uint64_t r8 __asm__("r8") = 0;
	register uint64_t r9 __asm__("r9") = 0;
	uint64_t rdi = slot, rsi = 0, rdx = 0;
	long rax = NATIVE_SYS_BASE + NC_SHM_MAP;

	__asm__ __volatile__("syscall"
			     : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx),
			       "+r"(r10), "+r"(r8), "+r"(r9)
			     :
			     : "rcx", "r11", "memory");
	*len = rdx;
	return rax;
}

static unsigned long vfs_hex(const char *s)
{
	unsigned long v = 0;

	for (int i = 0; i < 8; i++) {
		char c = s[i];

		v = v << 4 | (c >= 'a' ? c - 'a' + 10 :
			      c >= 'A' ? c - 'A' + 10 : c - '0');
	}
	return v;
}

/* One newc member into the tree (directories made as needed). */
static void vfs_add(const char *name, unsigned mode, const char *data,
		    size_t size)
{
	char path[4096];
	struct node *n, *dir;
	const char *base;

	snprintf(path, sizeof(path), "/%s", name);
	if (S_ISDIR(mode)) {
		ramfs_mkdir_p(path, mode & 07777, &n);
		return;
	}
	base = strrchr(path, '/');
	path[base - path] = '\0';
	if (ramfs_mkdir_p(path, 0755, &dir) ||
	    ramfs_create(dir, base + 1, mode, &n))
		return;
	if (size)
		ramfs_write(n, data, size, 0);
}

/* Copy every member of the newc archive at a (len bytes) into ramfs. */
static void vfs_load_cpio(const char *a, size_t len)
{
	size_t off = 0;

	while (off + 110 <= len && !memcmp(a + off, "07070", 5)) {
		const char *h = a + off;
		unsigned long mode = vfs_hex(h + 14), size = vfs_hex(h + 54);
		unsigned long nsize = vfs_hex(h + 94);
		size_t name = off + 110, data = (name + nsize + 3) & ~3ul;

		if (!nsize || nsize > 4096 || data > len || size > len - data ||
		    a[name + nsize - 1])
			return;
		if (!strcmp(a + name, "TRAILER!!!"))
			return;
		if (strcmp(a + name, ".") && (S_ISDIR(mode) || S_ISREG(mode) ||
					      S_ISLNK(mode)))
			vfs_add(a + name, mode, a + data, size);
		off = (data + size + 3) & ~3ul;
	}
}

static void vfs_dev(struct node *dev, const char *name, enum ramfs_dev d,
		    unsigned mode)
{
	struct node *n;

	if (!ramfs_create(dev, name, S_IFCHR | mode, &n))
		n->dev = d;
}

/* The tree: the initrd's files, /dev's devices, /tmp. */
static int vfs_populate(long initrd)
{
	struct node *dev, *tmp, *proc;
	size_t len = 0;
	long a;

	ramfs_init();
	if (initrd >= 0) {
		a = vfs_map_initrd(initrd, &len);
		if (a < 0)
			return -1;
		vfs_load_cpio((const char *)a, len);
		munmap((void *)(a & ~4095l), (len + (a & 4095) + 4095) & ~4095ul);
		ipc_cap_drop(initrd);
	}
	if (ramfs_mkdir_p("/dev", 0755, &dev) || ramfs_mkdir_p("/tmp", 0, &tmp) ||
	    ramfs_mkdir_p("/proc", 0555, &proc))
		return -1;		/* /proc: where procfs.c's tree shows */
	tmp->mode = S_IFDIR | 01777;
	vfs_dev(dev, "null", DEV_NULL, 0666);
	vfs_dev(dev, "zero", DEV_ZERO, 0666);
	vfs_dev(dev, "console", DEV_CONSOLE, 0600);
	vfs_dev(dev, "tty", DEV_TTY, 0666);
	vfs_dev(dev, "test", DEV_TEST, 0600);
	return 0;
}

int main(void)
{
	long ctl = server_cap("srvctl"), ep, shm;
	struct ipc_msg m;
	uint64_t badge;

	if (ctl < 0 || vfs_populate(server_cap("initrd")))
		return 1;
	ep = ipc_endpoint_new();
	shm = shm_new(FS_SHM_SIZE);
	if (ep < 0 || shm < 0)
		return 1;
	area = (char *)shm_map(shm, 1);
	if ((long)area < 0 || srv_register(ctl, SRV_VFS, ep, shm))
		return 1;
	ipc_cap_drop(ctl);
	server_ready();
	if (ipc_recv(ep, &m, &badge))
		return 1;
	for (;;) {
		struct reply r = { { 0 } };
		long ret = vfs_request(&m, &r, badge);

		m.tag = 0;
		m.w[0] = ret;
		m.w[1] = r.w[1];
		m.w[2] = r.w[2];
		m.w[3] = 0;
		if (ipc_reply_recv(ep, &m, &badge))
			return 1;
	}
}
