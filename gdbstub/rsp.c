/*
 * RSP framing: turns a byte stream into `$payload#cs` packets (acks, NAK
 * resend, `}` escapes, break-in bytes, garbage, oversize and truncation)
 * and replies into framed, escaped packets through the I/O ops. Commands
 * are decoded in rsp_cmd.c; this file never looks inside a payload except
 * to recognize the start of a new session.
 */
#include "gdbstub/rsp.h"
#include "gdbstub/rsp_cmd.h"
#include "gdbstub/bytes.h"
#include "gdbstub/hex.h"

#define RSP_BREAK_IN	0x03
#define RSP_ESCAPE	'}'
#define RSP_ESCAPE_XOR	0x20

/* Bytes of console text per O packet (hex doubles it). */
#define RSP_CONSOLE_CHUNK	256

void rsp_init(struct rsp *r, const struct gdbstub_io_ops *io,
	      const struct gdbstub_target_ops *ops, void *ctx)
{
	bytes_fill(r, 0, sizeof(*r));
	r->io = io;
	r->ops = ops;
	r->ctx = ctx;
	r->running = true;
	r->c_tid = GDBSTUB_TID_ALL;
}

static void rsp_out(struct rsp *r, uint8_t c)
{
	r->io->putc(r->io->ctx, c);
}

static void rsp_flush(struct rsp *r)
{
	if (r->io->flush)
		r->io->flush(r->io->ctx);
}

static bool rsp_needs_escape(uint8_t c)
{
	return c == '$' || c == '#' || c == RSP_ESCAPE || c == '*';
}

/* Frame @len bytes of @payload as `$...#cs`, escaping as we go. */
static void rsp_send_frame(struct rsp *r, const uint8_t *payload, size_t len)
{
	uint8_t sum = 0;

	rsp_out(r, '$');
	for (size_t i = 0; i < len; i++) {
		uint8_t c = payload[i];

		if (rsp_needs_escape(c)) {
			rsp_out(r, RSP_ESCAPE);
			sum += RSP_ESCAPE;
			c ^= RSP_ESCAPE_XOR;
		}
		rsp_out(r, c);
		sum += c;
	}
	rsp_out(r, '#');
	rsp_out(r, (uint8_t)hex_char(sum >> 4));
	rsp_out(r, (uint8_t)hex_char(sum));
	rsp_flush(r);
}

/* Send the reply built in r->tx; it stays there for a resend on '-'. */
static void rsp_send_reply(struct rsp *r)
{
	if (r->tx_overflow) {
		/* A handler outgrew the buffer: better an error than a lie. */
		rsp_reply_err(r, E2BIG);
	}
	r->tx_valid = true;
	rsp_send_frame(r, r->tx, r->tx_len);
}

static void rsp_ack(struct rsp *r, uint8_t c)
{
	if (r->no_ack)
		return;
	rsp_out(r, c);
	rsp_flush(r);
}

/*
 * qSupported and QStartNoAckMode open a session (LLDB sends the latter
 * first). A client that sends them after a reconnect expects acks even if
 * the previous client had turned them off, so turn them back on first.
 */
static bool rsp_starts_session(const struct rsp *r)
{
	return bytes_prefix(r->rx, r->rx_len, "qSupported") ||
	       bytes_equal(r->rx, r->rx_len, "QStartNoAckMode");
}

static enum rsp_event rsp_packet_done(struct rsp *r, bool csum_ok)
{
	r->rx_state = RSP_RX_IDLE;
	if (!csum_ok) {
		/* In no-ack mode there is nobody to NAK to: drop it. */
		rsp_ack(r, '-');
		return RSP_EV_NONE;
	}
	if (rsp_starts_session(r))
		r->no_ack = false;
	r->attached = true;
	rsp_ack(r, '+');
	if (r->rx_overflow) {
		rsp_reply_start(r);
		rsp_reply_err(r, E2BIG);
		rsp_send_reply(r);
		return RSP_EV_NONE;
	}
	r->event = RSP_EV_NONE;
	r->reply_ready = true;
	rsp_reply_start(r);
	rsp_cmd_dispatch(r);
	if (r->reply_ready)
		rsp_send_reply(r);
	rsp_cmd_after_reply(r);
	return r->event;
}

