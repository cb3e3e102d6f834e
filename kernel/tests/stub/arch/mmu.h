/*
 * Host stand-in for <arch/mmu.h>, for test_pmm only: "physical memory"
 * is the test's arena test_ram, so the direct map is test_ram + pa.
 */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include "types.h"

#define TEST_RAM_SIZE	(64UL << 20)

extern char *test_ram;

#define DIRECT_MAP_BASE	((vaddr_t)test_ram)
#define KSTACK_AREA	((vaddr_t)test_ram + TEST_RAM_SIZE)

static inline void *phys_to_virt(paddr_t pa)
{
	return test_ram + pa;
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (const char *)va - test_ram;
}

#endif
