/*
 * Physical memory manager (see pmm.h): kernel glue around one struct
 * buddy covering frame 0 up to the end of the highest RAM range. Its
 * struct page array is carved from the first usable RAM that fits and is
 * reached through the direct map, which must cover all RAM given here.
 * Frame 0 is always reserved, so pmm_alloc() can return 0 for "none".
 */
#include "pmm.h"
#include "buddy.h"
#include "spinlock.h"
#include "printk.h"
#include <arch/mmu.h>

#define PMM_MAX_EXCL	64	/* reserved ranges pmm_init() can take */

_Static_assert(PMM_MAX_ORDER == BUDDY_MAX_ORDER, "pmm.h and buddy.h differ");

/*
 * pmm_lock protects pmm_buddy: its free lists and counts and the
 * buddy-owned fields (flags, order, link while free) of every struct page.
 * Lock order: kmalloc_lock -> pmm_lock; nothing is taken under pmm_lock.
 * The array's base and size are set once in pmm_init() and read unlocked.
 */
static struct spinlock pmm_lock = SPINLOCK_INIT("pmm");
static struct buddy pmm_buddy;

/* Boot-only, used by pmm_init(): ranges kept out of the allocator. */
static struct mem_range pmm_excl[PMM_MAX_EXCL];
static int pmm_nexcl;

typedef void pmm_visit_fn(paddr_t lo, paddr_t hi, void *arg);

/* Call @fn on each piece of [@lo, @hi) outside pmm_excl[@i..]. */
static __init void pmm_visit(paddr_t lo, paddr_t hi, int i, pmm_visit_fn *fn,
			     void *arg)
{
	for (; i < pmm_nexcl && lo < hi; i++) {
		paddr_t rlo = pmm_excl[i].base;
		paddr_t rhi = pmm_excl[i].base + pmm_excl[i].len;

		if (rhi <= lo || rlo >= hi)
			continue;
		if (rlo > lo)
			pmm_visit(lo, rlo, i + 1, fn, arg);
		lo = rhi;
	}
	if (lo < hi)
		fn(lo, hi, arg);
}

static __init void pmm_visit_ram(const struct mem_range *ram, int nram,
				 pmm_visit_fn *fn, void *arg)
{
	for (int i = 0; i < nram; i++)
		pmm_visit(ram[i].base, ram[i].base + ram[i].len, 0, fn, arg);
}

static __init int pmm_exclude(paddr_t base, paddr_t len)
{
	if (pmm_nexcl == PMM_MAX_EXCL)
		return -E2BIG;
	pmm_excl[pmm_nexcl++] = (struct mem_range){ base, len };
	return 0;
}

struct pmm_fit {
	paddr_t size;
	paddr_t found;		/* 0 until a piece fits: frame 0 never does */
};

static __init void pmm_fit_visit(paddr_t lo, paddr_t hi, void *arg)
{
	struct pmm_fit *f = arg;
	paddr_t a = ALIGN_UP(lo, PAGE_SIZE);

	if (!f->found && a < hi && hi - a >= f->size)
		f->found = a;
}

static __init void pmm_add_visit(paddr_t lo, paddr_t hi, void *arg)
{
	int err = buddy_add_range(&pmm_buddy, lo, hi - lo);

	if (err) {
		printk("pmm: RAM 0x%lx-0x%lx overlaps another range (%d), skipped",
		       lo, hi, err);
	}
}

static __init paddr_t pmm_ram_top(const struct mem_range *ram, int nram)
{
	paddr_t top = 0;

	for (int i = 0; i < nram; i++)
		top = MAX(top, ram[i].base + ram[i].len);
	return ALIGN_DOWN(top, PAGE_SIZE);
}

/*
 * Build the allocator from the usable @ram ranges minus the @reserved
 * ones (kernel image, modules, low memory...). Frame 0 and the struct
 * page array (24 bytes per frame up to the top of RAM) are reserved too.
 * Context: boot, one CPU, once. Touches only the struct page array.
 * Returns 0, -EINVAL with no RAM, -E2BIG with too many reserved ranges,
 * or -ENOMEM if no RAM piece can hold the array.
 */
__init int pmm_init(const struct mem_range *ram, int nram,
		    const struct mem_range *reserved, int nres)
{
	paddr_t top = pmm_ram_top(ram, nram);
	size_t npages = top >> PAGE_SHIFT;
	struct pmm_fit fit = {
		.size = ALIGN_UP(npages * sizeof(struct page), PAGE_SIZE),
	};
	int err = pmm_exclude(0, PAGE_SIZE);

	if (!npages)
		return -EINVAL;
	for (int i = 0; i < nres && !err; i++)
		err = pmm_exclude(reserved[i].base, reserved[i].len);
	if (err)
		return err;
	pmm_visit_ram(ram, nram, pmm_fit_visit, &fit);
	if (!fit.found)
		return -ENOMEM;
	err = pmm_exclude(fit.found, fit.size);
	if (err)
		return err;
	buddy_init(&pmm_buddy, phys_to_virt(fit.found), 0, npages);
	pmm_visit_ram(ram, nram, pmm_add_visit, NULL);
	printk("pmm: %zu of %zu frames free, struct page array at 0x%lx (%zu KiB)",
	       buddy_free_pages(&pmm_buddy), npages, fit.found, fit.size >> 10);
	return 0;
}

