/*
 * ipctests: user-space tests of Loupe's native IPC (kernel/ipc.c): calls
 * and replies between processes, badges, notifications, refused
 * capabilities, a server that dies, bound notifications, saved (deferred)
 * replies, killed callers, the fast path, and a stress run across every
 * CPU that ends with free memory where it started. Each test prints one
 * line, a boot stage; a failure prints where. Exits 0 when all passed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "freemem.h"
#include "loupe.h"
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
	struct ipc_msg m = { 0 };
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


static void nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };

	nanosleep(&ts, NULL);
}

static int killed_by(pid_t pid, int sig)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	       WTERMSIG(st) == sig;
}

/* Sleep, signal the bound notification (the slot after ep), then call:
 * label + 1 back. */
static int signal_then_call(long ep)
{
	struct ipc_msg m = { ipc_tag(41, 0), { 0 } };

	nap_ms(20);
	if (ipc_signal(ep + 1, 0x40))
		return 1;
	if (ipc_call(ep, &m) || ipc_tag_label(m.tag) != 42)
		return 2;
	return 0;
}

/* Bits pending and bits arriving both end a receive; calls still work. */
static int t_bound_notify(void)
{
	long ep = ipc_endpoint_new(), n = ipc_notify_new(), n2 = ipc_notify_new();
	struct ipc_msg m;
	uint64_t badge = 0;
	pid_t c;

	EXPECT(ep >= 0 && n == ep + 1 && n2 >= 0);
	EXPECT(ipc_notify_bind(n) == 0);
	EXPECT(ipc_notify_bind(n2) == -EBUSY);	/* one per thread */
	EXPECT(ipc_signal(n, 0x3) == 0);
	EXPECT(ipc_recv(ep, &m, &badge) == 0);	/* pending bits win */
	EXPECT(badge == NOTIFY_BADGE && m.tag == 0 && m.w[0] == 0x3);
	c = spawn(signal_then_call, ep);
	EXPECT(ipc_recv(ep, &m, &badge) == 0);	/* sleeps until signalled */
	EXPECT(badge == NOTIFY_BADGE && m.w[0] == 0x40);
	EXPECT(ipc_recv(ep, &m, &badge) == 0 && badge != NOTIFY_BADGE);
	EXPECT(ipc_tag_label(m.tag) == 41);
	m.tag = ipc_tag(42, 0);
	EXPECT(ipc_reply(&m) == 0);
	EXPECT(reaped_ok(c));
	return 0;
}

/* arg: a send slot (bits 7..0) minted with badge arg >> 8; expects word
 * 0 = badge * 10 back. */
static int call_badged(long arg)
{
	struct ipc_msg m = { ipc_tag(1, 0), { 0 } };

	if (ipc_call(arg & 0xff, &m))
		return 1;
	return m.w[0] == (uint64_t)(arg >> 8) * 10 ? 0 : 2;
}

/* One server thread saves two calls and answers the later one first. */
static int t_deferred_reply(void)
{
	long ep = ipc_endpoint_new(), r[2];
	uint64_t who[2];
	struct ipc_msg m;
	pid_t c1, c2;

	EXPECT(ep >= 0);
	c1 = spawn(call_badged, ipc_cap_mint(ep, 1, CAP_SEND) | 1 << 8);
	c2 = spawn(call_badged, ipc_cap_mint(ep, 2, CAP_SEND) | 2 << 8);
	for (int i = 0; i < 2; i++) {
		EXPECT(ipc_recv(ep, &m, &who[i]) == 0);
		r[i] = ipc_reply_save();
		EXPECT(r[i] >= 0);
	}
	EXPECT(who[0] + who[1] == 3);
	EXPECT(ipc_reply(&m) == -EINVAL);	/* nobody held any more */
	for (int i = 1; i >= 0; i--) {
		m.w[0] = who[i] * 10;
		EXPECT(ipc_reply_to(r[i], &m) == 0);
		EXPECT(ipc_reply_to(r[i], &m) == -EBADF);	/* dropped */
	}
	EXPECT(reaped_ok(c1) && reaped_ok(c2));
	return 0;
}

static int call_forever(long ep)
{
	struct ipc_msg m = { ipc_tag(1, 0), { 0 } };

	ipc_call(ep, &m);
	return 3;		/* must not get here: killed in the call */
}

