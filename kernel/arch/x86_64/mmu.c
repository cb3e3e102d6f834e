/*
 * Kernel page tables. mmu_init() replaces the boot tables with: a direct
 * map of all RAM (2 MiB pages, NX; the frames of kernel text and rodata are
 * mapped read-only there too), the kernel image in 4 KiB pages (text RX,
 * rodata R+NX, data and bss RW+NX, the boot stack's guard page absent), and
 * MMIO pages uncached. All 256 kernel-half PML4 slots get a table up front,
 * so address spaces created later can share the kernel half by copying
 * them, and no kernel mapping ever needs to be propagated.
 *
 * pt_lock protects changes to kernel page tables. Lock order: after the
 * scheduler locks, before console_lock.
 */
#include "cpu.h"
#include "pmm.h"
#include "printk.h"
#include "string.h"
#include "bootinfo.h"
#include "smp.h"
#include <arch/cpu.h>
#include <arch/mmu.h>

#define PG_2M		(2UL << 20)
#define KFLAGS		(PTE_P | PTE_G)

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];
extern char boot_stack_guard[];

static pte_t *kernel_pml4;
static paddr_t kernel_pml4_pa;
static struct spinlock pt_lock = SPINLOCK_INIT("pagetable");

static pte_t *mmu_alloc_table(void)
{
	paddr_t pa = pmm_alloc(0);

	if (!pa)
		return NULL;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return phys_to_virt(pa);
}

