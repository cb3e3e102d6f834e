/*
 * Host tests for buddy.c: merging and splitting by hand, refused bad
 * frees, OOM, and a seeded random run checked against a reference model
 * (a byte per frame: hole, free or allocated) after every operation.
 * The buddy never touches RAM, so "RAM" here is only a range of numbers.
 */
#include <stdint.h>
#include "tests/harness.h"
#include "buddy.h"

#define MIB		(1UL << 20)
#define BLOCK_PAGES(k)	(1UL << (k))

static struct page *test_pages(size_t n)
{
	struct page *p = calloc(n, sizeof(*p));

	if (!p)
		abort();
	return p;
}

static void snapshot(const struct buddy *b, size_t *nfree)
{
	for (unsigned k = 0; k < BUDDY_NR_ORDERS; k++)
		nfree[k] = buddy_free_blocks(b, k);
}

static bool same_snapshot(const size_t *a, const size_t *b)
{
	return !memcmp(a, b, BUDDY_NR_ORDERS * sizeof(*a));
}

TEST(starts_reserved)
{
	struct page *pages = test_pages(1024);
	struct buddy b;

	buddy_init(&b, pages, 0, 1024);
	CHECK_EQ(buddy_free_pages(&b), 0);
	CHECK(buddy_alloc(&b, 0) == BUDDY_NONE);
	CHECK_EQ(buddy_free(&b, 0, 0), -EINVAL);
	CHECK_EQ(buddy_max_free_order(&b), -ENOMEM);
	CHECK_EQ(buddy_check(&b), 0);
	free(pages);
}

TEST(add_range_merges_fully)
{
	struct page *pages = test_pages(4096);
	struct buddy b;

	buddy_init(&b, pages, 0, 4096);
	/* Added in pieces, out of order: must still end as 4 MiB blocks. */
	CHECK_EQ(buddy_add_range(&b, 8 * MIB, 8 * MIB), 0);
	CHECK_EQ(buddy_add_range(&b, 4096, 8 * MIB - 4096), 0);
	CHECK_EQ(buddy_add_range(&b, 0, 4096), 0);
	CHECK_EQ(buddy_free_pages(&b), 4096);
	CHECK_EQ(buddy_managed_pages(&b), 4096);
	CHECK_EQ(buddy_free_blocks(&b, BUDDY_MAX_ORDER), 4);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		CHECK_EQ(buddy_free_blocks(&b, k), 0);
	CHECK_EQ(buddy_check(&b), 0);
	free(pages);
}

TEST(add_range_rounds_and_refuses)
{
	struct page *pages = test_pages(256);
	struct buddy b;

	buddy_init(&b, pages, 0x100000, 256);
	/* Partial pages at both ends are left out. */
	CHECK_EQ(buddy_add_range(&b, 0x100800, 3 * 4096), 0);
	CHECK_EQ(buddy_free_pages(&b), 2);
	CHECK_EQ(buddy_add_range(&b, 0x101000, 4096), -EEXIST);
	CHECK_EQ(buddy_add_range(&b, 0xff000, 8192), -EINVAL);
	CHECK_EQ(buddy_add_range(&b, 0x100000 + 255 * 4096, 8192), -EINVAL);
	CHECK_EQ(buddy_add_range(&b, 0x100000, 100), 0);
	CHECK_EQ(buddy_free_pages(&b), 2);
	CHECK_EQ(buddy_check(&b), 0);
	free(pages);
}

TEST(split_and_merge)
{
	struct page *pages = test_pages(1024);
	struct buddy b;
	paddr_t pa;

	buddy_init(&b, pages, 0, 1024);
	CHECK_EQ(buddy_add_range(&b, 0, 4 * MIB), 0);
	pa = buddy_alloc(&b, 0);
	CHECK_EQ(pa, 0);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		CHECK_EQ(buddy_free_blocks(&b, k), 1);
	CHECK_EQ(buddy_free_blocks(&b, BUDDY_MAX_ORDER), 0);
	CHECK_EQ(buddy_check(&b), 0);
	CHECK_EQ(buddy_free(&b, pa, 0), 0);
	CHECK_EQ(buddy_free_blocks(&b, BUDDY_MAX_ORDER), 1);
	CHECK_EQ(buddy_free_pages(&b), 1024);
	CHECK_EQ(buddy_check(&b), 0);
	free(pages);
}