/* Abuse: the client of a saved call is killed; the late reply is refused. */
static int t_kill_saved(void)
{
	long ep = ipc_endpoint_new(), r;
	struct ipc_msg m;
	uint64_t badge;
	pid_t c;

	EXPECT(ep >= 0);
	c = spawn(call_forever, ep);
	EXPECT(ipc_recv(ep, &m, &badge) == 0);
	r = ipc_reply_save();
	EXPECT(r >= 0);
	EXPECT(kill(c, SIGKILL) == 0);
	EXPECT(killed_by(c, SIGKILL));
	EXPECT(ipc_reply_to(r, &m) == -EPIPE);
	return 0;
}

static int save_and_exit(long ep)
{
	struct ipc_msg m;
	uint64_t badge;

	if (ipc_recv(ep, &m, &badge) || ipc_reply_save() < 0)
		return 1;
	return 0;		/* exits with the call saved, unanswered */
}

/* A server exits holding a reply capability: the client gets EPIPE. */
static int t_saved_server_exits(void)
{
	long ep = ipc_endpoint_new();
	struct ipc_msg m = { ipc_tag(1, 0), { 0 } };
	pid_t srv;

	EXPECT(ep >= 0);
	srv = spawn(save_and_exit, ep);
	EXPECT(ipc_call(ep, &m) == -EPIPE);
	EXPECT(reaped_ok(srv));
	return 0;
}

/* Abuse: a client queued where nobody receives is killed; no hang. */
static int t_kill_queued(void)
{
	long ep = ipc_endpoint_new();
	struct ipc_msg m = { ipc_tag(41, 4), { 1, 2, 3, 4 } };
	pid_t c, srv;

	EXPECT(ep >= 0);
	c = spawn(call_forever, ep);
	nap_ms(30);
	EXPECT(kill(c, SIGKILL) == 0);
	EXPECT(killed_by(c, SIGKILL));
	srv = spawn(serve_once, ep);	/* gets our call, not the dead one's */
	EXPECT(ipc_call(ep, &m) == 0 && ipc_tag_label(m.tag) == 42);
	EXPECT(m.w[3] == 8);
	EXPECT(reaped_ok(srv));
	return 0;
}

/* Abuse: reply capabilities and binding refuse the wrong slots. */
static int t_reply_bad(void)
{
	long ep = ipc_endpoint_new();
	struct ipc_msg m = { 0 };

	EXPECT(ep >= 0);
	EXPECT(ipc_reply_to(ep, &m) == -EINVAL);
	EXPECT(ipc_reply_to(63, &m) == -EBADF);
	EXPECT(ipc_reply_to(100000, &m) == -EBADF);
	EXPECT(ipc_reply_to(-1, &m) == -EBADF);
	EXPECT(ipc_reply_save() == -EINVAL);
	EXPECT(ipc_notify_bind(ep) == -EINVAL);
	EXPECT(ipc_notify_bind(100000) == -EBADF);
	return 0;
}

#define FAST_ROUNDTRIPS 2000

/*
 * The fast path against the slow path: the same checked round trips as
 * t_roundtrips, and the kernel's count of direct switches says which path
 * carried them (the suite boots once with ipcfast=off).
 */
static int t_fastpath(void)
{
	long ep = ipc_endpoint_new(), on = ipc_stats(0), n0, n1;
	struct ipc_msg m;
	pid_t srv;

	EXPECT(ep >= 0 && (on == 0 || on == 1));
	srv = spawn(serve_loop, ep);
	n0 = ipc_stats(1);
	for (uint64_t i = 0; i < FAST_ROUNDTRIPS; i++) {
		m.tag = ipc_tag(1, 4);
		m.w[0] = i;
		m.w[1] = ~i;
		m.w[2] = i << 32;
		m.w[3] = 0x5a5a5a5a;
		EXPECT(ipc_call(ep, &m) == 0 && m.w[0] == i + 1);
		EXPECT(m.w[1] == ~i && m.w[2] == i << 32 && m.w[3] == 0x5a5a5a5a);
		EXPECT(ipc_tag_label(m.tag) == 1);
	}
	n1 = ipc_stats(1);
	m.tag = ipc_tag(0, 0);
	EXPECT(ipc_call(ep, &m) == 0);
	EXPECT(reaped_ok(srv));
	EXPECT(n0 >= 0 && n1 >= n0);
	if (on)
		EXPECT(n1 - n0 >= FAST_ROUNDTRIPS / 2);
	else
		EXPECT(n1 == 0);
	printf("bench: ipc_fastpath_share %ld %%\n",
	       (n1 - n0) * 100 / (2 * FAST_ROUNDTRIPS));
	return 0;
}

