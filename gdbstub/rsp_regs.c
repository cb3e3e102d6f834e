/*
 * Register packets: g/G (the whole image of gdbreg.h) and p/P (one
 * register by table index). Registers the target cannot supply go out as
 * `xx` per byte; a G may be short, and `xx` in it leaves a register alone.
 */
#include "gdbstub/rsp_cmd.h"

/* The Hg thread, or the current thread for "any"/"all". */
static int64_t rsp_regs_tid(struct rsp *r)
{
	return r->g_tid > 0 ? r->g_tid : rsp_cmd_current_tid(r);
}

static int rsp_regs_fetch(struct rsp *r)
{
	gdbreg_clear(&r->regs);
	return r->ops->read_regs(r->ctx, rsp_regs_tid(r), &r->regs);
}

static void rsp_regs_put(struct rsp *r, int regno)
{
	const struct gdbreg_desc *d = &gdbreg_table[regno];
	size_t n = d->bits / 8;

	if (r->regs.avail[regno]) {
		rsp_put_hex(r, r->regs.bytes + d->offset, n);
		return;
	}
	for (size_t i = 0; i < 2 * n; i++)
		rsp_putc(r, 'x');
}

int rsp_regs_read_all(struct rsp *r)
{
	int err = rsp_regs_fetch(r);

	if (err)
		return err;
	for (int i = 0; i < GDBREG_COUNT; i++)
		rsp_regs_put(r, i);
	return 0;
}

static bool rsp_regs_is_x(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != 'x')
			return false;
	}
	return true;
}

/* Decode one register's hex at @c into r->regs; `xx...` skips it. */
static bool rsp_regs_take(struct rsp *r, int regno, struct hex_cursor *c)
{
	const struct gdbreg_desc *d = &gdbreg_table[regno];
	size_t n = d->bits / 8;

	if ((size_t)(c->end - c->p) < 2 * n)
		return false;
	if (!rsp_regs_is_x(c->p, 2 * n)) {
		if (hex_decode(r->regs.bytes + d->offset, n, c->p, 2 * n) != n)
			return false;
		r->regs.avail[regno] = true;
	}
	c->p += 2 * n;
	return true;
}

int rsp_regs_write_all(struct rsp *r, struct hex_cursor *c)
{
	int i;

	gdbreg_clear(&r->regs);
	for (i = 0; i < GDBREG_COUNT && !hex_at_end(c); i++) {
		if (!rsp_regs_take(r, i, c))
			return -EINVAL;
	}
	if (!hex_at_end(c))
		return -EINVAL;
	if (r->ops->write_regs(r->ctx, rsp_regs_tid(r), &r->regs))
		return -EFAULT;
	rsp_reply(r, "OK");
	return 0;
}

int rsp_regs_read_one(struct rsp *r, struct hex_cursor *c)
{
	uint64_t regno;
	int err;

	if (!hex_u64(c, &regno) || !hex_at_end(c) || regno >= GDBREG_COUNT)
		return -EINVAL;
	err = rsp_regs_fetch(r);
	if (err)
		return err;
	rsp_regs_put(r, (int)regno);
	return 0;
}

int rsp_regs_write_one(struct rsp *r, struct hex_cursor *c)
{
	uint64_t regno;

	if (!hex_u64(c, &regno) || !hex_expect(c, '=') ||
	    regno >= GDBREG_COUNT)
		return -EINVAL;
	gdbreg_clear(&r->regs);
	if (!rsp_regs_take(r, (int)regno, c) || !hex_at_end(c))
		return -EINVAL;
	if (r->ops->write_regs(r->ctx, rsp_regs_tid(r), &r->regs))
		return -EFAULT;
	rsp_reply(r, "OK");
	return 0;
}
