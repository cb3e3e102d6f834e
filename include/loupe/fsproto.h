/*
 * The file protocol: what the kernel's Linux file calls (kernel/file.c,
 * kernel/linux/sys_fs.c) send to the file servers (userland/vfs,
 * userland/console). docs/ipc.md and docs/syscalls.md explain the design.
 *
 * Per-process file-descriptor tables, open-file offsets and the current
 * directory live in the kernel: an unmodified musl program traps straight
 * into the kernel, fork and exec must copy and close descriptors
 * atomically with the process, and no server need trust a client about
 * which files it has open. A server sees only open files (handles it
 * issued) and absolute, normalized paths.
 *
 * Transport: an ordinary IPC call on the endpoint the server registered
 * (NC_SRV_REGISTER), made by the kernel on the calling thread, so the
 * server's badge is the client's pid. Bulk data (paths, file data, stat
 * and dirent buffers, ioctl arguments) travels in the server's registered
 * shared-memory area: FS_SLOTS slots of FS_SLOT_SIZE bytes each; the
 * kernel owns a slot for the length of one call and names it in w[3].
 *
 * Request:  tag = ipc_tag(op, 4); w[0] = handle (or 0 for path calls),
 *           w[1], w[2] = op arguments below; w[3] = slot index.
 * Reply:    tag = anything; w[0] = result (>= 0) or -errno;
 *           w[1], w[2] = extra results below.
 */
#ifndef LOUPE_FSPROTO_H
#define LOUPE_FSPROTO_H

/*
 * A terminal's answer (w[0]) to a read from a process outside its
 * foreground group, in its session: the kernel, on the reading thread,
 * does what Linux's tty does (signal_tty_background): -EIO if the reader
 * ignores or blocks SIGTTIN or its group is orphaned, else SIGTTIN to its
 * group and the read starts again once the signal is handled (a stop and
 * a continue, by default). Never seen by user space. Outside -4095..-1.
 */
#define FS_TTY_BACKGROUND	(-5000L)

/*
 * A terminal's answer to a write while it has TOSTOP, or to a change of
 * its settings (TCSETS, TCSETSW, TCSETSF, TIOCSPGRP, TCFLSH), from a
 * process outside its foreground group, in its session. The kernel does
 * what Linux's tty does (signal_tty_background): if the caller ignores or
 * blocks SIGTTOU, it makes the request again with FS_F_TTY_ANYWAY in the
 * tag and the terminal does it; else -EIO if the caller's group is
 * orphaned, else SIGTTOU to its group and the call starts again once the
 * signal is handled. Never seen by user space.
 */
#define FS_TTY_BACKGROUND_OUT	(-5001L)

/*
 * Request flags, in bits 8-15 of the tag (the label is above, the word
 * count below). FS_F_TTY_ANYWAY: do it although the caller is a
 * background job (it ignores or blocks SIGTTOU). Only the kernel makes
 * requests, so only the kernel sets it.
 */
#define FS_F_TTY_ANYWAY		(1u << 8)

#define FS_SLOTS	8
#define FS_SLOT_SIZE	16384
#define FS_SHM_SIZE	(FS_SLOTS * FS_SLOT_SIZE)

