/*
 * utests: execve and the ELF loader. The helper (userland/uhelper) judges
 * what the kernel handed it and answers through its exit status; the
 * run-time files test reads programs' output through a pipe.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "utests.h"
#include "ut_tests.h"

static char *const no_env[] = { NULL };

/* Whether a helper run exits with @want; says what happened if not. */
static bool helper_ok(const char *prog, char *const argv[], char *const envp[],
		      int want)
{
	int status = ut_exec_status(prog, argv, envp);

	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == want)
		return true;
	printf("utest: %s %s: wait status 0x%x, wanted exit %d\n", prog,
	       argv[1] ? argv[1] : "", status, want);
	return false;
}

/* A static ET_EXEC at 0x400000 runs and its exit code comes back. */
int t_exec_static(void)
{
	char *argv[] = { "uhelper", "exit", "42", NULL };

	EXPECT(helper_ok("uhelper", argv, no_env, 42));
	argv[2] = "0";
	EXPECT(helper_ok("uhelper", argv, no_env, 0));
	return 0;
}

/* Static PIEs (ET_DYN relocating themselves) load and run. */
int t_exec_pie(void)
{
	char *hello[] = { "hello-pie", NULL };
	char *argv[] = { "uhelper-pie", "exit", "7", NULL };

	EXPECT(helper_ok("hello-pie", hello, no_env, 0));
	EXPECT(helper_ok("uhelper-pie", argv, no_env, 7));
	return 0;
}

/* argv and envp arrive exactly, empty strings and tabs included. */
int t_exec_args(void)
{
	char *argv[] = { "uhelper", "args", "", "two words", "x\ty", NULL };
	char *envp[] = { "A=1", "EMPTY=", "LOUPE_TEST=yes", NULL };

	EXPECT(helper_ok("uhelper", argv, envp, 0));
	EXPECT(helper_ok("uhelper-pie", argv, envp, 0));
	return 0;
}

/* AT_PHDR/PHENT/PHNUM/PAGESZ/ENTRY/RANDOM/EXECFN/ids describe the image. */
static int exec_auxv(const char *prog)
{
	char path[512];
	char *argv[] = { (char *)prog, "auxv", path, NULL };

	snprintf(path, sizeof(path), "%s/%s", ut_bindir, prog);
	EXPECT(helper_ok(prog, argv, no_env, 0));
	return 0;
}

int t_exec_auxv(void)
{
	return exec_auxv("uhelper");
}

int t_exec_auxv_pie(void)
{
	return exec_auxv("uhelper-pie");
}

/*
 * A new image starts with Linux's FPU control words (x87 0x37f, MXCSR
 * 0x1f80) even when its parent changed both before execve.
 */
int t_fpu_init(void)
{
	char *argv[] = { "uhelper", "fpu", NULL };
	uint32_t mxcsr = 0x1f80 | (3 << 13);	/* round toward zero */
	uint16_t cw = 0x37f & ~0x300;		/* single precision */

	__asm__ __volatile__("ldmxcsr %0" : : "m"(mxcsr));
	__asm__ __volatile__("fldcw %0" : : "m"(cw));
	EXPECT(helper_ok("uhelper", argv, no_env, 0));
	return 0;
}

/*
 * Abuse: paths that are missing, empty, too long or not an ELF file; the
 * caller must come back from each failed execve with its memory intact.
 */
int t_exec_errors(void)
{
	static char longpath[8192];
	char notelf[512], *argv[] = { "x", NULL };
	volatile int canary = 0x5a5a;

	snprintf(notelf, sizeof(notelf), "%s/notelf", ut_bindir);
	EXPECT(UT_ERRNO(SYS_execve, "/nonexistent/prog", argv, no_env) ==
	       ENOENT);
	EXPECT(UT_ERRNO(SYS_execve, "", argv, no_env) == ENOENT);
	EXPECT(UT_ERRNO(SYS_execve, notelf, argv, no_env) == ENOEXEC);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	EXPECT(UT_ERRNO(SYS_execve, longpath, argv, no_env) == ENAMETOOLONG);
	EXPECT(canary == 0x5a5a);
	return 0;
}

/* Abuse: bad pointers as the path, the argv array, an argv entry, envp. */
int t_efault_exec(void)
{
	char path[512], *argv[] = { "uhelper", NULL, NULL };

	snprintf(path, sizeof(path), "%s/uhelper", ut_bindir);
	EXPECT(UT_ERRNO(SYS_execve, NULL, argv, no_env) == EFAULT);
	for (int i = 0; i < ut_nbad_ptrs; i++) {
		void *bad = ut_bad_ptrs[i];

		argv[1] = NULL;
		EXPECT(UT_ERRNO(SYS_execve, bad, argv, no_env) == EFAULT);
		EXPECT(UT_ERRNO(SYS_execve, path, bad, no_env) == EFAULT);
		EXPECT(UT_ERRNO(SYS_execve, path, argv, bad) == EFAULT);
		argv[1] = bad;
		EXPECT(UT_ERRNO(SYS_execve, path, argv, no_env) == EFAULT);
	}
	return 0;
}

