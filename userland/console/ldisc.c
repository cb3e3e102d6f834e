/*
 * The line discipline: what Linux's n_tty does for a serial terminal,
 * cut down to what programs on Loupe use. Received bytes pass the input
 * flags (ICRNL...), then either edit the current line (ICANON: ERASE,
 * KILL, EOF; a line is readable once it ends) or queue as they are (raw:
 * a read waits for VMIN bytes). ISIG makes VINTR (^C), VQUIT (^\) and
 * VSUSP (^Z) flag a signal (SIGINT, SIGQUIT, SIGTSTP) for the server,
 * which sends it to the foreground group. Echo and output go
 * through the output flags (OPOST|ONLCR: "\n" -> "\r\n").
 */
#include <signal.h>
#include <string.h>
#include <termios.h>

#include "console.h"

/* Linux's defaults for a serial terminal (stty sane). */
void ldisc_init(struct ldisc *l)
{
	static const uint8_t cc[KNCCS] = {
		[VINTR] = 3, [VQUIT] = 0x1c, [VERASE] = 0x7f, [VKILL] = 0x15,
		[VEOF] = 4, [VMIN] = 1, [VSTART] = 0x11, [VSTOP] = 0x13,
		[VSUSP] = 0x1a, [VREPRINT] = 0x12, [VDISCARD] = 0x0f,
		[VWERASE] = 0x17, [VLNEXT] = 0x16,
	};

	memset(l, 0, sizeof(*l));
	l->tio.c_iflag = ICRNL | IXON;
	l->tio.c_oflag = OPOST | ONLCR;
	l->tio.c_cflag = B38400 | CS8 | CREAD | HUPCL;
	l->tio.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL |
			 ECHOKE | IEXTEN;
	memcpy(l->tio.c_cc, cc, sizeof(cc));
	l->ws.ws_row = 24;
	l->ws.ws_col = 80;
}

static void ldisc_out(const struct ldisc *l, char c)
{
	if (c == '\n' && (l->tio.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR))
		uart_putc('\r');
	uart_putc(c);
}

void ldisc_write(const struct ldisc *l, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ldisc_out(l, buf[i]);
}

/* Echo c as typed: control characters as ^X under ECHOCTL. */
static void ldisc_echo(const struct ldisc *l, char c)
{
	unsigned char u = (unsigned char)c;

	if (!(l->tio.c_lflag & ECHO))
		return;
	if ((l->tio.c_lflag & ECHOCTL) && (u < 0x20 || u == 0x7f) &&
	    c != '\n' && c != '\t') {
		ldisc_out(l, '^');
		ldisc_out(l, (char)(u ^ 0x40));
		return;
	}
	ldisc_out(l, c);
}

static void ldisc_push_byte(struct ldisc *l, char c)
{
	if (l->in_len == sizeof(l->in))
		return;		/* full: drop, as a UART overrun would */
	l->in[(l->in_head + l->in_len++) % sizeof(l->in)] = c;
}

/* Canonical: the edit line (len 0 with EOF: an end of file) is readable. */
static void ldisc_end_line(struct ldisc *l)
{
	if (l->nlines == LDISC_LINES ||
	    l->in_len + l->nedit > sizeof(l->in))
		return;		/* no room: the line is lost */
	for (size_t i = 0; i < l->nedit; i++)
		ldisc_push_byte(l, l->edit[i]);
	l->lines[(l->line_head + l->nlines++) % LDISC_LINES] = (unsigned)l->nedit;
	l->nedit = 0;
}

static void ldisc_erase(struct ldisc *l)
{
	if (!l->nedit)
		return;
	l->nedit--;
	if ((l->tio.c_lflag & (ECHO | ECHOE)) == (ECHO | ECHOE))
		ldisc_write(l, "\b \b", 3);
}

/* A canonical-mode byte: edit the line or end it. */
static void ldisc_canon(struct ldisc *l, char c)
{
	const uint8_t *cc = l->tio.c_cc;

	if ((unsigned char)c == cc[VERASE] || c == '\b') {
		ldisc_erase(l);
	} else if ((unsigned char)c == cc[VKILL]) {
		while (l->nedit)
			ldisc_erase(l);
	} else if ((unsigned char)c == cc[VEOF]) {
		ldisc_end_line(l);
	} else {
		if (l->nedit < sizeof(l->edit) - 1 || c == '\n')
			l->edit[l->nedit++] = c;
		ldisc_echo(l, c);
		if (c == '\n' || (cc[VEOL] && (unsigned char)c == cc[VEOL]))
			ldisc_end_line(l);
	}
}

