/*
 * Address to name for backtraces. The table (ksym_*) is generated from the
 * first link's kernel.elf by tools/ksyms and linked last in .rodata, so
 * text addresses do not move when it is added. No locks, no allocation,
 * no formatting library: the panic path calls this.
 */
#include "ksym.h"

/* From the generated table (tools/ksyms) and the linker script. */
extern const uint64_t ksym_count;
extern const uint64_t ksym_addrs[];
extern const uint32_t ksym_name_offs[];
extern const char ksym_names[];
extern char __text_end[];

size_t ksym_search(const uint64_t *addrs, size_t count, uint64_t addr)
{
	size_t lo = 0, hi = count;

	if (!count || addr < addrs[0])
		return count;
	/* Invariant: addrs[lo] <= addr, and addrs[hi] > addr if hi < count. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

const char *ksym_lookup(uintptr_t addr, uintptr_t *offset)
{
	size_t count = ksym_count;
	size_t i;

	if (addr >= (uintptr_t)__text_end)
		return NULL;
	i = ksym_search(ksym_addrs, count, addr);
	if (i == count)
		return NULL;
	if (offset)
		*offset = addr - ksym_addrs[i];
	return &ksym_names[ksym_name_offs[i]];
}

/* Append @s to @buf at *@pos, keeping room for the NUL. */
static void ksym_put(char *buf, size_t n, size_t *pos, const char *s)
{
	while (*s && *pos + 1 < n)
		buf[(*pos)++] = *s++;
}

static void ksym_put_hex(char *buf, size_t n, size_t *pos, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[19];
	int i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = digits[v & 0xf];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	ksym_put(buf, n, pos, &tmp[i]);
}

int ksym_format(char *buf, size_t n, uintptr_t addr)
{
	uintptr_t off = 0;
	const char *name = ksym_lookup(addr, &off);
	size_t pos = 0;

	if (!n)
		return 0;
	if (name) {
		ksym_put(buf, n, &pos, name);
		ksym_put(buf, n, &pos, "+");
		ksym_put_hex(buf, n, &pos, off);
	} else {
		ksym_put_hex(buf, n, &pos, addr);
	}
	buf[pos] = '\0';
	return (int)pos;
}
