/*
 * ipctests: user-space tests of Loupe's native IPC (kernel/ipc.c): calls
 * and replies between processes, badges, notifications, refused
 * capabilities, and a server that dies. Each test prints one line, a
 * boot stage; a failure prints where. Exits 0 when all passed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc.h"
#include "user_stages.h"

#define EXPECT(cond) do { \
	if (!(cond)) { \
		printf("ipctests: FAIL at %s:%d: %s\n", __FILE__, __LINE__, \
		       #cond); \
		return 1; \
	} \
} while (0)

#define ROUNDTRIPS 5000

/* Fork a child running fn(arg); return its pid. */
static pid_t spawn(int (*fn)(long), long arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

static int reaped_ok(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0;
}

/* A server answering one call: label + 1, words doubled. */
static int serve_once(long ep)
{
	struct ipc_msg m;
	uint64_t badge;

	if (ipc_recv(ep, &m, &badge))
		return 1;
	m.tag = ipc_tag(ipc_tag_label(m.tag) + 1, 4);
	for (int i = 0; i < IPC_WORDS; i++)
		m.w[i] *= 2;
	return ipc_reply(&m) ? 2 : 0;
}

/* Call and reply between two processes, every word carried. */
static int t_call_reply(void)
{
	long ep = ipc_endpoint_new();
	struct ipc_msg m = { ipc_tag(41, 4), { 1, 2, 3, 4 } };
	pid_t srv;

	EXPECT(ep >= 0);
	srv = spawn(serve_once, ep);
	EXPECT(ipc_call(ep, &m) == 0);
	EXPECT(ipc_tag_label(m.tag) == 42);
	EXPECT(m.w[0] == 2 && m.w[1] == 4 && m.w[2] == 6 && m.w[3] == 8);
	EXPECT(reaped_ok(srv));
	return 0;
}

/* A server loop with reply_recv; label 0 asks it to stop. */
static int serve_loop(long ep)
{
	struct ipc_msg m;
	uint64_t badge;

	if (ipc_recv(ep, &m, &badge))
		return 1;
	while (ipc_tag_label(m.tag) != 0) {
		m.w[0] += 1;
		if (ipc_reply_recv(ep, &m, &badge))
			return 2;
	}
	return ipc_reply(&m) ? 3 : 0;
}

/* Thousands of round trips, each answer checked; cost printed. */
static int t_roundtrips(void)
{
	long ep = ipc_endpoint_new();
	struct ipc_msg m;
	uint64_t t0, t1;
	pid_t srv;

	EXPECT(ep >= 0);
	srv = spawn(serve_loop, ep);
	t0 = __builtin_ia32_rdtsc();
	for (uint64_t i = 0; i < ROUNDTRIPS; i++) {
		m.tag = ipc_tag(1, 1);
		m.w[0] = i;
		EXPECT(ipc_call(ep, &m) == 0 && m.w[0] == i + 1);
	}
	t1 = __builtin_ia32_rdtsc();
	m.tag = ipc_tag(0, 0);
	EXPECT(ipc_call(ep, &m) == 0);
	EXPECT(reaped_ok(srv));
	printf("bench: ipc_roundtrip_slow_tsc %llu tsc/op\n",
	       (unsigned long long)((t1 - t0) / ROUNDTRIPS));
	return 0;
}

static int serve_badge(long ep)
{
	struct ipc_msg m;
	uint64_t badge = 0;

	if (ipc_recv(ep, &m, &badge))
		return 1;
	m.w[0] = badge;
	return ipc_reply(&m) ? 2 : 0;
}

/* A minted send-only capability carries its badge to the server. */
static int t_badge(void)
{
	long ep = ipc_endpoint_new(), client;
	struct ipc_msg m = { ipc_tag(1, 0), { 0 } };
	pid_t srv;

	EXPECT(ep >= 0);
	client = ipc_cap_mint(ep, 0xbadc0ffee, CAP_SEND);
	EXPECT(client > 0);
	srv = spawn(serve_badge, ep);
	EXPECT(ipc_call(client, &m) == 0 && m.w[0] == 0xbadc0ffee);
	EXPECT(reaped_ok(srv));
	return 0;
}

/* Abuse: every capability misuse is refused with its own error. */
static int t_cap_refused(void)
{
	long ep = ipc_endpoint_new(), n = ipc_notify_new();
	long send_only = ipc_cap_mint(ep, 1, CAP_SEND);
	long recv_only = ipc_cap_mint(ep, 2, CAP_RECV);
	struct ipc_msg m = { 0 };
	uint64_t badge;

	EXPECT(ep >= 0 && n >= 0 && send_only >= 0 && recv_only >= 0);
	EXPECT(ipc_call(recv_only, &m) == -EPERM);
	EXPECT(ipc_recv(send_only, &m, &badge) == -EPERM);
	EXPECT(ipc_call(63, &m) == -EBADF);
	EXPECT(ipc_call(100000, &m) == -EBADF);
	EXPECT(ipc_call(n, &m) == -EINVAL);
	EXPECT(ipc_cap_mint(send_only, 3, CAP_SEND) == -EPERM);  /* no GRANT */
	EXPECT(ipc_cap_mint(ep, 3, CAP_SEND | 8) == -EPERM);
	EXPECT(ipc_reply(&m) == -EINVAL);	/* nobody to reply to */
	EXPECT(ipc_cap_drop(recv_only) == 0 && ipc_cap_drop(recv_only) == -EBADF);
	EXPECT(ipc_call(recv_only, &m) == -EBADF);
	return 0;
}

static int signaller(long n)
{
	return ipc_signal(n, 0x5) || ipc_signal(n, 0x10);
}

/* Notifications: bits ORed by the signaller, taken by the waiter. */
static int t_notify(void)
{
	long n = ipc_notify_new();
	uint64_t bits = 0, more = 0;
	pid_t p;

	EXPECT(n >= 0);
	p = spawn(signaller, n);
	EXPECT(reaped_ok(p));
	EXPECT(ipc_wait(n, &bits) == 0 && bits == 0x15);
	EXPECT(ipc_signal(n, 0x100) == 0);
	EXPECT(ipc_wait(n, &more) == 0 && more == 0x100);
	return 0;
}

static int recv_and_die(long ep)
{
	struct ipc_msg m;
	uint64_t badge;

	ipc_recv(ep, &m, &badge);
	return 0;		/* exits holding the caller: no reply */
}

/* A server that dies: its caller gets -EPIPE, and so does the next. */
static int t_server_dies(void)
{
	long ep = ipc_endpoint_new(), send;
	struct ipc_msg m = { ipc_tag(7, 0), { 0 } };
	pid_t srv;

	EXPECT(ep >= 0);
	send = ipc_cap_mint(ep, 0, CAP_SEND);
	EXPECT(send > 0);
	srv = spawn(recv_and_die, ep);
	EXPECT(ipc_cap_drop(ep) == 0);	/* only the server can receive now */
	EXPECT(ipc_call(send, &m) == -EPIPE);
	EXPECT(reaped_ok(srv));
	EXPECT(ipc_call(send, &m) == -EPIPE);	/* dead endpoint: no hang */
	return 0;
}

static const struct {
	int (*fn)(void);
	const char *marker;
} tests[] = {
	{ t_call_reply, USTAGE_IPC_CALL_REPLY },
	{ t_roundtrips, USTAGE_IPC_ROUNDTRIPS },
	{ t_badge, USTAGE_IPC_BADGE },
	{ t_cap_refused, USTAGE_IPC_CAP_REFUSED },
	{ t_notify, USTAGE_IPC_NOTIFY },
	{ t_server_dies, USTAGE_IPC_SERVER_DIES },
};

_Static_assert(sizeof(tests) / sizeof(tests[0]) == USTAGE_COUNT_IPC,
	       "every \"ipc:\" stage in the catalog is a test in this table");

int main(void)
{
	int failed = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0)
			_exit(tests[i].fn());
		if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 0) {
			printf("%s\n", tests[i].marker);
		} else {
			printf("ipctests: %s: FAILED (status 0x%x)\n",
			       tests[i].marker, st);
			failed++;
		}
	}
	return failed ? 1 : 0;
}
