/*
 * Binary buddy allocator (see buddy.h). A free block of 2^k pages is
 * listed on free[k] through its head's struct page; its buddy is the block
 * whose frame number differs in bit k, so blocks are naturally aligned in
 * physical memory. Alloc and free are O(BUDDY_MAX_ORDER); nothing here
 * touches the frames themselves.
 */
#include "buddy.h"

static struct page *buddy_page(const struct buddy *b, size_t idx)
{
	return &b->pages[idx];
}

static void buddy_push(struct buddy *b, size_t idx, unsigned order)
{
	struct page *pg = buddy_page(b, idx);

	pg->flags = PG_FREE;
	pg->order = order;
	list_add(&pg->link, &b->free[order]);
	b->nfree[order]++;
}

static void buddy_unlink(struct buddy *b, struct page *pg)
{
	list_del(&pg->link);
	b->nfree[pg->order]--;
	pg->flags = 0;
}

/*
 * Return the free block at @idx of 2^@order pages to the free lists,
 * merging it with its buddy for as long as the buddy is a free block of
 * the same order. free_pages is the caller's to update.
 */
static void buddy_release(struct buddy *b, size_t idx, unsigned order)
{
	while (order < BUDDY_MAX_ORDER) {
		uint64_t pfn = b->pfn0 + idx;
		uint64_t bpfn = pfn ^ (1ULL << order);
		struct page *bud;

		if (bpfn < b->pfn0 || bpfn - b->pfn0 >= b->npages)
			break;
		bud = buddy_page(b, bpfn - b->pfn0);
		if (bud->flags != PG_FREE || bud->order != order)
			break;
		buddy_unlink(b, bud);
		idx = MIN(idx, (size_t)(bpfn - b->pfn0));
		order++;
	}
	buddy_push(b, idx, order);
}

/*
 * Set up @b to manage @npages frames from @base (rounded down to a page),
 * all reserved. Touches only the @pages array: O(npages).
 */
void buddy_init(struct buddy *b, struct page *pages, paddr_t base,
		size_t npages)
{
	b->pages = pages;
	b->pfn0 = base >> PAGE_SHIFT;
	b->npages = npages;
	b->free_pages = 0;
	b->managed_pages = 0;
	for (unsigned k = 0; k < BUDDY_NR_ORDERS; k++) {
		list_init(&b->free[k]);
		b->nfree[k] = 0;
	}
	for (size_t i = 0; i < npages; i++) {
		pages[i] = (struct page){ .flags = PG_RESERVED };
		list_init(&pages[i].link);
	}
}

/* The largest block that starts at frame @idx and ends by @end. */
static unsigned buddy_fit_order(const struct buddy *b, size_t idx, size_t end)
{
	unsigned k = 0;

	while (k < BUDDY_MAX_ORDER &&
	       !((b->pfn0 + idx) & ((2ULL << k) - 1)) &&
	       idx + (2ULL << k) <= end)
		k++;
	return k;
}

/*
 * Mark the usable RAM [@addr, @addr + @len) free; partial pages at either
 * end are left out. Returns 0, -EINVAL if the range leaves the managed
 * span, or -EEXIST if any page in it is not reserved (nothing changed).
 */
