/*
 * Binary buddy allocator over an array of struct page, one per 4 KiB frame.
 * Pure logic: no locks, no arch, no RAM access (free-list links live in
 * struct page, never in the free frame), so it builds for the kernel and
 * for host tests alike. The caller serialises every call (pmm.c's lock).
 */
#ifndef KERNEL_BUDDY_H
#define KERNEL_BUDDY_H

#include "types.h"
#include "list.h"

#define BUDDY_MAX_ORDER	10		/* 2^10 pages = 4 MiB */
#define BUDDY_NR_ORDERS	(BUDDY_MAX_ORDER + 1)
#define BUDDY_NONE	((paddr_t)-1)	/* buddy_alloc() failure */

/* struct page.flags, owned by buddy.c */
#define PG_RESERVED	0x01	/* not RAM, or RAM kept out of the allocator */
#define PG_FREE		0x02	/* head of a free block of 2^order pages */
#define PG_HEAD		0x04	/* head of an allocated block of 2^order pages */

/*
 * One per frame. Pages inside a block (tails) have flags 0. Only a block's
 * head carries the order. The slab_* fields belong to whoever allocated
 * the block (slab.c); that owner must zero them before freeing it.
 */
struct page {
	struct list_head link;	/* buddy free list, or the owner's list */
	uint8_t flags;
	uint8_t order;
	uint8_t slab_kind;	/* SLAB_KIND_* in slab.c, 0 if not slab's */
	uint8_t slab_cls;	/* size class, or order of a large object */
	uint16_t slab_inuse;	/* objects handed out from this page */
	uint16_t slab_free;	/* offset of first free object, or 0xffff */
};

_Static_assert(sizeof(struct page) == 24, "struct page must stay small");

struct buddy {
	struct page *pages;	/* pages[i] describes frame pfn0 + i */
	uint64_t pfn0;
	size_t npages;
	struct list_head free[BUDDY_NR_ORDERS];
	size_t nfree[BUDDY_NR_ORDERS];	/* free blocks per order */
	size_t free_pages;
	size_t managed_pages;		/* pages ever given by add_range */
};

void buddy_init(struct buddy *b, struct page *pages, paddr_t base,
		size_t npages);
int buddy_add_range(struct buddy *b, paddr_t addr, size_t len);
paddr_t buddy_alloc(struct buddy *b, unsigned order);
int buddy_free(struct buddy *b, paddr_t pa, unsigned order);

size_t buddy_free_pages(const struct buddy *b);
size_t buddy_managed_pages(const struct buddy *b);
size_t buddy_free_blocks(const struct buddy *b, unsigned order);
int buddy_max_free_order(const struct buddy *b);
struct page *buddy_pa_to_page(const struct buddy *b, paddr_t pa);
paddr_t buddy_page_to_pa(const struct buddy *b, const struct page *pg);
int buddy_check(const struct buddy *b);

#endif
