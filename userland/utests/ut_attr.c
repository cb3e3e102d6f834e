/*
 * A file's attributes and the calls BusyBox's applets make about them:
 * hard links (ln: nlink counted, the data lives until the last name),
 * chown and stat, statfs (df), utimensat (touch), times, getgroups (id)
 * and syslog (dmesg). Each tries its bad pointers and arguments too.
 * They pass on Linux too (chown only as root; statfs's figures and the
 * log's contents are checked on Loupe only).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

#include "utests.h"
#include "ut_tests.h"

#define DIR	"/tmp/ut_attr"

/* ln: two names, one file; unlink keeps the data until the last goes. */
static int ut_attr_links(void)
{
	struct stat a, b;
	char buf[8] = { 0 };
	int fd;

	mkdir(DIR, 0755);
	fd = open(DIR "/a", O_RDWR | O_CREAT | O_TRUNC, 0644);
	EXPECT(fd >= 0 && write(fd, "data", 4) == 4);
	EXPECT(link(DIR "/a", DIR "/b") == 0);
	EXPECT(stat(DIR "/a", &a) == 0 && stat(DIR "/b", &b) == 0);
	EXPECT(a.st_ino == b.st_ino && a.st_nlink == 2 && b.st_nlink == 2);
	EXPECT(link(DIR "/a", DIR "/b") == -1 && errno == EEXIST);
	EXPECT(link(DIR, DIR "/d") == -1 && errno == EPERM);
	EXPECT(link(DIR "/none", DIR "/c") == -1 && errno == ENOENT);
	EXPECT(rename(DIR "/a", DIR "/b") == 0);	/* same file: nothing */
	EXPECT(stat(DIR "/a", &a) == 0 && a.st_nlink == 2);
	EXPECT(unlink(DIR "/a") == 0);
	EXPECT(stat(DIR "/b", &b) == 0 && b.st_nlink == 1);
	EXPECT(fstat(fd, &a) == 0 && a.st_nlink == 1);
	close(fd);
	fd = open(DIR "/b", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, buf, 8) == 4 && !strcmp(buf, "data"));
	EXPECT(unlink(DIR "/b") == 0);
	EXPECT(fstat(fd, &a) == 0 && a.st_nlink == 0);	/* open, nameless */
	EXPECT(pread(fd, buf, 8, 0) == 4);
	close(fd);
	for (int i = 0; i < ut_nbad_ptrs; i++)
		EXPECT(UT_ERRNO(SYS_link, ut_bad_ptrs[i], DIR "/x") == EFAULT);
	return 0;
}

/* chown, lchown, fchown and stat; -1 leaves an id alone. */
static int ut_attr_owner(void)
{
	struct stat st;
	int fd = open(DIR "/o", O_RDWR | O_CREAT | O_TRUNC, 04755);

	EXPECT(fd >= 0);
	if (geteuid() != 0)
		return 0;		/* natively as a user: not allowed */
	EXPECT(fchmod(fd, 04755) == 0);
	EXPECT(chown(DIR "/o", 123, 456) == 0);
	EXPECT(stat(DIR "/o", &st) == 0 && st.st_uid == 123 && st.st_gid == 456);
	EXPECT(!(st.st_mode & S_ISUID));		/* chown drops set-id */
	EXPECT(fchown(fd, -1, 789) == 0);
	EXPECT(fstat(fd, &st) == 0 && st.st_uid == 123 && st.st_gid == 789);
	EXPECT(symlink("o", DIR "/l") == 0);
	EXPECT(lchown(DIR "/l", 7, 8) == 0);
	EXPECT(lstat(DIR "/l", &st) == 0 && st.st_uid == 7 && st.st_gid == 8);
	EXPECT(stat(DIR "/l", &st) == 0 && st.st_uid == 123);
	EXPECT(chown(DIR "/none", 0, 0) == -1 && errno == ENOENT);
	EXPECT(fchown(999, 0, 0) == -1 && errno == EBADF);
	for (int i = 0; i < ut_nbad_ptrs; i++)
		EXPECT(UT_ERRNO(SYS_chown, ut_bad_ptrs[i], 0, 0) == EFAULT);
	close(fd);
	unlink(DIR "/l");
	return 0;
}

