/*
 * The kernel heap (see kmalloc.h): one struct slab over pmm, behind one
 * spinlock. Pages reach slab.c through the direct map. Objects up to 2048
 * bytes are aligned to their power-of-two class, bigger ones to a page.
 */
#include "kmalloc.h"
#include "slab.h"
#include "pmm.h"
#include "spinlock.h"
#include "printk.h"
#include "string.h"
#include <arch/mmu.h>

/*
 * kmalloc_lock protects kmalloc_slab: its class lists and counts, the
 * objects' free lists and the slab_* fields of the pages it owns.
 * Lock order: kmalloc_lock -> pmm_lock (slab.c asks pmm for pages with
 * it held). Taken with interrupts off, so IRQ handlers may allocate.
 */
static struct spinlock kmalloc_lock = SPINLOCK_INIT("kmalloc");
static struct slab kmalloc_slab;

static void *kmalloc_alloc_pages(void *ctx, unsigned order)
{
	return pmm_alloc_virt(order);
}

static void kmalloc_free_pages(void *ctx, void *p, unsigned order)
{
	pmm_free_virt(p, order);
}

/* Only direct-map addresses can be heap memory. */
static struct page *kmalloc_page_of(void *ctx, const void *p)
{
	vaddr_t v = (vaddr_t)p;

	if (v < DIRECT_MAP_BASE || v >= KSTACK_AREA)
		return NULL;
	return pmm_page(virt_to_phys(p));
}

static void *kmalloc_page_addr(void *ctx, struct page *pg)
{
	return phys_to_virt(pmm_page_paddr(pg));
}

static const struct slab_ops kmalloc_ops = {
	.alloc_pages = kmalloc_alloc_pages,
	.free_pages = kmalloc_free_pages,
	.page_of = kmalloc_page_of,
	.page_addr = kmalloc_page_addr,
};

/* The heap, set up on first use (after pmm_init). kmalloc_lock held. */
static struct slab *kmalloc_heap(void)
{
	if (unlikely(!kmalloc_slab.ops))
		slab_init(&kmalloc_slab, &kmalloc_ops, NULL);
	return &kmalloc_slab;
}

/*
 * Allocate @size bytes (0 gets a 16-byte object). Contents undefined.
 * Context: any. Locks: kmalloc_lock, then pmm_lock. O(1) plus a page
 * allocation when a class runs dry. Returns NULL on OOM or beyond 4 MiB.
 */
void *kmalloc(size_t size)
{
	unsigned long flags = spin_lock_irqsave(&kmalloc_lock);
	void *p = slab_alloc(kmalloc_heap(), size);

	spin_unlock_irqrestore(&kmalloc_lock, flags);
	return p;
}

/* kmalloc() and clear the @size bytes asked for. */
void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

static int kmalloc_free_checked(void *p)
{
	unsigned long flags = spin_lock_irqsave(&kmalloc_lock);
	int err = slab_free(kmalloc_heap(), p);

	spin_unlock_irqrestore(&kmalloc_lock, flags);
	return err;
}

/*
 * Free @p from kmalloc()/kzalloc(); NULL is a no-op. Context: any.
 * Locks: kmalloc_lock, then pmm_lock. Panics on a pointer kmalloc() did
 * not return or a detected double free (see slab_free()).
 */
void kfree(void *p)
{
	if (unlikely(kmalloc_free_checked(p)))
		panic("kfree: %p is not a live kmalloc() object", p);
}

/* Usable size of @p (at least what was asked), 0 if not a heap pointer. */
size_t kmalloc_size(const void *p)
{
	unsigned long flags = spin_lock_irqsave(&kmalloc_lock);
	size_t n = slab_size(kmalloc_heap(), p);

	spin_unlock_irqrestore(&kmalloc_lock, flags);
	return n;
}

/* Chained through the objects themselves: no array on the stack. */
struct kmalloc_probe {
	struct kmalloc_probe *next;
	size_t tag;
};

