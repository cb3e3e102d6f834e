/*
 * hello: the smallest useful musl program, built both static and static
 * PIE. The first program a new exec path should run: it needs only the
 * initial stack, TLS setup (arch_prctl), set_tid_address, writev and
 * exit_group.
 */
#include <stdio.h>

int main(void)
{
	printf("hello: hello from musl\n");
	return 0;
}
