/*
 * /proc: a tree made up as it is looked at, from the kernel's snapshots
 * (NC_PROC_INFO). /proc holds its own files, the symlink "self" and a
 * directory per process (zombies too, until reaped); a process's
 * directory holds stat, status, statm, maps, cmdline, comm, mounts and the
 * symlinks exe, cwd and root. The caller's pid, which "self" names, is
 * the badge of the request: the kernel's, never the client's word.
 *
 * An open file's text is made whole at open (proctext.c), so reads at any
 * offset of one open agree; a directory's list likewise, its cookie a
 * byte offset into it. Following exe, cwd or root leaves /proc: the
 * lookup hands the VFS the path to look up instead (PROCFS_REDIRECT).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "procfs.h"
#include "ramfs.h"

#define PROCFS_DEV	3		/* st_dev: not the RAM file system's */
#define PROCFS_MAGIC	0x9fa0		/* Linux's PROC_SUPER_MAGIC */
#define PROCFS_BATCH	16		/* process records per kernel call */
#define DT_DIR		4
#define DT_REG		8
#define DT_LNK		10

enum pfs_type { PFS_FILE, PFS_LINK };
enum pfs_link { LINK_NONE, LINK_SELF, LINK_EXE, LINK_CWD, LINK_ROOT };

struct pfs_entry {
	const char *name;
	enum pfs_type type;
	ptext_fn text;			/* files */
	enum pfs_link link;		/* symlinks */
};

static const struct pfs_entry procfs_top[] = {
	{ "self", PFS_LINK, NULL, LINK_SELF },
	{ "meminfo", PFS_FILE, proctext_meminfo, LINK_NONE },
	{ "uptime", PFS_FILE, proctext_uptime, LINK_NONE },
	{ "loadavg", PFS_FILE, proctext_loadavg, LINK_NONE },
	{ "stat", PFS_FILE, proctext_stat, LINK_NONE },
	{ "mounts", PFS_FILE, proctext_mounts, LINK_NONE },
	{ "cpuinfo", PFS_FILE, proctext_cpuinfo, LINK_NONE },
	{ "version", PFS_FILE, proctext_version, LINK_NONE },
	{ "filesystems", PFS_FILE, proctext_filesystems, LINK_NONE },
};

static const struct pfs_entry procfs_pid[] = {
	{ "stat", PFS_FILE, proctext_pid_stat, LINK_NONE },
	{ "status", PFS_FILE, proctext_pid_status, LINK_NONE },
	{ "statm", PFS_FILE, proctext_pid_statm, LINK_NONE },
	{ "maps", PFS_FILE, proctext_pid_maps, LINK_NONE },
	{ "cmdline", PFS_FILE, proctext_pid_cmdline, LINK_NONE },
	{ "comm", PFS_FILE, proctext_pid_comm, LINK_NONE },
	{ "mounts", PFS_FILE, proctext_mounts, LINK_NONE },
	{ "exe", PFS_LINK, NULL, LINK_EXE },
	{ "cwd", PFS_LINK, NULL, LINK_CWD },
	{ "root", PFS_LINK, NULL, LINK_ROOT },
};

#define NTOP	(sizeof(procfs_top) / sizeof(procfs_top[0]))
#define NPID	(sizeof(procfs_pid) / sizeof(procfs_pid[0]))

static struct pi_proc procfs_rec;	/* the last process looked at */

int procfs_owns(const char *path)
{
	return !strncmp(path, "/proc", 5) && (!path[5] || path[5] == '/');
}

/* Fill procfs_rec with process pid. 0, or -ENOENT if there is none. */
static int procfs_proc(int pid)
{
	if (pid > 0 && proctext_info(PI_PROCS, &procfs_rec, 1, pid) == 1 &&
	    procfs_rec.pid == pid)
		return 0;
	return -ENOENT;
}

