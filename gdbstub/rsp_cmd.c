/*
 * RSP command decoding: the dispatch on a packet's first letter, and the
 * run-control commands (?, H, T, c, C, s, S, vCont, D, k, vKill, Z, z).
 * Queries live in rsp_query.c, memory in rsp_mem.c, registers in
 * rsp_regs.c. Unknown packets get the empty reply, never an error.
 */
#include "gdbstub/rsp_cmd.h"
#include "gdbstub/bytes.h"

/* The thread of the last stop; GDB's "current thread". */
int64_t rsp_cmd_current_tid(struct rsp *r)
{
	struct gdbstub_stop stop = { 0 };

	r->ops->stop_reason(r->ctx, &stop);
	return stop.tid;
}

static const char *rsp_cmd_stop_tag(enum gdbstub_stop_kind kind)
{
	switch (kind) {
	case GDBSTUB_STOP_SWBREAK:
		return "swbreak";
	case GDBSTUB_STOP_HWBREAK:
		return "hwbreak";
	case GDBSTUB_STOP_WATCH:
		return "watch";
	case GDBSTUB_STOP_RWATCH:
		return "rwatch";
	case GDBSTUB_STOP_AWATCH:
		return "awatch";
	default:
		return NULL;
	}
}

/* Build `Tssthread:t;core:c;kind:[addr];` from ops->stop_reason. */
void rsp_cmd_stop_reply(struct rsp *r)
{
	struct gdbstub_stop stop = { 0 };
	const char *tag;
	uint8_t sig;

	r->ops->stop_reason(r->ctx, &stop);
	sig = (uint8_t)stop.signal;
	rsp_putc(r, 'T');
	rsp_put_hex(r, &sig, 1);
	if (stop.tid > 0) {
		rsp_put(r, "thread:");
		rsp_put_u64(r, (uint64_t)stop.tid);
		rsp_putc(r, ';');
	}
	if (stop.cpu >= 0) {
		rsp_put(r, "core:");
		rsp_put_u64(r, (uint64_t)stop.cpu);
		rsp_putc(r, ';');
	}
	tag = rsp_cmd_stop_tag(stop.kind);
	if (!tag)
		return;
	rsp_put(r, tag);
	rsp_putc(r, ':');
	if (stop.kind >= GDBSTUB_STOP_WATCH)
		rsp_put_u64(r, stop.addr);
	rsp_putc(r, ';');
}

/* Hand @n actions to the target; on success the stop reply comes later. */
static int rsp_cmd_resume(struct rsp *r, const struct gdbstub_action *acts,
			  int n)
{
	int err = r->ops->resume(r->ctx, acts, n);

	if (err)
		return err;
	rsp_no_reply(r);
	r->running = true;
	r->waiting_stop = true;
	r->thread_more = false;
	r->event = RSP_EV_RESUME;
	return 0;
}

/* c/C/s/S [sig][;addr] or [addr]: a vCont with the Hc thread. */
static int rsp_cmd_cont(struct rsp *r, char op, bool has_sig,
			struct hex_cursor *c)
{
	struct gdbstub_action act = { .op = op, .tid = r->c_tid };
	uint64_t v;

	if (has_sig) {
		if (!hex_u64(c, &v) || v > 0xff)
			return -EINVAL;
		act.signal = (int)v;
		if (!hex_at_end(c) && !hex_expect(c, ';'))
			return -EINVAL;
	}
	/* Stepping "all" or "any" thread means stepping the current one. */
	if (op == 's' && act.tid <= 0)
		act.tid = rsp_cmd_current_tid(r);
	else if (act.tid == GDBSTUB_TID_ANY)
		act.tid = GDBSTUB_TID_ALL;
	if (!hex_at_end(c)) {
		int64_t tid = act.tid > 0 ? act.tid : rsp_cmd_current_tid(r);

		if (!hex_u64(c, &v) || !hex_at_end(c))
			return -EINVAL;
		gdbreg_clear(&r->regs);
		gdbreg_set_u64(&r->regs, GDBREG_RIP, v);
		if (r->ops->write_regs(r->ctx, tid, &r->regs))
			return -EFAULT;
	}
	return rsp_cmd_resume(r, &act, 1);
}

/* One `;op[sig][:tid]` of vCont. */
static bool rsp_cmd_vcont_action(struct hex_cursor *c,
				 struct gdbstub_action *a)
{
	uint64_t sig = 0;
	uint8_t op;

	if (hex_at_end(c))
		return false;
	op = *c->p++;
	if (op == 'C' || op == 'S') {
		if (!hex_u64(c, &sig) || sig > 0xff)
			return false;
		op = op == 'C' ? 'c' : 's';
	} else if (op != 'c' && op != 's' && op != 't') {
		return false;
	}
	a->op = (char)op;
	a->signal = (int)sig;
	a->tid = GDBSTUB_TID_ALL;
	if (hex_expect(c, ':'))
		return hex_tid(c, &a->tid) && a->tid != GDBSTUB_TID_ANY;
	return true;
}

static int rsp_cmd_vcont(struct rsp *r, struct hex_cursor *c)
{
	struct gdbstub_action acts[GDBSTUB_MAX_ACTIONS];
	int n = 0;

	while (hex_expect(c, ';')) {
		if (n == GDBSTUB_MAX_ACTIONS)
			return -E2BIG;
		if (!rsp_cmd_vcont_action(c, &acts[n++]))
			return -EINVAL;
	}
	if (!n || !hex_at_end(c))
		return -EINVAL;
	return rsp_cmd_resume(r, acts, n);
}

