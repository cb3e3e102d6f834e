/*
 * init: PID 1. Runs the user-space self-tests (/bin/utests, then the IPC
 * tests /bin/ipctests, then the system-call fuzzer /bin/sysfuzz; their
 * lines are boot stages) unless utests=off or a kernel test mode asks
 * otherwise (utests=NAME,... urepeat=N: some utests, N times), reports,
 * reaps orphans, and then powers the machine off (stages=exit on the
 * kernel command line: how the boot-stage runner ends QEMU) or keeps
 * conecho on the console, restarting it whenever it ends. PID 1 never
 * exits. Before anything else it starts the servers (servers.c) and,
 * once the console server is up, makes /dev/console its standard input,
 * output and error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include <loupe/native.h>

#include "init.h"
#include "loupe.h"
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

/*
 * The self-tests init runs: all of them (utests, ipctests, sysfuzz), or,
 * with utests=NAME[,NAME...] on the command line, just those utests,
 * urepeat=N times over (default once) until one run fails: how to chase
 * a rare failure. Returns the last wait status.
 */
static int init_run_utests(void)
{
	static char names[256];
	char *argv[32] = { "/bin/utests" }, *save = NULL;
	const char *u = getenv("utests"), *rep = getenv("urepeat");
	long n = rep ? strtol(rep, NULL, 10) : 1;
	int argc = 1, status = 0;

	if (!u || !strcmp(u, "on")) {
		status = init_run(argv[0], argv);
		if (status == 0)
			status = init_run("/bin/ipctests",
					  (char *[]){ "/bin/ipctests", NULL });
		if (status == 0)
			status = init_run("/bin/sysfuzz",
					  (char *[]){ "/bin/sysfuzz", NULL });
		return status;
	}
	snprintf(names, sizeof(names), "%s", u);
	for (char *w = strtok_r(names, ",", &save); w && argc < 31;
	     w = strtok_r(NULL, ",", &save))
		argv[argc++] = w;
	for (long i = 0; i < n && status == 0; i++) {
		if (n > 1)
			printf("init: utests run %ld of %ld\n", i + 1, n);
		status = init_run(argv[0], argv);
	}
	return status;
}

/*
 * Before handing its I/O-port authority on: the kernel must refuse the
 * ports it drives itself, even to PID 1. Then lend utests port 0x80 (the
 * POST port: writes go nowhere) for its ioport test, in LOUPE_TESTIO.
 */
static long init_check_ioports(void)
{
	static const unsigned kept[][2] = {
		{ 0x2f8, 8 }, { 0x20, 2 }, { 0xa0, 1 }, { 0x40, 4 },
		{ 0xf4, 1 }, { 0xcfc, 4 }, { 0x0, 0x100 },
	};
	char slot[16];
	long test;

	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		if (ioport_grant(BOOT_SLOT_IOPORT, kept[i][0], kept[i][1]) !=
		    -EPERM) {
			printf("init: kernel port 0x%x was granted\n", kept[i][0]);
			return -1;
		}
	}
	printf("%s\n", USTAGE_IOPORT_KERNEL);
	test = ioport_grant(BOOT_SLOT_IOPORT, 0x80, 1);
	if (test >= 0 && test < BOOT_SLOTS) {
		/* An empty boot slot (no initrd object): servers.c drops those. */
		long low = test;

		test = ioport_grant(BOOT_SLOT_IOPORT, 0x80, 1);
		ipc_cap_drop(low);
	}
	snprintf(slot, sizeof(slot), "%ld", test);
	if (test >= 0)
		setenv("LOUPE_TESTIO", slot, 1);
	return test;
}

/* fds 0, 1 and 2 on /dev/console (the console server). 0 or -1. */
static int init_open_console(void)
{
	int fd = open("/dev/console", O_RDWR);

	if (fd < 0) {
		printf("init: cannot open /dev/console\n");
		return -1;
	}
	for (int i = 0; i < 3; i++) {
		if (fd != i)
			dup2(fd, i);
	}
	if (fd > 2)
		close(fd);
	return 0;
}

/* In the child: a session of its own that owns the terminal, then conecho. */
static __attribute__((noreturn)) void init_exec_conecho(void)
{
	char *const argv[] = { "/bin/conecho", NULL };
	pid_t me = setsid();

	if (me < 0 || ioctl(0, TIOCSPGRP, &me))
		printf("init: conecho cannot own the console\n");
	execve(argv[0], argv, environ);
	printf("init: cannot run %s\n", argv[0]);
	_exit(127);
}

/*
 * Keep conecho in the console's foreground: start it again whenever it
 * ends (end of input, ^C), saying why. An exit with an error status (it
 * cannot read the console, or is missing) ends the loop instead.
 */
static void init_console_loop(void)
{
	for (;;) {
		pid_t pid = fork();
		int status;

		if (pid < 0)
			return;
		if (pid == 0)
			init_exec_conecho();
		status = init_reap_until(pid);
		if (status >= 0 && WIFSIGNALED(status)) {
			printf("init: conecho killed by signal %d; restarting\n",
			       WTERMSIG(status));
		} else if (status >= 0 && WEXITSTATUS(status) == 0) {
			printf("init: conecho exited; restarting\n");
		} else {
			printf("init: conecho failed (wait status 0x%x)\n",
			       status);
			return;
		}
	}
}

int main(int argc, char **argv)
{
	const char *stages = getenv("stages");
	unsigned up = 0;
	int status, console = -1;
	long testio;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("%s\n", USTAGE_INIT);
	if (argc > 1 && !strcmp(argv[1], "-x"))
		return 0;	/* for host tests: stop here */
	testio = init_check_ioports();
	if (!init_quiet()) {
		up = servers_start_all();
		if (up & (1u << SRV_CONSOLE))
			console = init_open_console();
	}
	if (!init_want_utests()) {
		printf("init: user-space self-tests skipped\n");
	} else {
		const char *u = getenv("utests");

		status = init_run_utests();
		if (status == 0 && u && strcmp(u, "on"))
			printf("init: the chosen self-tests passed\n");
		else if (status == 0)
			printf("%s\n", USTAGE_DONE);
		else
			printf("init: user-space self-tests FAILED (wait status 0x%x)\n",
			       status);
	}
	if (testio >= 0)
		ipc_cap_drop(testio);
	if (stages && !strcmp(stages, "exit"))
		reboot(RB_POWER_OFF);
	if (console == 0)
		init_console_loop();
	for (;;) {
		if (waitpid(-1, NULL, 0) < 0)
			pause();
	}
}
