/*
 * uhelper: the program utests execs (static, and static PIE as
 * uhelper-pie). It has no console to be checked through, so it reports by
 * exit status: 0 when what the kernel gave it is right, else the line
 * number of the first wrong thing (a grader can find it here).
 *   uhelper exit N        exit with status N
 *   uhelper args          argv and envp are exactly what utests passed
 *   uhelper auxv EXECFN   the auxiliary vector describes this image
 *   uhelper fpu           x87 and SSE control words as Linux sets them
 *   uhelper fds N...      exit with a bit set for each open fd N (< 8)
 *   uhelper sig           signals as utests' sig_fork_exec left them
 *   uhelper block ...     read stdin to its end, then exit 0 (utests'
 *                         /proc tests look at it meanwhile)
 */
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

/* The file stays under 255 lines, so a line number is an exit status. */
#define CHECK(cond) do { if (!(cond)) return __LINE__; } while (0)

extern char **environ;
extern const Elf64_Ehdr __ehdr_start;	/* from the linker: our ELF header */
extern char _start[];

/* Must match ut_exec.c's exec_args test. */
static const char *const want_argv[] = { "args", "", "two words", "x\ty", NULL };
static const char *const want_envp[] = { "A=1", "EMPTY=", "LOUPE_TEST=yes", NULL };

static int helper_args(int argc, char **argv)
{
	int i;

	CHECK(argc == 5);
	for (i = 0; want_argv[i]; i++)
		CHECK(!strcmp(argv[i + 1], want_argv[i]));
	CHECK(argv[argc] == NULL);
	for (i = 0; want_envp[i]; i++)
		CHECK(environ[i] && !strcmp(environ[i], want_envp[i]));
	CHECK(environ[i] == NULL);
	return 0;
}

static int helper_auxv(const char *execfn)
{
	const Elf64_Phdr *ph = (const void *)getauxval(AT_PHDR);
	const unsigned char *rnd = (const void *)getauxval(AT_RANDOM);
	const char *fn = (const char *)getauxval(AT_EXECFN);
	int nonzero = 0, loads = 0;

	CHECK(getauxval(AT_PAGESZ) == 4096);
	CHECK(getauxval(AT_PHENT) == sizeof(Elf64_Phdr));
	CHECK(getauxval(AT_PHNUM) == __ehdr_start.e_phnum);
	CHECK(ph == (const void *)((const char *)&__ehdr_start +
				   __ehdr_start.e_phoff));
	for (unsigned i = 0; i < getauxval(AT_PHNUM); i++)
		loads += ph[i].p_type == PT_LOAD;
	CHECK(loads >= 1);
	CHECK(getauxval(AT_ENTRY) == (unsigned long)_start);
	CHECK(rnd != NULL);
	for (int i = 0; i < 16; i++)
		nonzero |= rnd[i];
	CHECK(nonzero);
	CHECK(fn && !strcmp(fn, execfn));
	CHECK(getauxval(AT_UID) == getuid() && getauxval(AT_EUID) == geteuid());
	CHECK(getauxval(AT_GID) == getgid() && getauxval(AT_EGID) == getegid());
	CHECK(getauxval(AT_SECURE) == 0);
	return 0;
}

static int helper_fpu(void)
{
	uint16_t cw;
	uint32_t mxcsr;

	__asm__ __volatile__("fnstcw %0" : "=m"(cw));
	__asm__ __volatile__("stmxcsr %0" : "=m"(mxcsr));
	CHECK(cw == 0x37f);
	CHECK(mxcsr == 0x1f80);
	return 0;
}

/* Which of the descriptors named survived execve (O_CLOEXEC tests). */
/*
 * After execve: a handled signal (USR1) is back to SIG_DFL, an ignored
 * one (USR2) stays ignored, the mask (HUP) and a pending signal (HUP)
 * stay, the alternate stack is gone.
 */
static int helper_sig(void)
{
	struct sigaction sa;
	sigset_t set;
	stack_t ss;

	CHECK(!sigaction(SIGUSR1, NULL, &sa) && sa.sa_handler == SIG_DFL);
	CHECK(!sigaction(SIGUSR2, NULL, &sa) && sa.sa_handler == SIG_IGN);
	CHECK(!sigprocmask(SIG_BLOCK, NULL, &set) && sigismember(&set, SIGHUP));
	CHECK(!sigismember(&set, SIGUSR1));
	CHECK(!sigpending(&set) && sigismember(&set, SIGHUP));
	CHECK(!sigaltstack(NULL, &ss) && ss.ss_flags == SS_DISABLE);
	return 0;
}

static int helper_fds(int argc, char **argv)
{
	int mask = 0;

	for (int i = 2; i < argc; i++) {
		int fd = atoi(argv[i]);

		if (fd >= 0 && fd < 8 && fcntl(fd, F_GETFD) >= 0)
			mask |= 1 << fd;
	}
	return mask;
}

static int helper_block(void)
{
	char buf[64];

	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "exit"))
		return atoi(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "args"))
		return helper_args(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "auxv"))
		return helper_auxv(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "fpu"))
		return helper_fpu();
	if (argc >= 2 && !strcmp(argv[1], "sig"))
		return helper_sig();
	if (argc >= 2 && !strcmp(argv[1], "fds"))
		return helper_fds(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "block"))
		return helper_block();
	return 2;
}