/*
 * For each class: many objects, each aligned to its class and holding
 * at least what was asked; all distinct (tags intact); all freed.
 */
static int kmalloc_test_small(void)
{
	static const size_t sizes[] = { 0, 1, 16, 17, 24, 100, 500, 1024, 2048 };

	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct kmalloc_probe *head = NULL, *o;
		size_t n, want = 300;
		int err = 0;

		for (n = 0; n < want; n++) {
			size_t got;

			o = kmalloc(sizes[i]);
			if (!o)
				break;
			got = kmalloc_size(o);
			if (got < sizes[i] || ((vaddr_t)o & (got - 1)))
				err = -EINVAL;
			o->next = head;
			o->tag = n;
			head = o;
		}
		if (n < want)
			err = -ENOMEM;
		while (head) {
			if (head->tag != --n)
				err = -EINVAL;
			o = head->next;
			kfree(head);
			head = o;
		}
		if (err)
			return err;
	}
	return 0;
}

/* Big objects are page blocks: aligned, writable at both ends, bounded. */
static int kmalloc_test_large(void)
{
	static const size_t sizes[] = { 2049, 4096, 4097, 65536, 4UL << 20 };

	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		char *p = kmalloc(sizes[i]);

		if (!p)
			return -ENOMEM;
		if (((vaddr_t)p & (PAGE_SIZE - 1)) || kmalloc_size(p) < sizes[i])
			return -EINVAL;
		p[0] = 1;
		p[sizes[i] - 1] = 2;
		kfree(p);
	}
	return kmalloc((4UL << 20) + 1) ? -EINVAL : 0;
}

/* kzalloc() clears memory a previous user dirtied. */
static int kmalloc_test_zero(void)
{
	unsigned char *p = kmalloc(300);
	int err = 0;

	if (!p)
		return -ENOMEM;
	memset(p, 0xa5, 300);
	kfree(p);
	p = kzalloc(300);
	if (!p)
		return -ENOMEM;
	for (unsigned i = 0; i < 300; i++)
		if (p[i])
			err = -EINVAL;
	kfree(p);
	return err;
}

/* Double frees, interior and foreign pointers are refused. */
static int kmalloc_test_bad_free(void)
{
	char *keep = kmalloc(64), *p = kmalloc(64), *big = kmalloc(8192);
	int err = 0;

	if (!keep || !p || !big) {
		kfree(p);
		err = -ENOMEM;
	} else if (kmalloc_free_checked(p) || kmalloc_free_checked(p) != -EINVAL ||
		 kmalloc_free_checked(keep + 8) != -EINVAL ||
		 kmalloc_free_checked(big + PAGE_SIZE) != -EINVAL ||
		 kmalloc_free_checked(&kmalloc_slab) != -EINVAL ||
		 kmalloc_free_checked(big) ||
		 kmalloc_free_checked(big) != -EINVAL)
		err = -EINVAL;
	else
		big = NULL;
	kfree(keep);
	kfree(big);
	return err;
}

static const struct {
	int (*fn)(void);
	const char *name;
} kmalloc_tests[] = {
	{ kmalloc_test_small, "small objects" },
	{ kmalloc_test_large, "large objects" },
	{ kmalloc_test_zero, "kzalloc" },
	{ kmalloc_test_bad_free, "bad frees" },
};

/*
 * Boot self-test of the heap; afterwards every page it took must be back
 * in pmm. Context: boot, after pmm_init, while nothing else allocates.
 * Returns 0, or a negative errno after logging which part failed.
 */
int kmalloc_selftest(void)
{
	size_t nfree = pmm_free_count();
	int err = 0;

	kfree(NULL);
	for (unsigned i = 0; i < ARRAY_SIZE(kmalloc_tests) && !err; i++) {
		err = kmalloc_tests[i].fn();
		if (!err && pmm_free_count() != nfree)
			err = -EINVAL;
		if (err)
			printk("kmalloc: selftest failed: %s (%d)",
			       kmalloc_tests[i].name, err);
	}
	return err;
}