/* H g|c <tid>: pick the thread for registers or for c/s. */
static int rsp_cmd_set_thread(struct rsp *r, struct hex_cursor *c)
{
	struct gdbstub_thread t;
	int64_t tid;
	uint8_t which;

	if (hex_at_end(c))
		return -EINVAL;
	which = *c->p++;
	if ((which != 'g' && which != 'c') || !hex_tid(c, &tid) ||
	    !hex_at_end(c))
		return -EINVAL;
	if (tid > 0 && r->ops->thread_find(r->ctx, tid, &t))
		return -ESRCH;
	if (which == 'g')
		r->g_tid = tid;
	else
		r->c_tid = tid;
	rsp_reply(r, "OK");
	return 0;
}

static int rsp_cmd_thread_alive(struct rsp *r, struct hex_cursor *c)
{
	struct gdbstub_thread t;
	int64_t tid;

	if (!hex_tid(c, &tid) || !hex_at_end(c) || tid <= 0)
		return -EINVAL;
	if (r->ops->thread_find(r->ctx, tid, &t))
		return -ESRCH;
	rsp_reply(r, "OK");
	return 0;
}

/* D, k, vKill: all detach (a kernel is never killed from GDB). */
static int rsp_cmd_detach(struct rsp *r)
{
	rsp_reply(r, "OK");
	r->event = RSP_EV_DETACH;
	return 0;
}

/* Z/z type,addr,kind (conditions are not advertised, so not accepted). */
static int rsp_cmd_breakpoint(struct rsp *r, bool insert,
			      struct hex_cursor *c)
{
	uint64_t type, addr, kind;
	enum gdbstub_bp_type t;
	int err;

	if (!hex_u64(c, &type) || !hex_expect(c, ',') ||
	    !hex_u64(c, &addr) || !hex_expect(c, ',') ||
	    !hex_u64(c, &kind) || !hex_at_end(c))
		return -EINVAL;
	if (type > GDBSTUB_WP_ACCESS)
		return 0;
	t = (enum gdbstub_bp_type)type;
	if (insert)
		err = r->ops->insert_bp(r->ctx, t, addr, kind);
	else
		err = r->ops->remove_bp(r->ctx, t, addr, kind);
	if (err == -ENOSYS)
		return 0;
	if (err)
		return err;
	rsp_reply(r, "OK");
	return 0;
}

/* Consume @name if the packet continues with it. */
bool rsp_cmd_is(struct hex_cursor *c, const char *name)
{
	size_t n = bytes_strlen(name);

	if (!bytes_prefix(c->p, (size_t)(c->end - c->p), name))
		return false;
	c->p += n;
	return true;
}

static int rsp_cmd_v(struct rsp *r, struct hex_cursor *c)
{
	if (rsp_cmd_is(c, "vCont?")) {
		rsp_reply(r, "vCont;c;C;s;S;t");
		return 0;
	}
	if (rsp_cmd_is(c, "vCont"))
		return rsp_cmd_vcont(r, c);
	if (rsp_cmd_is(c, "vKill"))
		return rsp_cmd_detach(r);
	/* vMustReplyEmpty and everything else: unsupported. */
	return 0;
}

static int rsp_cmd_decode(struct rsp *r, uint8_t cmd, struct hex_cursor *c)
{
	switch (cmd) {
	case '?':
		rsp_cmd_stop_reply(r);
		return 0;
	case 'g':
		return rsp_regs_read_all(r);
	case 'G':
		return rsp_regs_write_all(r, c);
	case 'p':
		return rsp_regs_read_one(r, c);
	case 'P':
		return rsp_regs_write_one(r, c);
	case 'm':
		return rsp_mem_read(r, c);
	case 'M':
		return rsp_mem_write_hex(r, c);
	case 'X':
		return rsp_mem_write_bin(r, c);
	case 'c':
	case 's':
		return rsp_cmd_cont(r, (char)cmd, false, c);
	case 'C':
	case 'S':
		return rsp_cmd_cont(r, (char)(cmd - 'A' + 'a'), true, c);
	case 'H':
		return rsp_cmd_set_thread(r, c);
	case 'T':
		return rsp_cmd_thread_alive(r, c);
	case 'D':
	case 'k':
		return rsp_cmd_detach(r);
	case 'Z':
	case 'z':
		return rsp_cmd_breakpoint(r, cmd == 'Z', c);
	case 'v':
		return rsp_cmd_v(r, c);
	case 'q':
		return rsp_query(r, c);
	case 'Q':
		return rsp_query_set(r, c);
	default:
		return 0;
	}
}

/*
 * Decode r->rx[0..rx_len) and build the reply in r->tx: the handler's
 * reply, `Enn` for its -errno, or the empty reply. Context: rsp.c only.
 */
void rsp_cmd_dispatch(struct rsp *r)
{
	struct hex_cursor c = { r->rx, r->rx + r->rx_len };
	uint8_t cmd;
	int err;

	if (!r->rx_len)
		return;
	cmd = r->rx[0];
	/* v, q and Q commands match on their whole name. */
	if (cmd != 'v' && cmd != 'q' && cmd != 'Q')
		c.p++;
	err = rsp_cmd_decode(r, cmd, &c);
	if (err)
		rsp_reply_err(r, -err);
}

/* State changes that must follow the reply on the wire. */
void rsp_cmd_after_reply(struct rsp *r)
{
	if (r->no_ack_next) {
		r->no_ack_next = false;
		r->no_ack = true;
	}
	if (r->event == RSP_EV_DETACH) {
		r->ops->detach(r->ctx);
		r->attached = false;
		r->running = true;
		r->waiting_stop = false;
		r->thread_more = false;
		r->g_tid = GDBSTUB_TID_ANY;
		r->c_tid = GDBSTUB_TID_ALL;
	}
}
