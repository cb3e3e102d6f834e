/*
 * The kernel heap: kmalloc() objects of 16..2048 bytes from size-class
 * slabs, bigger ones as whole page blocks (up to 4 MiB), all from pmm.
 * Usable from any context, including IRQ; NULL means out of memory.
 */
#ifndef KERNEL_KMALLOC_H
#define KERNEL_KMALLOC_H

#include "types.h"

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
size_t kmalloc_size(const void *p);
int kmalloc_selftest(void);

#endif
