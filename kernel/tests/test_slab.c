/*
 * Host tests for slab.c over a real buddy. "Physical memory" is an mmap'ed
 * arena at a made-up physical base, with a fixed offset as the direct map.
 * Checked: classes and alignment, pages given back, bad and double frees
 * refused, OOM, and a seeded random run whose every object carries its
 * own byte pattern (overlap shows as a damaged pattern).
 */
#include <stdint.h>
#include <sys/mman.h>
#include "tests/harness.h"
#include "slab.h"

#define ARENA_PAGES	4096			/* 16 MiB */
#define PHYS_BASE	0x40000000UL

struct arena {
	struct buddy b;
	struct page *pages;
	char *mem;
	long budget;		/* pages the provider may still give; < 0: no limit */
	int bad_frees;		/* buddy_free() refusals seen by the provider */
};

static void *arena_virt(struct arena *a, paddr_t pa)
{
	return a->mem + (pa - PHYS_BASE);
}

static void *arena_alloc_pages(void *ctx, unsigned order)
{
	struct arena *a = ctx;
	paddr_t pa;

	if (a->budget >= 0 && a->budget < (1L << order))
		return NULL;
	pa = buddy_alloc(&a->b, order);
	if (pa == BUDDY_NONE)
		return NULL;
	if (a->budget >= 0)
		a->budget -= 1L << order;
	return arena_virt(a, pa);
}

static void arena_free_pages(void *ctx, void *p, unsigned order)
{
	struct arena *a = ctx;

	if (buddy_free(&a->b, PHYS_BASE + ((char *)p - a->mem), order))
		a->bad_frees++;
	else if (a->budget >= 0)
		a->budget += 1L << order;
}

static struct page *arena_page_of(void *ctx, const void *p)
{
	struct arena *a = ctx;
	const char *c = p;

	if (c < a->mem || c >= a->mem + ARENA_PAGES * PAGE_SIZE)
		return NULL;
	return buddy_pa_to_page(&a->b, PHYS_BASE + (c - a->mem));
}

static void *arena_page_addr(void *ctx, struct page *pg)
{
	struct arena *a = ctx;

	return arena_virt(a, buddy_page_to_pa(&a->b, pg));
}

static const struct slab_ops arena_ops = {
	.alloc_pages = arena_alloc_pages,
	.free_pages = arena_free_pages,
	.page_of = arena_page_of,
	.page_addr = arena_page_addr,
};