/* utimensat: explicit times, UTIME_NOW, UTIME_OMIT, futimens; ctime moves. */
static int ut_attr_times(void)
{
	struct timespec t[2] = { { 1000, 5 }, { 2000, 7 } };
	struct stat st, st2;
	int fd = open(DIR "/o", O_RDWR);
	time_t now = time(NULL);

	EXPECT(fd >= 0);
	EXPECT(utimensat(AT_FDCWD, DIR "/o", t, 0) == 0);
	EXPECT(stat(DIR "/o", &st) == 0);
	EXPECT(st.st_atim.tv_sec == 1000 && st.st_atim.tv_nsec == 5);
	EXPECT(st.st_mtim.tv_sec == 2000 && st.st_mtim.tv_nsec == 7);
	EXPECT(st.st_ctime >= now);
	t[0].tv_nsec = UTIME_OMIT;
	t[1].tv_nsec = UTIME_NOW;
	EXPECT(utimensat(AT_FDCWD, DIR "/o", t, 0) == 0);
	EXPECT(stat(DIR "/o", &st) == 0 && st.st_atim.tv_sec == 1000);
	EXPECT(st.st_mtime >= now && st.st_mtime < now + 5);
	t[0] = (struct timespec){ 3000, 0 };
	t[1].tv_nsec = UTIME_OMIT;
	EXPECT(futimens(fd, t) == 0);
	EXPECT(fstat(fd, &st2) == 0 && st2.st_atime == 3000);
	EXPECT(st2.st_mtim.tv_sec == st.st_mtim.tv_sec);
	EXPECT(utimensat(AT_FDCWD, DIR "/o", NULL, 0) == 0);	/* both now */
	EXPECT(stat(DIR "/o", &st) == 0 && st.st_atime >= now);
	EXPECT(write(fd, "x", 1) == 1);			/* a write moves mtime */
	t[0].tv_nsec = 1000000000;
	EXPECT(utimensat(AT_FDCWD, DIR "/o", t, 0) == -1 && errno == EINVAL);
	EXPECT(utimensat(AT_FDCWD, DIR "/o", NULL, 0x4000) == -1 &&
	       errno == EINVAL);
	EXPECT(UT_ERRNO(SYS_utimensat, AT_FDCWD, DIR "/o", UT_UNMAPPED, 0) ==
	       EFAULT);
	EXPECT(UT_ERRNO(SYS_utimensat, AT_FDCWD, UT_KERNEL_TEXT, NULL, 0) ==
	       EFAULT);
	EXPECT(UT_ERRNO(SYS_utimensat, 999, NULL, NULL, 0) == EBADF);
	close(fd);
	return 0;
}

int t_file_hardlink(void)
{
	int ret = ut_attr_links() || ut_attr_owner() || ut_attr_times();

	unlink(DIR "/o");
	rmdir(DIR);
	return ret;
}

/* statfs/fstatfs: the RAM file system's figures move with a write. */
int t_file_statfs(void)
{
	static char block[65536];
	struct statfs a, b;
	int fd = open("/tmp/ut_statfs", O_RDWR | O_CREAT | O_TRUNC, 0600);

	EXPECT(fd >= 0);
	EXPECT(statfs("/tmp", &a) == 0 && a.f_bsize > 0 && a.f_blocks > 0);
	EXPECT(a.f_bfree <= a.f_blocks && a.f_namelen == 255);
	for (int i = 0; i < 64; i++)
		EXPECT(write(fd, block, sizeof(block)) == sizeof(block));
	EXPECT(fstatfs(fd, &b) == 0 && b.f_type == a.f_type);
	if (ut_on_loupe) {
		EXPECT(a.f_type == 0x01021994);		/* TMPFS_MAGIC */
		EXPECT(a.f_bfree - b.f_bfree >= 4u << 20 >> 12);
		EXPECT(b.f_files - b.f_ffree >= 1);
	}
	close(fd);
	EXPECT(unlink("/tmp/ut_statfs") == 0);
	EXPECT(statfs("/tmp", &b) == 0);
	EXPECT(!ut_on_loupe || b.f_bfree == a.f_bfree);
	EXPECT(statfs("/none", &b) == -1 && errno == ENOENT);
	EXPECT(fstatfs(999, &b) == -1 && errno == EBADF);
	for (int i = 0; i < ut_nbad_ptrs; i++) {
		EXPECT(UT_ERRNO(SYS_statfs, "/tmp", ut_bad_ptrs[i]) == EFAULT);
		EXPECT(UT_ERRNO(SYS_fstatfs, 0, ut_bad_ptrs[i]) == EFAULT);
	}
	return 0;
}

