/* The vDSO every process gets (vdso.c). */
#ifndef KERNEL_VDSO_H
#define KERNEL_VDSO_H

#include "types.h"

struct vm;

void vdso_init(void);
long vdso_map(struct vm *vm);
struct shm;
bool vdso_owns(const struct shm *s);

#endif
