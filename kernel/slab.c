/*
 * Size-class object allocator (see slab.h). Each slab is one page of
 * equal objects; its bookkeeping lives in the page's struct page (kind,
 * class, count, free-list head), so objects fill the page exactly and
 * slab_free() needs only the pointer. Free objects in a page form a list
 * threaded through the objects; a class lists its pages that have a free
 * object. A page whose last object is freed goes back to the provider.
 * All operations are O(1) apart from the provider's own cost, a new
 * page's carving (O(objects per page)) and confirming a suspected double
 * free (same bound).
 */
#include "slab.h"

#define SLAB_KIND_OBJS	1	/* a page of small objects */
#define SLAB_KIND_LARGE	2	/* the head of a large object's block */
#define SLAB_NO_FREE	0xffff
#define SLAB_POISON	((uintptr_t)0x5ab1f4eed0b1ec75ULL)

/* A free object. Every class is at least this big. */
struct slab_obj {
	uintptr_t next;		/* offset of the next free object, or SLAB_NO_FREE */
	uintptr_t poison;	/* SLAB_POISON ^ own address while free */
};

_Static_assert(sizeof(struct slab_obj) <= SLAB_MIN_SIZE, "class too small");
_Static_assert((SLAB_MIN_SIZE << (SLAB_NR_CLASSES - 1)) == SLAB_MAX_SIZE,
	       "classes must end at SLAB_MAX_SIZE");

void slab_init(struct slab *s, const struct slab_ops *ops, void *ctx)
{
	s->ops = ops;
	s->ctx = ctx;
	s->large_pages = 0;
	for (unsigned c = 0; c < SLAB_NR_CLASSES; c++) {
		list_init(&s->cls[c].partial);
		s->cls[c].size = SLAB_MIN_SIZE << c;
		s->cls[c].npages = 0;
		s->cls[c].inuse = 0;
	}
}

static unsigned slab_class_of(size_t size)
{
	unsigned c = 0;

	while ((size_t)(SLAB_MIN_SIZE << c) < size)
		c++;
	return c;
}

static unsigned slab_order_of(size_t size)
{
	unsigned k = 0;

	while (k <= BUDDY_MAX_ORDER && (PAGE_SIZE << k) < size)
		k++;
	return k;
}

static void slab_obj_set_free(struct slab_obj *o, uintptr_t next)
{
	o->next = next;
	o->poison = SLAB_POISON ^ (uintptr_t)o;
}

/* Get a fresh page for class @c, carve it into free objects, list it. */
static struct page *slab_grow(struct slab *s, unsigned c)
{
	struct slab_class *cls = &s->cls[c];
	char *base = s->ops->alloc_pages(s->ctx, 0);
	uint32_t n = PAGE_SIZE / cls->size;
	struct page *pg;

	if (!base)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		uintptr_t next = i + 1 < n ? (i + 1) * cls->size : SLAB_NO_FREE;

		slab_obj_set_free((struct slab_obj *)(base + i * cls->size),
				  next);
	}
	pg = s->ops->page_of(s->ctx, base);
	pg->slab_kind = SLAB_KIND_OBJS;
	pg->slab_cls = c;
	pg->slab_inuse = 0;
	pg->slab_free = 0;
	list_add(&pg->link, &cls->partial);
	cls->npages++;
	return pg;
}

static void *slab_alloc_obj(struct slab *s, unsigned c)
{
	struct slab_class *cls = &s->cls[c];
	struct slab_obj *o;
	struct page *pg;

	if (list_empty(&cls->partial) && !slab_grow(s, c))
		return NULL;
	pg = list_first_entry(&cls->partial, struct page, link);
	o = (struct slab_obj *)((char *)s->ops->page_addr(s->ctx, pg) +
				pg->slab_free);
	pg->slab_free = o->next;
	o->poison = 0;
	pg->slab_inuse++;
	cls->inuse++;
	if (pg->slab_free == SLAB_NO_FREE)
		list_del(&pg->link);
	return o;
}

static void *slab_alloc_large(struct slab *s, size_t size)
{
	unsigned order = slab_order_of(size);
	struct page *pg;
	void *p;

	if (order > BUDDY_MAX_ORDER)
		return NULL;
	p = s->ops->alloc_pages(s->ctx, order);
	if (!p)
		return NULL;
	pg = s->ops->page_of(s->ctx, p);
	pg->slab_kind = SLAB_KIND_LARGE;
	pg->slab_cls = order;
	s->large_pages += 1UL << order;
	return p;
}