/* Blocks are aligned in physical frames even when the span is not. */
TEST(natural_alignment)
{
	size_t n = 5000;
	struct page *pages = test_pages(n);
	paddr_t base = 0x40000000 + 3 * 4096;
	struct buddy b;

	buddy_init(&b, pages, base, n);
	CHECK_EQ(buddy_add_range(&b, base, n * 4096), 0);
	CHECK_EQ(buddy_check(&b), 0);
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		paddr_t pa = buddy_alloc(&b, k);

		CHECK(pa != BUDDY_NONE);
		CHECK_EQ(pa & ((4096UL << k) - 1), 0);
		CHECK(pa >= base && pa + (4096UL << k) <= base + n * 4096);
	}
	CHECK(buddy_alloc(&b, BUDDY_MAX_ORDER + 1) == BUDDY_NONE);
	free(pages);
}

TEST(bad_frees_refused)
{
	struct page *pages = test_pages(2048);
	size_t before[BUDDY_NR_ORDERS], after[BUDDY_NR_ORDERS];
	struct buddy b;
	paddr_t a, c;

	buddy_init(&b, pages, 0, 2048);
	CHECK_EQ(buddy_add_range(&b, 4096, 8 * MIB - 4096), 0);
	a = buddy_alloc(&b, 2);
	c = buddy_alloc(&b, 0);
	CHECK(a != BUDDY_NONE && c != BUDDY_NONE);
	snapshot(&b, before);
	CHECK_EQ(buddy_free(&b, a, 1), -EINVAL);		/* wrong order */
	CHECK_EQ(buddy_free(&b, a, 3), -EINVAL);
	CHECK_EQ(buddy_free(&b, a + 4096, 0), -EINVAL);	/* tail page */
	CHECK_EQ(buddy_free(&b, a + 1, 2), -EINVAL);		/* misaligned */
	CHECK_EQ(buddy_free(&b, 0, 0), -EINVAL);		/* reserved */
	CHECK_EQ(buddy_free(&b, 2048 * 4096, 0), -EINVAL);	/* outside */
	CHECK_EQ(buddy_free(&b, 3 * MIB, 0), -EINVAL);		/* never given */
	CHECK_EQ(buddy_free(&b, a, BUDDY_MAX_ORDER + 1), -EINVAL);
	snapshot(&b, after);
	CHECK(same_snapshot(before, after));
	CHECK_EQ(buddy_free(&b, a, 2), 0);
	CHECK_EQ(buddy_free(&b, a, 2), -EINVAL);		/* double */
	CHECK_EQ(buddy_free(&b, c, 0), 0);
	CHECK_EQ(buddy_free(&b, c, 0), -EINVAL);
	CHECK_EQ(buddy_free_pages(&b), 2047);
	CHECK_EQ(buddy_check(&b), 0);
	free(pages);
}

TEST(oom_and_recover)
{
	size_t n = 1500;
	struct page *pages = test_pages(n);
	size_t before[BUDDY_NR_ORDERS], after[BUDDY_NR_ORDERS];
	paddr_t *got = calloc(n, sizeof(*got));
	struct buddy b;
	size_t i;

	buddy_init(&b, pages, 0, n);
	CHECK_EQ(buddy_add_range(&b, 4096, (n - 1) * 4096), 0);
	snapshot(&b, before);
	for (i = 0; i < n - 1; i++) {
		got[i] = buddy_alloc(&b, 0);
		CHECK(got[i] != BUDDY_NONE);
	}
	CHECK(buddy_alloc(&b, 0) == BUDDY_NONE);
	CHECK(buddy_alloc(&b, 3) == BUDDY_NONE);
	CHECK_EQ(buddy_free_pages(&b), 0);
	CHECK_EQ(buddy_free(&b, got[7], 0), 0);
	CHECK(buddy_alloc(&b, 1) == BUDDY_NONE);
	CHECK_EQ(buddy_alloc(&b, 0), got[7]);
	for (i = 0; i < n - 1; i++)
		CHECK_EQ(buddy_free(&b, got[n - 2 - i], 0), 0);
	snapshot(&b, after);
	CHECK(same_snapshot(before, after));
	CHECK_EQ(buddy_check(&b), 0);
	free(got);
	free(pages);
}

/* ---- randomized run against a reference model ---- */

enum { HOLE, FREE, USED };

struct model {
	struct buddy b;
	struct page *pages;
	uint8_t *state;		/* per frame */
	paddr_t *live;		/* heads of live blocks */
	uint8_t *live_order;
	size_t nlive, cap, npages, nfree;
	uint64_t rng;
};

static uint64_t rnd(struct model *m)
{
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545f4914f6cdd1dULL;
}

/* RAM with holes and odd edges, as a firmware map would give it. */
static const struct { size_t first, count; } model_ram[] = {
	{ 1, 158 }, { 256, 3000 }, { 3001 + 256, 1 }, { 4096, 6000 },
	{ 10240, 4096 }, { 16000, 383 },
};

