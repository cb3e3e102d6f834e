/* Futexes (futex.c): user-space locks' sleep and wake, as Linux's. */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H

#include "types.h"

struct vm;

long futex_call(uint64_t uaddr, int op, uint32_t val, uint64_t utime,
		uint64_t uaddr2, uint32_t val3);
int futex_wake(struct vm *vm, uint64_t uaddr, int n, uint32_t bitset);

#endif