/* Copy @len bytes (all: -1) of @from to @to with @mode. 0 or -1. */
static int exec_copy(const char *from, const char *to, long len, int mode)
{
	static char buf[65536];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	unlink(to);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
	EXPECT(in >= 0 && out >= 0);
	while (len && (n = read(in, buf, len > 0 && len < (long)sizeof(buf) ?
				   (size_t)len : sizeof(buf))) > 0) {
		EXPECT(write(out, buf, n) == n);
		len -= len > 0 ? n : 0;
	}
	close(in);
	return close(out);
}

static int exec_write(const char *path, const char *text, int mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	EXPECT(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	return close(fd);
}

/*
 * Run @path with @argv, its stdout on a pipe; its output in @out (NUL
 * ended) and its wait status, or -1 if it could not be run.
 */
static int exec_output(const char *path, char *const argv[], char *out,
		       size_t max)
{
	int p[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(p))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execve(path, argv, no_env);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && (n = read(p[0], out + got, max - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(p[0]);
	return pid > 0 && waitpid(pid, &status, 0) == pid ? status : -1;
}

/* "#!" scripts: the interpreter's argv, and what Linux refuses. */
static int exec_scripts(void)
{
	char auxv[256], text[1024], out[4096];
	char *argv[] = { "ignored", "x", "y", NULL };

	snprintf(auxv, sizeof(auxv), "%s/auxv", ut_bindir);
	snprintf(text, sizeof(text), "#! %s  one-arg \nexit 3\n", auxv);
	EXPECT(exec_write("/tmp/ut_script", text, 0755) == 0);
	EXPECT(exec_output("/tmp/ut_script", argv, out, sizeof(out)) == 0);
	snprintf(text, sizeof(text), "auxv: argc=5\nauxv: argv[0]=%s\n"
		 "auxv: argv[1]=one-arg\nauxv: argv[2]=/tmp/ut_script\n"
		 "auxv: argv[3]=x\nauxv: argv[4]=y\n", auxv);
	if (!strstr(out, text))
		printf("utest: exec_files: the script printed:\n%s", out);
	EXPECT(strstr(out, text) != NULL);
	EXPECT(exec_write("/tmp/ut_script", "#!/nonexistent/sh\n", 0755) == 0);
	EXPECT(UT_ERRNO(SYS_execve, "/tmp/ut_script", argv, no_env) == ENOENT);
	EXPECT(exec_write("/tmp/ut_script", "#!/tmp/ut_script\n", 0755) == 0);
	EXPECT(UT_ERRNO(SYS_execve, "/tmp/ut_script", argv, no_env) == ELOOP);
	EXPECT(exec_write("/tmp/ut_script", "#!\n", 0755) == 0);
	EXPECT(UT_ERRNO(SYS_execve, "/tmp/ut_script", argv, no_env) == ENOEXEC);
	return unlink("/tmp/ut_script");
}

/*
 * Programs written at run time run: a copy of hello (by absolute and
 * cwd-relative path, and through a symlink); without an execute bit, a
 * directory or a truncated copy they do not, with Linux's errors.
 */
int t_exec_files(void)
{
	static const char want[] = "hello: hello from musl\n";
	char hello[512], cwd[512], out[256], *argv[] = { "ut_hello", NULL };

	snprintf(hello, sizeof(hello), "%s/hello", ut_bindir);
	EXPECT(exec_copy(hello, "/tmp/ut_hello", -1, 0755) == 0);
	EXPECT(exec_output("/tmp/ut_hello", argv, out, sizeof(out)) == 0);
	EXPECT(!strcmp(out, want));
	EXPECT(getcwd(cwd, sizeof(cwd)) && chdir("/tmp") == 0);
	EXPECT(exec_output("ut_hello", argv, out, sizeof(out)) == 0);
	EXPECT(!strcmp(out, want) && chdir(cwd) == 0);
	unlink("/tmp/ut_hello_link");
	EXPECT(symlink("/tmp/ut_hello", "/tmp/ut_hello_link") == 0);
	EXPECT(exec_output("/tmp/ut_hello_link", argv, out, sizeof(out)) == 0);
	EXPECT(!strcmp(out, want) && unlink("/tmp/ut_hello_link") == 0);
	EXPECT(chmod("/tmp/ut_hello", 0644) == 0);
	EXPECT(UT_ERRNO(SYS_execve, "/tmp/ut_hello", argv, no_env) == EACCES);
	EXPECT(UT_ERRNO(SYS_execve, "/tmp", argv, no_env) == EACCES);
	EXPECT(exec_copy(hello, "/tmp/ut_hello", 100, 0755) == 0);
	EXPECT(UT_ERRNO(SYS_execve, "/tmp/ut_hello", argv, no_env) == ENOEXEC);
	EXPECT(unlink("/tmp/ut_hello") == 0);
	return exec_scripts();
}