/*
 * Allocate 2^@order contiguous frames, aligned to their size. Contents
 * are not cleared. Context: any, including IRQ. Locks: takes pmm_lock.
 * O(BUDDY_MAX_ORDER). Returns the physical address, or 0 when no block
 * of that order is free (or @order > PMM_MAX_ORDER).
 */
paddr_t pmm_alloc(unsigned order)
{
	unsigned long flags;
	paddr_t pa;

	if (unlikely(!pmm_buddy.npages))
		panic("pmm_alloc before pmm_init");
	flags = spin_lock_irqsave(&pmm_lock);
	pa = buddy_alloc(&pmm_buddy, order);
	spin_unlock_irqrestore(&pmm_lock, flags);
	return pa == BUDDY_NONE ? 0 : pa;
}

static int pmm_free_checked(paddr_t pa, unsigned order)
{
	unsigned long flags = spin_lock_irqsave(&pmm_lock);
	int err = buddy_free(&pmm_buddy, pa, order);

	spin_unlock_irqrestore(&pmm_lock, flags);
	return err;
}

/*
 * Free a block from pmm_alloc(@order). Context: any. Locks: pmm_lock.
 * Panics on a double free, a wrong order or a frame never handed out:
 * the allocator's state is left intact for the report.
 */
void pmm_free(paddr_t pa, unsigned order)
{
	if (unlikely(pmm_free_checked(pa, order)))
		panic("pmm_free: 0x%lx order %u was not allocated", pa, order);
}

/* pmm_alloc() through the direct map; NULL when out of memory. */
void *pmm_alloc_virt(unsigned order)
{
	paddr_t pa = pmm_alloc(order);

	return pa ? phys_to_virt(pa) : NULL;
}

void pmm_free_virt(void *p, unsigned order)
{
	pmm_free(virt_to_phys(p), order);
}

/* Free frames right now; stale as soon as the lock is dropped. */
size_t pmm_free_count(void)
{
	unsigned long flags = spin_lock_irqsave(&pmm_lock);
	size_t n = buddy_free_pages(&pmm_buddy);

	spin_unlock_irqrestore(&pmm_lock, flags);
	return n;
}

/* Frames of RAM the allocator manages, free or not. Fixed after init. */
size_t pmm_total_count(void)
{
	return buddy_managed_pages(&pmm_buddy);
}

/*
 * The struct page of the frame holding @pa, or NULL beyond RAM. No lock:
 * the array never moves. Its slab_* fields belong to the frame's owner.
 */
struct page *pmm_page(paddr_t pa)
{
	return buddy_pa_to_page(&pmm_buddy, pa);
}

paddr_t pmm_page_paddr(const struct page *pg)
{
	return buddy_page_to_pa(&pmm_buddy, pg);
}

/* Snapshot of the free block counts per order, to prove full coalescing. */
static void pmm_snapshot(size_t *nfree)
{
	unsigned long flags = spin_lock_irqsave(&pmm_lock);

	for (unsigned k = 0; k <= PMM_MAX_ORDER; k++)
		nfree[k] = buddy_free_blocks(&pmm_buddy, k);
	spin_unlock_irqrestore(&pmm_lock, flags);
}

/* Order-0 pages come back distinct, aligned, inside RAM and allocated. */
static int pmm_test_pages(size_t nfree)
{
	paddr_t pa[64];
	unsigned i, j;

	for (i = 0; i < ARRAY_SIZE(pa); i++) {
		struct page *pg;

		pa[i] = pmm_alloc(0);
		pg = pmm_page(pa[i]);
		if (!pa[i] || (pa[i] & (PAGE_SIZE - 1)) || !pg ||
		    pg->flags != PG_HEAD)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (pa[j] == pa[i])
				return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(pa); i += 2)
		pmm_free(pa[i], 0);
	for (i = 1; i < ARRAY_SIZE(pa); i += 2)
		pmm_free(pa[i], 0);
	return 0;
}

/*
 * Every order that has a free block gives one, aligned to its size and
 * reachable through the direct map at both ends (two words written, not
 * the whole block); two blocks of one order do not overlap.
 */
