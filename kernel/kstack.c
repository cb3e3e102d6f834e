/*
 * Kernel stacks: KSTACK_PAGES pages each, in their own slot of the stack
 * area with an unmapped guard page underneath, so an overflow faults
 * (and, through the double-fault IST stack, gets reported) instead of
 * silently corrupting a neighbour.
 *
 * kstack_lock protects the slot bitmap. Order: before the page-table lock.
 */
#include "kstack.h"
#include "pmm.h"
#include "printk.h"
#include "spinlock.h"
#include <arch/mmu.h>

#define KSTACK_PAGES	4
#define KSTACK_ORDER	2		/* 4 pages, one buddy block */
#define SLOT_SIZE	(8 * PAGE_SIZE)	/* guard + stack + unmapped rest */
#define NSLOTS		4096

static uint64_t slot_used[NSLOTS / 64];
static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");
extern char boot_stack_guard[];

static int kstack_take_slot(void)
{
	unsigned long f = spin_lock_irqsave(&kstack_lock);
	int slot = -1;

	for (int i = 0; i < NSLOTS; i++) {
		if (!(slot_used[i / 64] & (1UL << (i % 64)))) {
			slot_used[i / 64] |= 1UL << (i % 64);
			slot = i;
			break;
		}
	}
	spin_unlock_irqrestore(&kstack_lock, f);
	return slot;
}

static void kstack_put_slot(int slot)
{
	unsigned long f = spin_lock_irqsave(&kstack_lock);

	slot_used[slot / 64] &= ~(1UL << (slot % 64));
	spin_unlock_irqrestore(&kstack_lock, f);
}

/* A new stack; returns its top (16-byte aligned), or 0 when out of memory. */
uint64_t kstack_alloc(void)
{
	int slot = kstack_take_slot();
	paddr_t pa;
	vaddr_t base;

	if (slot < 0)
		return 0;
	pa = pmm_alloc(KSTACK_ORDER);
	if (!pa) {
		kstack_put_slot(slot);
		return 0;
	}
	base = KSTACK_AREA + (vaddr_t)slot * SLOT_SIZE + PAGE_SIZE;
	for (int i = 0; i < KSTACK_PAGES; i++) {
		if (mmu_map(base + i * PAGE_SIZE, pa + i * PAGE_SIZE,
			    PTE_W | PTE_NX | PTE_G)) {
			mmu_unmap(base, i);
			pmm_free(pa, KSTACK_ORDER);
			kstack_put_slot(slot);
			return 0;
		}
	}
	return base + KSTACK_PAGES * PAGE_SIZE;
}

/* Free a stack. Context: thread, interrupts enabled (TLB shootdown). */
void kstack_free(uint64_t top)
{
	vaddr_t base = top - KSTACK_PAGES * PAGE_SIZE;
	pte_t *pte = mmu_walk((pte_t *)phys_to_virt(mmu_kernel_pml4()), base,
			      false);
	paddr_t pa = pte ? *pte & PTE_ADDR : 0;

	mmu_unmap(base, KSTACK_PAGES);
	if (pa)
		pmm_free(pa, KSTACK_ORDER);
	kstack_put_slot((base - PAGE_SIZE - KSTACK_AREA) / SLOT_SIZE);
}

/* Is addr in a stack's guard page (so a fault there is an overflow)? */
bool kstack_is_guard(uint64_t addr)
{
	if (addr >= (uint64_t)boot_stack_guard &&
	    addr < (uint64_t)boot_stack_guard + PAGE_SIZE)
		return true;
	if (addr < KSTACK_AREA || addr >= KSTACK_AREA + (uint64_t)NSLOTS * SLOT_SIZE)
		return false;
	return (addr - KSTACK_AREA) % SLOT_SIZE < PAGE_SIZE;
}

/* Self-test: a new stack is mapped, its guard page is not. */
int kstack_selftest(void)
{
	uint64_t top = kstack_alloc();
	int err = 0;

	if (!top)
		return -ENOMEM;
	if (!mmu_is_mapped(top - 8) ||
	    !mmu_is_mapped(top - KSTACK_PAGES * PAGE_SIZE) ||
	    mmu_is_mapped(top - KSTACK_PAGES * PAGE_SIZE - 8) ||
	    !kstack_is_guard(top - KSTACK_PAGES * PAGE_SIZE - 8) ||
	    mmu_is_mapped((vaddr_t)boot_stack_guard))
		err = -EINVAL;
	kstack_free(top);
	if (!err && mmu_is_mapped(top - 8))
		err = -EINVAL;
	return err;
}
