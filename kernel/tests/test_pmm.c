/*
 * Host test of the kernel glue pmm.c and kmalloc.c, built against a stub
 * <arch/mmu.h> (kernel/tests/stub) whose direct map is a 64 MiB arena,
 * and trivial spinlocks. Runs pmm_init on a PC-like memory map, then the
 * boot self-tests themselves, so they are known to pass before a boot.
 */
#include <stdarg.h>
#include <sys/mman.h>
#include "tests/harness.h"
#include "pmm.h"
#include "kmalloc.h"
#include "buddy.h"
#include "spinlock.h"
#include "printk.h"
#include <arch/mmu.h>

#define MIB	(1UL << 20)

char *test_ram;

unsigned long spin_lock_irqsave(struct spinlock *l)
{
	if (l->locked)
		abort();	/* recursion: a lock order bug */
	l->locked = 1;
	return 0;
}

void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	if (!l->locked)
		abort();
	l->locked = 0;
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

/* 0-636K and 1M-64M usable; low 1M and a "kernel image" reserved. */
static const struct mem_range ram[] = {
	{ 0, 0x9f000 }, { MIB, 63 * MIB },
};
static const struct mem_range reserved[] = {
	{ 0, MIB }, { MIB, 2 * MIB + 123 }, { 20 * MIB + 5, 3 * 4096 },
};

static bool reserved_addr(paddr_t pa)
{
	for (unsigned i = 0; i < ARRAY_SIZE(reserved); i++)
		if (pa + PAGE_SIZE > reserved[i].base &&
		    pa < reserved[i].base + reserved[i].len)
			return true;
	return false;
}

TEST(init_counts)
{
	/* RAM minus reservations (partial pages excluded), minus the array. */
	size_t usable = (63 * MIB) / PAGE_SIZE - 513 /* image */ - 4 /* odd */;
	size_t array = ALIGN_UP((64 * MIB / PAGE_SIZE) * sizeof(struct page),
				PAGE_SIZE) / PAGE_SIZE;

	CHECK_EQ(pmm_total_count(), usable - array);
	CHECK_EQ(pmm_free_count(), usable - array);
}

TEST(never_reserved)
{
	paddr_t got[2000];
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(got); i++) {
		got[i] = pmm_alloc(i % 3);
		CHECK(got[i] && !reserved_addr(got[i]));
		CHECK(got[i] + (PAGE_SIZE << (i % 3)) <= 64 * MIB);
	}
	for (i = 0; i < ARRAY_SIZE(got); i++)
		pmm_free(got[i], i % 3);
}

TEST(pmm_selftest)
{
	CHECK_EQ(pmm_selftest(), 0);
}

TEST(kmalloc_selftest)
{
	size_t nfree = pmm_free_count();

	CHECK_EQ(kmalloc_selftest(), 0);
	CHECK_EQ(pmm_free_count(), nfree);
}

TEST(init_refuses)
{
	/* pmm_init is once-only; its refusals happen before any state. */
	CHECK_EQ(pmm_init(ram, 0, NULL, 0), -EINVAL);
}

static const struct harness_test tests[] = {
	T(init_counts),
	T(never_reserved),
	T(pmm_selftest),
	T(kmalloc_selftest),
	T(init_refuses),
};

int main(void)
{
	test_ram = mmap(NULL, TEST_RAM_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (test_ram == MAP_FAILED || pmm_init(ram, ARRAY_SIZE(ram), reserved,
					       ARRAY_SIZE(reserved)))
		return 2;
	return harness_main("pmm", tests, ARRAY_SIZE(tests));
}