/* Page 0 of the arena stays reserved, like frame 0 in the kernel. */
static void arena_init(struct arena *a, struct slab *s)
{
	a->mem = mmap(NULL, ARENA_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a->pages = calloc(ARENA_PAGES, sizeof(struct page));
	if (a->mem == MAP_FAILED || !a->pages)
		abort();
	a->budget = -1;
	a->bad_frees = 0;
	buddy_init(&a->b, a->pages, PHYS_BASE, ARENA_PAGES);
	buddy_add_range(&a->b, PHYS_BASE + PAGE_SIZE,
			(ARENA_PAGES - 1) * PAGE_SIZE);
	slab_init(s, &arena_ops, a);
}

static void arena_fini(struct arena *a)
{
	munmap(a->mem, ARENA_PAGES * PAGE_SIZE);
	free(a->pages);
}

/* Everything handed back: no pages held, buddy whole, page fields clean. */
static bool arena_clean(struct arena *a, struct slab *s)
{
	if (slab_pages(s) || a->bad_frees || buddy_check(&a->b) ||
	    buddy_free_pages(&a->b) != ARENA_PAGES - 1)
		return false;
	for (size_t i = 0; i < ARENA_PAGES; i++)
		if (a->pages[i].slab_kind)
			return false;
	return true;
}

TEST(classes_and_alignment)
{
	struct arena a;
	struct slab s;

	arena_init(&a, &s);
	for (size_t size = 0; size <= 5000; size += 7) {
		char *p = slab_alloc(&s, size);
		size_t got = slab_size(&s, p);

		CHECK(p);
		CHECK(got >= size && got >= SLAB_MIN_SIZE);
		CHECK_EQ(got & (got - 1), 0);
		CHECK(size <= SLAB_MIN_SIZE || got < 2 * size);
		CHECK_EQ((uintptr_t)p & (MIN(got, PAGE_SIZE) - 1), 0);
		memset(p, 0x5a, size);
		CHECK_EQ(slab_free(&s, p), 0);
	}
	CHECK(arena_clean(&a, &s));
	arena_fini(&a);
}

/* One page holds exactly PAGE_SIZE / size objects; empty pages go back. */
TEST(pages_fill_and_return)
{
	void *obj[257];
	struct arena a;
	struct slab s;

	arena_init(&a, &s);
	for (int i = 0; i < 256; i++)
		CHECK((obj[i] = slab_alloc(&s, 16)));
	CHECK_EQ(slab_pages(&s), 1);
	CHECK((obj[256] = slab_alloc(&s, 16)));
	CHECK_EQ(slab_pages(&s), 2);
	CHECK_EQ(slab_free(&s, obj[256]), 0);
	CHECK_EQ(slab_pages(&s), 1);
	for (int i = 0; i < 256; i += 2)
		CHECK_EQ(slab_free(&s, obj[i]), 0);
	CHECK_EQ(slab_pages(&s), 1);
	for (int i = 1; i < 256; i += 2)
		CHECK_EQ(slab_free(&s, obj[i]), 0);
	CHECK(arena_clean(&a, &s));
	arena_fini(&a);
}

TEST(large_objects)
{
	struct arena a;
	struct slab s;
	char *p;

	arena_init(&a, &s);
	p = slab_alloc(&s, 2049);
	CHECK(p);
	CHECK_EQ(slab_size(&s, p), 4096);
	CHECK_EQ(slab_pages(&s), 1);
	CHECK_EQ(slab_free(&s, p), 0);
	p = slab_alloc(&s, 4097);
	CHECK_EQ(slab_size(&s, p), 8192);
	CHECK_EQ(slab_size(&s, p + 4096), 0);
	CHECK_EQ(slab_free(&s, p), 0);
	p = slab_alloc(&s, 4UL << 20);
	CHECK(p);
	CHECK_EQ(slab_pages(&s), 1024);
	p[(4UL << 20) - 1] = 1;
	CHECK_EQ(slab_free(&s, p), 0);
	CHECK(slab_alloc(&s, (4UL << 20) + 1) == NULL);
	CHECK(slab_alloc(&s, SIZE_MAX) == NULL);
	CHECK(arena_clean(&a, &s));
	arena_fini(&a);
}

TEST(bad_frees_refused)
{
	static char not_heap[64];
	struct arena a;
	struct slab s;
	char *keep, *p, *big, *raw;

	arena_init(&a, &s);
	keep = slab_alloc(&s, 64);
	p = slab_alloc(&s, 64);
	big = slab_alloc(&s, 10000);
	raw = arena_alloc_pages(&a, 0);
	CHECK(keep && p && big && raw);
	CHECK_EQ(slab_free(&s, NULL), 0);
	CHECK_EQ(slab_free(&s, p), 0);
	CHECK_EQ(slab_free(&s, p), -EINVAL);			/* double */
	CHECK_EQ(slab_free(&s, keep + 1), -EINVAL);		/* interior */
	CHECK_EQ(slab_free(&s, keep + 640), -EINVAL);		/* never handed out */
	CHECK_EQ(slab_free(&s, big + PAGE_SIZE), -EINVAL);	/* large tail */
	CHECK_EQ(slab_free(&s, big + 8), -EINVAL);
	CHECK_EQ(slab_free(&s, raw), -EINVAL);			/* not slab's */
	CHECK_EQ(slab_free(&s, a.mem), -EINVAL);		/* reserved page */
	CHECK_EQ(slab_free(&s, a.mem + (ARENA_PAGES - 1) * PAGE_SIZE),
		 -EINVAL);					/* free page */
	CHECK_EQ(slab_free(&s, not_heap), -EINVAL);
	CHECK_EQ(slab_free(&s, big), 0);
	CHECK_EQ(slab_free(&s, big), -EINVAL);
	CHECK_EQ(slab_free(&s, keep), 0);
	CHECK_EQ(slab_free(&s, keep), -EINVAL);			/* page gone */
	arena_free_pages(&a, raw, 0);
	CHECK(arena_clean(&a, &s));
	arena_fini(&a);
}

/*
 * A live object that happens to hold the free poison is still freed:
 * the poison is only a hint, confirmed on the page's free list.
 */
TEST(poison_lookalike_is_live)
{
	struct arena a;
	struct slab s;
	uintptr_t *p, *q;

	arena_init(&a, &s);
	p = slab_alloc(&s, 16);
	q = slab_alloc(&s, 16);
	CHECK(p && q);
	/* Copy a free object's poison word into a live one. */
	CHECK_EQ(slab_free(&s, q), 0);
	p[1] = q[1] ^ (uintptr_t)q ^ (uintptr_t)p;
	p[0] = 0;
	CHECK_EQ(slab_free(&s, p), 0);
	CHECK(arena_clean(&a, &s));
	arena_fini(&a);
}

TEST(oom_returns_null)
{
	struct arena a;
	struct slab s;
	void *obj[3 * 4 + 1];
	int n = 0;

	arena_init(&a, &s);
	a.budget = 3;
	while (n < 13 && (obj[n] = slab_alloc(&s, 1024)))
		n++;
	CHECK_EQ(n, 12);
	CHECK(slab_alloc(&s, 5000) == NULL);
	CHECK(slab_alloc(&s, 2048) == NULL);
	CHECK(slab_alloc(&s, 1000) == NULL);
	CHECK_EQ(slab_free(&s, obj[5]), 0);
	CHECK((obj[5] = slab_alloc(&s, 1000)));
	while (n--)
		CHECK_EQ(slab_free(&s, obj[n]), 0);
	CHECK_EQ(a.budget, 3);
	CHECK(arena_clean(&a, &s));
	arena_fini(&a);
}

/* ---- randomized run ---- */

struct live {
	unsigned char *p;
	size_t size;
	unsigned char tag;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static size_t random_size(void)
{
	unsigned r = rnd() % 100;

	if (r < 70)
		return rnd() % 129;
	if (r < 95)
		return rnd() % 2049;
	return 2049 + rnd() % 30000;
}

static bool pattern_intact(const struct live *l)
{
	for (size_t i = 0; i < l->size; i++)
		if (l->p[i] != (unsigned char)(l->tag + i))
			return false;
	return true;
}

static bool random_alloc(struct slab *s, struct live *l, unsigned id)
{
	l->size = random_size();
	l->p = slab_alloc(s, l->size);
	l->tag = id * 13;
	if (!l->p || slab_size(s, l->p) < l->size)
		return false;
	for (size_t i = 0; i < l->size; i++)
		l->p[i] = (unsigned char)(l->tag + i);
	return true;
}

static bool random_free(struct slab *s, struct live *l)
{
	if (!pattern_intact(l) || slab_free(s, l->p))
		return false;
	return slab_free(s, l->p) == -EINVAL;
}

static void random_run(uint64_t seed, unsigned ops)
{
	enum { MAX_LIVE = 2000 };
	struct live *live = calloc(MAX_LIVE, sizeof(*live));
	struct arena a;
	struct slab s;
	size_t nlive = 0;

	arena_init(&a, &s);
	rng_state = seed;
	for (unsigned i = 0; i < ops; i++) {
		bool grow = nlive < MAX_LIVE && (!nlive || rnd() % 100 < 55);

		if (grow) {
			CHECK(random_alloc(&s, &live[nlive], i));
			nlive++;
		} else {
			size_t k = rnd() % nlive;

			CHECK(random_free(&s, &live[k]));
			live[k] = live[--nlive];
		}
		if (i % 4096 == 0)
			CHECK_EQ(buddy_check(&a.b), 0);
	}
	while (nlive)
		CHECK(random_free(&s, &live[--nlive]));
	CHECK(arena_clean(&a, &s));
	free(live);
	arena_fini(&a);
}

TEST(random_seed_1)
{
	random_run(1, 50000);
}

TEST(random_seed_2)
{
	random_run(0xdeadbeefcafef00dULL, 50000);
}

static const struct harness_test tests[] = {
	T(classes_and_alignment),
	T(pages_fill_and_return),
	T(large_objects),
	T(bad_frees_refused),
	T(poison_lookalike_is_live),
	T(oom_returns_null),
	T(random_seed_1),
	T(random_seed_2),
};

HARNESS_MAIN("slab", tests)
