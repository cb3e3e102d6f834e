/*
 * Memory packets: m (hex read), M (hex write), X (binary write). The
 * target's read_mem/write_mem stop at the first bad byte without faulting;
 * a read replies with the readable prefix, a write must be whole.
 */
#include "gdbstub/rsp_cmd.h"

/* `addr,len` followed by @sep (or the end when @sep is 0). */
static bool rsp_mem_args(struct hex_cursor *c, uint64_t *addr, uint64_t *len,
			 char sep)
{
	if (!hex_u64(c, addr) || !hex_expect(c, ',') || !hex_u64(c, len))
		return false;
	return sep ? hex_expect(c, sep) : hex_at_end(c);
}

/*
 * m addr,len. The data is read into the upper half of the reply buffer
 * and hex-expanded in place from the front: byte i is read from n + i
 * before positions 2i and 2i + 1 (both <= n + i) are written.
 */
int rsp_mem_read(struct rsp *r, struct hex_cursor *c)
{
	uint64_t addr, len;
	size_t n, got;
	uint8_t *data;

	if (!rsp_mem_args(c, &addr, &len, 0))
		return -EINVAL;
	n = MIN(len, (uint64_t)sizeof(r->tx) / 2);
	if (!n)
		return 0;
	data = r->tx + n;
	got = r->ops->read_mem(r->ctx, addr, data, n);
	if (!got)
		return -EFAULT;
	for (size_t i = 0; i < got; i++) {
		uint8_t b = data[i];

		r->tx[2 * i] = (uint8_t)hex_char(b >> 4);
		r->tx[2 * i + 1] = (uint8_t)hex_char(b);
	}
	r->tx_len = 2 * got;
	return 0;
}

static int rsp_mem_write(struct rsp *r, uint64_t addr, const uint8_t *buf,
			 size_t len)
{
	if (len && r->ops->write_mem(r->ctx, addr, buf, len) != len)
		return -EFAULT;
	rsp_reply(r, "OK");
	return 0;
}

/* M addr,len:hex. Decoded in place in the receive buffer (dst <= src). */
int rsp_mem_write_hex(struct rsp *r, struct hex_cursor *c)
{
	uint64_t addr, len;
	size_t avail;
	uint8_t *buf;

	if (!rsp_mem_args(c, &addr, &len, ':'))
		return -EINVAL;
	avail = (size_t)(c->end - c->p);
	if (len * 2 != avail)
		return -EINVAL;
	buf = r->rx + (c->p - r->rx);
	if (hex_decode(buf, len, c->p, avail) != len)
		return -EINVAL;
	return rsp_mem_write(r, addr, buf, len);
}

/* X addr,len:bytes. Already unescaped by the framing layer. */
int rsp_mem_write_bin(struct rsp *r, struct hex_cursor *c)
{
	uint64_t addr, len;

	if (!rsp_mem_args(c, &addr, &len, ':'))
		return -EINVAL;
	if (len != (uint64_t)(c->end - c->p))
		return -EINVAL;
	return rsp_mem_write(r, addr, c->p, len);
}
