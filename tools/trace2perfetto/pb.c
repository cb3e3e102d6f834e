/*
 * The protobuf encoder's slow half: buffer growth, flushing, and closing
 * nested messages. The per-field fast paths are inline in pb.h.
 */
#include <errno.h>
#include <stdlib.h>

#include "pb.h"

/* Returns 0 or -ENOMEM. */
int pb_init(struct pb *pb, FILE *out)
{
	memset(pb, 0, sizeof(*pb));
	pb->out = out;
	pb->cap = 2 * PB_FLUSH_AT;
	pb->buf = malloc(pb->cap);
	if (!pb->buf)
		pb->err = -ENOMEM;
	return pb->err;
}

void pb_free(struct pb *pb)
{
	free(pb->buf);
	pb->buf = NULL;
	pb->cap = pb->len = 0;
}

void pb_grow(struct pb *pb, size_t need)
{
	size_t cap = pb->cap ? pb->cap : 4096;
	uint8_t *p;

	while (cap < pb->len + need)
		cap *= 2;
	p = pb->err ? NULL : realloc(pb->buf, cap);
	if (!p) {
		/* Keep writing into the old buffer from the start: output is lost anyway. */
		pb->err = pb->err ? pb->err : -ENOMEM;
		pb->len = 0;
		return;
	}
	pb->buf = p;
	pb->cap = cap;
}

/*
 * Write out everything buffered. Only legal between top-level messages:
 * with a message open, the bytes still wait for their length.
 * Returns 0 or the sticky error.
 */
int pb_flush(struct pb *pb)
{
	if (pb->depth || !pb->out || pb->err)
		return pb->err;
	if (pb->len && fwrite(pb->buf, 1, pb->len, pb->out) != pb->len)
		pb->err = -EIO;
	pb->len = 0;
	return pb->err;
}

/*
 * Open a length-delimited field. One length byte is reserved; pb_end()
 * widens it if the message outgrew 127 bytes. Most nested messages here
 * (an event, its payload) are small, so the move is rare and the output
 * stays minimal, unlike a fixed-width redundant varint.
 */
void pb_begin(struct pb *pb, unsigned int field)
{
	if (pb->depth == PB_MAX_DEPTH) {
		pb->err = -EOVERFLOW;
		return;
	}
	pb_tag(pb, field, PB_LEN);
	if (!pb_reserve(pb, 1))
		return;
	pb->open[pb->depth++] = pb->len++;
}

void pb_end(struct pb *pb)
{
	size_t at, n;
	int w;

	if (pb->depth == 0 || pb->err) {
		pb->err = pb->err ? pb->err : -EOVERFLOW;
		pb->depth = pb->depth ? pb->depth - 1 : 0;
		return;
	}
	at = pb->open[--pb->depth];
	n = pb->len - at - 1;
	if (n < 0x80) {
		pb->buf[at] = (uint8_t)n;
		return;
	}
	w = pb_varint_size(n);
	if (!pb_reserve(pb, (size_t)w - 1))
		return;
	memmove(pb->buf + at + w, pb->buf + at + 1, n);
	for (int i = 0; i < w - 1; i++, n >>= 7)
		pb->buf[at + i] = (uint8_t)n | 0x80;
	pb->buf[at + w - 1] = (uint8_t)n;
	pb->len += (size_t)w - 1;
}

/* Append bytes that are already encoded (a whole message built elsewhere). */
void pb_raw(struct pb *pb, const void *p, size_t n)
{
	if (!pb_reserve(pb, n))
		return;
	memcpy(pb->buf + pb->len, p, n);
	pb->len += n;
}

void pb_bytes(struct pb *pb, unsigned int field, const void *p, size_t n)
{
	pb_tag(pb, field, PB_LEN);
	pb_raw_varint(pb, n);
	if (!pb_reserve(pb, n))
		return;
	memcpy(pb->buf + pb->len, p, n);
	pb->len += n;
}