/*
 * Allocate @size bytes, aligned to the size class (objects up to 2048
 * bytes are naturally aligned; larger ones are page-aligned). Size 0 gets
 * a smallest object. Returns NULL when the provider is out of pages or
 * @size exceeds the largest buddy block (4 MiB).
 */
void *slab_alloc(struct slab *s, size_t size)
{
	if (size <= SLAB_MAX_SIZE)
		return slab_alloc_obj(s, slab_class_of(size));
	return slab_alloc_large(s, size);
}

/* Is the object at offset @off on @pg's free list? O(objects per page). */
static bool slab_on_free_list(struct page *pg, char *base, uintptr_t off)
{
	uintptr_t cur = pg->slab_free;

	while (cur != SLAB_NO_FREE && cur < PAGE_SIZE) {
		if (cur == off)
			return true;
		cur = ((struct slab_obj *)(base + cur))->next;
	}
	return false;
}

static void slab_release_page(struct slab *s, struct page *pg, void *base)
{
	struct slab_class *cls = &s->cls[pg->slab_cls];

	list_del(&pg->link);
	pg->slab_kind = 0;
	pg->slab_cls = 0;
	pg->slab_free = 0;
	cls->npages--;
	s->ops->free_pages(s->ctx, base, 0);
}

static int slab_free_obj(struct slab *s, struct page *pg, void *p)
{
	char *base = s->ops->page_addr(s->ctx, pg);
	uintptr_t off = (char *)p - base;
	struct slab_obj *o = p;
	struct slab_class *cls;

	if (pg->slab_cls >= SLAB_NR_CLASSES || pg->slab_inuse == 0)
		return -EINVAL;
	cls = &s->cls[pg->slab_cls];
	if (off % cls->size)
		return -EINVAL;
	/* A live object may hold the poison by chance: confirm by walking. */
	if (o->poison == (SLAB_POISON ^ (uintptr_t)o) &&
	    slab_on_free_list(pg, base, off))
		return -EINVAL;
	if (pg->slab_free == SLAB_NO_FREE)
		list_add(&pg->link, &cls->partial);
	slab_obj_set_free(o, pg->slab_free);
	pg->slab_free = off;
	pg->slab_inuse--;
	cls->inuse--;
	if (pg->slab_inuse == 0)
		slab_release_page(s, pg, base);
	return 0;
}

static int slab_free_large(struct slab *s, struct page *pg, void *p)
{
	unsigned order = pg->slab_cls;

	if (p != s->ops->page_addr(s->ctx, pg) || order > BUDDY_MAX_ORDER)
		return -EINVAL;
	pg->slab_kind = 0;
	pg->slab_cls = 0;
	s->large_pages -= 1UL << order;
	s->ops->free_pages(s->ctx, p, order);
	return 0;
}

/*
 * Free @p from slab_alloc(). NULL is a no-op. Returns 0, or -EINVAL for a
 * pointer slab_alloc() did not return, or that is already free (always
 * caught while its page is still a slab or large block; an object freed
 * twice after its memory went to a new owner cannot be told apart).
 */
int slab_free(struct slab *s, void *p)
{
	struct page *pg;

	if (!p)
		return 0;
	pg = s->ops->page_of(s->ctx, p);
	if (!pg)
		return -EINVAL;
	if (pg->slab_kind == SLAB_KIND_OBJS)
		return slab_free_obj(s, pg, p);
	if (pg->slab_kind == SLAB_KIND_LARGE)
		return slab_free_large(s, pg, p);
	return -EINVAL;
}

/*
 * Usable size of the allocation @p, or 0 if @p cannot be one (no check
 * that it is still live).
 */
size_t slab_size(struct slab *s, const void *p)
{
	struct page *pg = p ? s->ops->page_of(s->ctx, p) : NULL;
	const char *base;

	if (!pg)
		return 0;
	base = s->ops->page_addr(s->ctx, pg);
	if (pg->slab_kind == SLAB_KIND_OBJS && pg->slab_cls < SLAB_NR_CLASSES &&
	    (size_t)((const char *)p - base) % s->cls[pg->slab_cls].size == 0)
		return s->cls[pg->slab_cls].size;
	if (pg->slab_kind == SLAB_KIND_LARGE && p == base)
		return PAGE_SIZE << pg->slab_cls;
	return 0;
}

/* Pages held from the provider, in slabs and large objects. */
size_t slab_pages(const struct slab *s)
{
	size_t n = s->large_pages;

	for (unsigned c = 0; c < SLAB_NR_CLASSES; c++)
		n += s->cls[c].npages;
	return n;
}