int buddy_add_range(struct buddy *b, paddr_t addr, size_t len)
{
	uint64_t lo = (addr + PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint64_t hi = (addr + len) >> PAGE_SHIFT;
	size_t i;

	if (addr + len < addr)
		return -EINVAL;
	if (lo >= hi)
		return 0;
	if (lo < b->pfn0 || hi - b->pfn0 > b->npages)
		return -EINVAL;
	lo -= b->pfn0;
	hi -= b->pfn0;
	for (i = lo; i < hi; i++)
		if (b->pages[i].flags != PG_RESERVED)
			return -EEXIST;
	for (i = lo; i < hi; i++)
		b->pages[i].flags = 0;
	for (i = lo; i < hi;) {
		unsigned k = buddy_fit_order(b, i, hi);

		buddy_release(b, i, k);
		i += 1UL << k;
	}
	b->free_pages += hi - lo;
	b->managed_pages += hi - lo;
	return 0;
}

/*
 * Allocate 2^@order contiguous frames aligned to their size. Splits the
 * smallest free block that fits. Returns its physical address, or
 * BUDDY_NONE if no block of that order is free (or @order is too big).
 */
paddr_t buddy_alloc(struct buddy *b, unsigned order)
{
	unsigned k = order;
	struct page *pg;
	size_t idx;

	while (k < BUDDY_NR_ORDERS && list_empty(&b->free[k]))
		k++;
	if (k >= BUDDY_NR_ORDERS)
		return BUDDY_NONE;
	pg = list_first_entry(&b->free[k], struct page, link);
	buddy_unlink(b, pg);
	idx = pg - b->pages;
	while (k > order) {
		k--;
		buddy_push(b, idx + (1UL << k), k);
	}
	*pg = (struct page){ .flags = PG_HEAD, .order = order };
	list_init(&pg->link);
	b->free_pages -= 1UL << order;
	return (b->pfn0 + idx) << PAGE_SHIFT;
}

/*
 * Free the block at @pa that buddy_alloc(@order) returned. Returns 0, or
 * -EINVAL if @pa is not the head of an allocated block of that order:
 * a double free, a reserved frame, a wrong order or a stray address.
 * State is untouched on error.
 */
int buddy_free(struct buddy *b, paddr_t pa, unsigned order)
{
	struct page *pg = buddy_pa_to_page(b, pa);

	if (!pg || order > BUDDY_MAX_ORDER || (pa & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (pg->flags != PG_HEAD || pg->order != order)
		return -EINVAL;
	pg->flags = 0;
	b->free_pages += 1UL << order;
	buddy_release(b, pg - b->pages, order);
	return 0;
}

size_t buddy_free_pages(const struct buddy *b)
{
	return b->free_pages;
}

size_t buddy_managed_pages(const struct buddy *b)
{
	return b->managed_pages;
}

size_t buddy_free_blocks(const struct buddy *b, unsigned order)
{
	return order <= BUDDY_MAX_ORDER ? b->nfree[order] : 0;
}

/* The largest order with a free block, or -ENOMEM if none is free. */
int buddy_max_free_order(const struct buddy *b)
{
	for (int k = BUDDY_MAX_ORDER; k >= 0; k--)
		if (b->nfree[k])
			return k;
	return -ENOMEM;
}

/* The struct page of the frame holding @pa, or NULL outside the span. */
struct page *buddy_pa_to_page(const struct buddy *b, paddr_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;

	if (pfn < b->pfn0 || pfn - b->pfn0 >= b->npages)
		return NULL;
	return &b->pages[pfn - b->pfn0];
}

paddr_t buddy_page_to_pa(const struct buddy *b, const struct page *pg)
{
	return (b->pfn0 + (size_t)(pg - b->pages)) << PAGE_SHIFT;
}

/* Walk free[@k] checking each block's head, alignment and extent. */
static int buddy_check_order(const struct buddy *b, unsigned k, size_t *pages)
{
	const struct list_head *p;
	size_t n = 0;

	list_for_each(p, &b->free[k]) {
		const struct page *pg = list_entry(p, struct page, link);
		size_t idx = pg - b->pages;

		if (idx >= b->npages || pg->flags != PG_FREE || pg->order != k)
			return -EINVAL;
		if (((b->pfn0 + idx) & ((1ULL << k) - 1)) ||
		    idx + (1UL << k) > b->npages)
			return -EINVAL;
		n++;
	}
	if (n != b->nfree[k])
		return -EINVAL;
	*pages += n << k;
	return 0;
}

/*
 * Consistency check for tests and selftests: every listed block is a
 * well-formed free head, counts agree, and no two free buddies of one
 * order are left unmerged. Returns 0 or -EINVAL. O(npages), no RAM access.
 */
int buddy_check(const struct buddy *b)
{
	size_t pages = 0;

	for (unsigned k = 0; k < BUDDY_NR_ORDERS; k++)
		if (buddy_check_order(b, k, &pages))
			return -EINVAL;
	if (pages != b->free_pages || b->free_pages > b->managed_pages)
		return -EINVAL;
	for (size_t i = 0; i < b->npages; i++) {
		const struct page *pg = &b->pages[i];
		uint64_t bpfn;

		if (pg->flags != PG_FREE || pg->order == BUDDY_MAX_ORDER)
			continue;
		bpfn = (b->pfn0 + i) ^ (1ULL << pg->order);
		if (bpfn >= b->pfn0 && bpfn - b->pfn0 < b->npages &&
		    b->pages[bpfn - b->pfn0].flags == PG_FREE &&
		    b->pages[bpfn - b->pfn0].order == pg->order)
			return -EINVAL;
	}
	return 0;
}
