/*
 * utests: user memory. brk, anonymous mmap/munmap/mprotect/mremap, NX, demand
 * paging, and requests for memory a process must never get.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "utests.h"
#include "ut_tests.h"

#define PG		4096UL
#define DEMAND_PAGES	8192	/* 32 MB touched one byte per page */

static long brk_to(unsigned long addr)
{
	return syscall(SYS_brk, addr);
}

static char *brk_probe;
static void brk_write(void) { brk_probe[0] = 1; }

/*
 * brk grows and shrinks; a regrown area reads as zeros; the page above
 * the break is gone; a break in the kernel or below the start is refused.
 */
int t_brk(void)
{
	unsigned long b0 = brk_to(0), mb = 1UL << 20;
	char *p = (char *)b0;

	EXPECT(b0 != 0);
	EXPECT((unsigned long)brk_to(b0 + mb) == b0 + mb);
	for (unsigned long off = 0; off < mb; off += PG)
		p[off] = (char)(off / PG + 1);
	EXPECT(p[mb - PG] == (char)(mb / PG));
	EXPECT((unsigned long)brk_to(b0 + PG) == b0 + PG);
	brk_probe = p + 4 * PG;
	EXPECT(ut_dies_with(brk_write, SIGSEGV));
	EXPECT((unsigned long)brk_to(b0 + mb) == b0 + mb);
	EXPECT(p[0] == 1 && p[4 * PG] == 0 && p[mb - PG] == 0);
	EXPECT((unsigned long)brk_to((unsigned long)UT_KERNEL_TEXT) == b0 + mb);
	EXPECT((unsigned long)brk_to(PG) == b0 + mb);
	EXPECT((unsigned long)brk_to(b0) == b0);
	return 0;
}

