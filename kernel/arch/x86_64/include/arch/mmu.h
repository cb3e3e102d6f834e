/*
 * x86_64 virtual memory layout and page-table bits.
 *
 *   0x0000000000000000 - 0x00007fffffffffff  user space (later)
 *   0xffff800000000000 - ...                 direct map of all physical memory
 *   0xfffffe0000000000 - 0xfffffe7fffffffff  kernel stacks, each under a guard page
 *   0xffffffff80000000 - ...                 kernel image (linked at +1 MiB)
 */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#define DIRECT_MAP_BASE	0xffff800000000000
#define KSTACK_AREA	0xfffffe0000000000
#define KERNEL_BASE	0xffffffff80000000

#define PTE_P		(1UL << 0)
#define PTE_W		(1UL << 1)
#define PTE_U		(1UL << 2)
#define PTE_PWT		(1UL << 3)
#define PTE_PCD		(1UL << 4)
#define PTE_A		(1UL << 5)
#define PTE_D		(1UL << 6)
#define PTE_PS		(1UL << 7)
#define PTE_G		(1UL << 8)
#define PTE_NX		(1UL << 63)
#define PTE_ADDR	0x000ffffffffff000UL

#ifndef __ASSEMBLY__
#include "types.h"

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}

static inline paddr_t virt_to_phys(const void *va)
{
	vaddr_t v = (vaddr_t)va;

	if (v >= KERNEL_BASE)
		return v - KERNEL_BASE;
	return v - DIRECT_MAP_BASE;
}

typedef uint64_t pte_t;

void mmu_init(void);
void mmu_init_cpu(void);
int mmu_map(vaddr_t va, paddr_t pa, uint64_t flags);
void mmu_unmap(vaddr_t va, size_t npages);
pte_t *mmu_walk(pte_t *pml4, vaddr_t va, bool create);
void mmu_map_mmio(paddr_t pa, size_t len);
paddr_t mmu_kernel_pml4(void);
void mmu_tlb_shootdown(vaddr_t va, size_t npages);
void mmu_tlb_ipi(void);
int mmu_selftest_shootdown(void);
#endif

#endif
