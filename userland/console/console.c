/*
 * /sbin/console: the terminal server for COM1 (SRV_CONSOLE). init grants
 * it the UART's ports and IRQ 4; it registers an endpoint and a shared
 * area, and the kernel's file layer turns read, write, ioctl and fstat on
 * /dev/console and /dev/tty into calls here (include/loupe/fsproto.h;
 * the badge is the client's pid, bulk data sits in the slot w[3] names).
 *
 * One thread does everything: its receive also returns when the IRQ
 * notification is signalled (NC_NOTIFY_BIND). A read that cannot be
 * answered yet is parked in a reply capability (NC_REPLY_SAVE) and
 * answered when input arrives, or with -EINTR when ^C, ^\ or ^Z
 * signals its process group. A poll (FS_POLL) is answered at once; if it found
 * nothing to read, the next input pulses the endpoint (NC_POLL_WAKE) so
 * the kernel's pollers ask again. docs/console.md explains the whole.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <loupe/fsproto.h>
#include "console.h"
#include "loupe.h"
#include "server.h"

#define IRQ_BIT		1
#define MAX_READERS	16

/* A read waiting for input. */
struct reader {
	long reply;			/* reply capability slot */
	int pid;			/* the caller (the badge) */
	size_t count;
	unsigned slot;			/* its shared-memory slot */
};

static struct ldisc tty;
static struct reader readers[MAX_READERS];	/* oldest first */
static int nreaders;
static char *shm;			/* FS_SLOTS slots of FS_SLOT_SIZE */
static long irq_slot;
static long ep_slot;
static bool poll_armed;			/* a poll found nothing to read */

/* Our own complaints go straight to the UART: we serve the console. */
static void console_say(const char *s)
{
	ldisc_write(&tty, "console: ", 9);
	ldisc_write(&tty, s, strlen(s));
	ldisc_write(&tty, "\n", 1);
}

static char *console_slot(const struct ipc_msg *m)
{
	return m->w[3] < FS_SLOTS ? shm + m->w[3] * FS_SLOT_SIZE : NULL;
}

static void console_answer(long reply, long result)
{
	struct ipc_msg m = { .w = { (uint64_t)result } };

	ipc_reply_to(reply, &m);
}

static void console_unpark(int i)
{
	memmove(&readers[i], &readers[i + 1],
		(size_t)(nreaders - i - 1) * sizeof(readers[0]));
	nreaders--;
}

/* Readable now: tell the kernel's pollers, if one is waiting for that. */
static void console_poll_wake(void)
{
	if (!poll_armed || !ldisc_poll_in(&tty))
		return;
	poll_armed = false;
	ipc_poll_wake(ep_slot);
}

/* FS_POLL: POLLOUT always (writes never wait), POLLIN as ldisc says. */
static long console_poll(const struct ipc_msg *m)
{
	long ready = POLLOUT | POLLWRNORM;

	if (ldisc_poll_in(&tty))
		ready |= POLLIN | POLLRDNORM;
	else if (m->w[1] & (POLLIN | POLLRDNORM))
		poll_armed = true;
	return ready;
}

/* Answer every parked read that input now satisfies, oldest first. */
static void console_serve_readers(void)
{
	int i = 0;

	while (i < nreaders) {
		struct reader *r = &readers[i];

		if (kill(r->pid, 0)) {		/* gone: its input stays */
			ipc_cap_drop(r->reply);
			console_unpark(i);
			continue;
		}
		if (!ldisc_can_read(&tty, r->count))
			break;			/* keep the order of arrival */
		console_answer(r->reply, (long)ldisc_read(&tty,
				shm + r->slot * FS_SLOT_SIZE, r->count));
		console_unpark(i);
	}
}

/*
 * ^C, ^\ or ^Z: SIGINT, SIGQUIT or SIGTSTP to the foreground group, then
 * its parked reads end with -EINTR, which the kernel turns into EINTR or
 * a restart as the signal's handling says (a stopped reader, continued,
 * reads again). The signal goes first: a reader must die (or stop) in
 * its read, not see EINTR and carry on for a moment.
 */
static void console_signal(void)
{
	int fg = tty.fg_pgrp, sig = tty.sig, i = 0;
	bool hit[MAX_READERS];

	tty.sig = 0;
	if (fg <= 0)
		return;
	for (i = 0; i < nreaders; i++)
		hit[i] = getpgid(readers[i].pid) == fg;
	kill(-fg, sig);
	for (i = nreaders - 1; i >= 0; i--) {
		if (hit[i]) {
			console_answer(readers[i].reply, -EINTR);
			console_unpark(i);
		}
	}
}

static void console_drain(void)
{
	int c;

	while ((c = uart_getc()) >= 0) {
		ldisc_input(&tty, (char)c);
		if (tty.sig)
			console_signal();
	}
}

