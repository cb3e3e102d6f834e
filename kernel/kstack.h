/* Guarded kernel stacks (kstack.c). */
#ifndef KERNEL_KSTACK_H
#define KERNEL_KSTACK_H

#include "types.h"

#define KSTACK_SIZE (4 * 4096)

uint64_t kstack_alloc(void);
void kstack_free(uint64_t top);
bool kstack_is_guard(uint64_t addr);
int kstack_selftest(void);
bool mmu_is_mapped(vaddr_t va);

#endif
