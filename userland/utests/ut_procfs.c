/*
 * /proc as BusyBox's ps, top, pidof, free, uptime, mount and df read it:
 * each test checks the text against what the system calls say, for this
 * process, a forked child, an exec'd helper blocked on a pipe and a
 * zombie, and tries the abuse a reader could: bad pointers, pids that are
 * gone, writes, renames into /proc, and (on Loupe) NC_PROC_INFO itself.
 * They pass on Linux too; Loupe-only figures are guarded by ut_on_loupe.
 */
#include <dirent.h>
#include <fcntl.h>
#include <mntent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>

#include "loupe.h"
#include <loupe/procinfo.h>
#include "utests.h"
#include "ut_tests.h"

#define PROC_SUPER_MAGIC	0x9fa0

/* A whole /proc file into buf (NUL added). Its length, or -errno. */
static long ut_procfs_read(const char *path, char *buf, size_t max)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	long n;

	if (fd < 0)
		return -errno;
	while (len < max - 1 && (n = read(fd, buf + len, max - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* Field n (1-based, n >= 4) of a /proc/pid/stat line, or -999. */
static long long ut_procfs_field(const char *stat, int n)
{
	const char *p = strrchr(stat, ')');

	for (int i = 2; p && i < n; i++) {
		p = strchr(p + 1, ' ');
	}
	return p ? strtoll(p + 1, NULL, 10) : -999;
}

/* How many fields the line has: pid, (comm), then the blank-separated. */
static int ut_procfs_nfields(const char *stat)
{
	const char *p = strrchr(stat, ')');
	int n = 2;

	for (p = p ? p + 1 : NULL; p && *p && *p != '\n'; p++)
		n += *p == ' ' && p[1] && p[1] != ' ' && p[1] != '\n';
	return n;
}

/* Process pid's /proc/pid/<name> into buf. */
static long ut_procfs_pid(int pid, const char *name, char *buf, size_t max)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	return ut_procfs_read(path, buf, max);
}

/*
 * Fork and exec uhelper with argv, its stdin a pipe whose write end
 * comes back in *wfd: it runs until that is closed. Returns its pid once
 * /proc shows the exec done, or -1.
 */
static pid_t ut_procfs_helper(char *const argv[], int *wfd)
{
	char path[512], comm[32];
	int fds[2];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/uhelper", ut_bindir);
	if (pipe(fds))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		execve(path, argv, NULL);
		_exit(127);
	}
	close(fds[0]);
	*wfd = fds[1];
	for (int i = 0; pid > 0 && i < 400; i++) {
		if (ut_procfs_pid(pid, "comm", comm, sizeof(comm)) > 0 &&
		    !strcmp(comm, "uhelper\n"))
			return pid;
		usleep(5000);
	}
	return -1;
}

static void *ut_procfs_reader(void *arg)
{
	char c;

	return (void *)(long)read(*(int *)arg, &c, 1);
}

/* CPU time (utime + stime) of /proc/self/stat, in ticks. */
static long long ut_procfs_cpu_ticks(void)
{
	char buf[1024];

	if (ut_procfs_read("/proc/self/stat", buf, sizeof(buf)) <= 0)
		return -1;
	return ut_procfs_field(buf, 14) + ut_procfs_field(buf, 15);
}

/* ps's view of itself: stat against getpid & co, status, comm, threads. */
int t_procfs_stat(void)
{
	char buf[1024], comm[32], state;
	int pid, ppid, pgrp, sid, fds[2];
	long long t0;
	pthread_t th;

	EXPECT(ut_procfs_read("/proc/self/stat", buf, sizeof(buf)) > 0);
	EXPECT(sscanf(buf, "%d (%31[^)]) %c %d %d %d", &pid, comm, &state,
		      &ppid, &pgrp, &sid) == 6);
	EXPECT(pid == getpid() && ppid == getppid() && pgrp == getpgid(0) &&
	       sid == getsid(0) && state == 'R' && !strcmp(comm, "utests"));
	EXPECT(ut_procfs_nfields(buf) == 52);
	EXPECT(ut_procfs_field(buf, 20) == 1);		/* num_threads */
	EXPECT(ut_procfs_field(buf, 24) > 0);		/* rss */
	EXPECT(ut_procfs_field(buf, 23) > 4096 * ut_procfs_field(buf, 24));
	EXPECT(ut_procfs_read("/proc/self/comm", buf, sizeof(buf)) == 7 &&
	       !strcmp(buf, "utests\n"));
	EXPECT(ut_procfs_read("/proc/self/status", buf, sizeof(buf)) > 0);
	snprintf(comm, sizeof(comm), "\nPid:\t%d\n", getpid());
	EXPECT(!strncmp(buf, "Name:\tutests\n", 13) && strstr(buf, comm));
	EXPECT(strstr(buf, "\nState:\tR (running)\n") &&
	       strstr(buf, "\nThreads:\t1\n") && strstr(buf, "\nVmRSS:"));
	/* The parent waits for this test (once it reaches waitpid): asleep. */
	for (int i = 0; i < 200; i++) {
		EXPECT(ut_procfs_pid(getppid(), "stat", buf, sizeof(buf)) > 0);
		if (strstr(buf, " (utests) S "))
			break;
		usleep(5000);
	}
	EXPECT(atoi(buf) == getppid() && strstr(buf, " (utests) S "));
	/* A second thread, blocked on a pipe, counts. */
	EXPECT(pipe(fds) == 0 &&
	       pthread_create(&th, NULL, ut_procfs_reader, &fds[0]) == 0);
	EXPECT(ut_procfs_read("/proc/self/stat", buf, sizeof(buf)) > 0 &&
	       ut_procfs_field(buf, 20) == 2);
	EXPECT(write(fds[1], "x", 1) == 1 && pthread_join(th, NULL) == 0);
	/* join returns once the tid word is cleared, before the count drops */
	for (int i = 0; i < 200; i++) {
		EXPECT(ut_procfs_read("/proc/self/stat", buf, sizeof(buf)) > 0);
		if (ut_procfs_field(buf, 20) == 1)
			break;
		usleep(5000);
	}
	EXPECT(ut_procfs_field(buf, 20) == 1);
	/* Spinning shows in utime + stime (within 5 s of a busy host). */
	t0 = ut_procfs_cpu_ticks();
	for (uint64_t end = ut_now_ns() + 5000000000ull; ut_now_ns() < end &&
	     ut_procfs_cpu_ticks() < t0 + 10;)
		;
	EXPECT(t0 >= 0 && ut_procfs_cpu_ticks() >= t0 + 10);
	return 0;
}

/* An exec'd helper's cmdline is its argv, byte for byte; exe, ppid. */
int t_procfs_cmdline(void)
{
	static char *const argv[] = { "uhelper", "block", "", "two words",
				      "x\ty\n", "--=(odd)", NULL };
	char buf[1024], want[256], path[512];
	size_t wlen = 0;
	long len;
	int wfd, status;
	pid_t pid = ut_procfs_helper(argv, &wfd);

	EXPECT(pid > 0);
	for (int i = 0; argv[i]; i++) {
		memcpy(want + wlen, argv[i], strlen(argv[i]) + 1);
		wlen += strlen(argv[i]) + 1;
	}
	len = ut_procfs_pid(pid, "cmdline", buf, sizeof(buf));
	EXPECT(len == (long)wlen && !memcmp(buf, want, wlen));
	for (int i = 0; i < 200; i++) {	/* until it blocks in read */
		EXPECT(ut_procfs_pid(pid, "stat", buf, sizeof(buf)) > 0);
		if (strstr(buf, " (uhelper) S "))
			break;
		usleep(5000);
	}
	EXPECT(strstr(buf, " (uhelper) S ") &&
	       ut_procfs_field(buf, 4) == getpid());
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	len = readlink(path, buf, sizeof(buf) - 1);
	EXPECT(len > 8 && !memcmp(buf + len - 8, "/uhelper", 8));
	if (ut_on_loupe) {
		buf[len] = '\0';
		snprintf(want, sizeof(want), "%s/uhelper", ut_bindir);
		EXPECT(!strcmp(buf, want));
	}
	close(wfd);
	EXPECT(waitpid(pid, &status, 0) == pid && status == 0);
	EXPECT(ut_procfs_pid(pid, "cmdline", buf, sizeof(buf)) == -ENOENT);
	return 0;
}

/* In a forked child: /proc/self is its pid; exe, cwd and root. */
static void ut_procfs_self_child(void)
{
	char buf[512], want[512];
	struct stat a, b;
	long len;
	int fd;

	snprintf(want, sizeof(want), "%d", getpid());
	len = readlink("/proc/self", buf, sizeof(buf));
	if (len != (long)strlen(want) || memcmp(buf, want, len))
		_exit(10);
	snprintf(want, sizeof(want), "/proc/%d", getpid());
	if (stat("/proc/self", &a) || stat(want, &b) || a.st_ino != b.st_ino ||
	    !S_ISDIR(a.st_mode) || lstat("/proc/self", &a) ||
	    !S_ISLNK(a.st_mode))
		_exit(11);
	len = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	snprintf(want, sizeof(want), "%s/utests", ut_bindir);
	if (len < 7 || memcmp(buf + len - 7, "/utests", 7) ||
	    (ut_on_loupe && (buf[len] = '\0', strcmp(buf, want))))
		_exit(12);
	fd = open("/proc/self/exe", O_RDONLY);	/* leaves /proc */
	if (fd < 0 || read(fd, buf, 4) != 4 || memcmp(buf, "\177ELF", 4))
		_exit(13);
	close(fd);
	if (chdir("/tmp") || readlink("/proc/self/cwd", buf, sizeof(buf)) != 4 ||
	    memcmp(buf, "/tmp", 4) || stat("/proc/self/cwd", &a) ||
	    stat("/tmp", &b) || a.st_ino != b.st_ino)
		_exit(14);
	if (readlink("/proc/self/root", buf, sizeof(buf)) != 1 || buf[0] != '/')
		_exit(15);
	_exit(0);
}

int t_procfs_self(void)
{
	char buf[32], want[32];
	int status = ut_child_status(ut_procfs_self_child);
	long len = readlink("/proc/self", buf, sizeof(buf));

	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(want, sizeof(want), "%d", getpid());
	EXPECT(len == (long)strlen(want) && !memcmp(buf, want, len));
	return 0;
}

/* Whether /proc's listing holds name (and, if a pid, as a directory). */
static int ut_procfs_listed(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, name))
			found = e->d_type == DT_DIR || name[0] > '9' ? 1 : -1;
	}
	if (d)
		closedir(d);
	return found;
}

