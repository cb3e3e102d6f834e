/*
 * The GDB remote serial protocol engine: a byte-at-a-time framing state
 * machine (rsp.c) feeding command handlers (rsp_cmd.c, rsp_query.c,
 * rsp_mem.c) that act through struct gdbstub_target_ops. Portable and
 * freestanding: the kernel and the host tests build the same files.
 */
#ifndef GDBSTUB_RSP_H
#define GDBSTUB_RSP_H

#include "types.h"
#include "gdbstub/gdbstub.h"
#include "gdbstub/gdbreg.h"

/* What the caller of rsp_input_byte() must do next. */
enum rsp_event {
	RSP_EV_NONE,		/* keep feeding bytes */
	RSP_EV_INTERRUPT,	/* break-in while running: stop the target,
				   then call rsp_stopped() */
	RSP_EV_RESUME,		/* ops->resume() accepted: leave the stop loop */
	RSP_EV_DETACH,		/* ops->detach() done: leave the stop loop */
};

enum rsp_rx_state {
	RSP_RX_IDLE,		/* between packets */
	RSP_RX_DATA,		/* after '$' */
	RSP_RX_ESCAPE,		/* after '}' inside a packet */
	RSP_RX_CSUM1,		/* after '#' */
	RSP_RX_CSUM2,		/* after the first checksum digit */
};

/*
 * One debugger session. Not thread-safe: exactly one CPU drives it at a
 * time (the debugger core serializes). About 33 KiB: declare it static.
 */
struct rsp {
	const struct gdbstub_io_ops *io;
	const struct gdbstub_target_ops *ops;
	void *ctx;

	/* Receive side: the payload unescaped, checksum over wire bytes. */
	enum rsp_rx_state rx_state;
	bool rx_overflow;
	uint8_t rx_sum;
	uint8_t rx_csum;
	size_t rx_len;
	uint8_t rx[GDBSTUB_PACKET_SIZE];

	/* Send side: the last reply payload, kept for a resend on '-'. */
	bool tx_valid;
	bool tx_overflow;
	bool reply_ready;	/* the current command produced a reply */
	size_t tx_len;
	uint8_t tx[GDBSTUB_PACKET_SIZE];

	/* Session state. */
	bool attached;		/* a packet came since the last detach */
	bool no_ack;		/* QStartNoAckMode accepted */
	bool no_ack_next;	/* ...and takes effect after its OK */
	bool running;		/* target runs: bytes only detect break-in */
	bool waiting_stop;	/* GDB resumed us and waits for a stop reply */
	enum rsp_event event;	/* set by the current command */
	int64_t g_tid;		/* Hg: thread for g/G/p/P (0 = current) */
	int64_t c_tid;		/* Hc: thread for c/s (-1 = all) */
	uint64_t thread_cursor;	/* qsThreadInfo continues from here */
	bool thread_more;
	struct gdbreg_image regs;	/* scratch for g/G/p/P */
};

void rsp_init(struct rsp *r, const struct gdbstub_io_ops *io,
	      const struct gdbstub_target_ops *ops, void *ctx);
enum rsp_event rsp_input_byte(struct rsp *r, uint8_t c);
enum rsp_event rsp_poll(struct rsp *r);
enum rsp_event rsp_disconnect(struct rsp *r);
void rsp_stopped(struct rsp *r);
void rsp_console_write(struct rsp *r, const char *s, size_t n);
void rsp_exited(struct rsp *r, int code);

/* Reply builders for the command handlers (rsp_*.c only). */
void rsp_reply_start(struct rsp *r);
void rsp_put(struct rsp *r, const char *s);
void rsp_putc(struct rsp *r, char c);
void rsp_put_mem(struct rsp *r, const void *buf, size_t n);
void rsp_put_hex(struct rsp *r, const void *buf, size_t n);
void rsp_put_u64(struct rsp *r, uint64_t v);
void rsp_reply(struct rsp *r, const char *s);
void rsp_reply_err(struct rsp *r, int err);
void rsp_no_reply(struct rsp *r);
size_t rsp_room(const struct rsp *r);

#endif