static unsigned mmu_index(vaddr_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

/*
 * The entry for va at level (0 = PTE, 1 = PD, 2 = PDPT), allocating the
 * tables above it if create. Returns NULL if a table is missing (or cannot
 * be allocated) or a large page covers va above that level.
 */
static pte_t *mmu_walk_level(pte_t *pml4, vaddr_t va, int stop, bool create)
{
	pte_t *table = pml4;

	for (int level = 3; level > stop; level--) {
		pte_t *e = &table[mmu_index(va, level)];

		if (*e & PTE_PS)
			return NULL;
		if (!(*e & PTE_P)) {
			pte_t *t;

			if (!create || !(t = mmu_alloc_table()))
				return NULL;
			*e = virt_to_phys(t) | PTE_P | PTE_W |
			     (va < DIRECT_MAP_BASE ? PTE_U : 0);
		}
		table = phys_to_virt(*e & PTE_ADDR);
	}
	return &table[mmu_index(va, stop)];
}

/* The level-0 PTE for va (see mmu_walk_level). */
pte_t *mmu_walk(pte_t *pml4, vaddr_t va, bool create)
{
	return mmu_walk_level(pml4, va, 0, create);
}

static int mmu_map_locked(vaddr_t va, paddr_t pa, uint64_t flags)
{
	pte_t *pte = mmu_walk(kernel_pml4, va, true);

	if (!pte)
		return -ENOMEM;
	*pte = (pa & PTE_ADDR) | flags | PTE_P;
	return 0;
}

/* Map one kernel page. Returns 0 or -ENOMEM. Context: any but hot paths. */
int mmu_map(vaddr_t va, paddr_t pa, uint64_t flags)
{
	unsigned long f = spin_lock_irqsave(&pt_lock);
	int err = mmu_map_locked(va, pa, flags);

	spin_unlock_irqrestore(&pt_lock, f);
	invlpg(va);
	return err;
}

/*
 * Unmap kernel pages and shoot the translations down on every CPU.
 * Context: thread, interrupts enabled (the shootdown waits for the others).
 */
void mmu_unmap(vaddr_t va, size_t npages)
{
	unsigned long f = spin_lock_irqsave(&pt_lock);

	for (size_t i = 0; i < npages; i++) {
		pte_t *pte = mmu_walk(kernel_pml4, va + i * PAGE_SIZE, false);

		if (pte)
			*pte = 0;
	}
	spin_unlock_irqrestore(&pt_lock, f);
	mmu_tlb_shootdown(va, npages);
}

/* Map device registers uncached at their direct-map address. */
void mmu_map_mmio(paddr_t pa, size_t len)
{
	for (paddr_t p = pa & PAGE_MASK; p < pa + len; p += PAGE_SIZE) {
		if (mmu_map((vaddr_t)phys_to_virt(p), p,
			    PTE_W | PTE_PCD | PTE_PWT | PTE_NX | PTE_G))
			panic("mmu: no memory to map MMIO %lx", p);
	}
}

static uint64_t mmu_image_flags(paddr_t pa)
{
	paddr_t text_end = virt_to_phys(__text_end);
	paddr_t ro_end = virt_to_phys(__rodata_end);

	if (pa < text_end)
		return KFLAGS;
	if (pa < ro_end)
		return KFLAGS | PTE_NX;
	return KFLAGS | PTE_W | PTE_NX;
}

static void mmu_map_image(void)
{
	paddr_t start = virt_to_phys(__kernel_start);
	paddr_t end = ALIGN_UP(virt_to_phys(__kernel_end), PAGE_SIZE);
	paddr_t guard = virt_to_phys(boot_stack_guard);

	for (paddr_t pa = start; pa < end; pa += PAGE_SIZE) {
		if (pa == guard)
			continue;
		if (mmu_map_locked(KERNEL_BASE + pa, pa, mmu_image_flags(pa)))
			panic("mmu: out of memory mapping the kernel");
	}
}

static void mmu_map_direct_chunk(paddr_t pa, paddr_t kend)
{
	vaddr_t va = (vaddr_t)phys_to_virt(pa);
	pte_t *pd;

	if (pa < kend) {
		for (paddr_t p = pa; p < pa + PG_2M; p += PAGE_SIZE) {
			uint64_t f = mmu_image_flags(p) | PTE_NX;

			if (p < virt_to_phys(__kernel_start))
				f = KFLAGS | PTE_W | PTE_NX;
			if (mmu_map_locked((vaddr_t)phys_to_virt(p), p, f))
				panic("mmu: out of memory (direct map)");
		}
		return;
	}
	pd = mmu_walk_level(kernel_pml4, va, 1, true);
	if (!pd)
		panic("mmu: out of memory (direct map)");
	*pd = pa | KFLAGS | PTE_W | PTE_NX | PTE_PS;
}

/*
 * The direct map: every 2 MiB chunk that holds RAM or ACPI tables, in
 * 2 MiB pages, except 4 KiB pages where the kernel image is (its text and
 * rodata frames stay read-only through this alias too). Device holes stay
 * unmapped so MMIO can be mapped uncached in 4 KiB pages.
 */
static void mmu_map_direct(void)
{
	paddr_t kend = ALIGN_UP(virt_to_phys(__kernel_end), PG_2M);

	for (int i = 0; i < boot_info.nmapped; i++) {
		const struct mem_range *r = &boot_info.mapped[i];
		paddr_t pa = ALIGN_DOWN(r->base, PG_2M);

		for (; pa < r->base + r->len; pa += PG_2M) {
			pte_t *pd = mmu_walk_level(kernel_pml4,
				(vaddr_t)phys_to_virt(pa), 1, false);

			if (pd && (*pd & PTE_P))
				continue;	/* already mapped by an earlier range */
			mmu_map_direct_chunk(pa, kend);
		}
	}
}

/* Build the kernel's page tables and switch to them. Context: boot CPU. */
void mmu_init(void)
{
	kernel_pml4 = mmu_alloc_table();
	if (!kernel_pml4)
		panic("mmu: no memory for the PML4");
	kernel_pml4_pa = virt_to_phys(kernel_pml4);
	for (int i = 256; i < 512; i++) {
		pte_t *t = mmu_alloc_table();

		if (!t)
			panic("mmu: no memory for kernel page tables");
		kernel_pml4[i] = virt_to_phys(t) | PTE_P | PTE_W;
	}
	mmu_map_direct();
	mmu_map_image();
	mmu_init_cpu();
}

/* Switch this CPU to the kernel page tables. */
void mmu_init_cpu(void)
{
	write_cr4(read_cr4() | CR4_PGE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3(kernel_pml4_pa);
}

paddr_t mmu_kernel_pml4(void)
{
	return kernel_pml4_pa;
}

/* Is va mapped in the kernel page tables? (Self-tests and the debugger.) */
bool mmu_is_mapped(vaddr_t va)
{
	pte_t *table = kernel_pml4;

	for (int level = 3; level >= 0; level--) {
		pte_t e = table[mmu_index(va, level)];

		if (!(e & PTE_P))
			return false;
		if (level == 0 || (e & PTE_PS))
			return true;
		table = phys_to_virt(e & PTE_ADDR);
	}
	return false;
}

/*
 * TLB shootdown: invalidate va..va+npages on every other CPU and wait.
 * Context: thread, interrupts enabled.
 */
static struct {
	vaddr_t va;
	size_t npages;
} shootdown;
static uint32_t shootdown_busy;

static void mmu_flush_ipi(void *unused)
{
	for (size_t i = 0; i < shootdown.npages; i++)
		invlpg(shootdown.va + i * PAGE_SIZE);
}

void mmu_tlb_shootdown(vaddr_t va, size_t npages)
{
	for (size_t i = 0; i < npages; i++)
		invlpg(va + i * PAGE_SIZE);
	if (smp_online_count() < 2)
		return;
	while (__atomic_exchange_n(&shootdown_busy, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
	shootdown.va = va;
	shootdown.npages = npages;
	if (smp_call(SMP_CALL_ALL, mmu_flush_ipi, NULL))
		panic("TLB shootdown timed out");
	/* Release: pairs with the acquire exchange of the next shootdown. */
	__atomic_store_n(&shootdown_busy, 0, __ATOMIC_RELEASE);
}

#define MMU_TEST_VA 0xfffffe8000000000UL
static uint64_t seen[MAX_CPUS];

static void mmu_read_test(void *unused)
{
	seen[cpu_id()] = *(volatile uint64_t *)MMU_TEST_VA;
}

static int mmu_check_seen(uint64_t want)
{
	if (smp_call(SMP_CALL_ALL, mmu_read_test, NULL))
		return -ETIMEDOUT;
	mmu_read_test(NULL);
	for (unsigned i = 0; i < ncpus; i++) {
		if (seen[i] != want)
			return -EINVAL;
	}
	return 0;
}

/*
 * Every CPU caches a translation, the page is remapped elsewhere, and every
 * CPU must then see the new page: a missed shootdown shows the old value.
 */
int mmu_selftest_shootdown(void)
{
	paddr_t a = pmm_alloc(0), b = pmm_alloc(0);
	int err = -ENOMEM;

	if (!a || !b)
		goto out;
	*(uint64_t *)phys_to_virt(a) = 0xaaaa;
	*(uint64_t *)phys_to_virt(b) = 0xbbbb;
	err = mmu_map(MMU_TEST_VA, a, PTE_W | PTE_NX);
	if (!err)
		err = mmu_check_seen(0xaaaa);
	if (!err) {
		mmu_unmap(MMU_TEST_VA, 1);
		err = mmu_map(MMU_TEST_VA, b, PTE_W | PTE_NX);
	}
	if (!err)
		err = mmu_check_seen(0xbbbb);
	mmu_unmap(MMU_TEST_VA, 1);
out:
	if (a)
		pmm_free(a, 0);
	if (b)
		pmm_free(b, 0);
	return err;
}
