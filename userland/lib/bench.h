/*
 * What the benchmark programs (ubench, hackbench) share: a time stamp
 * that does not run ahead of the loop it closes, the IPC ping server
 * they time calls against, and starting the VFS when they are PID 1.
 */
#ifndef USERLAND_BENCH_H
#define USERLAND_BENCH_H

#include <stdint.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc.h"
#include "say.h"

#define LABEL_STOP	0	/* a ping with this label stops the server */
#define LABEL_PING	1

/* lfence keeps rdtsc from running ahead of the loop it closes. */
static inline uint64_t bench_tsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* Answer every ping on @ep with label + 1 until LABEL_STOP; 0 if all went. */
static inline int bench_ping_server(long ep)
{
	struct ipc_msg m;
	uint64_t badge;

	if (ipc_recv(ep, &m, &badge))
		return 1;
	while (ipc_tag_label(m.tag) != LABEL_STOP) {
		m.tag = ipc_tag(ipc_tag_label(m.tag) + 1, 1);
		if (ipc_reply_recv(ep, &m, &badge))
			return 2;
	}
	return ipc_reply(&m) ? 3 : 0;
}

/*
 * On Loupe files come from the VFS server: a benchmark that is PID 1 of
 * its own initrd starts it as init does (userland/init/servers.c) and
 * waits until it says it is ready. Elsewhere (under init, or on Linux)
 * there is nothing to do. @who names the program in the error.
 */
static inline void bench_vfs_start(const char *who)
{
	char *argv[] = { "/sbin/vfs", NULL };
	char *envp[] = { "LOUPE_CAPS=srvctl=2,initrd=3", NULL };
	struct utsname u;
	pid_t pid;
	int st = -1;

	if (getpid() != 1 || uname(&u) || strcmp(u.sysname, "Loupe"))
		return;
	pid = fork();
	if (pid == 0) {
		execve(argv[0], argv, envp);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0)
		say("%s: /sbin/vfs did not start (status 0x%x)\n", who, st);
}

#endif
