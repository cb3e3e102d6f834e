/*
 * utests: files through the kernel's descriptor tables and the VFS server
 * (kernel/file.c, kernel/linux/sys_fs.c and sys_path.c, userland/vfs).
 * Each test says what it checks and what abuse it attempts. They work in
 * /tmp, in names of their own, so they also run natively on Linux.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "loupe.h"
#include "server.h"
#include "utests.h"
#include "ut_tests.h"
#include <loupe/fsproto.h>

#define UT_DIR		"/tmp/ut_file"
#define UT_EMPTY_SLOT	63	/* a capability slot no test fills */

/* A fresh, empty directory of the test's own; the cwd stays "/". */
static int ut_file_dir(const char *path)
{
	char cmd[512];
	DIR *d = opendir(path);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(cmd, sizeof(cmd), "%s/%s", path, e->d_name);
			if (unlink(cmd))
				rmdir(cmd);
		}
		closedir(d);
		rmdir(path);
	}
	return mkdir(path, 0755);
}

static int ut_file_put(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
	int n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (int)strlen(s) ? 0 : -1;
}

/* The whole file (at most size-1 bytes) as a string; its length or -1. */
static int ut_file_get(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Create, write, read back, seek, stat, unlink; a file bigger than a slot. */
int t_file_rw(void)
{
	static char big[40000], back[40000];
	char buf[64];
	struct stat st;
	int fd;

	EXPECT(ut_file_dir(UT_DIR "rw") == 0);
	fd = open(UT_DIR "rw/a", O_RDWR | O_CREAT, 0640);
	EXPECT(fd >= 0);
	EXPECT(write(fd, "hello, files", 12) == 12);
	EXPECT(lseek(fd, 0, SEEK_CUR) == 12);
	EXPECT(lseek(fd, 7, SEEK_SET) == 7);
	EXPECT(read(fd, buf, sizeof(buf)) == 5 && !memcmp(buf, "files", 5));
	EXPECT(read(fd, buf, sizeof(buf)) == 0);
	EXPECT(lseek(fd, -5, SEEK_END) == 7);
	EXPECT(pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "hello", 5));
	EXPECT(lseek(fd, 0, SEEK_CUR) == 7);	/* pread leaves the offset */
	EXPECT(pwrite(fd, "J", 1, 0) == 1);
	EXPECT(lseek(fd, -1, SEEK_SET) == -1 && errno == EINVAL);
	EXPECT(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 12);
	EXPECT((st.st_mode & 0777) == 0640);
	EXPECT(stat(UT_DIR "rw/a", &st) == 0 && st.st_size == 12);
	EXPECT(close(fd) == 0);
	EXPECT(ut_file_get(UT_DIR "rw/a", buf, sizeof(buf)) == 12);
	EXPECT(!strcmp(buf, "Jello, files"));
	/* Bigger than one request slot: written and read in pieces. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + i / 251);
	fd = open(UT_DIR "rw/big", O_RDWR | O_CREAT, 0600);
	EXPECT(fd >= 0 && write(fd, big, sizeof(big)) == sizeof(big));
	EXPECT(pread(fd, back, sizeof(back), 0) == sizeof(back));
	EXPECT(!memcmp(big, back, sizeof(big)));
	EXPECT(ftruncate(fd, 100) == 0 && fstat(fd, &st) == 0 &&
	       st.st_size == 100);
	EXPECT(close(fd) == 0 && truncate(UT_DIR "rw/big", 0) == 0);
	EXPECT(stat(UT_DIR "rw/big", &st) == 0 && st.st_size == 0);
	EXPECT(unlink(UT_DIR "rw/a") == 0 && unlink(UT_DIR "rw/big") == 0);
	EXPECT(stat(UT_DIR "rw/a", &st) == -1 && errno == ENOENT);
	EXPECT(rmdir(UT_DIR "rw") == 0);
	return 0;
}

/* O_APPEND, O_TRUNC, O_EXCL; a file unlinked while open stays readable. */
int t_file_flags(void)
{
	char buf[64];
	int fd;

	EXPECT(ut_file_dir(UT_DIR "fl") == 0);
	EXPECT(ut_file_put(UT_DIR "fl/f", "one", 0) == 0);
	fd = open(UT_DIR "fl/f", O_WRONLY | O_APPEND);
	EXPECT(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0);
	EXPECT(write(fd, "two", 3) == 3 && lseek(fd, 0, SEEK_CUR) == 6);
	EXPECT(close(fd) == 0);
	EXPECT(ut_file_get(UT_DIR "fl/f", buf, sizeof(buf)) == 6);
	EXPECT(!strcmp(buf, "onetwo"));
	EXPECT(ut_file_put(UT_DIR "fl/f", "3", O_TRUNC) == 0);
	EXPECT(ut_file_get(UT_DIR "fl/f", buf, sizeof(buf)) == 1);
	EXPECT(open(UT_DIR "fl/f", O_WRONLY | O_CREAT | O_EXCL, 0600) == -1 &&
	       errno == EEXIST);
	fd = open(UT_DIR "fl/g", O_RDWR | O_CREAT | O_EXCL, 0600);
	EXPECT(fd >= 0 && write(fd, "gone", 4) == 4);
	EXPECT(unlink(UT_DIR "fl/g") == 0);
	EXPECT(pread(fd, buf, 4, 0) == 4 && !memcmp(buf, "gone", 4));
	EXPECT(close(fd) == 0);
	EXPECT((fcntl(fd = open(UT_DIR "fl/f", O_RDONLY), F_GETFL) &
		O_ACCMODE) == O_RDONLY);
	EXPECT(write(fd, "x", 1) == -1 && errno == EBADF);
	EXPECT(fcntl(fd, F_SETFL, O_APPEND) == 0 &&
	       (fcntl(fd, F_GETFL) & O_APPEND));
	EXPECT(close(fd) == 0);
	fd = open(UT_DIR "fl/f", O_WRONLY);
	EXPECT(fd >= 0 && read(fd, buf, 1) == -1 && errno == EBADF);
	EXPECT(close(fd) == 0 && unlink(UT_DIR "fl/f") == 0);
	EXPECT(rmdir(UT_DIR "fl") == 0);
	return 0;
}

/* Count the entries readdir gives for path, checking "." and "..". */
static int ut_file_count(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0, dots = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			dots++;
		else
			n++;
	}
	closedir(d);
	return dots == 2 ? n : -1;
}