#define MIXED_CALLS 600

/* Answer by turns: reply_recv (fast path), reply + recv, a saved reply. */
static int serve_mixed(long ep)
{
	struct ipc_msg m;
	uint64_t badge;
	long r;

	if (ipc_recv(ep, &m, &badge))
		return 1;
	for (uint64_t i = 0; ipc_tag_label(m.tag) != 0; i++) {
		m.w[0] += 1;
		m.w[2] = badge;
		if (i % 3 == 0) {
			if (ipc_reply_recv(ep, &m, &badge))
				return 2;
		} else if (i % 3 == 1) {
			if (ipc_reply(&m) || ipc_recv(ep, &m, &badge))
				return 3;
		} else {
			r = ipc_reply_save();
			if (r < 0 || ipc_reply_to(r, &m) ||
			    ipc_recv(ep, &m, &badge))
				return 4;
		}
	}
	return ipc_reply(&m) ? 5 : 0;
}

/* arg: a send slot (bits 7..0) with badge arg >> 8; every answer checked. */
static int call_mixed(long arg)
{
	struct ipc_msg m;

	for (uint64_t i = 0; i < MIXED_CALLS; i++) {
		m = (struct ipc_msg){ ipc_tag(1, 3), { i, ~i, 0 } };
		if (ipc_call(arg & 0xff, &m))
			return 1;
		if (m.w[0] != i + 1 || m.w[1] != ~i ||
		    m.w[2] != (uint64_t)(arg >> 8))
			return 2;
	}
	return 0;
}

/* The fast path and the slow path in turns, two clients at once. */
static int t_fast_mixed(void)
{
	long ep = ipc_endpoint_new();
	struct ipc_msg m = { ipc_tag(0, 0), { 0 } };
	pid_t srv, c1, c2;

	EXPECT(ep >= 0);
	srv = spawn(serve_mixed, ep);
	c1 = spawn(call_mixed, ipc_cap_mint(ep, 1, CAP_SEND) | 1 << 8);
	c2 = spawn(call_mixed, ipc_cap_mint(ep, 2, CAP_SEND) | 2 << 8);
	EXPECT(reaped_ok(c1) && reaped_ok(c2));
	EXPECT(ipc_call(ep, &m) == 0);		/* stop */
	EXPECT(reaped_ok(srv));
	return 0;
}

#define STRESS_SERVERS	2
#define STRESS_CLIENTS	8
#define STRESS_CALLS	300
#define STRESS_ROUNDS	4

/*
 * A stress server: answers with w0 + badge * 1000 until a call labelled
 * 0, then signals bit @arg >> 8 on the notification in slot @arg & 0xff.
 */
static int stress_server(long arg)
{
	long ep = arg >> 16, ntfn = arg & 0xff;
	struct ipc_msg m;
	uint64_t badge;

	if (ipc_recv(ep, &m, &badge))
		return 1;
	while (ipc_tag_label(m.tag) != 0) {
		m.w[0] += badge * 1000;
		if (ipc_reply_recv(ep, &m, &badge))
			return 2;
	}
	if (ipc_reply(&m))
		return 3;
	return ipc_signal(ntfn, 1ull << (arg >> 8 & 0xff)) ? 4 : 0;
}

/* A stress client: its two badged slots packed in @arg; every answer checked. */
static int stress_client(long arg)
{
	long cap[STRESS_SERVERS] = { arg & 0xff, arg >> 8 & 0xff };
	uint64_t badge = arg >> 16;

	for (uint64_t i = 0; i < STRESS_CALLS; i++) {
		struct ipc_msg m = { ipc_tag(1, 1), { i } };

		if (ipc_call(cap[i % STRESS_SERVERS], &m) ||
		    m.w[0] != i + badge * 1000)
			return 1;
	}
	return 0;
}

/*
 * One round: fresh endpoints, servers and clients (with their own badged
 * capabilities, dropped after the fork), all at once on every CPU.
 */
