/*
 * The text of /proc's files, in Linux's formats (proc(5), and what
 * BusyBox's procps, free, top, mount and df parse), from the kernel's
 * snapshots (NC_PROC_INFO) and, for cpuinfo, CPUID. Times go out in
 * clock ticks of 1/100 s (sysconf(_SC_CLK_TCK)); what the kernel does not
 * keep (fault counts, the user/system split, signals, load averages)
 * reads as 0, as Linux shows what it does not track.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "loupe.h"
#include "procfs.h"
#include "ramfs.h"

#define NS_PER_TICK	10000000ull	/* USER_HZ 100 */
#define PI_CPUS_MAX	64

void ptext_put(struct ptext *t, const void *data, size_t len)
{
	if (t->oom)
		return;
	if (t->len + len + 1 > t->cap) {
		size_t cap = (t->len + len + 1) * 2;
		char *b = realloc(t->buf, cap);

		if (!b) {
			t->oom = 1;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, data, len);
	t->len += len;
	t->buf[t->len] = '\0';
}

void ptext_printf(struct ptext *t, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		ptext_put(t, line, (size_t)n < sizeof(line) ? (size_t)n :
			  sizeof(line) - 1);
}

/* NC_PROC_INFO: records written, or -errno. */
long proctext_info(enum pi_kind kind, void *buf, size_t count, uint64_t arg)
{
	return loupe_call(NC_PROC_INFO, kind, (uint64_t)buf, count, arg);
}

static unsigned long long proctext_ticks(uint64_t ns)
{
	return ns / NS_PER_TICK;
}

static int proctext_system(struct pi_system *s)
{
	return proctext_info(PI_SYSTEM, s, 1, 0) == 1 ? 0 : -1;
}

/* The RAM file system's data, in kB: it is what Linux calls Shmem. */
static unsigned long proctext_ramfs_kb(void)
{
	struct fs_statfs st;

	ramfs_statfs(&st);
	return (st.blocks - st.bfree) * (st.bsize / 1024);
}

static void proctext_kb(struct ptext *t, const char *name, unsigned long kb)
{
	ptext_printf(t, "%-16s%8lu kB\n", name, kb);
}

void proctext_meminfo(struct ptext *t, const struct pi_proc *r)
{
	struct pi_system s;
	unsigned long kb, total, free, shmem = proctext_ramfs_kb();

	(void)r;
	if (proctext_system(&s))
		return;
	kb = s.page_size / 1024;
	total = s.total_pages * kb;
	free = s.free_pages * kb;
	proctext_kb(t, "MemTotal:", total);
	proctext_kb(t, "MemFree:", free);
	proctext_kb(t, "MemAvailable:", free);
	proctext_kb(t, "Buffers:", 0);
	proctext_kb(t, "Cached:", shmem);
	proctext_kb(t, "SwapCached:", 0);
	proctext_kb(t, "Active:", 0);
	proctext_kb(t, "Inactive:", 0);
	proctext_kb(t, "SwapTotal:", 0);
	proctext_kb(t, "SwapFree:", 0);
	proctext_kb(t, "Dirty:", 0);
	proctext_kb(t, "Writeback:", 0);
	proctext_kb(t, "AnonPages:", 0);
	proctext_kb(t, "Mapped:", 0);
	proctext_kb(t, "Shmem:", shmem);
	proctext_kb(t, "Slab:", 0);
	proctext_kb(t, "SReclaimable:", 0);
	proctext_kb(t, "SUnreclaim:", 0);
}

/* Idle time of all CPUs together, in ns; 0 if the kernel will not say. */
static uint64_t proctext_idle_ns(struct pi_cpu *c, long n)
{
	uint64_t idle = 0;

	for (long i = 0; i < n; i++)
		idle += c[i].idle_ns;
	return idle;
}

void proctext_uptime(struct ptext *t, const struct pi_proc *r)
{
	struct pi_cpu c[PI_CPUS_MAX];
	struct pi_system s;
	long n = proctext_info(PI_CPUS, c, PI_CPUS_MAX, 0);
	uint64_t idle = proctext_idle_ns(c, n);

	(void)r;
	if (proctext_system(&s))
		return;
	ptext_printf(t, "%llu.%02llu %llu.%02llu\n",
		     (unsigned long long)s.uptime_ns / 1000000000,
		     proctext_ticks(s.uptime_ns) % 100,
		     (unsigned long long)idle / 1000000000,
		     proctext_ticks(idle) % 100);
}

void proctext_loadavg(struct ptext *t, const struct pi_proc *r)
{
	struct pi_system s;

	(void)r;
	if (proctext_system(&s))
		return;
	for (int i = 0; i < 3; i++)		/* Linux's LOAD_INT.LOAD_FRAC */
		ptext_printf(t, "%llu.%02llu ",
			     (unsigned long long)(s.loadavg[i] >> 11),
			     (unsigned long long)((s.loadavg[i] & 2047) * 100
						  >> 11));
	ptext_printf(t, "%u/%u %d\n", s.nrunning, s.nthreads, s.last_pid);
}

/* One "cpu" line: busy time as user time (there is no split). */
static void proctext_cpu_line(struct ptext *t, const char *name,
			      uint64_t busy, uint64_t idle)
{
	ptext_printf(t, "%s %llu 0 0 %llu 0 0 0 0 0 0\n", name,
		     proctext_ticks(busy), proctext_ticks(idle));
}

void proctext_stat(struct ptext *t, const struct pi_proc *r)
{
	struct pi_cpu c[PI_CPUS_MAX];
	struct pi_system s;
	long n = proctext_info(PI_CPUS, c, PI_CPUS_MAX, 0);
	uint64_t busy = 0, idle = proctext_idle_ns(c, n), irqs = 0;
	char name[16];

	(void)r;
	if (proctext_system(&s))
		return;
	for (long i = 0; i < n; i++) {
		busy += c[i].busy_ns;
		irqs += c[i].irqs;
	}
	proctext_cpu_line(t, "cpu ", busy, idle);
	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "cpu%u", c[i].id);
		proctext_cpu_line(t, name, c[i].busy_ns, c[i].idle_ns);
	}
	ptext_printf(t, "intr %llu\nctxt 0\nbtime %lld\nprocesses %llu\n"
		     "procs_running %u\nprocs_blocked 0\nsoftirq 0\n",
		     (unsigned long long)irqs, (long long)s.boot_time,
		     (unsigned long long)s.forks, s.nrunning);
}