static int pmm_test_orders(size_t nfree)
{
	int max = buddy_max_free_order(&pmm_buddy);

	for (int k = 0; k <= max; k++) {
		size_t size = PAGE_SIZE << k;
		paddr_t a = pmm_alloc(k), b = pmm_alloc(k);
		volatile uint64_t *first, *last;

		if (!a || (a & (size - 1)))
			return -EINVAL;
		first = phys_to_virt(a);
		last = phys_to_virt(a + size - sizeof(uint64_t));
		*first = a;
		*last = ~a;
		if (*first != a || *last != ~a)
			return -EIO;
		if (b && ((b & (size - 1)) || (b < a + size && a < b + size)))
			return -EINVAL;
		pmm_free(a, k);
		if (b)
			pmm_free(b, k);
	}
	return 0;
}

/* Bad frees are refused and change nothing. */
static int pmm_test_bad_free(size_t nfree)
{
	paddr_t pa = pmm_alloc(1);

	if (!pa)
		return -ENOMEM;
	if (pmm_free_checked(pa, 0) != -EINVAL ||
	    pmm_free_checked(pa + PAGE_SIZE, 0) != -EINVAL ||
	    pmm_free_checked(pa + 8, 1) != -EINVAL ||
	    pmm_free_checked(0, 0) != -EINVAL ||
	    pmm_free_checked(pa, 1) != 0 ||
	    pmm_free_checked(pa, 1) != -EINVAL)
		return -EINVAL;
	return 0;
}

static void pmm_free_chain(paddr_t head)
{
	while (head) {
		paddr_t pa = head & PAGE_MASK;
		unsigned k = head & ~PAGE_MASK;

		head = *(paddr_t *)phys_to_virt(pa);
		pmm_free(pa, k);
	}
}

/*
 * Take every free block, largest first: one allocation per block, each
 * chained through its first word with the chain's previous head, whose
 * low bits hold that block's order. Then allocation must fail; a block
 * given back must be the one handed out next; and all is freed.
 */
static int pmm_test_exhaust(size_t nfree)
{
	paddr_t head = 0, pa, next, again;
	size_t taken = 0;
	int err = 0;
	unsigned k;

	for (int o = PMM_MAX_ORDER; o >= 0; o--) {
		while ((pa = pmm_alloc(o))) {
			*(paddr_t *)phys_to_virt(pa) = head;
			head = pa | o;
			taken += 1UL << o;
		}
	}
	if (!head)
		return -ENOMEM;
	if (taken != nfree || pmm_free_count() || pmm_alloc(0) ||
	    pmm_alloc_virt(0))
		err = -EINVAL;
	pa = head & PAGE_MASK;
	k = head & ~PAGE_MASK;
	next = *(paddr_t *)phys_to_virt(pa);
	pmm_free(pa, k);
	again = pmm_alloc(k);
	if (again != pa) {
		err = -EINVAL;
		head = next;
		if (again)
			pmm_free(again, k);
	}
	pmm_free_chain(head);
	return err;
}

static int pmm_test_counts(size_t nfree, const size_t *before)
{
	size_t after[PMM_MAX_ORDER + 1];
	unsigned long flags;
	int err;

	pmm_snapshot(after);
	for (unsigned k = 0; k <= PMM_MAX_ORDER; k++)
		if (before[k] != after[k])
			return -EINVAL;
	if (pmm_free_count() != nfree)
		return -EINVAL;
	flags = spin_lock_irqsave(&pmm_lock);
	err = buddy_check(&pmm_buddy);
	spin_unlock_irqrestore(&pmm_lock, flags);
	return err;
}

static const struct {
	int (*fn)(size_t nfree);
	const char *name;
} pmm_tests[] = {
	{ pmm_test_pages, "order-0 pages" },
	{ pmm_test_orders, "orders and alignment" },
	{ pmm_test_bad_free, "bad frees" },
	{ pmm_test_exhaust, "exhaust and recover" },
};

/*
 * Boot self-test of the allocator: patterns, alignment and contiguity of
 * every order, refused bad frees, exhaust and recover; after each part
 * the free count and every order's free block count must be back exactly
 * (full merging) and buddy_check() must pass. Context: boot, before
 * anything else allocates (it takes all memory for a moment). Touches two
 * words per block, never whole pages. Returns 0, or a negative errno
 * after logging which part failed.
 */
int pmm_selftest(void)
{
	size_t before[PMM_MAX_ORDER + 1];
	size_t nfree = pmm_free_count();
	int err = 0;

	pmm_snapshot(before);
	for (unsigned i = 0; i < ARRAY_SIZE(pmm_tests); i++) {
		err = pmm_tests[i].fn(nfree);
		if (!err)
			err = pmm_test_counts(nfree, before);
		if (err) {
			printk("pmm: selftest failed: %s (%d)", pmm_tests[i].name,
			       err);
			return err;
		}
	}
	return 0;
}
