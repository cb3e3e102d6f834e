/*
 * hackbench: a context-switch-heavy user-space workload for the tracing
 * overhead figure (tools/tracecap/trace-bench boots it as PID 1, once with
 * tracing off and once streaming with system-call records, under -icount).
 * After starting the VFS server it runs GROUPS groups, each a server
 * process and CLIENTS client processes; every client does ROUNDS rounds of
 * one IPC call/reply to its group's server and one 1-byte pread of /init
 * (a call to the VFS server). The processes spread over all CPUs, so the
 * IPC mixes the same-CPU fast path with cross-CPU wakeups. It prints
 * "bench: hackbench_tsc <n> tsc/op" (op = one client round, fork and wait
 * of the clients included), the TSC window it timed, and powers off.
 * Not tuned to any figure: the shape is the point (see docs/tracing.md).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "loupe.h"
#include "say.h"

#define GROUPS		4
#define CLIENTS		3	/* per group */
#define ROUNDS		400	/* per client */

/* ROUNDS of: a call to the group's server, a 1-byte read through the VFS. */
static int client(long ep, int fd)
{
	struct ipc_msg m = { 0 };
	char c;

	for (int i = 0; i < ROUNDS; i++) {
		m.tag = ipc_tag(LABEL_PING, 1);
		m.w[0] = i;
		if (ipc_call(ep, &m) || ipc_tag_label(m.tag) != LABEL_PING + 1)
			return 1;
		if (pread(fd, &c, 1, i & 1023) != 1)
			return 2;
	}
	return 0;
}

/* Fork a child running fn(ep, fd); exits with its result. */
static pid_t spawn(int (*fn)(long, int), long ep, int fd)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(ep, fd));
	return pid;
}

static int server_fn(long ep, int fd)
{
	(void)fd;
	return bench_ping_server(ep);
}

/* Stop every server and reap it; nonzero if one failed. */
static int stop_servers(const long *ep, const pid_t *srv)
{
	int bad = 0, st;

	for (int g = 0; g < GROUPS; g++) {
		struct ipc_msg m = { ipc_tag(LABEL_STOP, 1), { 0 } };

		bad |= ipc_call(ep[g], &m) != 0;
		bad |= waitpid(srv[g], &st, 0) != srv[g] || st != 0;
	}
	return bad;
}

int main(void)
{
	long ep[GROUPS];
	pid_t srv[GROUPS], cl[GROUPS * CLIENTS];
	uint64_t t0, t1;
	int fd, st, bad = 0;

	bench_vfs_start("hackbench");
	fd = open("/init", O_RDONLY);
	for (int g = 0; g < GROUPS; g++) {
		ep[g] = ipc_endpoint_new();
		srv[g] = ep[g] < 0 ? -1 : spawn(server_fn, ep[g], fd);
		bad |= srv[g] < 0;
	}
	if (fd < 0 || bad) {
		say("hackbench: set-up failed (fd %d)\n", fd);
		goto out;
	}
	t0 = bench_tsc();
	for (int i = 0; i < GROUPS * CLIENTS; i++)
		cl[i] = spawn(client, ep[i % GROUPS], fd);
	for (int i = 0; i < GROUPS * CLIENTS; i++)
		bad |= cl[i] < 0 || waitpid(cl[i], &st, 0) != cl[i] || st != 0;
	t1 = bench_tsc();
	bad |= stop_servers(ep, srv);
	if (bad) {
		say("bench: hackbench_tsc failed -\n");
		goto out;
	}
	say("hackbench: window %llu %llu ops %d\n", (unsigned long long)t0,
	    (unsigned long long)t1, GROUPS * CLIENTS * ROUNDS);
	say("bench: hackbench_tsc %llu tsc/op\n",
	    (unsigned long long)((t1 - t0) / (GROUPS * CLIENTS * ROUNDS)));
out:
	say("hackbench: done\n");
	if (getpid() == 1)
		reboot(RB_POWER_OFF);
	return 0;
}