static void model_init(struct model *m, uint64_t seed)
{
	m->npages = 16384;
	m->pages = test_pages(m->npages);
	m->state = calloc(m->npages, 1);
	m->cap = m->npages;
	m->live = calloc(m->cap, sizeof(*m->live));
	m->live_order = calloc(m->cap, 1);
	m->nlive = 0;
	m->nfree = 0;
	m->rng = seed;
	buddy_init(&m->b, m->pages, 0, m->npages);
	for (unsigned i = 0; i < ARRAY_SIZE(model_ram); i++) {
		buddy_add_range(&m->b, model_ram[i].first * 4096,
				model_ram[i].count * 4096);
		memset(m->state + model_ram[i].first, FREE, model_ram[i].count);
		m->nfree += model_ram[i].count;
	}
}

static void model_fini(struct model *m)
{
	free(m->pages);
	free(m->state);
	free(m->live);
	free(m->live_order);
}

/* Is some aligned run of @n frames all free? Full merging promises it. */
static bool model_has_run(const struct model *m, size_t n)
{
	for (size_t f = 0; f + n <= m->npages; f += n) {
		size_t i = 0;

		while (i < n && m->state[f + i] == FREE)
			i++;
		if (i == n)
			return true;
	}
	return false;
}

/* Allocate and check the block against the model. Returns false on error. */
static bool model_alloc(struct model *m)
{
	unsigned order = rnd(m) % 4 ? rnd(m) % 3 : rnd(m) % (BUDDY_NR_ORDERS + 1);
	paddr_t pa = buddy_alloc(&m->b, order);
	size_t first, n = BLOCK_PAGES(order);

	if (pa == BUDDY_NONE)
		return order > BUDDY_MAX_ORDER || !model_has_run(m, n);
	first = pa / 4096;
	if (order > BUDDY_MAX_ORDER || first % n || first + n > m->npages)
		return false;
	for (size_t i = first; i < first + n; i++) {
		if (m->state[i] != FREE)
			return false;
		m->state[i] = USED;
	}
	m->live[m->nlive] = pa;
	m->live_order[m->nlive++] = order;
	m->nfree -= n;
	return true;
}

static bool model_free(struct model *m)
{
	size_t i = rnd(m) % m->nlive;
	paddr_t pa = m->live[i];
	unsigned order = m->live_order[i];

	if (order > 0 && buddy_free(&m->b, pa, order - 1) != -EINVAL)
		return false;
	if (buddy_free(&m->b, pa, order) != 0)
		return false;
	memset(m->state + pa / 4096, FREE, BLOCK_PAGES(order));
	m->nfree += BLOCK_PAGES(order);
	m->live[i] = m->live[--m->nlive];
	m->live_order[i] = m->live_order[m->nlive];
	/* Freed once, so a second free must be refused. */
	return buddy_free(&m->b, pa, order) == -EINVAL;
}

/* A free of any frame that heads no live block must be refused. */
static bool model_stray_free(struct model *m)
{
	size_t f = rnd(m) % m->npages;
	unsigned order = rnd(m) % 3;

	for (size_t i = 0; i < m->nlive; i++)
		if (m->live[i] == f * 4096 && m->live_order[i] == order)
			return true;
	return buddy_free(&m->b, f * 4096, order) == -EINVAL;
}

static bool model_step(struct model *m)
{
	unsigned r = rnd(m) % 100;

	if (r < 5)
		return model_stray_free(m);
	if (m->nlive && (r < 50 || m->nlive == m->cap))
		return model_free(m);
	return model_alloc(m);
}

static void random_run(uint64_t seed, unsigned ops)
{
	size_t before[BUDDY_NR_ORDERS], after[BUDDY_NR_ORDERS];
	struct model m;

	model_init(&m, seed);
	CHECK_EQ(buddy_check(&m.b), 0);
	CHECK_EQ(buddy_free_pages(&m.b), m.nfree);
	snapshot(&m.b, before);
	for (unsigned i = 0; i < ops; i++) {
		CHECK(model_step(&m));
		CHECK_EQ(buddy_free_pages(&m.b), m.nfree);
		if (i % 4096 == 0)
			CHECK_EQ(buddy_check(&m.b), 0);
	}
	while (m.nlive)
		CHECK(model_free(&m));
	snapshot(&m.b, after);
	CHECK(same_snapshot(before, after));
	CHECK_EQ(buddy_check(&m.b), 0);
	model_fini(&m);
}

TEST(random_seed_1)
{
	random_run(1, 60000);
}

TEST(random_seed_2)
{
	random_run(0x9e3779b97f4a7c15ULL, 60000);
}

static const struct harness_test tests[] = {
	T(starts_reserved),
	T(add_range_merges_fully),
	T(add_range_rounds_and_refuses),
	T(split_and_merge),
	T(natural_alignment),
	T(bad_frees_refused),
	T(oom_and_recover),
	T(random_seed_1),
	T(random_seed_2),
};

HARNESS_MAIN("buddy", tests)
