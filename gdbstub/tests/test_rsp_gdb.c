/*
 * End-to-end test of the RSP engine with the real clients: this program
 * serves the fake target on a Unix socket (GDB) or 127.0.0.1 (LLDB), runs
 * the client in batch mode and checks what it printed. Every wait has a
 * deadline; the client is killed by pid if it overruns. RSP_TEST_VERBOSE=1
 * prints each client's output, =2 also the packets it sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "tests/harness.h"
#include "gdbstub/tests/fake_target.h"

#define SESSION_SECONDS	30
#define CLIENT_OUT	(1 << 16)

static struct fake_target f;
static char client_out[CLIENT_OUT];
static size_t client_len;

struct sock_io {
	int fd;
	uint8_t buf[4096];
	size_t len;
};

static void sock_flush(void *ctx)
{
	struct sock_io *s = ctx;
	size_t done = 0;

	while (done < s->len) {
		ssize_t n = write(s->fd, s->buf + done, s->len - done);

		if (n <= 0 && errno != EINTR)
			break;
		done += n > 0 ? (size_t)n : 0;
	}
	s->len = 0;
}

static void sock_putc(void *ctx, uint8_t c)
{
	struct sock_io *s = ctx;

	if (s->len == sizeof(s->buf))
		sock_flush(s);
	s->buf[s->len++] = c;
}

/*
 * Play the kernel after a resume: a step advances RIP by one; a continue
 * hits the first write watchpoint (bumping the watched word) or else the
 * first software breakpoint.
 */
static void fake_run(void)
{
	uint64_t rip = 0;
	int i;

	f.stop = (struct gdbstub_stop){ GDBSTUB_SIGTRAP, 1, 0,
					GDBSTUB_STOP_NONE, 0 };
	gdbreg_get_u64(&f.regs[0], GDBREG_RIP, &rip);
	if (f.nacts && f.acts[0].op == 's') {
		gdbreg_set_u64(&f.regs[0], GDBREG_RIP, rip + 1);
		return;
	}
	for (i = 0; i < f.nbp; i++) {
		uint64_t off = f.bp[i].addr - FAKE_MEM_BASE;

		if (f.bp[i].type == GDBSTUB_WP_WRITE && off < FAKE_MEM_RW) {
			f.mem[off]++;
			f.stop.kind = GDBSTUB_STOP_WATCH;
			f.stop.addr = f.bp[i].addr;
			return;
		}
	}
	for (i = 0; i < f.nbp; i++) {
		if (f.bp[i].type == GDBSTUB_BP_SW) {
			gdbreg_set_u64(&f.regs[0], GDBREG_RIP, f.bp[i].addr);
			f.stop.kind = GDBSTUB_STOP_SWBREAK;
			return;
		}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static pid_t spawn(char *const argv[], int *out_fd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*out_fd = p[0];
	return pid;
}

static void read_client(int fd, bool *eof)
{
	ssize_t n = read(fd, client_out + client_len,
			 sizeof(client_out) - 1 - client_len);

	if (n <= 0) {
		*eof = true;
		return;
	}
	client_len += (size_t)n;
	client_out[client_len] = '\0';
}

/* Feed what the client sent; false when it hung up. */
static bool read_socket(int fd)
{
	uint8_t buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n <= 0) {
		rsp_disconnect(&f.rsp);
		return false;
	}
	if (getenv("RSP_TEST_VERBOSE") && atoi(getenv("RSP_TEST_VERBOSE")) > 1)
		fprintf(stderr, "<- %.*s\n", (int)n, (const char *)buf);
	for (ssize_t i = 0; i < n; i++) {
		enum rsp_event ev = rsp_input_byte(&f.rsp, buf[i]);

		if (ev == RSP_EV_RESUME || ev == RSP_EV_INTERRUPT) {
			if (ev == RSP_EV_RESUME)
				fake_run();
			rsp_stopped(&f.rsp);
		}
	}
	return true;
}

/*
 * Serve one client connection on @lfd while the client runs; collect its
 * output. Returns its exit status, or -1 on a timeout (client killed).
 */
static int serve(int lfd, char *const argv[])
{
	struct sock_io sio = { .fd = -1 };
	struct gdbstub_io_ops io = { sock_putc, sock_flush, NULL, &sio };
	double deadline = now() + SESSION_SECONDS;
	bool eof = false;
	int out_fd, status = -1;
	pid_t pid;

	fake_init(&f);
	rsp_init(&f.rsp, &io, &fake_target_ops, &f);
	rsp_stopped(&f.rsp);
	client_len = 0;
	client_out[0] = '\0';
	pid = spawn(argv, &out_fd);
	if (pid < 0)
		return -1;
	while (now() < deadline) {
		struct pollfd pfd[2] = {
			{ .fd = eof ? -1 : out_fd, .events = POLLIN },
			{ .fd = sio.fd >= 0 ? sio.fd : lfd, .events = POLLIN },
		};

		if (eof && waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (poll(pfd, 2, 100) < 0)
			continue;
		if (pfd[0].revents)
			read_client(out_fd, &eof);
		if (!pfd[1].revents)
			continue;
		if (sio.fd < 0) {
			sio.fd = accept(lfd, NULL, NULL);
		} else if (!read_socket(sio.fd)) {
			close(sio.fd);
			sio.fd = -1;
		}
	}
	if (now() >= deadline) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fprintf(stderr, "client timed out after %d s\n", SESSION_SECONDS);
		status = -1;
	}
	if (sio.fd >= 0)
		close(sio.fd);
	close(out_fd);
	if (getenv("RSP_TEST_VERBOSE"))
		fputs(client_out, stderr);
	return status;
}

static bool out_has(const char *s)
{
	if (strstr(client_out, s))
		return true;
	fprintf(stderr, "missing \"%s\" in client output:\n%s\n", s,
		client_out);
	return false;
}

static int listen_unix(char *path, size_t max)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(path, max, "/tmp/loupe-rsp-%d.sock", (int)getpid());
	unlink(path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 1))
		return -1;
	return fd;
}

