/*
 * NC_PROC_INFO: the kernel's snapshot of the system, its CPUs and its
 * processes in fixed-format records, which the VFS server turns into
 * /proc's text (userland/vfs/procfs.c). Shared by the kernel
 * (kernel/procinfo.c) and user space; docs/ipc.md ("/proc") has the
 * design.
 *
 * Call:   NC_PROC_INFO(kind, buf, count, arg): rdi = enum pi_kind,
 *         rdx = user buffer, r10 = records it holds, r8 = argument.
 * Return: the records written (0: none left), or -EFAULT (bad buffer),
 *         -EINVAL (unknown kind), -ENOMEM.
 *
 * Every process may ask: as on Linux, what ps shows is public. No
 * record holds a kernel address.
 */
#ifndef LOUPE_PROCINFO_H
#define LOUPE_PROCINFO_H

#include <stdint.h>

#define PI_COMM_MAX	16	/* comm, NUL included (Linux's TASK_COMM_LEN) */
#define PI_PATH_MAX	512	/* exe and cwd, NUL included; longer are cut */
#define PI_CMDLINE_MAX	2048	/* argv bytes kept from exec; the rest cut */

enum pi_kind {
	PI_SYSTEM,	/* one struct pi_system (arg unused) */
	PI_CPUS,	/* struct pi_cpu for the online CPUs, id >= arg */
	PI_PROCS,	/* struct pi_proc for processes with pid >= arg, by
			 * pid, zombies included */
	PI_MAPS,	/* struct pi_map for the regions of process arg's
			 * address space from the first, by address (none
			 * for a zombie; -ESRCH if there is no such pid) */
};

struct pi_system {
	uint64_t uptime_ns;		/* monotonic clock */
	int64_t boot_time;		/* realtime at boot, seconds */
	uint64_t total_pages, free_pages;	/* of page_size bytes */
	uint64_t forks;			/* pids and thread ids handed out */
	uint64_t tsc_hz;		/* the time-stamp counter's rate */
	uint32_t page_size;
	uint32_t ncpus;			/* online */
	uint32_t nprocs;		/* zombies included */
	uint32_t nthreads;		/* user threads */
	uint32_t nrunning;		/* user threads running or ready */
	int32_t last_pid;		/* the newest pid or thread id */
	uint64_t loadavg[3];		/* 1, 5, 15 minutes, in 1/2048ths */
};
_Static_assert(sizeof(struct pi_system) == 96, "pi_system ABI");

struct pi_cpu {
	uint32_t id, apic_id;
	uint64_t busy_ns, idle_ns;	/* since the CPU came up */
	uint64_t irqs;			/* interrupts taken */
};
_Static_assert(sizeof(struct pi_cpu) == 32, "pi_cpu ABI");

struct pi_proc {
	int32_t pid, ppid, pgid, sid;	/* ppid 0: none */
	int32_t nthreads;		/* 0 for a zombie */
	uint32_t uid, gid;
	char state;			/* 'R' running or ready, 'S', 'T' stopped, 'Z' */
	char pad[3];
	uint32_t cpu;			/* where its first thread last ran */
	uint32_t cmdline_len;		/* bytes of cmdline (0: a zombie) */
	uint64_t run_ns;		/* CPU time of its threads */
	uint64_t child_run_ns;		/* ... of its reaped children */
	uint64_t start_ns;		/* monotonic clock at fork */
	uint64_t vsize;			/* bytes mapped */
	uint64_t rss;			/* pages present */
	char comm[PI_COMM_MAX];
	char exe[PI_PATH_MAX];		/* as exec'd, normalized; "" zombie */
	char cwd[PI_PATH_MAX];		/* "" for a zombie */
	char cmdline[PI_CMDLINE_MAX];	/* argv, each NUL-terminated */
};
_Static_assert(sizeof(struct pi_proc) == 80 + PI_COMM_MAX + 2 * PI_PATH_MAX +
	       PI_CMDLINE_MAX, "pi_proc ABI");

/* What a region of an address space is (struct pi_map.kind). */
enum pi_map_kind {
	PI_MAP_ANON,	/* anonymous memory (mmap) */
	PI_MAP_IMAGE,	/* the program's segments (its exe names them) */
	PI_MAP_HEAP,	/* the brk area */
	PI_MAP_STACK,	/* the initial thread's stack */
	PI_MAP_VDSO,	/* the vDSO's image */
	PI_MAP_VVAR,	/* the vDSO's data page */
	PI_MAP_SHM,	/* a shared-memory object (NC_SHM_MAP) */
};

struct pi_map {
	uint64_t start, end;		/* [start, end), page-aligned */
	uint32_t prot;			/* 1 read, 2 write, 4 execute */
	uint32_t kind;			/* enum pi_map_kind */
};
_Static_assert(sizeof(struct pi_map) == 24, "pi_map ABI");

#endif