/* mkdir, rmdir, chdir, getcwd, relative paths with ".", ".." and "//". */
int t_file_dirs(void)
{
	char cwd[256], buf[64];
	struct stat st;
	int fd;

	EXPECT(ut_file_dir(UT_DIR "d") == 0);
	EXPECT(chdir(UT_DIR "d") == 0);
	EXPECT(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, UT_DIR "d"));
	EXPECT(mkdir("sub", 0755) == 0 && mkdir("sub/inner", 0700) == 0);
	EXPECT(stat("sub", &st) == 0 && S_ISDIR(st.st_mode));
	EXPECT(chdir("./sub//inner/") == 0);
	EXPECT(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, UT_DIR "d/sub/inner"));
	EXPECT(ut_file_put("../f1", "rel", 0) == 0);
	EXPECT(ut_file_get(UT_DIR "d/sub/f1", buf, sizeof(buf)) == 3);
	EXPECT(ut_file_put(".././../sub/./f2", "x", 0) == 0);
	EXPECT(chdir("..") == 0 && ut_file_count(".") == 3);
	EXPECT(chdir("/../../") == 0 && getcwd(cwd, sizeof(cwd)) &&
	       !strcmp(cwd, "/"));
	EXPECT(getcwd(cwd, 1) == NULL && errno == ERANGE);
	fd = open(UT_DIR "d/sub", O_RDONLY | O_DIRECTORY);
	EXPECT(fd >= 0 && fchdir(fd) == 0);
	EXPECT(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, UT_DIR "d/sub"));
	EXPECT(openat(fd, "f2", O_RDONLY) >= 0);
	EXPECT(mkdirat(fd, "made", 0755) == 0 && rmdir("made") == 0);
	EXPECT(rename("f1", "inner/moved") == 0);
	EXPECT(ut_file_get("inner/moved", buf, sizeof(buf)) == 3);
	EXPECT(rename("inner", UT_DIR "d/renamed") == 0);
	EXPECT(unlinkat(AT_FDCWD, "../renamed/moved", 0) == 0);
	EXPECT(unlinkat(AT_FDCWD, "../renamed", AT_REMOVEDIR) == 0);
	EXPECT(unlink("f2") == 0 && chdir("/") == 0);
	EXPECT(rmdir(UT_DIR "d/sub") == 0 && rmdir(UT_DIR "d") == 0);
	EXPECT(ut_file_count("/") > 3 && ut_file_count("/dev") >= 4);
	return 0;
}

