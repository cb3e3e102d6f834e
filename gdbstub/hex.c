/*
 * Hex encoding and parsing for RSP packets: numbers (addresses, lengths,
 * thread ids) and byte strings (memory, registers, monitor text). Every
 * parser is bounded by its cursor; malformed input returns false.
 */
#include "gdbstub/hex.h"

/* Value of hex digit @c, or -1. */
int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char hex_char(unsigned int nibble)
{
	return "0123456789abcdef"[nibble & 0xf];
}

/* Parse at least one and at most 16 hex digits. */
bool hex_u64(struct hex_cursor *c, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0, d;

	while (c->p < c->end && (d = hex_digit(*c->p)) >= 0) {
		if (++n > 16)
			return false;
		v = (v << 4) | (uint64_t)d;
		c->p++;
	}
	*out = v;
	return n > 0;
}

/* A thread id: "-1" (all) or positive hex; 0 means any. */
bool hex_tid(struct hex_cursor *c, int64_t *out)
{
	uint64_t v;

	if (c->p < c->end && *c->p == '-') {
		c->p++;
		if (!hex_u64(c, &v) || v != 1)
			return false;
		*out = -1;
		return true;
	}
	if (!hex_u64(c, &v) || v > INT64_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

/* Consume @ch if it is next. */
bool hex_expect(struct hex_cursor *c, char ch)
{
	if (c->p >= c->end || *c->p != (uint8_t)ch)
		return false;
	c->p++;
	return true;
}

bool hex_at_end(const struct hex_cursor *c)
{
	return c->p >= c->end;
}

/* Write 2 * @n hex digits for @n bytes; no terminator. */
void hex_encode(char *dst, const void *src, size_t n)
{
	const uint8_t *s = src;

	for (size_t i = 0; i < n; i++) {
		*dst++ = hex_char(s[i] >> 4);
		*dst++ = hex_char(s[i]);
	}
}

/* Decode whole hex pairs of @src into @dst; stop at a bad digit or @max.
 * Returns bytes written. */
size_t hex_decode(void *dst, size_t max, const uint8_t *src, size_t srclen)
{
	uint8_t *d = dst;
	size_t n = 0;

	while (n < max && 2 * n + 1 < srclen) {
		int hi = hex_digit(src[2 * n]), lo = hex_digit(src[2 * n + 1]);

		if (hi < 0 || lo < 0)
			break;
		d[n++] = (uint8_t)(hi << 4 | lo);
	}
	return n;
}

/* Format @v in minimal lowercase hex (at most 16 chars); no terminator. */
size_t hex_fmt_u64(char *dst, uint64_t v)
{
	int shift = 60;
	size_t n = 0;

	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		dst[n++] = hex_char((unsigned int)(v >> shift));
	return n;
}
