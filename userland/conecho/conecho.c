/*
 * conecho: the program init leaves on the console. It prints a prompt,
 * reads a line from stdin (the console, canonical mode) and echoes it;
 * end of input (^D on an empty line) ends it, and init starts it again.
 * The line "raw" switches the terminal to raw mode (no ICANON, ECHO or
 * ISIG; VMIN 1) and shows each byte typed until 'q': how the console test
 * (tests/suite) checks raw mode. "poll" polls stdin for POLLIN with no
 * timeout and "poll MS" with one, says what poll returned and how long
 * it took, then reads what is there: how the console test checks poll.
 * The line "sigint" catches SIGINT and reads twice: the first read must
 * end with EINTR when ^C runs the handler, the second (SA_RESTART) must
 * go on and return the next line: how the console test checks signals
 * in a console read. Like a shell, conecho ignores the terminal's stop
 * signals, so ^Z at its prompt stops nothing; the line "stop" starts a
 * child as a job in a foreground group of its own that reads a line with
 * SIGTSTP at its default: ^Z stops it (wait4 WUNTRACED says so), conecho continues it
 * (SIGCONT, WCONTINUED), and its read goes on to return the next line;
 * "bg" starts a reading job in the background, which SIGTTIN stops until
 * it is made the foreground and continued (one ignoring SIGTTIN gets
 * EIO); "ttou" background jobs that set the terminal's settings, and
 * with TOSTOP write to it, which SIGTTOU stops alike (one ignoring
 * SIGTTOU goes ahead): how the console test checks job control.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "say.h"

/* Raw mode until 'q': one line per byte, then the old settings back. */
static int conecho_raw(void)
{
	struct termios old, t;
	unsigned char c;

	if (tcgetattr(0, &old)) {
		say("conecho: tcgetattr failed\n");
		return 1;
	}
	t = old;
	t.c_lflag &= ~(ICANON | ECHO | ISIG);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(0, TCSANOW, &t)) {
		say("conecho: tcsetattr failed\n");
		return 1;
	}
	say("raw: type keys, q ends\n");
	while (read(0, &c, 1) == 1) {
		say("raw: 0x%02x\n", c);
		if (c == 'q')
			break;
	}
	tcsetattr(0, TCSANOW, &old);
	say("raw: done\n");
	return 0;
}

static long conecho_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll stdin (timeout ms, -1: none), report, then read what is ready. */
static void conecho_poll(int timeout)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	long start = conecho_ms(), took;
	char buf[256];
	int ret;
	ssize_t n;

	say("poll: waiting %d\n", timeout);
	ret = poll(&p, 1, timeout);
	took = conecho_ms() - start;
	say("poll: ret=%d revents=0x%x %s\n", ret, p.revents,
	    timeout >= 0 && took >= timeout ? "after the timeout" :
	    "before the timeout");
	if (ret != 1)
		return;
	n = read(0, buf, sizeof(buf) - 1);
	if (n >= 0) {
		buf[n] = 0;
		if (n && buf[n - 1] == '\n')
			buf[n - 1] = 0;
		say("poll: read \"%s\"\n", buf);
	}
}

static void conecho_on_sigint(int sig)
{
	static const char msg[] = "sigint: handler ran\n";

	(void)sig;
	write(1, msg, sizeof(msg) - 1);
}

/* Read one line under a SIGINT handler with flags; report how it ended. */
static void conecho_sigint_read(int flags)
{
	struct sigaction sa = { .sa_handler = conecho_on_sigint,
				.sa_flags = flags };
	char line[256];
	ssize_t n;

	sigaction(SIGINT, &sa, NULL);
	say("sigint: reading%s\n", flags & SA_RESTART ? " (SA_RESTART)" : "");
	n = read(0, line, sizeof(line) - 1);
	if (n < 0) {
		say("sigint: read failed: %s\n",
		    errno == EINTR ? "EINTR" : "other");
		return;
	}
	line[n] = 0;
	if (n && line[n - 1] == '\n')
		line[n - 1] = 0;
	say("sigint: read got '%s'\n", line);
}

/* "sigint": ^C interrupts a read (EINTR), then a restarted one goes on. */
static void conecho_sigint(void)
{
	conecho_sigint_read(0);
	conecho_sigint_read(SA_RESTART);
	signal(SIGINT, SIG_DFL);
	say("sigint: done\n");
}

/*
 * The child of "stop" and "bg" (name): a job, in a process group of its
 * own, with sig (SIGTSTP or SIGTTIN) at its default, or ignored; it reads
 * one line and shows it. A foreground job (fg) takes the terminal itself
 * too, as a shell's child does: else its read could come before the
 * parent's tcsetpgrp() and be a background read (EIO, SIGTTIN being
 * ignored). SIGTTOU is still ignored here, so the call is allowed.
 */
static void conecho_job_child(const char *name, int sig, int dfl, int fg)
{
	char line[256];
	ssize_t n;

	setpgid(0, 0);
	if (fg)
		tcsetpgrp(0, getpid());
	signal(sig, dfl ? SIG_DFL : SIG_IGN);
	say("%s: child reading%s\n", name, dfl ? "" : ", the signal ignored");
	n = read(0, line, sizeof(line) - 1);
	if (n < 0) {
		say("%s: child read failed: %s\n", name, strerror(errno));
		_exit(1);
	}
	line[n] = 0;
	if (n && line[n - 1] == '\n')
		line[n - 1] = 0;
	say("%s: child read '%s'\n", name, line);
	_exit(0);
}