static void rsp_rx_start(struct rsp *r)
{
	r->rx_state = RSP_RX_DATA;
	r->rx_len = 0;
	r->rx_sum = 0;
	r->rx_overflow = false;
}

static void rsp_rx_store(struct rsp *r, uint8_t c)
{
	if (r->rx_len < sizeof(r->rx))
		r->rx[r->rx_len++] = c;
	else
		r->rx_overflow = true;
}

static enum rsp_event rsp_rx_idle(struct rsp *r, uint8_t c)
{
	switch (c) {
	case '$':
		rsp_rx_start(r);
		/* A packet while running is a break-in too (GDB reconnects). */
		return r->running ? RSP_EV_INTERRUPT : RSP_EV_NONE;
	case RSP_BREAK_IN:
		return r->running ? RSP_EV_INTERRUPT : RSP_EV_NONE;
	case '-':
		if (!r->no_ack && r->tx_valid)
			rsp_send_frame(r, r->tx, r->tx_len);
		return RSP_EV_NONE;
	default:
		/* Stray '+' and line noise between packets. */
		return RSP_EV_NONE;
	}
}

static enum rsp_event rsp_rx_checksum(struct rsp *r, uint8_t c)
{
	int d = hex_digit(c);

	if (d < 0) {
		rsp_packet_done(r, false);
		if (c == '$')
			rsp_rx_start(r);
		return RSP_EV_NONE;
	}
	if (r->rx_state == RSP_RX_CSUM1) {
		r->rx_csum = (uint8_t)(d << 4);
		r->rx_state = RSP_RX_CSUM2;
		return RSP_EV_NONE;
	}
	r->rx_csum |= (uint8_t)d;
	return rsp_packet_done(r, r->rx_csum == r->rx_sum);
}

/*
 * Feed one received byte. Context: the CPU that owns the session.
 * Returns what the caller must do next (see enum rsp_event).
 */
enum rsp_event rsp_input_byte(struct rsp *r, uint8_t c)
{
	switch (r->rx_state) {
	case RSP_RX_IDLE:
		return rsp_rx_idle(r, c);
	case RSP_RX_DATA:
		if (c == '$') {
			/* GDB escapes '$' in data: the last packet was cut. */
			rsp_rx_start(r);
		} else if (c == '#') {
			r->rx_state = RSP_RX_CSUM1;
		} else {
			r->rx_sum += c;
			if (c == RSP_ESCAPE)
				r->rx_state = RSP_RX_ESCAPE;
			else
				rsp_rx_store(r, c);
		}
		return RSP_EV_NONE;
	case RSP_RX_ESCAPE:
		if (c == '$') {
			rsp_rx_start(r);
			return RSP_EV_NONE;
		}
		r->rx_sum += c;
		rsp_rx_store(r, c ^ RSP_ESCAPE_XOR);
		r->rx_state = RSP_RX_DATA;
		return RSP_EV_NONE;
	case RSP_RX_CSUM1:
	case RSP_RX_CSUM2:
		return rsp_rx_checksum(r, c);
	}
	return RSP_EV_NONE;
}

/*
 * The peer went away (or the transport was reset): forget any partial
 * packet and the session, and let the target run on as after `D` (if no
 * `D` came already: ops->detach runs once per session).
 */
enum rsp_event rsp_disconnect(struct rsp *r)
{
	if (r->attached)
		r->ops->detach(r->ctx);
	r->attached = false;
	r->rx_state = RSP_RX_IDLE;
	r->rx_len = 0;
	r->no_ack = false;
	r->tx_valid = false;
	r->waiting_stop = false;
	r->thread_more = false;
	r->g_tid = GDBSTUB_TID_ANY;
	r->c_tid = GDBSTUB_TID_ALL;
	r->running = true;
	return RSP_EV_DETACH;
}

/*
 * Drain io->getc() until it has nothing or an event occurs.
 * Returns the event, or RSP_EV_NONE when the input ran dry.
 */