static int stress_round(void)
{
	long ep[STRESS_SERVERS], ntfn = ipc_notify_new();
	pid_t srv[STRESS_SERVERS], cli[STRESS_CLIENTS];
	struct ipc_msg stop = { ipc_tag(0, 0), { 0 } };
	uint64_t bits = 0, got;

	EXPECT(ntfn >= 0);
	for (int s = 0; s < STRESS_SERVERS; s++) {
		ep[s] = ipc_endpoint_new();
		EXPECT(ep[s] >= 0);
		srv[s] = spawn(stress_server, ep[s] << 16 | s << 8 | ntfn);
	}
	for (int c = 0; c < STRESS_CLIENTS; c++) {
		long a = ipc_cap_mint(ep[0], c + 1, CAP_SEND);
		long b = ipc_cap_mint(ep[1], c + 1, CAP_SEND);

		EXPECT(a >= 0 && b >= 0);
		cli[c] = spawn(stress_client, (long)(c + 1) << 16 | b << 8 | a);
		EXPECT(ipc_cap_drop(a) == 0 && ipc_cap_drop(b) == 0);
	}
	for (int c = 0; c < STRESS_CLIENTS; c++)
		EXPECT(reaped_ok(cli[c]));
	for (int s = 0; s < STRESS_SERVERS; s++) {
		EXPECT(ipc_call(ep[s], &stop) == 0);
		EXPECT(reaped_ok(srv[s]));
		EXPECT(ipc_cap_drop(ep[s]) == 0);
	}
	while (bits != (1u << STRESS_SERVERS) - 1) {
		EXPECT(ipc_wait(ntfn, &got) == 0);
		bits |= got;
	}
	return ipc_cap_drop(ntfn);
}

/*
 * Thousands of calls from 8 clients to 2 servers at once on every CPU,
 * in rounds that make and drop every process, endpoint and capability
 * again: every answer right, and free memory where it started. More
 * free memory after than before is not this test's doing (an orphan of
 * an earlier test exited meanwhile; it happened once in 20 boots): the
 * rounds run again from there, up to 3 times. A leak has less every time.
 */
static int t_stress(void)
{
	long before, after;
	int tries = 0;

	EXPECT(stress_round() == 0);	/* the allocators' caches fill */
	after = freemem_settled();
	do {
		before = after;
		for (int r = 0; r < STRESS_ROUNDS; r++)
			EXPECT(stress_round() == 0);
		after = freemem_settled();
		if (after != before)
			printf("ipctests: stress: %ld free pages before, %ld "
			       "after\n", before, after);
	} while (after > before && ++tries < 3);
	EXPECT(after == before);
	return 0;
}

/* Every general register, as regs_syscall() sets and reads them. */
struct regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13,
		r14, r15;
	uint64_t after;		/* out: the address after the syscall */
};

/*
 * One SYSCALL with every general register loaded from *in, and every
 * register the kernel left stored to *out. Below the red zone; the
 * compiler's callee-saved registers are kept on the stack around it.
 */
static void regs_syscall(const struct regs *in, struct regs *out)
{
	__asm__ __volatile__(
		"subq $128, %%rsp\n\t"
		"pushq %%rbp\n\tpushq %%rbx\n\tpushq %%r12\n\t"
		"pushq %%r13\n\tpushq %%r14\n\tpushq %%r15\n\t"
		"pushq %1\n\t"
		"movq %0, %%rax\n\t"
		"movq 8(%%rax), %%rbx\n\tmovq 16(%%rax), %%rcx\n\t"
		"movq 24(%%rax), %%rdx\n\tmovq 32(%%rax), %%rsi\n\t"
		"movq 40(%%rax), %%rdi\n\tmovq 48(%%rax), %%rbp\n\t"
		"movq 56(%%rax), %%r8\n\tmovq 64(%%rax), %%r9\n\t"
		"movq 72(%%rax), %%r10\n\tmovq 80(%%rax), %%r11\n\t"
		"movq 88(%%rax), %%r12\n\tmovq 96(%%rax), %%r13\n\t"
		"movq 104(%%rax), %%r14\n\tmovq 112(%%rax), %%r15\n\t"
		"movq 0(%%rax), %%rax\n\t"
		"syscall\n"
		"1:\txchgq %%rax, (%%rsp)\n\t"
		"movq %%rbx, 8(%%rax)\n\tmovq %%rcx, 16(%%rax)\n\t"
		"movq %%rdx, 24(%%rax)\n\tmovq %%rsi, 32(%%rax)\n\t"
		"movq %%rdi, 40(%%rax)\n\tmovq %%rbp, 48(%%rax)\n\t"
		"movq %%r8, 56(%%rax)\n\tmovq %%r9, 64(%%rax)\n\t"
		"movq %%r10, 72(%%rax)\n\tmovq %%r11, 80(%%rax)\n\t"
		"movq %%r12, 88(%%rax)\n\tmovq %%r13, 96(%%rax)\n\t"
		"movq %%r14, 104(%%rax)\n\tmovq %%r15, 112(%%rax)\n\t"
		"leaq 1b(%%rip), %%rbx\n\tmovq %%rbx, 120(%%rax)\n\t"
		"popq %%rbx\n\tmovq %%rbx, 0(%%rax)\n\t"
		"popq %%r15\n\tpopq %%r14\n\tpopq %%r13\n\t"
		"popq %%r12\n\tpopq %%rbx\n\tpopq %%rbp\n\t"
		"addq $128, %%rsp"
		:
		: "r"(in), "r"(out)
		: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
		  "memory", "cc");
}