static void *map(void *addr, size_t len, int prot, int flags)
{
	return mmap(addr, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* Anonymous mappings are zeroed, private, distinct; bad arguments refused. */
int t_mmap(void)
{
	char *a = map(NULL, 16 * PG, PROT_READ | PROT_WRITE, 0);
	char *b = map(NULL, 16 * PG, PROT_READ | PROT_WRITE, 0);

	EXPECT(a != MAP_FAILED && b != MAP_FAILED && a != b);
	EXPECT((uintptr_t)a % PG == 0 && (uintptr_t)b % PG == 0);
	EXPECT(a + 16 * PG <= b || b + 16 * PG <= a);
	for (size_t i = 0; i < 16 * PG; i += 512)
		EXPECT(a[i] == 0 && b[i] == 0);
	memset(a, 0xaa, 16 * PG);
	EXPECT(b[0] == 0 && a[16 * PG - 1] == (char)0xaa);
	EXPECT(munmap(a, 16 * PG) == 0 && munmap(b, 16 * PG) == 0);
	EXPECT(map(NULL, 0, PROT_READ, 0) == MAP_FAILED && errno == EINVAL);
	EXPECT(map((void *)0x10000001, PG, PROT_READ, MAP_FIXED) ==
	       MAP_FAILED && errno == EINVAL);
	EXPECT(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
	       errno == EINVAL);
	EXPECT(munmap((void *)0x10000001, PG) == -1 && errno == EINVAL);
	return 0;
}

/* MAP_FIXED replaces part of a mapping with fresh zeroed pages. */
int t_mmap_fixed(void)
{
	char *want = (char *)0x200000000UL, *a, *b;

	a = map(want, 4 * PG, PROT_READ | PROT_WRITE, MAP_FIXED);
	EXPECT(a == want);
	memset(a, 'x', 4 * PG);
	b = map(a + PG, 2 * PG, PROT_READ | PROT_WRITE, MAP_FIXED);
	EXPECT(b == a + PG);
	EXPECT(a[0] == 'x' && b[0] == 0 && b[2 * PG - 1] == 0);
	EXPECT(a[3 * PG] == 'x');
	EXPECT(munmap(a + PG, PG) == 0);
	EXPECT(a[0] == 'x' && a[2 * PG] == 0 && a[3 * PG] == 'x');
	EXPECT(munmap(a, 4 * PG) == 0);
	return 0;
}

static char *gone;
static void gone_read(void) { (void)*(volatile char *)gone; }

/* Abuse: touch memory after munmap (the TLB must not remember it). */
int t_munmap_segv(void)
{
	gone = map(NULL, 4 * PG, PROT_READ | PROT_WRITE, 0);
	EXPECT(gone != MAP_FAILED);
	memset(gone, 1, 4 * PG);
	EXPECT(munmap(gone, 4 * PG) == 0);
	EXPECT(ut_dies_with(gone_read, SIGSEGV));
	gone += 3 * PG;
	EXPECT(ut_dies_with(gone_read, SIGSEGV));
	return 0;
}

static char *prot_page;
static void prot_write(void) { prot_page[5] = 1; }
static void prot_read(void) { (void)*(volatile char *)prot_page; }

/*
 * Abuse: write a read-only page, read a PROT_NONE page; the contents
 * survive both; mprotect of an unmapped range fails.
 */
int t_mprotect(void)
{
	prot_page = map(NULL, 2 * PG, PROT_READ | PROT_WRITE, 0);
	EXPECT(prot_page != MAP_FAILED);
	prot_page[0] = 42;
	EXPECT(mprotect(prot_page, PG, PROT_READ) == 0);
	EXPECT(prot_page[0] == 42);
	EXPECT(ut_dies_with(prot_write, SIGSEGV));
	EXPECT(mprotect(prot_page, PG, PROT_NONE) == 0);
	EXPECT(ut_dies_with(prot_read, SIGSEGV));
	EXPECT(mprotect(prot_page, PG, PROT_READ | PROT_WRITE) == 0);
	EXPECT(prot_page[0] == 42);
	prot_page[5] = 5;
	EXPECT(munmap(prot_page, 2 * PG) == 0);
	EXPECT(mprotect(prot_page, PG, PROT_READ) == -1 && errno == ENOMEM);
	return 0;
}

/* Whether p's page is mapped: a pipe write from it works, or EFAULT. */
static bool mapped(const void *p)
{
	int fd[2];
	ssize_t n;

	if (pipe(fd))
		return true;	/* the EXPECT after it then fails */
	n = syscall(SYS_write, fd[1], p, 1);
	close(fd[0]);
	close(fd[1]);
	return n == 1;
}

/* Each page of [p, p + pages) holds its index + seed. */
static void fill(char *p, unsigned pages, char seed)
{
	for (unsigned i = 0; i < pages; i++)
		memset(p + i * PG, (char)(i + seed), PG);
}

static bool holds(const char *p, unsigned pages, char seed)
{
	for (unsigned i = 0; i < pages; i++)
		if (p[i * PG] != (char)(i + seed) ||
		    p[i * PG + PG - 1] != (char)(i + seed))
			return false;
	return true;
}

static void *remap(void *old, size_t old_len, size_t new_len, int flags,
		   void *to)
{
	return (void *)syscall(SYS_mremap, old, old_len, new_len, flags, to);
}

/*
 * mremap shrinks in place, grows in place when the pages after are free,
 * else moves with MREMAP_MAYMOVE (contents kept, the old range gone, new
 * pages zero) or fails ENOMEM; MREMAP_FIXED moves to a chosen address;
 * musl's realloc of a large block keeps its bytes; bad calls get EINVAL
 * or EFAULT.
 */
static int mremap_moves(void)
{
	char *a = map(NULL, 8 * PG, PROT_READ | PROT_WRITE, 0), *b, *c, *d;
	unsigned char *big;

	EXPECT(a != MAP_FAILED);
	fill(a, 8, 1);
	/* Shrink: same address, the tail gone. */
	EXPECT(remap(a, 8 * PG, 4 * PG, 0, NULL) == a);
	EXPECT(holds(a, 4, 1) && !mapped(a + 4 * PG) && !mapped(a + 7 * PG));
	/* Grow in place into the freed pages: zero beyond the old end. */
	EXPECT(remap(a, 4 * PG, 6 * PG, 0, NULL) == a);
	EXPECT(holds(a, 4, 1) && a[4 * PG] == 0 && a[6 * PG - 1] == 0);
	/* Blocked: ENOMEM without MAYMOVE; with it, moved whole. */
	b = map(a + 6 * PG, PG, PROT_READ, MAP_FIXED);
	EXPECT(b == a + 6 * PG);
	EXPECT(remap(a, 6 * PG, 16 * PG, 0, NULL) == MAP_FAILED &&
	       errno == ENOMEM);
	a[5 * PG] = 9;
	c = remap(a, 6 * PG, 16 * PG, MREMAP_MAYMOVE, NULL);
	EXPECT(c != MAP_FAILED && c != a);
	EXPECT(holds(c, 4, 1) && c[5 * PG] == 9 && c[15 * PG] == 0);
	EXPECT(!mapped(a) && !mapped(a + 5 * PG) && mapped(b));
	c[15 * PG] = 3;
	/* FIXED: onto d, replacing it; a destination overlapping is EINVAL. */
	d = map(NULL, 8 * PG, PROT_READ, 0);
	EXPECT(d != MAP_FAILED);
	EXPECT(remap(c, 16 * PG, 16 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		     c + 8 * PG) == MAP_FAILED && errno == EINVAL);
	EXPECT(remap(c, 16 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		     d) == d);
	EXPECT(holds(d, 4, 1) && d[5 * PG] == 9 && d[6 * PG] == 0);
	d[7 * PG] = 1;			/* writable: c's protection came along */
	EXPECT(!mapped(c) && !mapped(c + 15 * PG));
	/* Refused: EINVAL for bad flags and sizes, EFAULT off a mapping. */
	EXPECT(remap(d + 1, PG, 2 * PG, MREMAP_MAYMOVE, NULL) == MAP_FAILED &&
	       errno == EINVAL);
	EXPECT(remap(d, PG, 0, MREMAP_MAYMOVE, NULL) == MAP_FAILED &&
	       errno == EINVAL);
	EXPECT(remap(d, PG, 2 * PG, MREMAP_FIXED, c) == MAP_FAILED &&
	       errno == EINVAL);
	EXPECT(remap(d, PG, 2 * PG, 0x100, NULL) == MAP_FAILED &&
	       errno == EINVAL);
	EXPECT(remap(c, PG, 2 * PG, MREMAP_MAYMOVE, NULL) == MAP_FAILED &&
	       errno == EFAULT);
	EXPECT(remap(UT_KERNEL_TEXT, PG, 2 * PG, MREMAP_MAYMOVE, NULL) ==
	       MAP_FAILED && errno == EFAULT);
	EXPECT(munmap(b, PG) == 0);
	EXPECT(munmap(d, 8 * PG) == 0);
	EXPECT(remap(d, PG, 2 * PG, MREMAP_MAYMOVE, NULL) == MAP_FAILED &&
	       errno == EFAULT);
	/* musl's realloc of an mmap'd block goes through mremap. */
	big = malloc(1 << 20);
	EXPECT(big != NULL);
	for (unsigned i = 0; i < 1 << 20; i++)
		big[i] = (unsigned char)(i * 7);
	big = realloc(big, 8 << 20);
	EXPECT(big != NULL);
	for (unsigned i = 0; i < 1 << 20; i++)
		EXPECT(big[i] == (unsigned char)(i * 7));
	big[(8 << 20) - 1] = 1;
	free(big);
	return 0;
}

static void mremap_child(void)
{
	exit(mremap_moves());
}

/*
 * mremap_moves() in a child, so that its page tables go with it: no page
 * was lost on the way (a moved PTE dropped, or one left behind and freed
 * twice), every frame is back once it is reaped.
 */
int t_mremap(void)
{
	long before = ut_settled_free_pages();
	int status = ut_child_status(mremap_child);

	EXPECT(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* On Linux (the native run) other processes move free memory. */
	EXPECT(!ut_on_loupe || ut_settled_free_pages() == before);
	return 0;
}

/* mov $42, %eax; ret */
static const unsigned char ret42[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };
static void *code;
static void call_code(void) { ((int (*)(void))code)(); }

static void call_stack_code(void)
{
	unsigned char buf[16];

	memcpy(buf, ret42, sizeof(ret42));
	code = buf;
	call_code();
}

/* Abuse: execute data (an RW mapping, the stack); then legitimately RX. */
int t_nx(void)
{
	code = map(NULL, PG, PROT_READ | PROT_WRITE, 0);
	EXPECT(code != MAP_FAILED);
	memcpy(code, ret42, sizeof(ret42));
	EXPECT(ut_dies_with(call_code, SIGSEGV));
	EXPECT(ut_dies_with(call_stack_code, SIGSEGV));
	EXPECT(mprotect(code, PG, PROT_READ | PROT_EXEC) == 0);
	EXPECT(((int (*)(void))code)() == 42);
	return 0;
}

/* 32 MB touched page by page: demand-paged, then all given back. */
int t_demand_paging(void)
{
	long before = ut_free_pages(), during;
	unsigned *p = map(NULL, DEMAND_PAGES * PG, PROT_READ | PROT_WRITE, 0);

	EXPECT(p != MAP_FAILED);
	for (unsigned i = 0; i < DEMAND_PAGES; i++)
		p[i * (PG / sizeof(*p))] = i;
	for (unsigned i = 0; i < DEMAND_PAGES; i++)
		EXPECT(p[i * (PG / sizeof(*p))] == i);
	during = ut_free_pages();
	EXPECT(munmap(p, DEMAND_PAGES * PG) == 0);
	if (ut_on_loupe) {
		EXPECT(before - during >= DEMAND_PAGES);
		EXPECT(before - ut_free_pages() < 64);	/* page tables */
	}
	return 0;
}

/*
 * Abuse: ask mmap/munmap/mprotect/brk for kernel, non-canonical and
 * absurd ranges; every one is refused and the kernel stays unmapped.
 */
int t_mm_abuse(void)
{
	void *kernel[] = { UT_KERNEL_DIRECT, UT_KERNEL_TEXT, UT_NONCANON,
			   (void *)0x7ffffffff000UL };

	for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++) {
		EXPECT(map(kernel[i], PG, PROT_READ | PROT_WRITE, MAP_FIXED) ==
		       MAP_FAILED);
		EXPECT(munmap(kernel[i], PG) == -1 && errno == EINVAL);
		EXPECT(mprotect(kernel[i], PG, PROT_READ) == -1);
	}
	EXPECT(map(NULL, 1UL << 47, PROT_READ, 0) == MAP_FAILED &&
	       errno == ENOMEM);
	EXPECT(map(NULL, -PG, PROT_READ, 0) == MAP_FAILED && errno == ENOMEM);
	EXPECT(munmap((void *)PG, -2 * PG) == -1 && errno == EINVAL);
	/* Page 0 stays unmapped (Linux allows it to root, mmap_min_addr 0). */
	if (ut_on_loupe)
		EXPECT(map(NULL, PG, PROT_READ, MAP_FIXED) == MAP_FAILED);
	return 0;
}
