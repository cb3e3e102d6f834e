/*
 * utests: execve and the ELF loader. The helper (userland/uhelper) judges
 * what the kernel handed it and answers through its exit status, since
 * there are no pipes yet to read its output.
 */
#include <string.h>
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