/* dup, dup2, dup3, fcntl; O_CLOEXEC and FD_CLOEXEC across execve. */
int t_file_dup(void)
{
	char *argv[] = { "uhelper", "fds", "3", "4", "5", "6", NULL };
	char *envp[] = { NULL };
	char buf[8];
	int fd, st;

	EXPECT(ut_file_dir(UT_DIR "dup") == 0);
	EXPECT(ut_file_put(UT_DIR "dup/f", "abcdef", 0) == 0);
	for (int i = 3; i < 10; i++)
		close(i);
	fd = open(UT_DIR "dup/f", O_RDONLY);
	EXPECT(fd == 3);
	EXPECT(dup(fd) == 4);
	EXPECT(read(4, buf, 2) == 2 && read(3, buf, 2) == 2 &&
	       !memcmp(buf, "cd", 2));	/* one offset, shared */
	EXPECT(dup2(3, 6) == 6 && dup2(6, 6) == 6);
	EXPECT(dup2(3, 1000000) == -1 && errno == EBADF);
	EXPECT(dup3(3, 3, 0) == -1 && errno == EINVAL);
	EXPECT(dup3(3, 5, O_CLOEXEC) == 5 && fcntl(5, F_GETFD) == FD_CLOEXEC);
	EXPECT(fcntl(4, F_SETFD, FD_CLOEXEC) == 0 && fcntl(4, F_GETFD) == 1);
	EXPECT(fcntl(3, F_DUPFD, 7) == 7 && fcntl(3, F_DUPFD_CLOEXEC, 7) == 8);
	EXPECT(fcntl(8, F_GETFD) == FD_CLOEXEC && close(7) == 0 &&
	       close(8) == 0);
	EXPECT(fcntl(3, 12345) == -1 && errno == EINVAL);
	/* 4 and 5 are close-on-exec, 3 and 6 are not. */
	st = ut_exec_status("uhelper", argv, envp);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == (1 << 3 | 1 << 6));
	EXPECT(close(3) == 0 && close(3) == -1 && errno == EBADF);
	EXPECT(unlink(UT_DIR "dup/f") == 0 && rmdir(UT_DIR "dup") == 0);
	return 0;
}

/* A forked child shares the open file's offset with its parent. */
int t_file_fork_offset(void)
{
	char buf[8];
	int fd, st;
	pid_t pid;

	EXPECT(ut_file_dir(UT_DIR "fo") == 0);
	EXPECT(ut_file_put(UT_DIR "fo/f", "0123456789", 0) == 0);
	fd = open(UT_DIR "fo/f", O_RDWR);
	EXPECT(fd >= 0 && read(fd, buf, 2) == 2);
	pid = fork();
	if (pid == 0)
		_exit(read(fd, buf, 3) == 3 && !memcmp(buf, "234", 3) ? 0 : 1);
	EXPECT(pid > 0 && waitpid(pid, &st, 0) == pid && st == 0);
	EXPECT(lseek(fd, 0, SEEK_CUR) == 5);
	EXPECT(read(fd, buf, 1) == 1 && buf[0] == '5');
	EXPECT(close(fd) == 0 && unlink(UT_DIR "fo/f") == 0);
	EXPECT(rmdir(UT_DIR "fo") == 0);
	return 0;
}

#define UT_READERS	8	/* more than the CPUs: calls queue at the server */
#define UT_READS	300	/* each */

/* UT_READS 4-byte preads of the pattern file, each checked; 0 if all right. */
static int ut_file_reader(int fd, unsigned seed)
{
	uint32_t v;

	for (unsigned i = 0; i < UT_READS; i++) {
		uint32_t at = (seed * 7919u + i * 104729u) % 1024;

		if (pread(fd, &v, 4, at * 4) != 4 || v != at * 2654435761u)
			return 1;
	}
	return 0;
}

/*
 * UT_READERS processes read one file through the VFS server at once, on
 * every CPU: the server, one thread, finds calls queued behind the one it
 * answers (a reply-and-receive that takes the next call at once), and
 * every reader still gets its own bytes.
 */
int t_file_readers(void)
{
	uint32_t pat[1024];
	pid_t pids[UT_READERS];
	int fd, st, bad = 0;

	for (unsigned i = 0; i < 1024; i++)
		pat[i] = i * 2654435761u;
	EXPECT(ut_file_dir(UT_DIR "rd") == 0);
	fd = open(UT_DIR "rd/pat", O_RDWR | O_CREAT, 0644);
	EXPECT(fd >= 0 && write(fd, pat, sizeof(pat)) == sizeof(pat));
	for (int i = 0; i < UT_READERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(ut_file_reader(fd, (unsigned)i));
		EXPECT(pids[i] > 0);
	}
	for (int i = 0; i < UT_READERS; i++)
		bad |= waitpid(pids[i], &st, 0) != pids[i] || st != 0;
	EXPECT(!bad);
	EXPECT(close(fd) == 0 && unlink(UT_DIR "rd/pat") == 0);
	EXPECT(rmdir(UT_DIR "rd") == 0);
	return 0;
}

