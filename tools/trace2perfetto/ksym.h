/*
 * Kernel symbol table for trace2perfetto: function symbols read from the
 * kernel ELF with libelf, looked up by address to print "func+0x1c".
 */
#ifndef T2P_KSYM_H
#define T2P_KSYM_H

#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t addr;
	uint64_t size;
	const char *name;
};

struct ksym_table {
	struct ksym *syms;	/* sorted by addr */
	size_t n;
	char *names;		/* one block holding every name */
	uint8_t build_id[20];	/* GNU build-id, zeros if none */
};

int ksym_load(struct ksym_table *t, const char *path, char *err, size_t errlen);
void ksym_free(struct ksym_table *t);
const struct ksym *ksym_find(const struct ksym_table *t, uint64_t addr);
void ksym_format(const struct ksym_table *t, uint64_t addr, char *buf,
		 size_t len);

#endif
