/*
 * The kernel's own symbol table: text symbols sorted by address, embedded
 * by the second link (tools/ksyms). Used by panic backtraces; lock-free and
 * allocation-free, so it is safe on any path, including a dying CPU.
 */
#ifndef KERNEL_KSYM_H
#define KERNEL_KSYM_H

#include "types.h"

/*
 * Index of the last entry in @addrs (sorted, @count long) at or below
 * @addr, or @count when @addr is below the first entry (or @count is 0).
 */
size_t ksym_search(const uint64_t *addrs, size_t count, uint64_t addr);

/*
 * Name the function holding @addr and store @addr's distance from its
 * start in *@offset (may be NULL). Returns NULL when @addr is outside the
 * kernel text or the table is empty. Context: any; takes no locks.
 */
const char *ksym_lookup(uintptr_t addr, uintptr_t *offset);

/*
 * Write "func+0x1a" (or "0xffffffff80101234" when unknown) into @buf of
 * size @n, always NUL-terminated when @n > 0, truncating if needed.
 * Returns the length written, excluding the NUL. Context: any.
 */
int ksym_format(char *buf, size_t n, uintptr_t addr);

#endif
