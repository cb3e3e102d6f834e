/* Shared-memory objects (shm.c): what vm.c and srv.c need of one. */
#ifndef KERNEL_SHM_H
#define KERNEL_SHM_H

#include "types.h"

struct shm {
	paddr_t base;			/* first frame, page-aligned */
	size_t size;			/* bytes mapped: whole pages */
	size_t offset;			/* the data starts this far into base */
	size_t len;			/* bytes of data (what NC_SHM_MAP reports) */
	unsigned order;			/* buddy block order (not fixed) */
	bool fixed;			/* never freed (the initrd) */
	int refs;			/* atomic: capabilities + vm regions */
};

struct shm *shm_create(size_t size);
void shm_get(struct shm *s);
void shm_put(struct shm *s);

#endif