enum rsp_event rsp_poll(struct rsp *r)
{
	for (;;) {
		int c = r->io->getc(r->io->ctx);
		enum rsp_event ev;

		if (c == GDBSTUB_IO_NONE)
			return RSP_EV_NONE;
		if (c == GDBSTUB_IO_RESET)
			return rsp_disconnect(r);
		ev = rsp_input_byte(r, (uint8_t)c);
		if (ev != RSP_EV_NONE)
			return ev;
	}
}

/*
 * The target has stopped (every CPU parked) for the reason ops->stop_reason
 * gives. Sends the stop reply if GDB is waiting for one; a fresh connection
 * instead asks with '?', so no unsolicited stop reply is ever sent.
 */
void rsp_stopped(struct rsp *r)
{
	r->running = false;
	r->g_tid = GDBSTUB_TID_ANY;
	if (!r->waiting_stop)
		return;
	r->waiting_stop = false;
	rsp_reply_start(r);
	rsp_cmd_stop_reply(r);
	rsp_send_reply(r);
}

/*
 * Send console text to GDB as O packets (panic text, monitor output).
 * Only while GDB waits for a stop reply or inside ops->monitor.
 */
void rsp_console_write(struct rsp *r, const char *s, size_t n)
{
	uint8_t pkt[1 + 2 * RSP_CONSOLE_CHUNK];

	while (n) {
		size_t chunk = MIN(n, (size_t)RSP_CONSOLE_CHUNK);

		pkt[0] = 'O';
		hex_encode((char *)pkt + 1, s, chunk);
		rsp_send_frame(r, pkt, 1 + 2 * chunk);
		s += chunk;
		n -= chunk;
	}
}

/* The target is shutting down: tell a waiting GDB it exited with @code. */
void rsp_exited(struct rsp *r, int code)
{
	if (!r->waiting_stop)
		return;
	r->waiting_stop = false;
	rsp_reply_start(r);
	rsp_putc(r, 'W');
	rsp_putc(r, hex_char((unsigned int)code >> 4));
	rsp_putc(r, hex_char((unsigned int)code));
	rsp_send_reply(r);
}

void rsp_reply_start(struct rsp *r)
{
	r->tx_len = 0;
	r->tx_overflow = false;
}

size_t rsp_room(const struct rsp *r)
{
	return sizeof(r->tx) - r->tx_len;
}

/* Append raw bytes to the reply (escaped when framed). */
void rsp_put_mem(struct rsp *r, const void *buf, size_t n)
{
	if (n > rsp_room(r)) {
		r->tx_overflow = true;
		return;
	}
	bytes_copy(r->tx + r->tx_len, buf, n);
	r->tx_len += n;
}

void rsp_put(struct rsp *r, const char *s)
{
	rsp_put_mem(r, s, bytes_strlen(s));
}

void rsp_putc(struct rsp *r, char c)
{
	rsp_put_mem(r, &c, 1);
}

void rsp_put_hex(struct rsp *r, const void *buf, size_t n)
{
	if (2 * n > rsp_room(r)) {
		r->tx_overflow = true;
		return;
	}
	hex_encode((char *)r->tx + r->tx_len, buf, n);
	r->tx_len += 2 * n;
}

void rsp_put_u64(struct rsp *r, uint64_t v)
{
	char buf[16];

	rsp_put_mem(r, buf, hex_fmt_u64(buf, v));
}

/* Replace the reply with the C string @s. */
void rsp_reply(struct rsp *r, const char *s)
{
	rsp_reply_start(r);
	rsp_put(r, s);
}

/*
 * Replace the reply with `Enn`, nn = @err (a positive errno) as two
 * decimal digits, the stub tradition GDB users know (E14 = EFAULT).
 */
void rsp_reply_err(struct rsp *r, int err)
{
	if (err <= 0 || err > 99)
		err = EINVAL;
	rsp_reply_start(r);
	rsp_putc(r, 'E');
	rsp_putc(r, (char)('0' + err / 10));
	rsp_putc(r, (char)('0' + err % 10));
}

/* The current command answers later: resume (the stop reply). */
void rsp_no_reply(struct rsp *r)
{
	r->reply_ready = false;
}