static int listen_tcp(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 1) || getsockname(fd, (struct sockaddr *)&sa, &len))
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

TEST(gdb_inspects_fake_target)
{
	char path[108], target[160];
	int lfd = listen_unix(path, sizeof(path)), status;

	CHECK(lfd >= 0);
	snprintf(target, sizeof(target), "target remote %s", path);
	char *argv[] = {
		"gdb", "-nx", "-batch",
		"-ex", "set remotetimeout 10",
		"-ex", "set architecture i386:x86-64",
		"-ex", target,
		"-ex", "info registers rip",
		"-ex", "x/4xb 0x1000",
		"-ex", "info threads",
		"-ex", "monitor help",
		"-ex", "monitor frob",
		"-ex", "p/x $rax",
		"-ex", "p/x $cr3",
		"-ex", "p/x $eflags",
		"-ex", "set var *(char *)0x1004 = 0x42",
		"-ex", "x/1xb 0x1004",
		"-ex", "x/1xb 0x0",
		"-ex", "thread 2",
		"-ex", "info registers rax rbx",
		"-ex", "thread 1",
		"-ex", "detach",
		NULL,
	};
	status = serve(lfd, argv);
	close(lfd);
	unlink(path);
	CHECK(out_has("rip            0x1000"));
	CHECK(out_has("0x1000:\t0xde\t0xad\t0xbe\t0xef"));
	CHECK(out_has("Thread 1 \"idle\""));
	CHECK(out_has("Thread 2 \"init\""));
	CHECK(out_has("Thread 3 \"k<w&r>#*\""));
	CHECK(out_has("help tasks cpus"));
	CHECK(out_has("unknown command: frob"));
	CHECK(out_has("$1 = 0x1122334455667788"));
	CHECK(out_has("$2 = 0x113d"));
	CHECK(out_has("0x1004:\t0x42"));
	CHECK(out_has("Cannot access memory at address 0x0"));
	CHECK(out_has("rax            <unavailable>"));
	CHECK(out_has("rbx            0x2200"));
	CHECK(out_has("detached"));
	CHECK(!strstr(client_out, "too long"));
	CHECK_EQ(f.detaches, 1);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(gdb_runs_to_breakpoint_and_watchpoint)
{
	char path[108], target[160];
	int lfd = listen_unix(path, sizeof(path)), status;

	CHECK(lfd >= 0);
	snprintf(target, sizeof(target), "target remote %s", path);
	char *argv[] = {
		"gdb", "-nx", "-batch",
		"-ex", "set remotetimeout 10",
		"-ex", "set architecture i386:x86-64",
		"-ex", target,
		"-ex", "stepi",
		"-ex", "p/x $pc",
		"-ex", "break *0x1010",
		"-ex", "continue",
		"-ex", "p/x $pc",
		"-ex", "delete",
		"-ex", "watch *(int *)0x1100",
		"-ex", "continue",
		"-ex", "delete",
		"-ex", "detach",
		NULL,
	};
	status = serve(lfd, argv);
	close(lfd);
	unlink(path);
	CHECK(out_has("$1 = 0x1001"));
	CHECK(out_has("Breakpoint 1, 0x0000000000001010"));
	CHECK(out_has("$2 = 0x1010"));
	CHECK(out_has("Hardware watchpoint 2: *(int *)0x1100"));
	CHECK(out_has("New value"));
	CHECK(out_has("detached"));
	CHECK_EQ(f.nbp, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(gdb_with_acks)
{
	char path[108], target[160];
	int lfd = listen_unix(path, sizeof(path)), status;

	CHECK(lfd >= 0);
	snprintf(target, sizeof(target), "target remote %s", path);
	char *argv[] = {
		"gdb", "-nx", "-batch",
		"-ex", "set remotetimeout 10",
		"-ex", "set remote noack-packet off",
		"-ex", "set architecture i386:x86-64",
		"-ex", target,
		"-ex", "monitor help",
		"-ex", "x/2xg 0x1ff8",
		"-ex", "info registers eflags",
		"-ex", "detach",
		NULL,
	};
	status = serve(lfd, argv);
	close(lfd);
	unlink(path);
	CHECK(!f.rsp.no_ack);
	CHECK(out_has("help tasks cpus"));
	CHECK(out_has("0x1ff8:	0xfffefdfcfbfaf9f8	0x0706050403020100"));
	CHECK(out_has("eflags         0x1111              [ CF AF TF ]"));
	CHECK(out_has("detached"));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(lldb_inspects_fake_target)
{
	char connect[64];
	int port, lfd = listen_tcp(&port), status;

	CHECK(lfd >= 0);
	snprintf(connect, sizeof(connect), "gdb-remote 127.0.0.1:%d", port);
	char *argv[] = {
		"lldb", "--no-lldbinit", "-b",
		"-o", "settings set plugin.process.gdb-remote.packet-timeout 10",
		"-o", connect,
		"-o", "register read rip rax cr3",
		"-o", "memory read -s1 -c4 -fx 0x1000",
		"-o", "thread list",
		"-o", "process detach",
		NULL,
	};
	status = serve(lfd, argv);
	close(lfd);
	CHECK(out_has("rip = 0x0000000000001000"));
	CHECK(out_has("rax = 0x1122334455667788"));
	CHECK(out_has("cr3 = 0x000000000000113d"));
	CHECK(out_has("0x00001000: 0xde 0xad 0xbe 0xef"));
	CHECK(out_has("tid = 0x0003"));
	CHECK_EQ(f.detaches, 1);
	CHECK(status != -1);
}

TEST(lldb_exit_kills_as_detach)
{
	char connect[64];
	int port, lfd = listen_tcp(&port), status;

	CHECK(lfd >= 0);
	snprintf(connect, sizeof(connect), "gdb-remote 127.0.0.1:%d", port);
	/* LLDB ends a batch with a live process by sending `k`. */
	char *argv[] = {
		"lldb", "--no-lldbinit", "-b",
		"-o", "settings set plugin.process.gdb-remote.packet-timeout 10",
		"-o", connect,
		"-o", "breakpoint set -a 0x1010",
		NULL,
	};
	status = serve(lfd, argv);
	close(lfd);
	CHECK(out_has("Breakpoint 1: address = 0x0000000000001010"));
	CHECK_EQ(f.detaches, 1);
	CHECK_EQ(f.nbp, 0);
	CHECK(status != -1);
}

static const struct harness_test tests[] = {
	T(gdb_inspects_fake_target),
	T(gdb_runs_to_breakpoint_and_watchpoint),
	T(gdb_with_acks),
	T(lldb_inspects_fake_target),
	T(lldb_exit_kills_as_detach),
};

HARNESS_MAIN("rsp_gdb", tests)
