/*
 * init: PID 1. Runs the user-space self-tests (/bin/utests, then the IPC
 * tests /bin/ipctests; their lines are boot stages) unless utests=off or a
 * kernel test mode asks otherwise, reports, reaps orphans, and then powers
 * the machine off (stages=exit on the kernel command line: how the
 * boot-stage runner ends QEMU) or stays up. PID 1 never exits. Before
 * anything else it starts the servers (servers.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "user_stages.h"

extern char **environ;

/*
 * Wait for pid, reaping on the way every other child: orphans the kernel
 * gave to init (the utests orphan test makes some). Its status, or -1.
 */
int init_reap_until(pid_t pid)
{
	int status;
	pid_t got;

	while ((got = waitpid(-1, &status, 0)) != pid) {
		if (got < 0)
			return -1;
	}
	return status;
}

/* Run path with argv in a child; return its wait status, or -1. */
static int init_run(const char *path, char *const argv[])
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(path, argv, environ);
		printf("init: cannot run %s\n", path);
		_exit(127);
	}
	return init_reap_until(pid);
}

/*
 * A kernel test mode that wants a quiet machine (the GDB, benchmark,
 * panic and trace tests): no servers, no self-tests, nothing running in
 * user space but init.
 */
static int init_quiet(void)
{
	static const char *const quiet[] = { "gdbtest", "gdb", "bench",
					     "panic_test", "tracebench",
					     "traceload", "traceflood" };

	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		if (getenv(quiet[i]))
			return 1;
	}
	return 0;
}

/*
 * The self-tests load every CPU for several seconds: skip them when the
 * command line asks (utests=off) or in a quiet kernel test mode.
 */
static int init_want_utests(void)
{
	const char *u = getenv("utests");

	if (u && !strcmp(u, "off"))
		return 0;
	return !init_quiet();
}

int main(int argc, char **argv)
{
	char *const utests[] = { "/bin/utests", NULL };
	char *const ipctests[] = { "/bin/ipctests", NULL };
	const char *stages = getenv("stages");
	int status;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("%s\n", USTAGE_INIT);
	if (argc > 1 && !strcmp(argv[1], "-x"))
		return 0;	/* for host tests: stop here */
	if (!init_quiet())
		servers_start_all();
	if (!init_want_utests()) {
		printf("init: user-space self-tests skipped\n");
	} else {
		status = init_run(utests[0], utests);
		if (status == 0)
			status = init_run(ipctests[0], ipctests);
		if (status == 0)
			printf("%s\n", USTAGE_DONE);
		else
			printf("init: user-space self-tests FAILED (wait status 0x%x)\n",
			       status);
	}
	if (stages && !strcmp(stages, "exit"))
		reboot(RB_POWER_OFF);
	for (;;) {
		if (waitpid(-1, NULL, 0) < 0)
			pause();
	}
}
