/*
 * Byte and string helpers for the freestanding RSP engine. Packets are
 * counted byte strings (binary X data may hold NULs), so the comparisons
 * take a length and never rely on a terminator in the packet.
 */
#include "gdbstub/bytes.h"

void bytes_copy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

void bytes_fill(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
}

size_t bytes_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Does the counted string @buf start with the C string @prefix? */
bool bytes_prefix(const uint8_t *buf, size_t len, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i]; i++) {
		if (i >= len || buf[i] != (uint8_t)prefix[i])
			return false;
	}
	return true;
}

/* Is the counted string @buf exactly the C string @s? */
bool bytes_equal(const uint8_t *buf, size_t len, const char *s)
{
	return bytes_strlen(s) == len && bytes_prefix(buf, len, s);
}