/* What is mounted: the RAM file system (with /dev's nodes) and /proc. */
void proctext_mounts(struct ptext *t, const struct pi_proc *r)
{
	(void)r;
	ptext_printf(t, "rootfs / tmpfs rw,relatime 0 0\n"
		     "devtmpfs /dev devtmpfs rw,relatime 0 0\n"
		     "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n");
}

void proctext_filesystems(struct ptext *t, const struct pi_proc *r)
{
	(void)r;
	ptext_printf(t, "nodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\n");
}

void proctext_version(struct ptext *t, const struct pi_proc *r)
{
	struct utsname u;

	(void)r;
	if (!uname(&u))
		ptext_printf(t, "%s version %s (root@%s) (musl-gcc) %s\n",
			     u.sysname, u.release, u.nodename, u.version);
}

static void proctext_cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
	__asm__ __volatile__("cpuid"
			     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			     : "a"(leaf), "c"(sub));
}

/* CPUID feature bits and Linux's names for them (NULL: not shown). */
static const char *const proctext_edx1[32] = {
	"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic",
	NULL, "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn",
	"clflush", NULL, "dts", "acpi", "mmx", "fxsr", "sse", "sse2", "ss",
	"ht", "tm", "ia64", "pbe",
};
static const char *const proctext_ecx1[32] = {
	"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est",
	"tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", NULL,
	"pcid", "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt",
	"tsc_deadline_timer", "aes", "xsave", NULL, "avx", "f16c", "rdrand",
	"hypervisor",
};
static const char *const proctext_edx81[32] = {
	[11] = "syscall", [20] = "nx", [22] = "mmxext", [25] = "fxsr_opt",
	[26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm",
};
static const char *const proctext_ebx7[32] = {
	[0] = "fsgsbase", [3] = "bmi1", [4] = "hle", [5] = "avx2",
	[7] = "smep", [8] = "bmi2", [9] = "erms", [10] = "invpcid",
	[11] = "rtm", [16] = "avx512f", [18] = "rdseed", [19] = "adx",
	[20] = "smap", [23] = "clflushopt", [24] = "clwb", [29] = "sha_ni",
};

static void proctext_flags(struct ptext *t, const char *const *names,
			   unsigned bits)
{
	for (int i = 0; i < 32; i++) {
		if (names[i] && (bits >> i & 1))
			ptext_printf(t, " %s", names[i]);
	}
}

/* The CPU's identity: vendor, family/model/stepping, brand string. */
static void proctext_cpu_id(struct ptext *t, unsigned *maxleaf)
{
	unsigned r[4], brand[12], fam, model;
	char vendor[13];

	proctext_cpuid(0, 0, r);
	*maxleaf = r[0];
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = '\0';
	proctext_cpuid(1, 0, r);
	fam = (r[0] >> 8 & 0xf) + ((r[0] >> 8 & 0xf) == 0xf ? r[0] >> 20 & 0xff : 0);
	model = (r[0] >> 4 & 0xf) | ((r[0] >> 8 & 0xf) >= 6 ? r[0] >> 12 & 0xf0 : 0);
	ptext_printf(t, "vendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n",
		     vendor, fam, model);
	proctext_cpuid(0x80000000, 0, r);
	memset(brand, 0, sizeof(brand));
	for (unsigned i = 0; r[0] >= 0x80000004 && i < 3; i++)
		proctext_cpuid(0x80000002 + i, 0, brand + 4 * i);
	ptext_printf(t, "model name\t: %.48s\n", (char *)brand);
	proctext_cpuid(1, 0, r);
	ptext_printf(t, "stepping\t: %u\n", r[0] & 0xf);
}

static void proctext_cpu_flags(struct ptext *t, unsigned maxleaf)
{
	unsigned r[4];

	ptext_printf(t, "flags\t\t:");
	proctext_cpuid(1, 0, r);
	proctext_flags(t, proctext_edx1, r[3]);
	proctext_flags(t, proctext_ecx1, r[2]);
	proctext_cpuid(0x80000001, 0, r);
	proctext_flags(t, proctext_edx81, r[3]);
	if (maxleaf >= 7) {
		proctext_cpuid(7, 0, r);
		proctext_flags(t, proctext_ebx7, r[1]);
	}
	ptext_printf(t, "\n");
}

/* One block per online CPU; identity from CPUID (the CPUs are alike). */
void proctext_cpuinfo(struct ptext *t, const struct pi_proc *r)
{
	struct pi_cpu c[PI_CPUS_MAX];
	struct pi_system s;
	long n = proctext_info(PI_CPUS, c, PI_CPUS_MAX, 0);
	unsigned maxleaf;
	unsigned long mhz;

	(void)r;
	if (proctext_system(&s))
		return;
	mhz = s.tsc_hz / 1000;
	for (long i = 0; i < n; i++) {
		ptext_printf(t, "processor\t: %u\n", c[i].id);
		proctext_cpu_id(t, &maxleaf);
		ptext_printf(t, "cpu MHz\t\t: %lu.%03lu\n", mhz / 1000,
			     mhz % 1000);
		ptext_printf(t, "physical id\t: 0\nsiblings\t: %ld\n"
			     "core id\t\t: %u\ncpu cores\t: %ld\n"
			     "apicid\t\t: %u\ninitial apicid\t: %u\n"
			     "fpu\t\t: yes\nfpu_exception\t: yes\n"
			     "cpuid level\t: %u\nwp\t\t: yes\n", n, c[i].id, n,
			     c[i].apic_id, c[i].apic_id, maxleaf);
		proctext_cpu_flags(t, maxleaf);
		ptext_printf(t, "bogomips\t: %lu.%02lu\nclflush size\t: 64\n"
			     "cache_alignment\t: 64\n"
			     "address sizes\t: 48 bits physical, 48 bits virtual\n"
			     "power management:\n\n",
			     mhz * 2 / 1000, (mhz * 2 % 1000) / 10);
	}
}

/* State letters as proc(5) spells them out in status. */
static const char *proctext_state_name(char s)
{
	return s == 'R' ? "R (running)" : s == 'Z' ? "Z (zombie)" :
	       s == 'T' ? "T (stopped)" : "S (sleeping)";
}

/* The 52 fields of proc(5)'s /proc/pid/stat; addresses read as 0. */
void proctext_pid_stat(struct ptext *t, const struct pi_proc *r)
{
	ptext_printf(t, "%d (%s) %c %d %d %d 0 -1 %u 0 0 0 0 %llu 0 %llu 0 "
		     "20 0 %d 0 %llu %llu %llu 18446744073709551615 ",
		     r->pid, r->comm, r->state, r->ppid, r->pgid, r->sid,
		     0x400000u, proctext_ticks(r->run_ns),
		     proctext_ticks(r->child_run_ns), r->nthreads,
		     proctext_ticks(r->start_ns),
		     (unsigned long long)r->vsize, (unsigned long long)r->rss);
	/* startcode .. kstkeip, signals, wchan, nswap, cnswap */
	ptext_printf(t, "0 0 0 0 0 0 0 0 0 0 0 0 17 %u 0 0 0 0 0 "
		     "0 0 0 0 0 0 0 0\n", r->cpu);
}

void proctext_pid_status(struct ptext *t, const struct pi_proc *r)
{
	ptext_printf(t, "Name:\t%s\nUmask:\t0022\nState:\t%s\nTgid:\t%d\n"
		     "Ngid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"
		     "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
		     "FDSize:\t256\nGroups:\t\n",
		     r->comm, proctext_state_name(r->state), r->pid, r->pid,
		     r->ppid, r->uid, r->uid, r->uid, r->uid, r->gid, r->gid,
		     r->gid, r->gid);
	if (r->state != 'Z')
		ptext_printf(t, "VmSize:\t%8llu kB\nVmRSS:\t%8llu kB\n",
			     (unsigned long long)r->vsize / 1024,
			     (unsigned long long)r->rss * 4);
	ptext_printf(t, "Threads:\t%d\nSigQ:\t0/0\nSigPnd:\t%016x\n"
		     "ShdPnd:\t%016x\nSigBlk:\t%016x\nSigIgn:\t%016x\n"
		     "SigCgt:\t%016x\n", r->nthreads, 0, 0, 0, 0, 0);
}

/* statm: size resident shared text lib data dt, in pages. */
void proctext_pid_statm(struct ptext *t, const struct pi_proc *r)
{
	ptext_printf(t, "%llu %llu 0 0 0 0 0\n",
		     (unsigned long long)r->vsize / 4096,
		     (unsigned long long)r->rss);
}

void proctext_pid_cmdline(struct ptext *t, const struct pi_proc *r)
{
	ptext_put(t, r->cmdline, r->cmdline_len < sizeof(r->cmdline) ?
		  r->cmdline_len : sizeof(r->cmdline));
}

/* One maps line: the fixed columns, then the name from column 73. */
static void proctext_map_line(struct ptext *t, const struct pi_map *m,
			      const char *name)
{
	char line[128];
	int n = snprintf(line, sizeof(line),
			 "%08llx-%08llx %c%c%cp 00000000 00:00 0",
			 (unsigned long long)m->start,
			 (unsigned long long)m->end,
			 m->prot & 1 ? 'r' : '-', m->prot & 2 ? 'w' : '-',
			 m->prot & 4 ? 'x' : '-');

	if (*name)
		ptext_printf(t, "%s%*s%s\n", line, n < 73 ? 73 - n : 1, "",
			     name);
	else
		ptext_printf(t, "%s\n", line);
}

/*
 * maps, as Linux's: every region by address, named [heap], [stack],
 * [vdso], [vvar], the program's path for its segments, [shm] for a
 * shared-memory object, nothing for anonymous memory. Offsets, devices
 * and inodes are 0: the program is copied in, not mapped from a file.
 */
void proctext_pid_maps(struct ptext *t, const struct pi_proc *r)
{
	static struct pi_map maps[PI_MAPS_MAX];
	static const char *const names[] = {
		[PI_MAP_ANON] = "", [PI_MAP_HEAP] = "[heap]",
		[PI_MAP_STACK] = "[stack]", [PI_MAP_VDSO] = "[vdso]",
		[PI_MAP_VVAR] = "[vvar]", [PI_MAP_SHM] = "[shm]",
	};
	long n = proctext_info(PI_MAPS, maps, PI_MAPS_MAX, r->pid);

	for (long i = 0; i < n; i++) {
		uint32_t k = maps[i].kind;

		proctext_map_line(t, &maps[i], k == PI_MAP_IMAGE ? r->exe :
				  k < sizeof(names) / sizeof(names[0]) ?
				  names[k] : "");
	}
}

void proctext_pid_comm(struct ptext *t, const struct pi_proc *r)
{
	ptext_printf(t, "%s\n", r->comm);
}