/* One byte from the UART. */
/*
 * ISIG: c is the INTR, QUIT or SUSP character. Echo it (as ^C), end the
 * line on the screen, drop what was typed (no NOFLSH) and flag its
 * signal. False for any other character.
 */
static bool ldisc_signal(struct ldisc *l, char c)
{
	static const struct { int cc, sig; } keys[] = {
		{ VINTR, SIGINT }, { VQUIT, SIGQUIT }, { VSUSP, SIGTSTP },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		unsigned char k = l->tio.c_cc[keys[i].cc];

		if (k && (unsigned char)c == k) {
			ldisc_echo(l, c);
			ldisc_out(l, '\n');
			ldisc_flush(l);
			l->sig = keys[i].sig;
			return true;
		}
	}
	return false;
}

void ldisc_input(struct ldisc *l, char c)
{
	uint32_t ifl = l->tio.c_iflag;

	if (c == '\r') {
		if (ifl & IGNCR)
			return;
		if (ifl & ICRNL)
			c = '\n';
	} else if (c == '\n' && (ifl & INLCR)) {
		c = '\r';
	}
	if ((l->tio.c_lflag & ISIG) && ldisc_signal(l, c))
		return;
	if (l->tio.c_lflag & ICANON) {
		ldisc_canon(l, c);
	} else {
		ldisc_push_byte(l, c);
		ldisc_echo(l, c);
	}
}

/* Whether a read of count bytes would return now. */
bool ldisc_can_read(const struct ldisc *l, size_t count)
{
	size_t vmin = l->tio.c_cc[VMIN];

	if (l->tio.c_lflag & ICANON)
		return l->nlines > 0;
	return l->in_len >= (vmin < count ? vmin : count);
}

/*
 * Whether poll should say readable: a complete line (or an end of file)
 * in canonical mode; in raw mode VMIN bytes, or one byte when VMIN is 0
 * or VTIME is set (as n_tty's poll).
 */
bool ldisc_poll_in(const struct ldisc *l)
{
	size_t vmin = l->tio.c_cc[VMIN];

	if (l->tio.c_lflag & ICANON)
		return l->nlines > 0;
	if (!vmin || l->tio.c_cc[VTIME])
		vmin = 1;
	return l->in_len >= vmin;
}

static void ldisc_take(struct ldisc *l, char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = l->in[(l->in_head + i) % sizeof(l->in)];
	l->in_head = (l->in_head + n) % sizeof(l->in);
	l->in_len -= n;
}

/* Take what a read gets now (ldisc_can_read() said it may): up to one line. */
size_t ldisc_read(struct ldisc *l, char *buf, size_t count)
{
	size_t n = l->in_len < count ? l->in_len : count;
	unsigned *line;

	if (!(l->tio.c_lflag & ICANON)) {
		ldisc_take(l, buf, n);
		return n;
	}
	if (!l->nlines)
		return 0;
	line = &l->lines[l->line_head];
	if (n > *line)
		n = *line;
	ldisc_take(l, buf, n);
	*line -= (unsigned)n;
	if (!*line) {
		l->line_head = (l->line_head + 1) % LDISC_LINES;
		l->nlines--;
	}
	return n;
}

void ldisc_flush(struct ldisc *l)
{
	l->nedit = 0;
	l->in_len = 0;
	l->nlines = 0;
}

/*
 * New settings (TCSETS*; flush for TCSETSF). Leaving canonical mode makes
 * the half-typed line readable as it is; entering it makes what is queued
 * one line.
 */
void ldisc_set(struct ldisc *l, const struct ktermios *t, bool flush)
{
	bool was = l->tio.c_lflag & ICANON, now = t->c_lflag & ICANON;

	if (flush)
		ldisc_flush(l);
	if (was && !now) {
		for (size_t i = 0; i < l->nedit; i++)
			ldisc_push_byte(l, l->edit[i]);
		l->nedit = 0;
		l->nlines = 0;
	} else if (!was && now && l->in_len) {
		l->line_head = 0;
		l->lines[0] = (unsigned)l->in_len;
		l->nlines = 1;
	}
	l->tio = *t;
}

/* Bytes a read could take now (FIONREAD). */
size_t ldisc_pending(const struct ldisc *l)
{
	return l->in_len;
}
