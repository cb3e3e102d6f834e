/*
 * Physical memory manager: every frame of RAM, handed out in naturally
 * aligned blocks of 2^order pages (order 0..BUDDY_MAX_ORDER, 4 KiB..4 MiB)
 * by one buddy allocator behind one spinlock. All RAM is reached through
 * the direct map (<arch/mmu.h>); pmm_alloc_virt() returns such pointers.
 */
#ifndef KERNEL_PMM_H
#define KERNEL_PMM_H

#include "types.h"

#define PMM_MAX_ORDER	10	/* == BUDDY_MAX_ORDER: 4 MiB blocks */

struct page;

/* A physical address range [base, base + len). */
struct mem_range {
	paddr_t base, len;
};

int pmm_init(const struct mem_range *ram, int nram,
	     const struct mem_range *reserved, int nres);
paddr_t pmm_alloc(unsigned order);
void pmm_free(paddr_t pa, unsigned order);
void *pmm_alloc_virt(unsigned order);

/*
 * The smallest order whose block holds @size bytes (0 for 0). @size must
 * be checked against what the caller allows first: this only counts.
 */
static inline unsigned pmm_order(size_t size)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

void pmm_free_virt(void *p, unsigned order);
size_t pmm_free_count(void);
size_t pmm_total_count(void);
struct page *pmm_page(paddr_t pa);
paddr_t pmm_page_paddr(const struct page *pg);
int pmm_selftest(void);

#endif
