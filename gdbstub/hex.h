/*
 * Hex encoding and parsing for RSP packets. Parsers walk a cursor over a
 * counted buffer and never read past its end.
 */
#ifndef GDBSTUB_HEX_H
#define GDBSTUB_HEX_H

#include "types.h"

/* A read cursor over a packet payload. */
struct hex_cursor {
	const uint8_t *p;
	const uint8_t *end;
};

int hex_digit(int c);
char hex_char(unsigned int nibble);
bool hex_u64(struct hex_cursor *c, uint64_t *out);
bool hex_tid(struct hex_cursor *c, int64_t *out);
bool hex_expect(struct hex_cursor *c, char ch);
bool hex_at_end(const struct hex_cursor *c);
void hex_encode(char *dst, const void *src, size_t n);
size_t hex_decode(void *dst, size_t max, const uint8_t *src, size_t srclen);
size_t hex_fmt_u64(char *dst, uint64_t v);

#endif