/*
 * The UART raised IRQ 4: drain it, unmask the line, drain again. The line
 * is edge-triggered: a byte that arrived while it was masked raised the
 * UART's output without an edge the IOAPIC saw, so no interrupt will
 * come for it; reading it lowers the output, and the next byte gives an
 * edge again.
 */
static void console_irq(void)
{
	console_drain();
	irq_ack(irq_slot);
	console_drain();
	console_serve_readers();
	console_poll_wake();
}

/* Queue a read behind the others. 1 if parked. */
static int console_park(uint64_t pid, const struct ipc_msg *m)
{
	struct reader *r = &readers[nreaders];

	if (nreaders == MAX_READERS)
		return 0;
	r->reply = ipc_reply_save();
	if (r->reply < 0)
		return 0;
	r->pid = (int)pid;
	r->count = m->w[1];
	r->slot = (unsigned)m->w[3];
	nreaders++;
	return 1;
}

/*
 * Whether process pid is a background job of the terminal's session: in
 * the session of the process that last set the foreground group, outside
 * that group. Its reads get FS_TTY_BACKGROUND (the kernel's SIGTTIN).
 */
static bool console_background(uint64_t pid)
{
	pid_t pgrp;

	if (tty.fg_pgrp <= 0 || getsid((pid_t)pid) != tty.sid)
		return false;
	pgrp = getpgid((pid_t)pid);
	return pgrp > 0 && pgrp != tty.fg_pgrp;
}

/*
 * A write (under TOSTOP) or a change of the terminal by a background job
 * of its session, not yet let through by the kernel (FS_F_TTY_ANYWAY: it
 * ignores or blocks SIGTTOU): answered FS_TTY_BACKGROUND_OUT, which the
 * kernel turns into SIGTTOU or EIO.
 */
static bool console_background_out(uint64_t pid, const struct ipc_msg *m)
{
	return !(m->tag & FS_F_TTY_ANYWAY) && console_background(pid);
}

/* FS_READ: answer now, park (returns 1), or fail. */
static int console_read(uint64_t pid, struct ipc_msg *m)
{
	char *buf = console_slot(m);

	if (!buf || m->w[1] > FS_SLOT_SIZE) {
		m->w[0] = (uint64_t)-EINVAL;
		return 0;
	}
	if (!m->w[1]) {
		m->w[0] = 0;
		return 0;
	}
	if (console_background(pid)) {
		m->w[0] = (uint64_t)FS_TTY_BACKGROUND;	/* SIGTTIN or EIO */
		return 0;
	}
	if (!nreaders && ldisc_can_read(&tty, m->w[1])) {
		m->w[0] = ldisc_read(&tty, buf, m->w[1]);
		return 0;
	}
	if (console_park(pid, m))
		return 1;
	m->w[0] = (uint64_t)-EAGAIN;
	return 0;
}

static long console_write(uint64_t pid, const struct ipc_msg *m)
{
	const char *buf = console_slot(m);

	if (!buf || m->w[1] > FS_SLOT_SIZE)
		return -EINVAL;
	if ((tty.tio.c_lflag & TOSTOP) && console_background_out(pid, m))
		return FS_TTY_BACKGROUND_OUT;	/* SIGTTOU, EIO or anyway */
	ldisc_write(&tty, buf, m->w[1]);
	return (long)m->w[1];
}

static long console_fstat(const struct ipc_msg *m)
{
	struct fs_stat st = {
		.ino = 1, .mode = S_IFCHR | 0620, .nlink = 1,
		.rdev = 5 << 8 | 1, .blksize = 1024,	/* 5,1: /dev/console */
	};
	char *buf = console_slot(m);

	if (!buf)
		return -EINVAL;
	memcpy(buf, &st, sizeof(st));
	return 0;
}

/* FS_STATFS on the terminal: devpts's figures, as Linux gives for a tty. */
static long console_statfs(const struct ipc_msg *m)
{
	struct fs_statfs st = { .type = 0x1cd1, .bsize = 4096, .namelen = 255 };
	char *buf = console_slot(m);

	if (!buf)
		return -EINVAL;
	memcpy(buf, &st, sizeof(st));
	return 0;
}

/*
 * TIOCSPGRP: any existing process group may own the terminal; the
 * caller's session becomes the terminal's. Parked reads of the group
 * losing the terminal are answered FS_TTY_BACKGROUND: as on Linux, a job
 * that is no longer in the foreground gets SIGTTIN when it reads.
 */
static long console_set_pgrp(uint64_t pid, const char *arg)
{
	int pgrp;

	memcpy(&pgrp, arg, sizeof(pgrp));
	if (pgrp <= 0)
		return -EINVAL;
	if (kill(-pgrp, 0))
		return -EPERM;
	tty.fg_pgrp = pgrp;
	tty.sid = getsid((pid_t)pid);
	for (int i = nreaders - 1; i >= 0; i--) {
		if (console_background(readers[i].pid)) {
			console_answer(readers[i].reply, FS_TTY_BACKGROUND);
			console_unpark(i);
		}
	}
	return 0;
}