/* /dev/null swallows and is empty; /dev/zero reads zeros. */
int t_file_dev(void)
{
	char buf[100];
	struct stat st;
	int fd = open("/dev/null", O_RDWR);

	EXPECT(fd >= 0 && write(fd, "xyz", 3) == 3 && read(fd, buf, 10) == 0);
	EXPECT(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode));
	EXPECT(close(fd) == 0);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 1, sizeof(buf));
	EXPECT(fd >= 0 && read(fd, buf, sizeof(buf)) == sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		EXPECT(buf[i] == 0);
	EXPECT(close(fd) == 0);
	return 0;
}

/* The initrd's files are in the tree: /bin/hello is an ELF, all of it. */
int t_file_initrd(void)
{
	static char img[1 << 20];
	struct stat st;
	ssize_t n;
	int fd;
	char path[300];

	snprintf(path, sizeof(path), "%s/hello", ut_bindir);
	fd = open(path, O_RDONLY);
	EXPECT(fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 1000);
	EXPECT(st.st_mode & 0100);
	EXPECT(st.st_size < (off_t)sizeof(img));
	n = read(fd, img, sizeof(img));
	EXPECT(n == st.st_size && !memcmp(img, "\177ELF", 4));
	EXPECT(close(fd) == 0);
	EXPECT(access(path, X_OK) == 0 && access("/nonexistent", F_OK) == -1);
	return 0;
}