/*
 * "stop", as a shell runs a job: the child in a process group of its
 * own made the terminal's foreground; ^Z stops it (wait4 WUNTRACED);
 * "fg" continues it (SIGCONT to the group, WCONTINUED) and it reads on;
 * the terminal comes back to conecho's group at the end.
 */
static void conecho_stop(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		conecho_job_child("stop", SIGTSTP, 1, 1);
	if (pid < 0)
		return;
	setpgid(pid, pid);		/* both sides, as shells do: no race */
	tcsetpgrp(0, pid);		/* both sides too */
	if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)) {
		say("stop: no stop reported\n");
		goto out;
	}
	say("stop: child stopped by signal %d\n", WSTOPSIG(st));
	kill(-pid, SIGCONT);
	if (waitpid(pid, &st, WCONTINUED) != pid || !WIFCONTINUED(st)) {
		say("stop: no continue reported\n");
		goto out;
	}
	say("stop: child continued\n");
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		say("stop: child did not exit\n");
	else
		say("stop: done, status %d\n", WEXITSTATUS(st));
out:
	tcsetpgrp(0, getpgrp());
}

/*
 * "bg": a job in the background that reads the terminal gets SIGTTIN and
 * stops; made the foreground and continued ("fg"), it reads. One that
 * ignores SIGTTIN gets EIO instead.
 */
static void conecho_bg(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		conecho_job_child("bg", SIGTTIN, 1, 0);
	if (pid < 0)
		return;
	setpgid(pid, pid);
	if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)) {
		say("bg: no stop reported\n");
		return;
	}
	say("bg: child stopped by signal %d\n", WSTOPSIG(st));
	tcsetpgrp(0, pid);
	kill(-pid, SIGCONT);
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		say("bg: done, status %d\n", WEXITSTATUS(st));
	tcsetpgrp(0, getpgrp());
	pid = fork();
	if (pid == 0)
		conecho_job_child("bg", SIGTTIN, 0, 0);
	if (pid > 0) {
		setpgid(pid, pid);
		waitpid(pid, &st, 0);
	}
}

/*
 * The child of "ttou": a job in a process group of its own, with SIGTTOU
 * at its default (dfl) or ignored, that writes to the terminal (write_it)
 * or sets its settings as they are (tcsetattr), then says so.
 */
static void conecho_ttou_child(int dfl, int write_it)
{
	struct termios t;

	setpgid(0, 0);
	signal(SIGTTOU, dfl ? SIG_DFL : SIG_IGN);
	if (write_it) {
		say("ttou: child wrote\n");
		_exit(0);
	}
	if (tcgetattr(0, &t) || tcsetattr(0, TCSANOW, &t)) {
		say("ttou: child tcsetattr failed: %s\n", strerror(errno));
		_exit(1);
	}
	say("ttou: child set the terminal%s\n",
	    dfl ? "" : ", the signal ignored");
	_exit(0);
}

/*
 * One "ttou" job in the background: with SIGTTOU at its default it stops
 * (wait4 WUNTRACED), and made the foreground and continued it goes on;
 * ignoring SIGTTOU, it goes on at once.
 */
static void conecho_ttou_job(int dfl, int write_it)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		conecho_ttou_child(dfl, write_it);
	if (pid < 0)
		return;
	setpgid(pid, pid);
	if (dfl) {
		if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)) {
			say("ttou: no stop reported\n");
			return;
		}
		say("ttou: child stopped by signal %d\n", WSTOPSIG(st));
		tcsetpgrp(0, pid);
		kill(-pid, SIGCONT);
	}
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		say("ttou: done, status %d\n", WEXITSTATUS(st));
	tcsetpgrp(0, getpgrp());	/* background now: SIGTTOU ignored */
}

/*
 * "ttou": a background job that changes the terminal's settings gets
 * SIGTTOU (or, ignoring it, changes them); with TOSTOP set, so does one
 * that writes.
 */
static void conecho_ttou(void)
{
	struct termios t;

	conecho_ttou_job(1, 0);
	conecho_ttou_job(0, 0);
	tcgetattr(0, &t);
	t.c_lflag |= TOSTOP;
	tcsetattr(0, TCSANOW, &t);
	conecho_ttou_job(1, 1);
	t.c_lflag &= ~TOSTOP;
	tcsetattr(0, TCSANOW, &t);
}

int main(void)
{
	char line[1024];
	ssize_t n;

	signal(SIGTSTP, SIG_IGN);	/* as a shell: ^Z stops only jobs */
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	for (;;) {
		say("loupe$ ");
		n = read(0, line, sizeof(line) - 1);
		if (n == 0) {
			say("conecho: end of input\n");
			return 0;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			say("conecho: cannot read the console\n");
			return 1;
		}
		line[n] = 0;
		if (line[n - 1] == '\n')
			line[--n] = 0;
		if (!strcmp(line, "raw"))
			conecho_raw();
		else if (!strcmp(line, "poll"))
			conecho_poll(-1);
		else if (!strncmp(line, "poll ", 5))
			conecho_poll(atoi(line + 5));
		else if (!strcmp(line, "sigint"))
			conecho_sigint();
		else if (!strcmp(line, "stop"))
			conecho_stop();
		else if (!strcmp(line, "bg"))
			conecho_bg();
		else if (!strcmp(line, "ttou"))
			conecho_ttou();
		else
			say("echo: %s\n", line);
	}
}