/* getdents64 through a buffer too small for more than a few records. */
static int ut_procfs_count_small(const char *dir)
{
	char buf[80];
	int fd = open(dir, O_RDONLY | O_DIRECTORY), n = 0;
	long got;

	while (fd >= 0 && (got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;
		     off += *(unsigned short *)(buf + off + 16))
			n++;
	}
	close(fd);
	return n;
}

static int ut_procfs_count(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* readdir: this process and a child, the child as a zombie, then gone. */
int t_procfs_readdir(void)
{
	static char *const argv[] = { "uhelper", "block", NULL };
	char me[16], child[16], buf[1024];
	int wfd, status;
	pid_t pid = ut_procfs_helper(argv, &wfd);

	EXPECT(pid > 0);
	snprintf(me, sizeof(me), "%d", getpid());
	snprintf(child, sizeof(child), "%d", pid);
	EXPECT(ut_procfs_listed("/proc", me) == 1 &&
	       ut_procfs_listed("/proc", child) == 1);
	EXPECT(ut_procfs_listed("/proc", "self") == 1 &&
	       ut_procfs_listed("/proc", "meminfo") == 1);
	EXPECT(ut_procfs_listed("/proc/self", "cmdline") == 1 &&
	       ut_procfs_listed("/proc/self", "exe") == 1);
	if (ut_on_loupe)
		EXPECT(ut_procfs_count_small("/proc") >= ut_procfs_count("/proc") - 1);
	close(wfd);
	for (int i = 0; i < 400; i++) {
		if (ut_procfs_pid(pid, "stat", buf, sizeof(buf)) > 0 &&
		    strstr(buf, ") Z "))
			break;
		usleep(5000);
	}
	EXPECT(strstr(buf, " (uhelper) Z ") && ut_procfs_listed("/proc", child));
	EXPECT(ut_procfs_pid(pid, "cmdline", buf, sizeof(buf)) == 0);
	EXPECT(waitpid(pid, &status, 0) == pid && status == 0);
	EXPECT(!ut_procfs_listed("/proc", child));
	return 0;
}

/* A "Name: N kB" line of /proc/meminfo, or -1. */
static long ut_procfs_meminfo(const char *name)
{
	char buf[4096], *p;

	if (ut_procfs_read("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, name);
	return p && p[strlen(name)] == ':' ? strtol(p + strlen(name) + 1,
						     NULL, 10) : -1;
}

/* /proc/uptime's first figure, in hundredths. */
static long ut_procfs_uptime(void)
{
	char buf[128];
	long s, cs;

	if (ut_procfs_read("/proc/uptime", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%ld.%2ld", &s, &cs) != 2)
		return -1;
	return s * 100 + cs;
}

/* How many lines of path start with prefix. */
static int ut_procfs_lines(const char *path, const char *prefix)
{
	static char buf[65536];
	int n = 0;

	if (ut_procfs_read(path, buf, sizeof(buf)) <= 0)
		return -1;
	for (char *p = buf; p; p = strchr(p, '\n')) {
		p += *p == '\n';
		n += !strncmp(p, prefix, strlen(prefix));
	}
	return n;
}

/* free, uptime, top: meminfo moves with 4 MB touched; uptime grows. */
int t_procfs_meminfo(void)
{
	long total = ut_procfs_meminfo("MemTotal"), f0, f1, f2, u0, u1;
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), run, all, last;
	char buf[256];
	char *m;

	EXPECT(total > 0 && ut_procfs_meminfo("MemAvailable") >= 0 &&
	       ut_procfs_meminfo("Cached") >= 0);
	f0 = ut_procfs_meminfo("MemFree");
	m = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(m != MAP_FAILED);
	memset(m, 1, 4 << 20);
	f1 = ut_procfs_meminfo("MemFree");
	EXPECT(munmap(m, 4 << 20) == 0);
	f2 = ut_procfs_meminfo("MemFree");
	EXPECT(f0 > 0 && f0 <= total && f1 > 0 && f2 > 0);
	if (ut_on_loupe)
		EXPECT(f0 - f1 >= 4000 && f2 - f1 >= 4000);
	u0 = ut_procfs_uptime();
	usleep(60000);
	u1 = ut_procfs_uptime();
	EXPECT(u0 > 0 && u1 >= u0 + 5);
	EXPECT(ut_procfs_read("/proc/loadavg", buf, sizeof(buf)) > 0 &&
	       sscanf(buf, "%*f %*f %*f %d/%d %d", &run, &all, &last) == 3);
	EXPECT(run >= 1 && all >= run && last >= getpid());
	EXPECT(ut_procfs_lines("/proc/stat", "cpu ") == 1 &&
	       ut_procfs_lines("/proc/stat", "btime ") == 1 &&
	       ut_procfs_lines("/proc/stat", "processes ") == 1);
	if (ut_on_loupe) {
		EXPECT(ut_procfs_lines("/proc/stat", "cpu") == ncpu + 1);
		EXPECT(ut_procfs_lines("/proc/cpuinfo", "processor\t: ") == ncpu);
	}
	EXPECT(ut_procfs_read("/proc/version", buf, sizeof(buf)) > 10);
	return 0;
}

/* mount, df: /proc/mounts names / and /proc; statfs says proc. */
int t_procfs_mounts(void)
{
	FILE *f = setmntent("/proc/mounts", "r");
	struct mntent *e;
	struct statfs st;
	int root = 0, proc = 0;

	EXPECT(f);
	while ((e = getmntent(f))) {
		root |= !strcmp(e->mnt_dir, "/");
		proc |= !strcmp(e->mnt_dir, "/proc") &&
			!strcmp(e->mnt_type, "proc");
	}
	endmntent(f);
	EXPECT(root && proc);
	EXPECT(statfs("/proc", &st) == 0 && st.f_type == PROC_SUPER_MAGIC);
	EXPECT(statfs("/proc/self/stat", &st) == 0 &&
	       st.f_type == PROC_SUPER_MAGIC);
	EXPECT(ut_procfs_lines("/proc/self/mounts", "proc /proc proc ") == 1);
	return 0;
}

/* NC_PROC_INFO refuses what it must (Loupe only). */
static int ut_procfs_native(void)
{
	struct pi_proc r;
	struct pi_system s;

	for (int i = 0; i < ut_nbad_ptrs; i++) {
		EXPECT(loupe_call(NC_PROC_INFO, PI_PROCS,
				  (uint64_t)ut_bad_ptrs[i], 1, 0) == -EFAULT);
		EXPECT(loupe_call(NC_PROC_INFO, PI_SYSTEM,
				  (uint64_t)ut_bad_ptrs[i], 1, 0) == -EFAULT);
	}
	EXPECT(loupe_call(NC_PROC_INFO, 99, (uint64_t)&r, 1, 0) == -EINVAL);
	EXPECT(loupe_call(NC_PROC_INFO, PI_PROCS, (uint64_t)&r, 1 << 20, 0) ==
	       -EINVAL);
	EXPECT(loupe_call(NC_PROC_INFO, PI_PROCS, (uint64_t)&r, 0, 0) == 0);
	EXPECT(loupe_call(NC_PROC_INFO, PI_PROCS, (uint64_t)&r, 1,
			  0x7fffffff) == 0);
	EXPECT(loupe_call(NC_PROC_INFO, PI_PROCS, (uint64_t)&r, 1,
			  getpid()) == 1 && r.pid == getpid());
	EXPECT(loupe_call(NC_PROC_INFO, PI_SYSTEM, (uint64_t)&s, 1, 0) == 1 &&
	       s.nprocs > 0 && s.free_pages <= s.total_pages);
	return 0;
}

/* Reads of one open agree: the text is made once, at open (Loupe). */
static int ut_procfs_consistent(void)
{
	char a[1024], b[1024];
	int fd = open("/proc/self/stat", O_RDONLY);
	long n;

	EXPECT(fd >= 0 && read(fd, a, 5) == 5);
	for (uint64_t end = ut_now_ns() + 50000000; ut_now_ns() < end;)
		;
	n = read(fd, a + 5, sizeof(a) - 6);
	EXPECT(n > 0 && pread(fd, b, sizeof(b), 0) == n + 5 &&
	       !memcmp(a, b, n + 5));
	close(fd);
	return 0;
}

/* Gone pids, bad names, writes, renames and bad pointers. */
int t_procfs_errors(void)
{
	char buf[256], path[64];
	int fd, dfd, status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	EXPECT(open(path, O_RDONLY) == -1 && errno == ENOENT);
	EXPECT(ut_procfs_read("/proc/self/nonexistent", buf, 8) == -ENOENT);
	EXPECT(ut_procfs_read("/proc/nonexistent", buf, 8) == -ENOENT);
	EXPECT(ut_procfs_read("/proc/01", buf, 8) == -ENOENT);
	EXPECT(ut_procfs_read("/proc/meminfo/x", buf, 8) == -ENOTDIR);
	fd = open("/tmp/ut_procfs", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	EXPECT(fd >= 0 && close(fd) == 0);
	EXPECT(rename("/tmp/ut_procfs", "/proc/ut_procfs") == -1 &&
	       errno == EXDEV);
	EXPECT(unlink("/tmp/ut_procfs") == 0);
	if (ut_on_loupe)
		EXPECT(open("/proc/meminfo", O_WRONLY) == -1 && errno == EACCES);
	fd = open("/proc/self/stat", O_RDONLY);
	dfd = open("/proc", O_RDONLY | O_DIRECTORY);
	EXPECT(fd >= 0 && dfd >= 0);
	for (int i = 0; i < ut_nbad_ptrs; i++) {
		EXPECT(UT_ERRNO(SYS_read, fd, ut_bad_ptrs[i], 64) == EFAULT);
		EXPECT(UT_ERRNO(SYS_readlink, "/proc/self", ut_bad_ptrs[i],
				16) == EFAULT);
		EXPECT(UT_ERRNO(SYS_getdents64, dfd, ut_bad_ptrs[i], 4096) ==
		       EFAULT);
		EXPECT(UT_ERRNO(SYS_open, ut_bad_ptrs[i], O_RDONLY) == EFAULT);
	}
	close(fd);
	close(dfd);
	if (ut_on_loupe && (ut_procfs_native() || ut_procfs_consistent()))
		return 1;
	return 0;
}

/*
 * The /proc/self/maps line holding address a: its permissions (4 chars)
 * and name into perm and name. 0, or -1 if no region holds it, or a
 * line is malformed (every line is checked: ascending, page-aligned).
 */
static int ut_procfs_map_of(const char *maps, uintptr_t a, char *perm,
			    char *name, size_t namemax)
{
	unsigned long long lo, hi, prev = 0;
	const char *l = maps;
	int found = -1;

	while (*l) {
		const char *end = strchr(l, '\n');
		char line[512], p[5], nm[256] = "";
		int n = 0;

		if (!end || end - l >= (long)sizeof(line))
			return -1;
		memcpy(line, l, end - l);
		line[end - l] = 0;
		if (sscanf(line, "%llx-%llx %4s %*s %*s %*s%n", &lo, &hi, p,
			   &n) != 3 || lo >= hi || lo < prev || (lo | hi) & 4095)
			return -1;
		sscanf(line + n, " %255s", nm);
		if (a >= lo && a < hi) {
			memcpy(perm, p, 5);
			snprintf(name, namemax, "%s", nm);
			found = 0;
		}
		prev = hi;
		l = end + 1;
	}
	return found;
}

/*
 * /proc/self/maps as Linux writes it: every region in address order; the
 * code's is r-x and named by the program's path (what /proc/self/exe
 * says), the stack's [stack], the vDSO's [vdso] at AT_SYSINFO_EHDR;
 * an anonymous mmap appears rw-p without a name, mprotect shows, munmap
 * removes it; a child's maps list the same code; a pid that is gone has
 * no maps (ENOENT).
 */
int t_procfs_maps(void)
{
	static char maps[65536];
	char perm[5], name[256], exe[256];
	int stackvar = 0, status;
	uintptr_t code = (uintptr_t)t_procfs_maps;
	ssize_t n;
	char *m;
	pid_t c;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	EXPECT(n > 0);
	exe[n] = 0;
	EXPECT(ut_procfs_read("/proc/self/maps", maps, sizeof(maps)) > 0);
	EXPECT(ut_procfs_map_of(maps, code, perm, name, sizeof(name)) == 0);
	EXPECT(!strcmp(perm, "r-xp") && !strcmp(name, exe));
	EXPECT(ut_procfs_map_of(maps, (uintptr_t)&stackvar, perm, name,
				sizeof(name)) == 0);
	EXPECT(!strcmp(perm, "rw-p") && !strcmp(name, "[stack]"));
	EXPECT(ut_procfs_map_of(maps, getauxval(AT_SYSINFO_EHDR), perm, name,
				sizeof(name)) == 0);
	EXPECT(!strcmp(perm, "r-xp") && !strcmp(name, "[vdso]"));
	m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(m != MAP_FAILED);
	EXPECT(mprotect(m + 4096, 4096, PROT_READ) == 0);
	EXPECT(ut_procfs_read("/proc/self/maps", maps, sizeof(maps)) > 0);
	EXPECT(ut_procfs_map_of(maps, (uintptr_t)m, perm, name,
				sizeof(name)) == 0);
	EXPECT(!strcmp(perm, "rw-p") && !name[0]);
	EXPECT(ut_procfs_map_of(maps, (uintptr_t)m + 4096, perm, name,
				sizeof(name)) == 0);
	EXPECT(!strcmp(perm, "r--p"));
	EXPECT(munmap(m, 3 * 4096) == 0);
	EXPECT(ut_procfs_read("/proc/self/maps", maps, sizeof(maps)) > 0);
	EXPECT(ut_procfs_map_of(maps, (uintptr_t)m + 4096, perm, name,
				sizeof(name)) == -1 || strcmp(perm, "r--p"));
	/* A child: the same code, seen from here; gone, no maps. */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	EXPECT(c > 0);
	EXPECT(ut_procfs_pid(c, "maps", maps, sizeof(maps)) > 0);
	EXPECT(ut_procfs_map_of(maps, code, perm, name, sizeof(name)) == 0);
	EXPECT(!strcmp(perm, "r-xp") && !strcmp(name, exe));
	EXPECT(kill(c, SIGKILL) == 0 && waitpid(c, &status, 0) == c);
	EXPECT(ut_procfs_pid(c, "maps", maps, sizeof(maps)) == -ENOENT);
	return 0;
}

/*
 * Load averages: with three processes spinning across a 5-second sample,
 * /proc/loadavg's 1-minute figure is above 0 and at most the CPUs' worth
 * it could be, the three figures in Linux's "N.NN" form, and sysinfo's
 * loads say the same (in 1/65536ths).
 */
int t_procfs_loadavg(void)
{
	uint64_t end = ut_now_ns() + 5600000000ull;
	struct sysinfo si;
	double l1, l5, l15;
	pid_t kids[3];
	char buf[256];
	int status;

	for (int i = 0; i < 3; i++) {
		fflush(stdout);
		kids[i] = fork();
		if (kids[i] == 0) {
			while (ut_now_ns() < end)
				;
			_exit(0);
		}
		EXPECT(kids[i] > 0);
	}
	for (int i = 0; i < 3; i++)
		EXPECT(waitpid(kids[i], &status, 0) == kids[i]);
	EXPECT(ut_procfs_read("/proc/loadavg", buf, sizeof(buf)) > 0);
	EXPECT(sscanf(buf, "%lf %lf %lf", &l1, &l5, &l15) == 3);
	EXPECT(l1 > 0 && l1 < 1000 && l5 > 0 && l15 > 0);
	EXPECT(buf[1] == '.' || buf[2] == '.');
	EXPECT(sysinfo(&si) == 0 && si.loads[0] > 0);
	EXPECT((double)si.loads[0] / 65536 > l1 - 0.05 &&
	       (double)si.loads[0] / 65536 < l1 + 0.05);
	return 0;
}
