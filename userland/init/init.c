/*
 * init: PID 1. Runs the user-space self-tests (/bin/utests, whose lines are
 * boot stages), reports, and then either powers the machine off (when the
 * kernel command line says stages=exit: the boot-stage runner's way to end
 * QEMU) or stays up. PID 1 never exits. The console and VFS servers will
 * be started here once they exist (docs/userland.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Run path with argv in a child; return its wait status, or -1. */
static int init_run(const char *path, char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(path, argv, environ);
		printf("init: cannot run %s\n", path);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

int main(int argc, char **argv)
{
	char *const utests[] = { "/bin/utests", NULL };
	const char *stages = getenv("stages");
	int status;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("init: pid 1 running from the initrd\n");
	if (argc > 1 && !strcmp(argv[1], "-x"))
		return 0;	/* for host tests: stop here */
	status = init_run(utests[0], utests);
	if (status == 0)
		printf("init: user-space self-tests done\n");
	else
		printf("init: user-space self-tests FAILED (wait status 0x%x)\n",
		       status);
	if (stages && !strcmp(stages, "exit"))
		reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