/* in: call @nr on @slot with message words from @seed, patterns elsewhere. */
static struct regs regs_in(uint64_t nr, uint64_t slot, uint64_t seed)
{
	return (struct regs){
		.rax = nr, .rdi = slot, .rsi = ipc_tag(seed, 4),
		.rdx = seed + 1, .r10 = seed + 2, .r8 = seed + 3,
		.r9 = seed + 4,
		.rbx = 0xb0b0b0b0b0b0b0b0, .rbp = 0xb9b9b9b9b9b9b9b9,
		.r12 = 0xc12c12c12c12c12c, .r13 = 0xc13c13c13c13c13c,
		.r14 = 0xc14c14c14c14c14c, .r15 = 0xc15c15c15c15c15c,
		.rcx = 0xdeadc0dedeadc0de, .r11 = 0xdeadc0dedeadc0de,
	};
}

/*
 * What every native call promises of the registers it returns: the
 * callee-saved ones (rbx, rbp, r12-r15) kept; rcx and r11 the thread's
 * own return address and flags (SYSRET's), never a kernel value.
 */
static int regs_kept(const struct regs *in, const struct regs *out)
{
	return out->rbx == in->rbx && out->rbp == in->rbp &&
	       out->r12 == in->r12 && out->r13 == in->r13 &&
	       out->r14 == in->r14 && out->r15 == in->r15 &&
	       out->rcx == out->after && (out->r11 & 0x202) == 0x202 &&
	       out->r11 < 0x400000;
}

/* The message of a call made by regs_in(@seed), as it arrived in @out. */
static int regs_msg(const struct regs *out, uint64_t seed)
{
	return out->rax == 0 && out->rsi == ipc_tag(seed, 4) &&
	       out->rdx == seed + 1 && out->r10 == seed + 2 &&
	       out->r8 == seed + 3 && out->r9 == seed + 4;
}

#define REGS_BADGE	0x6a6a
#define REGS_CALLS	64

/* Answer each call (seed s) with seed s + 1000, checking what arrived. */
static int serve_regs(long ep)
{
	struct regs in = regs_in(IPC_SYS_RECV, ep, 0), out;

	regs_syscall(&in, &out);
	for (uint64_t i = 0; i < REGS_CALLS; i++) {
		if (!regs_kept(&in, &out) || !regs_msg(&out, i) ||
		    out.rdi != REGS_BADGE)
			return 1;
		in = regs_in(IPC_SYS_REPLY_RECV, ep, i + 1000);
		regs_syscall(&in, &out);
	}
	if (!regs_kept(&in, &out) || out.rax != 0)
		return 2;
	in = regs_in(IPC_SYS_REPLY, 0, 0);
	regs_syscall(&in, &out);
	return out.rax == 0 ? 0 : 3;
}

/*
 * The register contract of a call (include/loupe/native.h), on whichever
 * path carried it (the suite also boots with ipcfast=off): callee-saved
 * registers and the stack kept, the reply in the message registers, rdi
 * 0, rcx and r11 the thread's own; and a refused call (an empty slot)
 * changes nothing but rax. Abuse: patterns in every register, so that a
 * kernel value left in one would show.
 */
