/*
 * What every server shares: finding the capabilities init gave it and
 * telling init it is ready (docs/userland.md, "Adding a server").
 *
 * init starts a server as a child with LOUPE_CAPS=name=slot,... in its
 * environment. The server sets itself up (endpoint, shared memory,
 * srv_register) and then calls server_ready(): the process forks, the
 * parent exits 0 and the child goes on serving. init waits for that exit:
 * status 0 means ready, anything else (an error exit, a crash) is
 * reported, so a server that dies during start-up can never hang init.
 */
#ifndef USERLAND_SERVER_H
#define USERLAND_SERVER_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The slot init named @name in LOUPE_CAPS, or -1. */
static inline long server_cap(const char *name)
{
	const char *s = getenv("LOUPE_CAPS");
	size_t n = strlen(name);

	while (s && *s) {
		if (!strncmp(s, name, n) && s[n] == '=')
			return strtol(s + n + 1, NULL, 10);
		s = strchr(s, ',');
		if (s)
			s++;
	}
	return -1;
}

/* Tell init we are up: returns in the (forked) server process. */
static inline void server_ready(void)
{
	pid_t pid = fork();

	if (pid < 0)
		_exit(2);
	if (pid > 0)
		_exit(0);
}

#endif