/* A pid as /proc spells it (no sign, no leading zero), or -1. */
static int procfs_pid_of(const char *s, size_t len)
{
	long v = 0;

	if (!len || len > 9 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static const struct pfs_entry *procfs_find(const struct pfs_entry *tab,
					   size_t n, const char *s,
					   size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (strlen(tab[i].name) == len && !memcmp(tab[i].name, s, len))
			return &tab[i];
	}
	return NULL;
}

/*
 * A symlink's target into out (max bytes, no NUL counted): its length,
 * or -ENOENT (a zombie has no exe, cwd or root), -ENAMETOOLONG.
 */
long procfs_readlink(const struct pfs_node *n, int caller, char *out,
		     size_t max)
{
	const char *target = "/";
	char pid[16];
	size_t len;

	if (!n->e || n->e->type != PFS_LINK)
		return -EINVAL;
	if (n->e->link == LINK_SELF) {
		snprintf(pid, sizeof(pid), "%d", caller);
		target = pid;
	} else if (procfs_proc(n->pid) || procfs_rec.state == 'Z') {
		return -ENOENT;
	} else if (n->e->link != LINK_ROOT) {
		target = n->e->link == LINK_EXE ? procfs_rec.exe :
			 procfs_rec.cwd;
	}
	len = strlen(target);
	if (!len)
		return -ENOENT;
	if (len > max)
		return -ENAMETOOLONG;
	memcpy(out, target, len);
	return len;
}

/*
 * Follow link n with rest of the path after it: "self" stays in /proc
 * (0, n the caller's directory); the others leave it (PROCFS_REDIRECT,
 * the path to look up in redirect, RAMFS_PATH_MAX bytes).
 */
static int procfs_follow(struct pfs_node *n, int caller, const char *rest,
			 char *redirect)
{
	long len;

	if (n->e->link == LINK_SELF) {
		n->e = NULL;
		n->pid = caller;
		return procfs_proc(caller);
	}
	len = procfs_readlink(n, caller, redirect, RAMFS_PATH_MAX - 1);
	if (len < 0)
		return len;
	if (len + strlen(rest) >= RAMFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (redirect[len - 1] == '/' && rest[0] == '/')
		len--;			/* "/" + "/x" */
	strcpy(redirect + len, rest);
	if (!redirect[0])
		strcpy(redirect, "/");
	return PROCFS_REDIRECT;
}

/*
 * What path (absolute, normalized, under /proc) names, following
 * symlinks on the way (the last one only if follow). 0 with *n,
 * PROCFS_REDIRECT with a path outside /proc in redirect, or -ENOENT,
 * -ENOTDIR, -ENAMETOOLONG.
 */
int procfs_lookup(const char *path, int follow, int caller,
		  struct pfs_node *n, char *redirect)
{
	const char *p = path + 5, *s;
	int err;

	n->pid = 0;
	n->e = NULL;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		if (n->e)
			return -ENOTDIR;	/* a file is no directory */
		for (s = p; *p && *p != '/'; p++)
			;
		if (!n->pid && procfs_pid_of(s, p - s) > 0) {
			n->pid = procfs_pid_of(s, p - s);
			if (procfs_proc(n->pid))
				return -ENOENT;
			continue;
		}
		n->e = n->pid ? procfs_find(procfs_pid, NPID, s, p - s) :
			procfs_find(procfs_top, NTOP, s, p - s);
		if (!n->e)
			return -ENOENT;
		if (n->e->type != PFS_LINK || (!*p && !follow))
			continue;
		err = procfs_follow(n, caller, p, redirect);
		if (err)
			return err;
	}
}

/* Inode numbers: /proc 1, its entries 2.., pid N's directory N << 8. */
static uint64_t procfs_ino(const struct pfs_node *n)
{
	uint64_t base = (uint64_t)n->pid << 8;

	if (!n->e)
		return n->pid ? base : 1;
	if (n->pid)
		return base + 1 + (uint64_t)(n->e - procfs_pid);
	return 2 + (uint64_t)(n->e - procfs_top);
}

/* As Linux: size 0, read-only files, times of now. */
void procfs_stat(const struct pfs_node *n, struct fs_stat *st)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	memset(st, 0, sizeof(*st));
	st->ino = procfs_ino(n);
	st->mode = !n->e ? S_IFDIR | 0555 :
		   n->e->type == PFS_LINK ? S_IFLNK | 0777 : S_IFREG | 0444;
	st->nlink = n->e ? 1 : 2;
	st->mtime_sec = ts.tv_sec;
	st->mtime_nsec = ts.tv_nsec;
	st->blksize = 1024;
	st->dev = PROCFS_DEV;
}

