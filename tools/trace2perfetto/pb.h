/*
 * A streaming protobuf encoder: varints, fixed64, strings and nested
 * messages, written straight into a growable buffer that is flushed to a
 * FILE between top-level messages. No schema, no allocation per field.
 * Nested lengths are backpatched when the message closes (see pb_end()).
 */
#ifndef T2P_PB_H
#define T2P_PB_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PB_MAX_DEPTH 16
#define PB_FLUSH_AT (1u << 20)

enum pb_wire {
	PB_VARINT = 0,
	PB_FIXED64 = 1,
	PB_LEN = 2,
};

struct pb {
	uint8_t *buf;
	size_t len;
	size_t cap;
	size_t open[PB_MAX_DEPTH];	/* offset of each open length byte */
	int depth;
	FILE *out;			/* NULL: keep everything in buf */
	int err;			/* sticky: -ENOMEM, -EIO or -EOVERFLOW */
};

int pb_init(struct pb *pb, FILE *out);
void pb_free(struct pb *pb);
void pb_grow(struct pb *pb, size_t need);
int pb_flush(struct pb *pb);
void pb_begin(struct pb *pb, unsigned int field);
void pb_end(struct pb *pb);
void pb_bytes(struct pb *pb, unsigned int field, const void *p, size_t n);
void pb_raw(struct pb *pb, const void *p, size_t n);

static inline int pb_varint_size(uint64_t v)
{
	int n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Make room for @n more bytes; on failure pb->err is set and buf is scratch. */
static inline int pb_reserve(struct pb *pb, size_t n)
{
	if (__builtin_expect(pb->len + n > pb->cap, 0))
		pb_grow(pb, n);
	return pb->err == 0;
}

static inline void pb_raw_varint(struct pb *pb, uint64_t v)
{
	uint8_t *p;

	if (!pb_reserve(pb, 10))
		return;
	p = pb->buf + pb->len;
	while (v >= 0x80) {
		*p++ = (uint8_t)v | 0x80;
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	pb->len = (size_t)(p - pb->buf);
}

static inline void pb_tag(struct pb *pb, unsigned int field, enum pb_wire w)
{
	pb_raw_varint(pb, (uint64_t)field << 3 | w);
}

/* uint32/uint64/bool/enum; int32 and int64 go through pb_int(). */
static inline void pb_uint(struct pb *pb, unsigned int field, uint64_t v)
{
	pb_tag(pb, field, PB_VARINT);
	pb_raw_varint(pb, v);
}

/* Negative int32/int64 take ten bytes, as the protobuf spec requires. */
static inline void pb_int(struct pb *pb, unsigned int field, int64_t v)
{
	pb_uint(pb, field, (uint64_t)v);
}

static inline void pb_fixed64(struct pb *pb, unsigned int field, uint64_t v)
{
	pb_tag(pb, field, PB_FIXED64);
	if (!pb_reserve(pb, 8))
		return;
	for (int i = 0; i < 8; i++)
		pb->buf[pb->len++] = (uint8_t)(v >> (8 * i));
}

static inline void pb_string(struct pb *pb, unsigned int field, const char *s)
{
	pb_bytes(pb, field, s, strlen(s));
}

/* Call between top-level messages: writes in large chunks. */
static inline int pb_maybe_flush(struct pb *pb)
{
	return pb->len >= PB_FLUSH_AT ? pb_flush(pb) : pb->err;
}

#endif