static int t_fast_regs(void)
{
	long ep = ipc_endpoint_new(), send, n0 = ipc_stats(1);
	struct regs in, out;
	pid_t srv;

	EXPECT(ep >= 0);
	send = ipc_cap_mint(ep, REGS_BADGE, CAP_SEND);
	EXPECT(send >= 0);
	srv = spawn(serve_regs, ep);
	for (uint64_t i = 0; i < REGS_CALLS; i++) {
		in = regs_in(IPC_SYS_CALL, send, i);
		regs_syscall(&in, &out);
		EXPECT(regs_kept(&in, &out) && regs_msg(&out, i + 1000));
		EXPECT(out.rdi == 0);
	}
	in = regs_in(IPC_SYS_CALL, send, 0);
	in.rsi = ipc_tag(0, 0);
	regs_syscall(&in, &out);
	EXPECT(regs_kept(&in, &out) && out.rax == 0);
	EXPECT(reaped_ok(srv));
	in = regs_in(IPC_SYS_CALL, 60, 7);	/* an empty slot */
	regs_syscall(&in, &out);
	EXPECT((long)out.rax < 0 && regs_kept(&in, &out));
	EXPECT(out.rdi == in.rdi && out.rsi == in.rsi && out.rdx == in.rdx &&
	       out.r10 == in.r10 && out.r8 == in.r8 && out.r9 == in.r9);
	if (ipc_stats(0) == 1)
		EXPECT(ipc_stats(1) - n0 >= REGS_CALLS);
	return 0;
}

/* Answer one call with word 0 + 1. */
static void *drop_receiver(void *ep)
{
	struct ipc_msg m;
	uint64_t badge;

	if (!ipc_recv((long)ep, &m, &badge)) {
		m.w[0]++;
		ipc_reply(&m);
	}
	return NULL;
}

static void *drop_caller(void *ep)
{
	struct ipc_msg m = { ipc_tag(1, 0), { 0 } };

	ipc_call((long)ep, &m);
	return NULL;
}

/* The process of t_thread_drop: see there. Its exit status says what failed. */
static int drop_child(long unused)
{
	struct timespec ts = { 0, 30 * 1000 * 1000 };
	long a = ipc_endpoint_new(), b = ipc_endpoint_new(), send;
	struct ipc_msg m = { ipc_tag(1, 1), { 41 } };
	pthread_t t1, t2;

	(void)unused;
	send = ipc_cap_mint(a, 0, CAP_SEND);
	if (a < 0 || b < 0 || send < 0 ||
	    pthread_create(&t1, NULL, drop_receiver, (void *)a) ||
	    pthread_create(&t2, NULL, drop_caller, (void *)b))
		return 1;
	nanosleep(&ts, NULL);
	if (ipc_cap_drop(a) || ipc_cap_drop(b))
		return 2;
	for (int i = 0; i < 64; i++)	/* reuse whatever was freed */
		ipc_endpoint_new();
	/* The receiver still holds a: not dead, it answers. */
	if (ipc_call(send, &m) || m.w[0] != 42 || pthread_join(t1, NULL))
		return 3;
	exit(0);			/* exit_group: ends the caller's wait */
}

/*
 * A thread blocked receiving on an endpoint and one blocked calling
 * another, while a sibling drops both capabilities and makes new
 * endpoints: the blocked calls keep what they wait on, as a blocked
 * Linux read keeps its file: nothing is freed under them, a call through
 * another capability still reaches the receiver, and exit_group ends the
 * caller.
 */
static int t_thread_drop(void)
{
	EXPECT(reaped_ok(spawn(drop_child, 0)));
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
	{ t_bound_notify, USTAGE_IPC_BOUND_NOTIFY },
	{ t_deferred_reply, USTAGE_IPC_DEFERRED_REPLY },
	{ t_kill_saved, USTAGE_IPC_KILL_SAVED },
	{ t_saved_server_exits, USTAGE_IPC_SAVED_SERVER_EXITS },
	{ t_kill_queued, USTAGE_IPC_KILL_QUEUED },
	{ t_reply_bad, USTAGE_IPC_REPLY_BAD },
	{ t_fastpath, USTAGE_IPC_FASTPATH },
	{ t_fast_mixed, USTAGE_IPC_FAST_MIXED },
	{ t_stress, USTAGE_IPC_STRESS },
	{ t_fast_regs, USTAGE_IPC_FAST_REGS },
	{ t_thread_drop, USTAGE_IPC_THREAD_DROP },
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
