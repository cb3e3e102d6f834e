/*
 * init: PID 1. For now a skeleton that says it started and then waits
 * forever (PID 1 must never exit). The real init starts the console and
 * VFS servers, runs /bin/utests, prints their stages and then starts the
 * console program; see docs/userland.md.
 */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	printf("init: Loupe init (skeleton) running as pid %d\n", getpid());
	fflush(stdout);
	if (argc > 1 && argv[1][0] == '-' && argv[1][1] == 'x')
		return 0;	/* "-x": exit at once, for host tests */
	for (;;)
		pause();
}