enum fs_op {
	FS_OPEN = 1,	/* slot: path. w1 = O_* flags, w2 = mode.
			 * -> w0 = handle, w1 = server id that serves it
			 *    (the VFS names SRV_CONSOLE for /dev/console and
			 *    /dev/tty: the kernel then talks to that server
			 *    with that handle), w2 = st_mode */
	FS_CLOSE,	/* w0 = handle. The last close of an open file. */
	FS_READ,	/* w0 = handle, w1 = count (<= FS_SLOT_SIZE),
			 * w2 = offset (ignored by streams). Data -> slot.
			 * -> w0 = bytes (0: end of file). A console read
			 *    may be held until a line is ready. */
	FS_WRITE,	/* w0 = handle, w1 = count, w2 = offset (ignored by
			 * streams and O_APPEND files). Data in slot.
			 * -> w0 = bytes, w1 = the offset after the write */
	FS_FSTAT,	/* w0 = handle. -> slot: struct fs_stat */
	FS_STAT,	/* slot: path; w1 = 1 to not follow a final symlink
			 * (the server follows symlinks in paths itself).
			 * -> slot: struct fs_stat */
	FS_GETDENTS,	/* w0 = handle, w1 = count, w2 = cookie (0 first).
			 * -> slot: struct linux_dirent64 records; w0 = bytes
			 *    (0: end), w1 = next cookie */
	FS_IOCTL,	/* w0 = handle, w1 = request, w2 = integer argument;
			 * argument struct in and out of the slot (the
			 * kernel copies fs_ioctl_size(request) bytes).
			 * -> w0 = result */
	FS_MKDIR,	/* slot: path; w1 = mode */
	FS_UNLINK,	/* slot: path; w1 = AT_REMOVEDIR (0x200) for rmdir */
	FS_TRUNCATE,	/* w0 = handle, w1 = length */
	FS_RENAME,	/* slot: old path, NUL, new path */
	FS_SIZE,	/* w0 = handle. -> w0 = size, for lseek(SEEK_END) */
	FS_CHMOD,	/* w0 = handle, or 0 with the path in the slot;
			 * w1 = mode (07777) */
	FS_SYMLINK,	/* slot: link path, NUL, target (as given) */
	FS_READLINK,	/* slot: path. -> slot: target (no NUL); w0 = length */
	FS_POLL,	/* w0 = handle, w1 = poll events. Answered at once,
			 * never held: -> w0 = the events ready now
			 * (POLLIN...). A server that may become ready later
			 * pulses its endpoint (NC_POLL_WAKE) when it does;
			 * -ENOSYS: always ready (docs/ipc.md, "Poll") */
	FS_LINK,	/* slot: existing path, NUL, new path */
	FS_CHOWN,	/* w0 = handle, or 0 with the path in the slot;
			 * w1 = uid | gid << 32 ((uint32_t)-1: unchanged);
			 * w2 = 1 to not follow a final symlink */
	FS_UTIMES,	/* w0 = handle, or 0 with the path in the slot;
			 * w2 = 1 to not follow a final symlink; struct
			 * fs_utimes at FS_UTIMES_OFF in the slot */
	FS_STATFS,	/* w0 = handle, or 0 with the path in the slot.
			 * -> slot: struct fs_statfs */
	FS_NR_OPS
};

/* What FS_FSTAT and FS_STAT return: the fields of Linux's struct stat. */
struct fs_stat {
	unsigned long long ino;
	unsigned int mode;
	unsigned int nlink;
	unsigned long long size;
	unsigned long long rdev;
	long long mtime_sec;
	long long mtime_nsec;
	unsigned int blksize;
	unsigned int dev;
	unsigned int uid, gid;
	long long atime_sec, atime_nsec;	/* 0, 0: as mtime */
	long long ctime_sec, ctime_nsec;	/* 0, 0: as mtime */
};

/* FS_UTIMES: access and modification time; nsec FS_UTIME_OMIT: keep it. */
#define FS_UTIME_OMIT	((1l << 30) - 2l)	/* Linux's UTIME_OMIT */
#define FS_UTIMES_OFF	(FS_SLOT_SIZE - 64)
struct fs_utimes {
	long long atime_sec, atime_nsec, mtime_sec, mtime_nsec;
};

/* What FS_STATFS returns: the fields of Linux's struct statfs. */
struct fs_statfs {
	unsigned long long type, bsize, blocks, bfree, bavail, files, ffree;
	unsigned long long namelen;
};

/*
 * The handles the VFS gives out for the console server's devices (its
 * FS_OPEN answer with w1 = SRV_CONSOLE): the kernel uses them as they are
 * with SRV_CONSOLE, which never sees an FS_OPEN for them.
 */
#define FS_HANDLE_CONSOLE	1	/* /dev/console */
#define FS_HANDLE_TTY		2	/* /dev/tty */

#endif