void procfs_statfs(struct fs_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->type = PROCFS_MAGIC;
	st->bsize = 4096;
	st->namelen = 255;
}

/* One directory entry of a list: its d_type, inode and name. */
static void procfs_dirent(struct ptext *t, int type, uint64_t ino,
			  const char *name)
{
	ptext_printf(t, "%c%llu %s", type, (unsigned long long)ino, name);
	ptext_put(t, "", 1);
}

static void procfs_list_entries(struct ptext *t, int pid,
				const struct pfs_entry *tab, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct pfs_node e = { pid, &tab[i] };

		procfs_dirent(t, tab[i].type == PFS_LINK ? DT_LNK : DT_REG,
			      procfs_ino(&e), tab[i].name);
	}
}

/* /proc's list: ".", "..", its files, then every process by pid. */
static void procfs_list_top(struct ptext *t)
{
	struct pi_proc *r = malloc(PROCFS_BATCH * sizeof(*r));
	char name[16];
	long n;
	int next = 1;

	procfs_list_entries(t, 0, procfs_top, NTOP);
	while (r && (n = proctext_info(PI_PROCS, r, PROCFS_BATCH, next)) > 0) {
		for (long i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "%d", r[i].pid);
			procfs_dirent(t, DT_DIR, (uint64_t)r[i].pid << 8, name);
		}
		next = r[n - 1].pid + 1;
	}
	if (!r)
		t->oom = 1;
	free(r);
}

static void procfs_list(struct ptext *t, int pid)
{
	procfs_dirent(t, DT_DIR, pid ? (uint64_t)pid << 8 : 1, ".");
	procfs_dirent(t, DT_DIR, 1, "..");
	if (pid)
		procfs_list_entries(t, pid, procfs_pid, NPID);
	else
		procfs_list_top(t);
}

/* Open n: make its text (or its list) now. 0 with *out, or -errno. */
long procfs_open(const struct pfs_node *n, unsigned flags,
		 struct pfs_open **out)
{
	struct pfs_open *o;

	if (n->e && n->e->type == PFS_LINK)
		return -ELOOP;		/* O_NOFOLLOW met the link */
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return n->e ? -EACCES : -EISDIR;
	if (n->e && (flags & O_DIRECTORY))
		return -ENOTDIR;
	if (n->pid && procfs_proc(n->pid))
		return -ENOENT;		/* reaped since the lookup */
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->node = *n;
	if (!n->e)
		procfs_list(&o->text, n->pid);
	else
		n->e->text(&o->text, n->pid ? &procfs_rec : NULL);
	ptext_put(&o->text, "", 0);	/* a buffer even when empty */
	if (o->text.oom || !o->text.buf) {
		procfs_close(o);
		return -ENOMEM;
	}
	*out = o;
	return 0;
}

long procfs_read(struct pfs_open *o, char *buf, size_t count, uint64_t off)
{
	if (!o->node.e)
		return -EISDIR;
	if (off >= o->text.len)
		return 0;
	if (count > o->text.len - off)
		count = o->text.len - off;
	memcpy(buf, o->text.buf + off, count);
	return count;
}

struct pfs_dirent64 {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
	char name[];
};

/*
 * linux_dirent64 records from the list made at open, from *cookie (a
 * byte offset into it). Bytes, 0 at the end, -EINVAL if count cannot
 * hold the next record.
 */
long procfs_getdents(struct pfs_open *o, char *buf, size_t count,
		     uint64_t *cookie)
{
	size_t used = 0;

	if (o->node.e)
		return -ENOTDIR;
	while (*cookie < o->text.len) {
		const char *s = o->text.buf + *cookie;
		struct pfs_dirent64 *d = (struct pfs_dirent64 *)(buf + used);
		char *name;
		unsigned long long ino = strtoull(s + 1, &name, 10);
		size_t len = (sizeof(*d) + strlen(++name) + 1 + 7) & ~7ul;

		if (used + len > count)
			return used ? (long)used : -EINVAL;
		memset(d, 0, len);
		d->ino = ino;
		d->type = s[0];
		strcpy(d->name, name);
		*cookie += strlen(s) + 1;
		d->off = *cookie;
		d->reclen = len;
		used += len;
	}
	return used;
}

void procfs_close(struct pfs_open *o)
{
	free(o->text.buf);
	free(o);
}