/* FS_IOCTL: w1 = request, w2 = integer argument, structures in the slot. */
static long console_ioctl(uint64_t pid, const struct ipc_msg *m)
{
	char *arg = console_slot(m);
	int n;

	if (!arg)
		return -EINVAL;
	switch (m->w[1]) {
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
	case TIOCSPGRP:
	case TCFLSH:
		if (console_background_out(pid, m))
			return FS_TTY_BACKGROUND_OUT;
		break;
	}
	switch (m->w[1]) {
	case TCGETS:
		memcpy(arg, &tty.tio, sizeof(tty.tio));
		return 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		ldisc_set(&tty, (const struct ktermios *)arg,
			  m->w[1] == TCSETSF);
		console_serve_readers();
		console_poll_wake();	/* raw mode can make a line readable */
		return 0;
	case TIOCGWINSZ:
		memcpy(arg, &tty.ws, sizeof(tty.ws));
		return 0;
	case TIOCSWINSZ:
		memcpy(&tty.ws, arg, sizeof(tty.ws));
		return 0;
	case TIOCGPGRP:
		memcpy(arg, &tty.fg_pgrp, sizeof(tty.fg_pgrp));
		return 0;
	case TIOCSPGRP:
		return console_set_pgrp(pid, arg);
	case TCFLSH:
		if (m->w[2] > TCIOFLUSH)
			return -EINVAL;
		if (m->w[2] != TCOFLUSH)
			ldisc_flush(&tty);
		return 0;
	case FIONREAD:
		n = (int)ldisc_pending(&tty);
		memcpy(arg, &n, sizeof(n));
		return 0;
	default:
		return -ENOTTY;
	}
}

/* One request; 1 if it was parked (no reply now). */
static int console_request(uint64_t pid, struct ipc_msg *m)
{
	long r;

	switch (ipc_tag_label(m->tag)) {
	case FS_OPEN:
		m->w[1] = SRV_CONSOLE;
		m->w[2] = S_IFCHR | 0620;
		r = 1;			/* one device, one handle */
		break;
	case FS_CLOSE:
		r = 0;
		break;
	case FS_READ:
		return console_read(pid, m);
	case FS_WRITE:
		r = console_write(pid, m);
		m->w[1] = 0;
		break;
	case FS_FSTAT:
		r = console_fstat(m);
		break;
	case FS_IOCTL:
		r = console_ioctl(pid, m);
		break;
	case FS_POLL:
		r = console_poll(m);
		break;
	case FS_STATFS:
		r = console_statfs(m);
		break;
	default:
		r = -ENOSYS;
	}
	m->w[0] = (uint64_t)r;
	return 0;
}

static void console_loop(long ep)
{
	for (;;) {
		struct ipc_msg m;
		uint64_t badge;

		if (ipc_recv(ep, &m, &badge))
			continue;
		if (badge == NOTIFY_BADGE) {
			console_irq();
			continue;
		}
		if (!console_request(badge, &m))
			ipc_reply(&m);
	}
}

/* Ports, IRQ and registration; returns the endpoint, or exits. */
static long console_setup(long *ntfn, long *shm_slot)
{
	long srvctl = server_cap("srvctl"), port = server_cap("ioport");
	long ep;

	irq_slot = server_cap("irq");
	if (srvctl < 0 || port < 0 || irq_slot < 0)
		_exit(2);
	if (ioport_enable(port))
		_exit(3);
	uart_init();
	*ntfn = ipc_notify_new();
	ep = ipc_endpoint_new();
	*shm_slot = shm_new(FS_SHM_SIZE);
	if (*ntfn < 0 || ep < 0 || *shm_slot < 0)
		_exit(4);
	if (irq_bind(irq_slot, *ntfn, IRQ_BIT))
		_exit(5);
	ep_slot = ep;
	if (srv_register(srvctl, SRV_CONSOLE, ep, *shm_slot))
		_exit(6);
	ipc_cap_drop(srvctl);
	return ep;
}

int main(void)
{
	long ntfn, shm_slot, ep, addr;

	ldisc_init(&tty);
	ep = console_setup(&ntfn, &shm_slot);
	server_ready();
	/* The child serves: it binds its own thread and maps the area. */
	addr = shm_map(shm_slot, 1);
	if (addr < 0 || ipc_notify_bind(ntfn)) {
		console_say("cannot map its area or bind its IRQ; exiting");
		_exit(7);
	}
	shm = (char *)addr;
	console_irq();		/* anything typed before we were ready */
	console_loop(ep);
}
