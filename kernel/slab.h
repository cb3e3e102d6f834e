/*
 * Size-class object allocator (the logic under kmalloc). Objects of 16 ..
 * 2048 bytes are carved from single pages; bigger requests take a whole
 * buddy block. Pages come from a page provider given as callbacks, so the
 * same code runs in the kernel (over pmm) and in host tests (over a buddy
 * on an arena). Pure logic, no locks: the caller serialises every call.
 */
#ifndef KERNEL_SLAB_H
#define KERNEL_SLAB_H

#include "types.h"
#include "list.h"
#include "buddy.h"

#define SLAB_MIN_SIZE	16
#define SLAB_MAX_SIZE	2048
#define SLAB_NR_CLASSES	8	/* 16, 32, 64, ..., 2048 */

/*
 * The page provider. alloc_pages returns a page-aligned virtual address
 * of 2^order pages or NULL; page_of maps any address inside such a block
 * to its frame's struct page (NULL if the address is not RAM it manages);
 * page_addr is the inverse for a frame's first byte.
 */
struct slab_ops {
	void *(*alloc_pages)(void *ctx, unsigned order);
	void (*free_pages)(void *ctx, void *p, unsigned order);
	struct page *(*page_of)(void *ctx, const void *p);
	void *(*page_addr)(void *ctx, struct page *pg);
};

struct slab_class {
	struct list_head partial;	/* pages with a free object */
	uint32_t size;			/* object size, a power of two */
	uint32_t npages;		/* pages this class holds */
	size_t inuse;			/* objects handed out */
};

struct slab {
	const struct slab_ops *ops;
	void *ctx;
	struct slab_class cls[SLAB_NR_CLASSES];
	size_t large_pages;		/* pages held by large objects */
};

void slab_init(struct slab *s, const struct slab_ops *ops, void *ctx);
void *slab_alloc(struct slab *s, size_t size);
int slab_free(struct slab *s, void *p);
size_t slab_size(struct slab *s, const void *p);
size_t slab_pages(const struct slab *s);

#endif
