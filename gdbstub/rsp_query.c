/*
 * General queries and settings (q and Q packets): the qSupported
 * handshake, thread listing, qRcmd (monitor) and the probes GDB and LLDB
 * send. Anything not listed here gets the empty reply.
 */
#include "gdbstub/rsp_cmd.h"
#include "gdbstub/bytes.h"

/* Longest monitor command passed to the target, NUL included. */
#define RSP_QUERY_RCMD_MAX	256

static const char rsp_query_features[] =
	"PacketSize=4000;qXfer:features:read+;qXfer:threads:read+;"
	"QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+";

_Static_assert(GDBSTUB_PACKET_SIZE == 0x4000, "PacketSize= is stale");

/* A new session: forget the old one's breakpoints and thread choice. */
static int rsp_query_supported(struct rsp *r)
{
	if (r->ops->reset)
		r->ops->reset(r->ctx);
	r->g_tid = GDBSTUB_TID_ANY;
	r->c_tid = GDBSTUB_TID_ALL;
	r->thread_more = false;
	rsp_reply(r, rsp_query_features);
	return 0;
}

/* qfThreadInfo / qsThreadInfo: as many ids as fit, then `l`. */
static int rsp_query_thread_info(struct rsp *r, bool first)
{
	struct gdbstub_thread t;
	bool any = false;

	if (first) {
		r->thread_cursor = 0;
		r->thread_more = true;
	}
	if (!r->thread_more) {
		rsp_reply(r, "l");
		return 0;
	}
	rsp_putc(r, 'm');
	while (rsp_room(r) >= 1 + 16) {
		if (!r->ops->thread_next(r->ctx, &r->thread_cursor, &t)) {
			r->thread_more = false;
			break;
		}
		if (any)
			rsp_putc(r, ',');
		rsp_put_u64(r, (uint64_t)t.tid);
		any = true;
	}
	if (!any)
		rsp_reply(r, "l");
	return 0;
}

static void rsp_query_put_hexstr(struct rsp *r, const char *s)
{
	rsp_put_hex(r, s, bytes_strlen(s));
}

/* qThreadExtraInfo,tid: "state, cpu N" as hex text. */
static int rsp_query_extra_info(struct rsp *r, struct hex_cursor *c)
{
	struct gdbstub_thread t;
	char cpu[17];
	int64_t tid;

	if (!hex_tid(c, &tid) || !hex_at_end(c) || tid <= 0)
		return -EINVAL;
	if (r->ops->thread_find(r->ctx, tid, &t))
		return -ESRCH;
	rsp_query_put_hexstr(r, t.state ? t.state : "");
	if (t.cpu >= 0) {
		cpu[hex_fmt_u64(cpu, (uint64_t)t.cpu)] = '\0';
		rsp_query_put_hexstr(r, ", cpu 0x");
		rsp_query_put_hexstr(r, cpu);
	}
	return 0;
}

/* qRcmd,hex: the target prints with rsp_console_write(), then OK. */
static int rsp_query_rcmd(struct rsp *r, struct hex_cursor *c)
{
	char cmd[RSP_QUERY_RCMD_MAX];
	size_t len = (size_t)(c->end - c->p), n;
	int err;

	if (!r->ops->monitor)
		return 0;
	if (len % 2 || len / 2 >= sizeof(cmd))
		return -EINVAL;
	n = hex_decode(cmd, sizeof(cmd) - 1, c->p, len);
	if (n != len / 2)
		return -EINVAL;
	cmd[n] = '\0';
	err = r->ops->monitor(r->ctx, cmd);
	if (err)
		return err;
	rsp_reply(r, "OK");
	return 0;
}

int rsp_query(struct rsp *r, struct hex_cursor *c)
{
	if (rsp_cmd_is(c, "qSupported"))
		return rsp_query_supported(r);
	if (rsp_cmd_is(c, "qXfer:features:read:"))
		return xfer_features(r, c);
	if (rsp_cmd_is(c, "qXfer:threads:read:"))
		return xfer_threads(r, c);
	if (rsp_cmd_is(c, "qfThreadInfo"))
		return rsp_query_thread_info(r, true);
	if (rsp_cmd_is(c, "qsThreadInfo"))
		return rsp_query_thread_info(r, false);
	if (rsp_cmd_is(c, "qThreadExtraInfo,"))
		return rsp_query_extra_info(r, c);
	if (rsp_cmd_is(c, "qRcmd,"))
		return rsp_query_rcmd(r, c);
	if (rsp_cmd_is(c, "qAttached")) {
		/* 1: GDB detaches (D) on quit instead of killing (k). */
		rsp_reply(r, "1");
		return 0;
	}
	if (bytes_equal(c->p, (size_t)(c->end - c->p), "qC")) {
		rsp_put(r, "QC");
		rsp_put_u64(r, (uint64_t)rsp_cmd_current_tid(r));
		return 0;
	}
	if (rsp_cmd_is(c, "qSymbol:")) {
		/* We need no symbols from GDB. */
		rsp_reply(r, "OK");
		return 0;
	}
	/* qOffsets, qTStatus, qHostInfo, qProcessInfo, ...: unsupported. */
	return 0;
}

int rsp_query_set(struct rsp *r, struct hex_cursor *c)
{
	if (bytes_equal(c->p, (size_t)(c->end - c->p), "QStartNoAckMode")) {
		/* The OK still goes out (and is acked) in ack mode. */
		r->no_ack_next = true;
		rsp_reply(r, "OK");
		return 0;
	}
	/* QThreadSuffixSupported, QListThreadsInStopReply, ...: no. */
	return 0;
}
