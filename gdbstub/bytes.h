/*
 * Byte and string helpers for the freestanding RSP engine: it links into
 * the kernel and into host tests alike, so it uses no libc.
 */
#ifndef GDBSTUB_BYTES_H
#define GDBSTUB_BYTES_H

#include "types.h"

void bytes_copy(void *dst, const void *src, size_t n);
void bytes_fill(void *dst, int c, size_t n);
size_t bytes_strlen(const char *s);
bool bytes_prefix(const uint8_t *buf, size_t len, const char *prefix);
bool bytes_equal(const uint8_t *buf, size_t len, const char *s);

#endif
