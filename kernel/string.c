/*
 * The C library's memory and string functions the kernel (and gcc's code
 * generation) relies on. Plain and small; rep movs/stos where it counts.
 *
 * memcpy() and memset() move eight bytes a step, then the rest a byte at
 * a time: QEMU's TCG runs each step of a rep as an instruction (and
 * -icount counts it as one), so a page costs 512 steps, not 4096. On
 * hardware with fast strings (ERMS) either form is fast.
 */
#include "string.h"

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t q = n / 8;

	__asm__ __volatile__("rep movsq\n\t"
			     "movq %[rest], %%rcx\n\t"
			     "rep movsb"
			     : "+D"(d), "+S"(src), "+c"(q)
			     : [rest] "r"(n & 7)
			     : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint64_t v = (uint8_t)c * 0x0101010101010101ull;
	void *d = dst;
	size_t q = n / 8;

	/* rep stosb stores al: v's low byte is c. */
	__asm__ __volatile__("rep stosq\n\t"
			     "movq %[rest], %%rcx\n\t"
			     "rep stosb"
			     : "+D"(d), "+c"(q)
			     : "a"(v), [rest] "r"(n & 7)
			     : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

char *strchr(const char *s, int c)
{
	for (; *s; s++) {
		if (*s == (char)c)
			return (char *)s;
	}
	return c ? NULL : (char *)s;
}