/* This process's CPU time so far, in ticks of 10 ms. */
static clock_t ut_attr_cpu(void)
{
	struct tms t;

	times(&t);
	return t.tms_utime + t.tms_stime;
}

/*
 * Spin until times() counts 20 more ticks of this process's CPU time (a
 * shared host may give it far less than all of a CPU, so the test waits
 * for the count, not for a fixed time); if 10 s pass first, the process
 * exits 1: the test, or the child, fails.
 */
static void ut_attr_spin(void)
{
	clock_t start = ut_attr_cpu();
	uint64_t end = ut_now_ns() + 10000000000ull;

	while (ut_attr_cpu() - start < 20)
		if (ut_now_ns() > end)
			_exit(1);
}

/* times counts this process's CPU time, then a reaped child's. */
static int ut_attr_cputime(void)
{
	struct tms a, b;
	clock_t t0 = times(&a), t1;

	ut_attr_spin();
	t1 = times(&b);
	/* CPU time cannot outrun the clock (19: the two round apart). */
	EXPECT(t1 - t0 >= 19 && t1 - t0 < 1100);	/* ticks of 10 ms */
	EXPECT(b.tms_utime + b.tms_stime - a.tms_utime - a.tms_stime >= 20);
	EXPECT(ut_child_status(ut_attr_spin) == 0);
	EXPECT(times(&a) > 0);
	EXPECT(a.tms_cutime + a.tms_cstime - b.tms_cutime - b.tms_cstime >= 20);
	EXPECT(UT_ERRNO(SYS_times, UT_KERNEL_DIRECT) == EFAULT);
	return 0;
}

/* getgroups: root has none here; syslog: the kernel log, as dmesg reads it. */
int t_misc_cputime(void)
{
	static char log[1 << 16];
	gid_t g[4];
	long n, size;

	if (ut_attr_cputime())
		return 1;
	EXPECT(getgroups(4, g) >= 0);
	EXPECT(getgroups(-1, g) == -1 && errno == EINVAL);
	if (!ut_on_loupe)
		return 0;		/* the log needs privileges natively */
	EXPECT(getgroups(0, NULL) == 0);
	size = syscall(SYS_syslog, 10, NULL, 0);	/* SIZE_BUFFER */
	EXPECT(size >= 4096 && size <= (long)sizeof(log));
	n = syscall(SYS_syslog, 3, log, size);		/* READ_ALL */
	EXPECT(n > 0 && n <= size);
	log[n] = 0;
	EXPECT(strstr(log, "console: COM1 115200 8N1 ready") ||
	       n == size);				/* the start rolled out */
	EXPECT(strstr(log, "mm: heap ready") || n == size);
	EXPECT(syscall(SYS_syslog, 3, log, 10) == 10);	/* the newest 10 */
	EXPECT(UT_ERRNO(SYS_syslog, 3, UT_KERNEL_TEXT, 100) == EFAULT);
	EXPECT(UT_ERRNO(SYS_syslog, 3, log, -1) == EINVAL);
	EXPECT(UT_ERRNO(SYS_syslog, 99, log, 1) == EINVAL);
	return 0;
}