/* The path- and buffer-taking calls, each given ptr. */
static int ut_file_efault_one(void *p)
{
	int fd = open("/tmp/ut_file_efault", O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct iovec iov = { p, 8 };
	char buf[16];

	EXPECT(UT_ERRNO(SYS_open, p, O_RDONLY) == EFAULT);
	EXPECT(UT_ERRNO(SYS_openat, AT_FDCWD, p, O_RDONLY) == EFAULT);
	EXPECT(UT_ERRNO(SYS_stat, p, &iov) == EFAULT);
	EXPECT(UT_ERRNO(SYS_stat, "/", p) == EFAULT);
	EXPECT(UT_ERRNO(SYS_lstat, p, &iov) == EFAULT);
	EXPECT(UT_ERRNO(SYS_lstat, "/", p) == EFAULT);
	EXPECT(UT_ERRNO(SYS_newfstatat, AT_FDCWD, p, &iov, 0) == EFAULT);
	EXPECT(UT_ERRNO(SYS_newfstatat, AT_FDCWD, "/", p, 0) == EFAULT);
	EXPECT(fd >= 0 && write(fd, "12345678", 8) == 8);
	EXPECT(lseek(fd, 0, SEEK_SET) == 0);
	EXPECT(UT_ERRNO(SYS_fstat, fd, p) == EFAULT);
	EXPECT(UT_ERRNO(SYS_read, fd, p, 8) == EFAULT);
	EXPECT(UT_ERRNO(SYS_pread64, fd, p, 8, 0) == EFAULT);
	EXPECT(UT_ERRNO(SYS_readv, fd, p, 1) == EFAULT);
	EXPECT(UT_ERRNO(SYS_readv, fd, &iov, 1) == EFAULT);
	EXPECT(UT_ERRNO(SYS_write, fd, p, 8) == EFAULT);
	EXPECT(UT_ERRNO(SYS_pwrite64, fd, p, 8, 0) == EFAULT);
	EXPECT(UT_ERRNO(SYS_access, p, F_OK) == EFAULT);
	EXPECT(UT_ERRNO(SYS_faccessat, AT_FDCWD, p, F_OK) == EFAULT);
	EXPECT(UT_ERRNO(SYS_mkdir, p, 0755) == EFAULT);
	EXPECT(UT_ERRNO(SYS_mkdirat, AT_FDCWD, p, 0755) == EFAULT);
	EXPECT(UT_ERRNO(SYS_unlink, p) == EFAULT);
	EXPECT(UT_ERRNO(SYS_unlinkat, AT_FDCWD, p, 0) == EFAULT);
	EXPECT(UT_ERRNO(SYS_rmdir, p) == EFAULT);
	EXPECT(UT_ERRNO(SYS_rename, p, "/tmp/x") == EFAULT);
	EXPECT(UT_ERRNO(SYS_rename, "/tmp/nonexistent", p) == EFAULT ||
	       errno == ENOENT);
	EXPECT(UT_ERRNO(SYS_truncate, p, 0) == EFAULT);
	EXPECT(UT_ERRNO(SYS_chdir, p) == EFAULT);
	EXPECT(UT_ERRNO(SYS_getcwd, p, 100) == EFAULT);
	EXPECT(UT_ERRNO(SYS_chmod, p, 0600) == EFAULT);
	EXPECT(UT_ERRNO(SYS_symlink, p, "/tmp/ut_file_efault_l") == EFAULT);
	EXPECT(UT_ERRNO(SYS_symlink, "x", p) == EFAULT);
	EXPECT(symlink("x", "/tmp/ut_file_efault_l") == 0);
	EXPECT(UT_ERRNO(SYS_readlink, p, buf, sizeof(buf)) == EFAULT);
	EXPECT(UT_ERRNO(SYS_readlink, "/tmp/ut_file_efault_l", p, 8) == EFAULT);
	unlink("/tmp/ut_file_efault_l");
	close(fd);
	unlink("/tmp/ut_file_efault");
	fd = open("/", O_RDONLY | O_DIRECTORY);
	EXPECT(UT_ERRNO(SYS_getdents64, fd, p, 4096) == EFAULT);
	close(fd);
	return 0;
}

/* Abuse: kernel, unmapped and non-canonical pointers on every file call. */
int t_file_efault(void)
{
	for (int i = 0; i < ut_nbad_ptrs; i++) {
		if (ut_file_efault_one(ut_bad_ptrs[i]))
			return 1;
	}
	return 0;
}

/* Abuse: every error the calls promise, and nothing crashes. */
int t_file_errors(void)
{
	char buf[300];
	int fd;

	EXPECT(ut_file_dir(UT_DIR "e") == 0);
	EXPECT(open(UT_DIR "e/none", O_RDONLY) == -1 && errno == ENOENT);
	EXPECT(open(UT_DIR "e/no/such", O_RDONLY | O_CREAT, 0600) == -1 &&
	       errno == ENOENT);
	EXPECT(open("", O_RDONLY) == -1 && errno == ENOENT);
	EXPECT(open(UT_DIR "e", O_WRONLY) == -1 && errno == EISDIR);
	fd = open(UT_DIR "e", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, buf, 1) == -1 && errno == EISDIR);
	EXPECT(close(fd) == 0);
	EXPECT(ut_file_put(UT_DIR "e/f", "x", 0) == 0);
	EXPECT(open(UT_DIR "e/f/x", O_RDONLY) == -1 && errno == ENOTDIR);
	EXPECT(open(UT_DIR "e/f", O_RDONLY | O_DIRECTORY) == -1 &&
	       errno == ENOTDIR);
	EXPECT(chdir(UT_DIR "e/f") == -1 && errno == ENOTDIR);
	EXPECT(mkdir(UT_DIR "e/f", 0755) == -1 && errno == EEXIST);
	EXPECT(mkdir("/", 0755) == -1 && errno == EEXIST);
	EXPECT(rmdir(UT_DIR "e") == -1 && errno == ENOTEMPTY);
	EXPECT(rmdir(UT_DIR "e/f") == -1 && errno == ENOTDIR);
	EXPECT(unlink(UT_DIR "e") == -1 && errno == EISDIR);
	EXPECT(rename(UT_DIR "e", UT_DIR "e/in") == -1 && errno == EINVAL);
	EXPECT(read(-1, buf, 1) == -1 && errno == EBADF);
	EXPECT(read(200, buf, 1) == -1 && errno == EBADF);
	EXPECT(close(4000) == -1 && errno == EBADF);
	EXPECT(fstat(-5, NULL) == -1 && errno == EBADF);
	EXPECT(lseek(99, 0, SEEK_SET) == -1 && errno == EBADF);
	EXPECT(fchdir(99) == -1 && errno == EBADF);
	EXPECT(dup(99) == -1 && errno == EBADF);
	memset(buf, 'a', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	EXPECT(open(buf, O_RDONLY | O_CREAT, 0600) == -1 &&
	       errno == ENAMETOOLONG);
	fd = open(UT_DIR "e/f", O_RDONLY);
	EXPECT(ioctl(fd, 0x5401, buf) == -1 && errno == ENOTTY);
	EXPECT(syscall(SYS_getdents64, fd, buf, sizeof(buf)) == -1 &&
	       errno == ENOTDIR);
	EXPECT(close(fd) == 0 && unlink(UT_DIR "e/f") == 0);
	EXPECT(rmdir(UT_DIR "e") == 0);
	return 0;
}

/* One round of everything that allocates: open, write, close, unlink. */
static int ut_file_churn(int rounds)
{
	for (int i = 0; i < rounds; i++) {
		int fd = open("/tmp/ut_file_churn", O_RDWR | O_CREAT, 0600);
		int fd2 = fd >= 0 ? dup(fd) : -1;

		if (fd < 0 || fd2 < 0 || write(fd, "data", 4) != 4)
			return -1;
		close(fd);
		close(fd2);
		if (unlink("/tmp/ut_file_churn"))
			return -1;
		fd = open("/dev/null", O_RDONLY);
		if (fd < 0 || close(fd))
			return -1;
	}
	return 0;
}

/* 2000 opens and closes leave free memory exactly where it started. */
int t_file_leak(void)
{
	long before, after;

	/*
	 * Warm the VFS's heap up: musl's allocator sizes its groups by use,
	 * and with a larger initrd it took one more page after 50 rounds
	 * (once, not per round: 5000 rounds still differ by one page).
	 */
	EXPECT(ut_file_churn(200) == 0);
	before = ut_settled_free_pages();
	EXPECT(ut_file_churn(1000) == 0);
	after = ut_settled_free_pages();
	if (ut_on_loupe && after != before)
		printf("utest: file_leak: %ld pages before, %ld after\n",
		       before, after);
	EXPECT(!ut_on_loupe || after == before);
	return 0;
}

/*
 * A throwaway file server on SRV_TEST: FS_READ answers "alive", FS_WRITE
 * crashes it and FS_TRUNCATE makes it exit, both while it holds the call.
 * Tells the parent through ntfn when it is registered.
 */
static void ut_file_test_server(long ctl, long ntfn)
{
	long ep = ipc_endpoint_new(), shm = shm_new(FS_SHM_SIZE);
	char *area = (char *)shm_map(shm, 1);
	struct ipc_msg m;
	uint64_t badge;

	if (ep < 0 || (long)area < 0 || srv_register(ctl, SRV_TEST, ep, shm))
		_exit(1);
	ipc_signal(ntfn, 1);
	if (ipc_recv(ep, &m, &badge))
		_exit(2);
	for (;;) {
		unsigned op = ipc_tag_label(m.tag);

		if (op == FS_WRITE)
			*(volatile int *)0 = 0;
		if (op == FS_TRUNCATE)
			_exit(0);
		m.w[0] = 0;
		if (op == FS_READ && m.w[1] == 2) {	/* a slow one */
			struct timespec ts = { 0, 2000000 };

			nanosleep(&ts, NULL);
		}
		if (op == FS_READ && m.w[3] < FS_SLOTS) {
			memcpy(area + m.w[3] * FS_SLOT_SIZE, "alive", 5);
			m.w[0] = 5;
		}
		ipc_reply_recv(ep, &m, &badge);
	}
}

static pid_t ut_file_start_server(long ctl)
{
	long ntfn = ipc_notify_new();
	uint64_t bits;
	pid_t pid;

	if (ntfn < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		ut_file_test_server(ctl, ntfn);
	if (pid > 0)
		ipc_wait(ntfn, &bits);
	ipc_cap_drop(ntfn);
	return pid;
}

/*
 * More callers than the server's area has slots (FS_SLOTS), each call
 * slow: the ones that find no free slot sleep until one is given back,
 * and every call is answered.
 */
static int ut_file_crowd(int fd)
{
	enum { CROWD = FS_SLOTS + 6 };
	pid_t pids[CROWD];
	int ok = 0, st;

	for (int i = 0; i < CROWD; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char b[2];

			_exit(read(fd, b, 2) == 2 && !memcmp(b, "al", 2) ? 0 : 1);
		}
	}
	for (int i = 0; i < CROWD; i++) {
		if (pids[i] > 0 && waitpid(pids[i], &st, 0) == pids[i] &&
		    st == 0)
			ok++;
	}
	return ok == CROWD ? 0 : -1;
}

/*
 * A crashing server gives its clients errors, not hangs. A throwaway
 * server registers as SRV_TEST (init gave utests a capability for that id
 * only) behind /dev/test; it dies holding a call (EIO), later calls on
 * its dead endpoint fail at once (EIO), and a server registered again
 * under the id serves new opens while the old descriptors stay dead; it
 * then exits holding a call (EIO too).
 * Abuse: the narrow capability cannot register the VFS, bad ids and a
 * too small area are refused. Runs once per boot (the id stays taken).
 */
int t_file_server_dies(void)
{
	long ctl = server_cap("srvtest"), ep, small;
	char buf[8];
	int fd1, fd2, fd3, fd4, st;
	pid_t pid;

	if (!ut_on_loupe)
		return UT_SKIP;
	EXPECT(ctl >= 0);
	EXPECT(open("/dev/test", O_RDWR) == -1 && errno == ENXIO);
	ep = ipc_endpoint_new();
	small = shm_new(4096);
	EXPECT(srv_register(ctl, SRV_VFS, ep, small) == -EPERM);
	EXPECT(srv_register(ctl, SRV_MAX, ep, small) == -EINVAL);
	EXPECT(srv_register(ctl, SRV_TEST, ep, small) == -EINVAL);
	EXPECT(srv_register(ep, SRV_TEST, ep, small) == -EINVAL);
	ipc_cap_drop(ep);
	ipc_cap_drop(small);
	pid = ut_file_start_server(ctl);
	EXPECT(pid > 0);
	fd1 = open("/dev/test", O_RDWR);
	fd2 = open("/dev/test", O_RDWR);
	EXPECT(fd1 >= 0 && fd2 >= 0);
	EXPECT(read(fd1, buf, sizeof(buf)) == 5 && !memcmp(buf, "alive", 5));
	EXPECT(ut_file_crowd(fd1) == 0);
	EXPECT(write(fd1, "x", 1) == -1 && errno == EIO);
	EXPECT(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st));
	EXPECT(read(fd2, buf, sizeof(buf)) == -1 && errno == EIO);
	EXPECT(close(fd1) == 0 && close(fd2) == 0);
	fd3 = open("/dev/test", O_RDWR);
	EXPECT(fd3 >= 0 && read(fd3, buf, 1) == -1 && errno == EIO);
	/* A restarted server: new opens reach it, old descriptors do not. */
	pid = ut_file_start_server(ctl);
	EXPECT(pid > 0);
	fd4 = open("/dev/test", O_RDWR);
	EXPECT(fd4 >= 0 && read(fd4, buf, sizeof(buf)) == 5);
	EXPECT(read(fd3, buf, 1) == -1 && errno == EIO);
	EXPECT(ftruncate(fd4, 0) == -1 && errno == EIO);
	EXPECT(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	EXPECT(read(fd4, buf, 1) == -1 && errno == EIO);
	EXPECT(close(fd3) == 0 && close(fd4) == 0);
	return 0;
}

static volatile char *ut_shm_ro;

static void ut_shm_write_ro(void)
{
	ut_shm_ro[0] = 1;
}

/*
 * Shared memory: mappings of one object see each other, fork shares
 * them (not copies), a read-only mapping cannot be written (SIGSEGV) or
 * mprotected writable, mremap moves and shrinks one (not grows), and
 * objects and mappings are freed to the page.
 * Abuse: zero and huge sizes, empty slots, the wrong kind of capability,
 * a writable map through a capability without CAP_WRITE.
 */
/* One round of create/map/fork/unmap/drop on a 64 KiB object. */
static int ut_shm_round(void)
{
	volatile char *p, *q;
	long s, ro;
	pid_t pid;
	int st;

	s = shm_new(65536);
	EXPECT(s >= 0);
	p = (volatile char *)shm_map(s, 1);
	ro = ipc_cap_mint(s, 0, 0);
	EXPECT((long)p > 0 && ro >= 0);
	EXPECT(shm_map(ro, 1) == -EPERM);
	q = (volatile char *)shm_map(ro, 0);
	EXPECT((long)q > 0 && q != p);
	for (int i = 0; i < 65536; i += 4096)
		EXPECT(p[i] == 0);
	p[100] = 'p';
	EXPECT(q[100] == 'p');
	pid = fork();
	if (pid == 0) {
		p[200] = 'c';
		_exit(q[100] == 'p' ? 0 : 1);
	}
	EXPECT(waitpid(pid, &st, 0) == pid && st == 0 && q[200] == 'c');
	ut_shm_ro = q;
	EXPECT(ut_dies_with(ut_shm_write_ro, SIGSEGV));
	EXPECT(mprotect((void *)q, 4096, PROT_READ | PROT_WRITE) == -1 &&
	       errno == EACCES);
	EXPECT(munmap((void *)p, 65536) == 0 && q[200] == 'c');
	/* mremap moves a shared mapping (read-only still) and shrinks it. */
	EXPECT(mremap((void *)q, 65536, 131072, MREMAP_MAYMOVE) == MAP_FAILED &&
	       errno == EINVAL);
	EXPECT(mremap((void *)q, 65536, 65536, MREMAP_MAYMOVE | MREMAP_FIXED,
		      (void *)p) == p);
	q = p;
	EXPECT(q[100] == 'p' && q[200] == 'c');
	ut_shm_ro = q;
	EXPECT(ut_dies_with(ut_shm_write_ro, SIGSEGV));
	EXPECT(mremap((void *)q, 65536, 32768, 0) == q);
	EXPECT(ipc_cap_drop(s) == 0 && ipc_cap_drop(ro) == 0);
	EXPECT(q[100] == 'p');	/* the mapping still holds it */
	EXPECT(munmap((void *)q, 65536) == 0);
	return 0;
}

int t_shm(void)
{
	long before, after, ep;

	if (!ut_on_loupe)
		return UT_SKIP;
	EXPECT(shm_new(0) == -EINVAL && shm_new(1ul << 40) == -EINVAL);
	EXPECT(shm_map(UT_EMPTY_SLOT, 0) == -EBADF);
	ep = ipc_endpoint_new();
	EXPECT(shm_map(ep, 0) == -EINVAL);
	ipc_cap_drop(ep);
	/*
	 * One round first: the kernel's allocators keep a page per size
	 * class once used, which is not a leak.
	 */
	EXPECT(ut_shm_round() == 0);
	before = ut_settled_free_pages();
	for (int round = 0; round < 20; round++)
		EXPECT(ut_shm_round() == 0);
	after = ut_settled_free_pages();
	if (after != before)
		printf("utest: shm: %ld pages before, %ld after\n", before, after);
	EXPECT(after == before);
	return 0;
}

/*
 * umask, chmod, fchmod; symlinks: made, read back (readlink truncates to
 * the buffer), followed in the middle and at the end of paths, relative
 * targets taken from the link's directory, not followed by lstat, unlink
 * or O_NOFOLLOW. Abuse: a symlink loop (ELOOP), a dangling link, readlink
 * of a file (EINVAL) or into a zero-sized buffer.
 */
int t_file_links(void)
{
	char buf[64];
	struct stat st;
	mode_t old;
	int fd;

	EXPECT(ut_file_dir(UT_DIR "ln") == 0);
	old = umask(077);
	EXPECT(umask(077) == 077);
	EXPECT(ut_file_put(UT_DIR "ln/f", "data", 0) == 0 &&
	       stat(UT_DIR "ln/f", &st) == 0 && (st.st_mode & 0777) == 0600);
	EXPECT(mkdir(UT_DIR "ln/d", 0777) == 0 &&
	       stat(UT_DIR "ln/d", &st) == 0 && (st.st_mode & 0777) == 0700);
	umask(old);
	EXPECT(chmod(UT_DIR "ln/f", 0604) == 0 && stat(UT_DIR "ln/f", &st) == 0 &&
	       (st.st_mode & 07777) == 0604 && S_ISREG(st.st_mode));
	fd = open(UT_DIR "ln/f", O_RDONLY);
	EXPECT(fd >= 0 && fchmod(fd, 0640) == 0 && fstat(fd, &st) == 0 &&
	       (st.st_mode & 07777) == 0640 && close(fd) == 0);
	EXPECT(symlink("f", UT_DIR "ln/l") == 0);
	EXPECT(symlink("f", UT_DIR "ln/l") == -1 && errno == EEXIST);
	EXPECT(readlink(UT_DIR "ln/l", buf, sizeof(buf)) == 1 && buf[0] == 'f');
	EXPECT(UT_ERRNO(SYS_readlink, UT_DIR "ln/l", buf, 0) == EINVAL);
	EXPECT(readlink(UT_DIR "ln/f", buf, 8) == -1 && errno == EINVAL);
	EXPECT(lstat(UT_DIR "ln/l", &st) == 0 && S_ISLNK(st.st_mode));
	EXPECT(stat(UT_DIR "ln/l", &st) == 0 && S_ISREG(st.st_mode));
	EXPECT(ut_file_get(UT_DIR "ln/l", buf, sizeof(buf)) == 4);
	EXPECT(open(UT_DIR "ln/l", O_RDONLY | O_NOFOLLOW) == -1 &&
	       errno == ELOOP);
	EXPECT(symlink(UT_DIR "ln/d", UT_DIR "ln/ld") == 0);
	EXPECT(ut_file_put(UT_DIR "ln/ld/in", "x", 0) == 0);
	EXPECT(stat(UT_DIR "ln/d/in", &st) == 0 && st.st_size == 1);
	EXPECT(symlink("../f", UT_DIR "ln/d/up") == 0);
	EXPECT(ut_file_get(UT_DIR "ln/ld/up", buf, sizeof(buf)) == 4);
	EXPECT(readlink(UT_DIR "ln/d/up", buf, 2) == 2 && !memcmp(buf, "..", 2));
	EXPECT(symlink("b", UT_DIR "ln/a") == 0 && symlink("a", UT_DIR "ln/b") == 0);
	EXPECT(open(UT_DIR "ln/a", O_RDONLY) == -1 && errno == ELOOP);
	EXPECT(symlink("nowhere", UT_DIR "ln/dangle") == 0);
	EXPECT(stat(UT_DIR "ln/dangle", &st) == -1 && errno == ENOENT);
	EXPECT(unlink(UT_DIR "ln/l") == 0 && stat(UT_DIR "ln/f", &st) == 0);
	EXPECT(unlink(UT_DIR "ln/a") == 0 && unlink(UT_DIR "ln/b") == 0 &&
	       unlink(UT_DIR "ln/dangle") == 0 && unlink(UT_DIR "ln/ld") == 0);
	EXPECT(unlink(UT_DIR "ln/d/up") == 0 && unlink(UT_DIR "ln/d/in") == 0);
	EXPECT(rmdir(UT_DIR "ln/d") == 0 && unlink(UT_DIR "ln/f") == 0);
	EXPECT(rmdir(UT_DIR "ln") == 0);
	return 0;
}
