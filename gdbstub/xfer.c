/*
 * qXfer:features:read and qXfer:threads:read: parse `annex:offset,length`,
 * render the document through a window (see xfer.h) and reply `m<data>`
 * when more follows or `l<data>` for the last part.
 */
#include "gdbstub/xfer.h"
#include "gdbstub/target_xml.h"
#include "gdbstub/rsp_cmd.h"
#include "gdbstub/bytes.h"

static void xfer_putc(struct xfer *x, char c)
{
	if (x->pos >= x->skip && x->pos - x->skip < x->cap)
		x->out[x->pos - x->skip] = (uint8_t)c;
	x->pos++;
}

void xfer_put(struct xfer *x, const char *s)
{
	while (*s)
		xfer_putc(x, *s++);
}

/* Text from the target (thread names): escape what XML would misread. */
void xfer_put_xml(struct xfer *x, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			xfer_put(x, "&lt;");
			break;
		case '>':
			xfer_put(x, "&gt;");
			break;
		case '&':
			xfer_put(x, "&amp;");
			break;
		case '"':
			xfer_put(x, "&quot;");
			break;
		case '\'':
			xfer_put(x, "&apos;");
			break;
		default:
			xfer_putc(x, *s);
		}
	}
}

void xfer_put_dec(struct xfer *x, uint64_t v)
{
	char buf[20];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		xfer_putc(x, buf[--n]);
}

/* Bytes of the window actually filled. */
size_t xfer_kept(const struct xfer *x)
{
	if (x->pos <= x->skip)
		return 0;
	return MIN(x->pos - x->skip, x->cap);
}

/* `annex:offset,length`: annex into [*annex, *annex + *alen). */
static bool xfer_parse(struct hex_cursor *c, const uint8_t **annex,
		       size_t *alen, uint64_t *off, uint64_t *len)
{
	*annex = c->p;
	while (c->p < c->end && *c->p != ':')
		c->p++;
	*alen = (size_t)(c->p - *annex);
	return hex_expect(c, ':') && hex_u64(c, off) && hex_expect(c, ',') &&
	       hex_u64(c, len) && hex_at_end(c);
}

/* Set up a window over the reply buffer, after the m/l prefix. */
static void xfer_begin(struct rsp *r, struct xfer *x, uint64_t off,
		       uint64_t len)
{
	rsp_putc(r, 'l');
	x->out = r->tx + r->tx_len;
	x->skip = off;
	x->cap = MIN(len, (uint64_t)rsp_room(r));
	x->pos = 0;
}

static void xfer_end(struct rsp *r, const struct xfer *x)
{
	size_t kept = xfer_kept(x);

	r->tx_len += kept;
	if (x->pos > x->skip + kept)
		r->tx[0] = 'm';
}

int xfer_features(struct rsp *r, struct hex_cursor *c)
{
	const uint8_t *annex;
	uint64_t off, len;
	struct xfer x;
	size_t alen;

	if (!xfer_parse(c, &annex, &alen, &off, &len))
		return -EINVAL;
	xfer_begin(r, &x, off, len);
	if (!target_xml_render(&x, annex, alen)) {
		/* GDB reads E00 as "no such annex". */
		rsp_reply(r, "E00");
		return 0;
	}
	xfer_end(r, &x);
	return 0;
}

static void xfer_thread(struct xfer *x, const struct gdbstub_thread *t)
{
	char id[17];

	id[hex_fmt_u64(id, (uint64_t)t->tid)] = '\0';
	xfer_put(x, "<thread id=\"");
	xfer_put(x, id);
	if (t->cpu >= 0) {
		xfer_put(x, "\" core=\"");
		id[hex_fmt_u64(id, (uint64_t)t->cpu)] = '\0';
		xfer_put(x, id);
	}
	xfer_put(x, "\" name=\"");
	xfer_put_xml(x, t->name ? t->name : "");
	xfer_put(x, "\">");
	xfer_put_xml(x, t->state ? t->state : "");
	xfer_put(x, "</thread>\n");
}

int xfer_threads(struct rsp *r, struct hex_cursor *c)
{
	struct gdbstub_thread t;
	uint64_t off, len, cursor = 0;
	const uint8_t *annex;
	struct xfer x;
	size_t alen;

	if (!xfer_parse(c, &annex, &alen, &off, &len))
		return -EINVAL;
	if (alen)
		return -EINVAL;
	xfer_begin(r, &x, off, len);
	xfer_put(&x, "<?xml version=\"1.0\"?>\n<threads>\n");
	while (r->ops->thread_next(r->ctx, &cursor, &t))
		xfer_thread(&x, &t);
	xfer_put(&x, "</threads>\n");
	xfer_end(r, &x);
	return 0;
}
