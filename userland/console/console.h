/*
 * The console server's parts: the UART it drives (uart.c), the line
 * discipline between the UART and the readers (ldisc.c), and the server
 * loop that speaks the file protocol (console.c). docs/console.md.
 */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Linux's struct termios as the kernel's TCGETS/TCSETS copy it. */
#define KNCCS	19
struct ktermios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[KNCCS];
};
_Static_assert(sizeof(struct ktermios) == 36, "Linux's kernel termios");

struct kwinsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* uart.c: COM1 through ports the kernel let us enable. */
void uart_init(void);
void uart_putc(char c);
int uart_getc(void);		/* a received byte, or -1 if none */

/* ldisc.c: the terminal state and its input queue. */
#define LDISC_LINES	64
struct ldisc {
	struct ktermios tio;
	struct kwinsize ws;
	int fg_pgrp;			/* foreground process group, 0: none */
	int sid;			/* its session: of whoever set fg_pgrp */
	char edit[1024];		/* canonical: the line being typed */
	size_t nedit;
	char in[4096];			/* bytes readers may take (a ring) */
	size_t in_head, in_len;
	unsigned lines[LDISC_LINES];		/* canonical: lengths of queued lines */
	size_t line_head, nlines;	/* (0 = end of file) */
	int sig;			/* ISIG: SIGINT (^C), SIGQUIT (^\\) or
					 * SIGTSTP (^Z) typed, for the server
					 * to send; 0 once sent */
};

void ldisc_init(struct ldisc *l);
void ldisc_input(struct ldisc *l, char c);
bool ldisc_can_read(const struct ldisc *l, size_t count);
bool ldisc_poll_in(const struct ldisc *l);
size_t ldisc_read(struct ldisc *l, char *buf, size_t count);
void ldisc_write(const struct ldisc *l, const char *buf, size_t n);
void ldisc_set(struct ldisc *l, const struct ktermios *t, bool flush);
void ldisc_flush(struct ldisc *l);
size_t ldisc_pending(const struct ldisc *l);

#endif
