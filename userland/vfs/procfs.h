/*
 * /proc in the VFS server: procfs.c is the tree (lookup, stat, readdir,
 * readlink, open and read), proctext.c writes each file's text in
 * Linux's format from the kernel's snapshots (NC_PROC_INFO,
 * <loupe/procinfo.h>). docs/ipc.md, "/proc", has the design.
 */
#ifndef USERLAND_VFS_PROCFS_H
#define USERLAND_VFS_PROCFS_H

#include <stddef.h>
#include <stdint.h>

#include <loupe/fsproto.h>
#include <loupe/procinfo.h>

/* Lookup left /proc: look up the new path. Never a count, handle or errno. */
#define PROCFS_REDIRECT	(-100000)

/* A text growing as it is written; on failure len stops moving, oom set. */
struct ptext {
	char *buf;
	size_t len, cap;
	int oom;
};

void ptext_printf(struct ptext *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ptext_put(struct ptext *t, const void *data, size_t len);

/* A file's text: r is its process (NULL for /proc's own files). */
typedef void (*ptext_fn)(struct ptext *t, const struct pi_proc *r);

/* proctext.c: /proc's own files and the per-process ones. */
void proctext_meminfo(struct ptext *t, const struct pi_proc *r);
void proctext_uptime(struct ptext *t, const struct pi_proc *r);
void proctext_loadavg(struct ptext *t, const struct pi_proc *r);
void proctext_stat(struct ptext *t, const struct pi_proc *r);
void proctext_mounts(struct ptext *t, const struct pi_proc *r);
void proctext_cpuinfo(struct ptext *t, const struct pi_proc *r);
void proctext_version(struct ptext *t, const struct pi_proc *r);
void proctext_filesystems(struct ptext *t, const struct pi_proc *r);
void proctext_pid_stat(struct ptext *t, const struct pi_proc *r);
void proctext_pid_status(struct ptext *t, const struct pi_proc *r);
void proctext_pid_statm(struct ptext *t, const struct pi_proc *r);
/* The most regions maps shows (a Loupe process has a few dozen). */
#define PI_MAPS_MAX	1024

void proctext_pid_maps(struct ptext *t, const struct pi_proc *r);
void proctext_pid_cmdline(struct ptext *t, const struct pi_proc *r);
void proctext_pid_comm(struct ptext *t, const struct pi_proc *r);
long proctext_info(enum pi_kind kind, void *buf, size_t count, uint64_t arg);

/* What a /proc path names: a directory, file or symlink (entry). */
struct pfs_node {
	int pid;			/* 0: /proc itself or one of its files */
	const struct pfs_entry *e;	/* NULL: a directory (/proc, /proc/N) */
};

/* An open /proc file or directory: its text, made whole at open. */
struct pfs_open {
	struct pfs_node node;
	struct ptext text;		/* directories: "T name\0" per entry */
};

int procfs_owns(const char *path);
int procfs_lookup(const char *path, int follow, int caller,
		  struct pfs_node *n, char *redirect);
void procfs_stat(const struct pfs_node *n, struct fs_stat *st);
long procfs_readlink(const struct pfs_node *n, int caller, char *out,
		     size_t max);
long procfs_open(const struct pfs_node *n, unsigned flags,
		 struct pfs_open **out);
long procfs_read(struct pfs_open *o, char *buf, size_t count, uint64_t off);
long procfs_getdents(struct pfs_open *o, char *buf, size_t count,
		     uint64_t *cookie);
void procfs_close(struct pfs_open *o);
void procfs_statfs(struct fs_statfs *st);

#endif
