/*
 * User address spaces. A struct vm is a page-table root whose kernel half
 * is shared with every other (copied PML4 slots 256-511, all pre-allocated
 * by mmu_init) plus a sorted list of regions: what may be mapped where,
 * with which protection. Pages are allocated on first touch (vm_fault), so
 * brk, mmap and the stack cost nothing until used.
 *
 * vm->lock protects the region list and the user half of the page tables.
 * Lock order: vm->lock -> pmm_lock. Taken with interrupts off (the page
 * fault handler takes it), so never held across anything that sleeps.
 *
 * The threads of a process share its vm, on several CPUs at once. Changes
 * to the map (mmap, munmap, mprotect, brk) are serialized by vm->map_busy,
 * a lock held with interrupts on (waiters yield), because they end in a
 * TLB shootdown: every CPU that has the page tables loaded flushes, and
 * the initiator waits for it (vm_shootdown). Frames a change removes are
 * freed only after the shootdown, so no stale TLB entry reaches a frame
 * that was reused. Order: map_busy -> vm->lock.
 */
#include "vm.h"
#include "kmalloc.h"
#include "pmm.h"
#include "printk.h"
#include "procinfo.h"
#include "shm.h"
#include "vdso.h"
#include <loupe/procinfo.h>
#include "sched.h"
#include "smp.h"
#include "string.h"
#include "cpu.h"
#include <arch/cpu.h>
#include <arch/mmu.h>

#define PML4_USER_SLOTS 256
#define PTE_SHM		(1UL << 9)	/* software bit: a shm frame, not ours to free */
#define ZAP_BATCH	64		/* frames unmapped per shootdown */

/* Serialize changes to vm's map (see above). Context: thread, may yield. */
static void vm_map_lock(struct vm *vm)
{
	/* Acquire: pairs with the release in vm_map_unlock(). */
	while (__atomic_exchange_n(&vm->map_busy, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void vm_map_unlock(struct vm *vm)
{
	__atomic_store_n(&vm->map_busy, 0, __ATOMIC_RELEASE);
}

/* IPI: drop this CPU's TLB entries for vm if it has vm loaded. */
static void vm_flush_ipi(void *arg)
{
	struct vm *vm = arg;

	if ((read_cr3() & PTE_ADDR) == vm->pml4)
		write_cr3(read_cr3());
}

/*
 * After PTEs of vm were changed (and invalidated with invlpg on CPU
 * here): make every other CPU that has vm loaded flush, and wait. A CPU
 * that loads vm later reads the new PTEs: it stores cpu->user_cr3 before
 * its (serializing) CR3 write, and the fence here orders the PTE stores
 * before the loads of user_cr3. Context: thread, interrupts on (smp_call).
 */
static void vm_shootdown(struct vm *vm, unsigned here)
{
	/* Full: pairs with the user_cr3 store in user_switch(),
	 * user_switch_fast() and user_attach(), each before a CR3 load. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < ncpus; i++) {
		unsigned long f;
		bool local;

		if (READ_ONCE(cpus[i].user_cr3) != vm->pml4)
			continue;
		f = irq_save();
		local = cpu_id() == i;
		if (local && i != here)
			vm_flush_ipi(vm);	/* migrated here since the invlpg */
		irq_restore(f);
		if (!local && smp_call(i, vm_flush_ipi, vm))
			panic("TLB shootdown: CPU %u does not answer", i);
	}
}
/* Drop a region and the shm reference it holds, if any. */
static void vm_region_free(struct vm_region *r)
{
	if (r->shm)
		shm_put(r->shm);
	kfree(r);
}

static struct vm_region *vm_find(struct vm *vm, vaddr_t addr)
{
	struct list_head *p;

	list_for_each(p, &vm->regions) {
		struct vm_region *r = list_entry(p, struct vm_region, link);

		if (addr < r->start)
			return NULL;
		if (addr < r->end)
			return r;
	}
	return NULL;
}

static bool vm_range_ok(vaddr_t start, size_t len)
{
	return !(start & ~PAGE_MASK) && len && !(len & ~PAGE_MASK) &&
	       start >= VM_USER_MIN && start + len > start &&
	       start + len <= VM_USER_TOP;
}

/* A new address space: empty user half, the kernel's upper half. */
struct vm *vm_create(void)
{
	struct vm *vm = kzalloc(sizeof(*vm));
	pte_t *pml4, *kpml4 = phys_to_virt(mmu_kernel_pml4());

	if (!vm)
		return NULL;
	vm->pml4 = pmm_alloc(0);
	if (!vm->pml4) {
		kfree(vm);
		return NULL;
	}
	pml4 = phys_to_virt(vm->pml4);
	memset(pml4, 0, PAGE_SIZE / 2);
	memcpy(pml4 + PML4_USER_SLOTS, kpml4 + PML4_USER_SLOTS, PAGE_SIZE / 2);
	spin_init(&vm->lock, "vm");
	list_init(&vm->regions);
	vm->mmap_base = VM_MMAP_BASE;
	return vm;
}

/* Free every user page and page table below table at this level. */
static void vm_free_tables(paddr_t table, int level)
{
	pte_t *t = phys_to_virt(table);
	int n = level == 3 ? PML4_USER_SLOTS : 512;

	for (int i = 0; i < n; i++) {
		if (!(t[i] & PTE_P))
			continue;
		if (level == 0 && !(t[i] & PTE_SHM))
			pmm_free(t[i] & PTE_ADDR, 0);
		else if (level > 0)
			vm_free_tables(t[i] & PTE_ADDR, level - 1);
	}
	pmm_free(table, 0);
}

/* Free an address space. Context: no CPU may still run on it. */
void vm_destroy(struct vm *vm)
{
	struct list_head *p, *n;

	list_for_each_safe(p, n, &vm->regions) {
		list_del(p);
		vm_region_free(list_entry(p, struct vm_region, link));
	}
	vm_free_tables(vm->pml4, 3);
	kfree(vm->exe);
	kfree(vm);
}

void vm_activate(struct vm *vm)
{
	write_cr3(vm ? vm->pml4 : mmu_kernel_pml4());
}

/*
 * Call @fn on each present PTE of [start, end) below @table (a table of
 * @level, 3 = PML4, covering addresses from @base), skipping absent
 * tables whole: a range may span terabytes of which a few pages exist.
 * @fn returns false to stop there; so does vm_walk(). vm->lock held.
 */
static bool vm_walk(pte_t *table, int level, vaddr_t base, vaddr_t start,
		    vaddr_t end, bool (*fn)(pte_t *, vaddr_t, void *),
		    void *arg)
{
	unsigned shift = PAGE_SHIFT + 9 * level;

	for (unsigned i = (start - base) >> shift; i < 512; i++) {
		vaddr_t va = base + ((vaddr_t)i << shift);

		if (va >= end)
			break;
		if (!(table[i] & PTE_P))
			continue;
		if (level == 0 ? !fn(&table[i], va, arg) :
		    !vm_walk(phys_to_virt(table[i] & PTE_ADDR), level - 1,
			     va, MAX(start, va), end, fn, arg))
			return false;
	}
	return true;
}

/* The present PTEs of [start, end) in @vm, as vm_walk(). vm->lock held. */
static bool vm_walk_range(struct vm *vm, vaddr_t start, vaddr_t end,
			  bool (*fn)(pte_t *, vaddr_t, void *), void *arg)
{
	return vm_walk(phys_to_virt(vm->pml4), 3, 0, start, end, fn, arg);
}

/* A batch of unmapped frames, to free once no TLB can still hold them. */
struct vm_zap_batch {
	paddr_t frames[ZAP_BATCH];
	unsigned n;
	vaddr_t stop;			/* where a full batch stopped */
};

static bool vm_zap_pte(pte_t *pte, vaddr_t va, void *arg)
{
	struct vm_zap_batch *b = arg;

	if (b->n == ZAP_BATCH) {
		b->stop = va;
		return false;
	}
	if (!(*pte & PTE_SHM))
		b->frames[b->n++] = *pte & PTE_ADDR;
	*pte = 0;
	invlpg(va);
	return true;
}

/*
 * Unmap [start, end) from the page tables, shoot the TLBs down and free
 * the pages, a batch at a time. The range is out of the region list
 * already (a fault there is SIGSEGV, not a new page). map_busy held.
 */
static void vm_zap(struct vm *vm, vaddr_t start, vaddr_t end)
{
	struct vm_zap_batch b;

	while (start < end) {
		unsigned long f = spin_lock_irqsave(&vm->lock);
		unsigned here = cpu_id();

		b.n = 0;
		b.stop = end;
		vm_walk_range(vm, start, end, vm_zap_pte, &b);
		spin_unlock_irqrestore(&vm->lock, f);
		vm_shootdown(vm, here);
		while (b.n)
			pmm_free(b.frames[--b.n], 0);
		start = b.stop;
	}
}

/* Split the region containing addr so that a region starts at addr. */
static int vm_split_at(struct vm *vm, vaddr_t addr)
{
	struct vm_region *r = vm_find(vm, addr), *tail;

	if (!r || r->start == addr)
		return 0;
	tail = kmalloc(sizeof(*tail));
	if (!tail)
		return -ENOMEM;
	*tail = *r;
	tail->start = addr;
	if (tail->shm) {
		tail->shm_pa += addr - r->start;
		shm_get(tail->shm);
	}
	r->end = addr;
	list_add(&tail->link, &r->link);
	return 0;
}

/* Cut [start, end) out of the region list (splitting at both ends). Lock held. */
static int vm_cut(struct vm *vm, vaddr_t start, vaddr_t end)
{
	struct list_head *p, *n;
	int err = vm_split_at(vm, start);

	if (!err)
		err = vm_split_at(vm, end);
	if (err)
		return err;
	list_for_each_safe(p, n, &vm->regions) {
		struct vm_region *r = list_entry(p, struct vm_region, link);

		if (r->start >= start && r->end <= end) {
			list_del(&r->link);
			vm_region_free(r);
		}
	}
	return 0;
}

static void vm_insert(struct vm *vm, struct vm_region *nr)
{
	struct list_head *p;

	list_for_each(p, &vm->regions) {
		if (list_entry(p, struct vm_region, link)->start > nr->start)
			break;
	}
	list_add_tail(&nr->link, p);
}

/*
 * Make [start, start+len) a demand-paged region with prot (VM_READ |
 * VM_WRITE | VM_EXEC), replacing whatever was there (MAP_FIXED semantics).
 * Returns 0, -EINVAL for a bad range, or -ENOMEM. vm_map_range: map_busy
 * held; vm_map takes it.
 */
static int vm_map_range(struct vm *vm, vaddr_t start, size_t len,
			unsigned prot)
{
	struct vm_region *r;
	unsigned long f;
	int err;

	if (!vm_range_ok(start, len))
		return -EINVAL;
	r = kmalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->start = start;
	r->end = start + len;
	r->prot = prot;
	r->shm = NULL;
	f = spin_lock_irqsave(&vm->lock);
	err = vm_cut(vm, start, start + len);
	spin_unlock_irqrestore(&vm->lock, f);
	if (err) {
		kfree(r);
		return err;
	}
	vm_zap(vm, start, start + len);
	f = spin_lock_irqsave(&vm->lock);
	vm_insert(vm, r);
	spin_unlock_irqrestore(&vm->lock, f);
	return 0;
}

int vm_map(struct vm *vm, vaddr_t start, size_t len, unsigned prot)
{
	int err;

	vm_map_lock(vm);
	err = vm_map_range(vm, start, len, prot);
	vm_map_unlock(vm);
	return err;
}

/* munmap: drop regions and pages in the range. map_busy held. */
static int vm_unmap_range(struct vm *vm, vaddr_t start, size_t len)
{
	unsigned long f;
	int err;

	len = ALIGN_UP(len, PAGE_SIZE);
	if (!vm_range_ok(start, len))
		return -EINVAL;
	f = spin_lock_irqsave(&vm->lock);
	err = vm_cut(vm, start, start + len);
	spin_unlock_irqrestore(&vm->lock, f);
	if (!err)
		vm_zap(vm, start, start + len);
	return err;
}

/* munmap: drop regions and pages in the range. Returns 0 or -errno. */
int vm_unmap(struct vm *vm, vaddr_t start, size_t len)
{
	int err;

	vm_map_lock(vm);
	err = vm_unmap_range(vm, start, len);
	vm_map_unlock(vm);
	return err;
}

static uint64_t vm_pte_flags(unsigned prot)
{
	/*
	 * A present page is always readable by its ring, so PROT_NONE keeps
	 * the frame but drops PTE_U: user access faults (SIGSEGV). The
	 * kernel's copy_*_user could still reach it (Linux would -EFAULT).
	 */
	uint64_t fl = PTE_P | (prot ? PTE_U : 0);

	if (prot & VM_WRITE)
		fl |= PTE_W;
	if (!(prot & VM_EXEC))
		fl |= PTE_NX;
	return fl;
}

/* Does [start, end) touch a shared mapping that may not be writable? */
static bool vm_shm_ro(struct vm *vm, vaddr_t start, vaddr_t end)
{
	struct list_head *p;

	list_for_each(p, &vm->regions) {
		struct vm_region *r = list_entry(p, struct vm_region, link);

		if (r->start < end && r->end > start && r->shm && r->shm_ro)
			return true;
	}
	return false;
}

static bool vm_covered(struct vm *vm, vaddr_t start, vaddr_t end)
{
	while (start < end) {
		struct vm_region *r = vm_find(vm, start);

		if (!r)
			return false;
		start = r->end;
	}
	return true;
}

static bool vm_protect_pte(pte_t *pte, vaddr_t va, void *flags)
{
	*pte = (*pte & (PTE_ADDR | PTE_SHM)) | *(uint64_t *)flags;
	invlpg(va);
	return true;
}

/* The regions inside [start, end) (split at both ends) get @prot. */
static void vm_set_prot(struct vm *vm, vaddr_t start, vaddr_t end,
			unsigned prot)
{
	struct list_head *p;

	list_for_each(p, &vm->regions) {
		struct vm_region *r = list_entry(p, struct vm_region, link);

		if (r->start >= start && r->end <= end)
			r->prot = prot;
	}
}

/*
 * mprotect: give [start, start+len) protection prot, splitting regions at
 * the edges. Returns 0, -EINVAL, or -ENOMEM (part of the range unmapped,
 * as Linux says, or no memory to split).
 */
int vm_protect(struct vm *vm, vaddr_t start, size_t len, unsigned prot)
{
	vaddr_t end = start + ALIGN_UP(len, PAGE_SIZE);
	uint64_t flags = vm_pte_flags(prot);
	unsigned long f;
	unsigned here;
	int err;

	if (!vm_range_ok(start, end - start))
		return -EINVAL;
	vm_map_lock(vm);
	f = spin_lock_irqsave(&vm->lock);
	here = cpu_id();
	err = vm_covered(vm, start, end) ? 0 : -ENOMEM;
	if (!err && (prot & VM_WRITE) && vm_shm_ro(vm, start, end))
		err = -EACCES;
	if (!err)
		err = vm_split_at(vm, start);
	if (!err)
		err = vm_split_at(vm, end);
	if (!err) {
		vm_set_prot(vm, start, end, prot);
		vm_walk_range(vm, start, end, vm_protect_pte, &flags);
	}
	spin_unlock_irqrestore(&vm->lock, f);
	vm_shootdown(vm, here);
	vm_map_unlock(vm);
	return err;
}

/*
 * Back va's page in region r: with the shared object's frame, or a zeroed
 * frame of its own. Lock held. Returns the PTE or NULL.
 */
static pte_t *vm_populate(struct vm *vm, vaddr_t va, const struct vm_region *r)
{
	pte_t *pte = mmu_walk(phys_to_virt(vm->pml4), va, true);
	unsigned prot = r->prot;
	paddr_t pa;

	if (!pte)
		return NULL;
	if (*pte & PTE_P)
		return pte;
	if (r->shm) {
		*pte = (r->shm_pa + (va - r->start)) | vm_pte_flags(prot) |
		       PTE_SHM;
		return pte;
	}
	pa = pmm_alloc(0);
	if (!pa)
		return NULL;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	*pte = pa | vm_pte_flags(prot);
	return pte;
}

/*
 * A page fault at addr with the CPU's error code err, in user space.
 * Returns 0 if a page was mapped (retry the access), -EFAULT if nothing is
 * mapped there or -EACCES if the access is not allowed (SIGSEGV, with
 * SEGV_MAPERR or SEGV_ACCERR), or -ENOMEM. Context: any; takes vm->lock.
 */
int vm_fault(struct vm *vm, vaddr_t addr, uint64_t err)
{
	bool write = err & 2, exec = err & 16;
	struct vm_region *r;
	unsigned long f;
	int ret = -EACCES;

	if (err & 1)		/* present: a protection fault, never demand */
		return -EACCES;
	f = spin_lock_irqsave(&vm->lock);
	r = vm_find(vm, addr);
	if (!r)
		ret = -EFAULT;
	else if ((!write || (r->prot & VM_WRITE)) &&
		 (!exec || (r->prot & VM_EXEC)) && r->prot)
		ret = vm_populate(vm, addr & PAGE_MASK, r) ? 0 : -ENOMEM;
	spin_unlock_irqrestore(&vm->lock, f);
	return ret;
}

/*
 * Copy n bytes into vm at dst, whichever address space is live (the
 * loader fills a new process this way). Pages are populated as needed;
 * the destination must lie in regions. Returns 0, -EFAULT or -ENOMEM.
 */
int vm_copy_to(struct vm *vm, vaddr_t dst, const void *src, size_t n)
{
	const char *s = src;
	unsigned long f = spin_lock_irqsave(&vm->lock);
	int err = 0;

	while (n && !err) {
		struct vm_region *r = vm_find(vm, dst);
		size_t chunk = MIN(n, PAGE_SIZE - (dst & ~PAGE_MASK));
		pte_t *pte = r ? vm_populate(vm, dst & PAGE_MASK, r) : NULL;

		if (!r)
			err = -EFAULT;
		else if (!pte)
			err = -ENOMEM;
		else
			memcpy((char *)phys_to_virt(*pte & PTE_ADDR) +
			       (dst & ~PAGE_MASK), s, chunk);
		dst += chunk;
		s += chunk;
		n -= chunk;
	}
	spin_unlock_irqrestore(&vm->lock, f);
	return err;
}

/* Lowest free gap of len bytes at or above vm->mmap_base. Lock held. */
static vaddr_t vm_find_gap(struct vm *vm, size_t len)
{
	vaddr_t at = vm->mmap_base;
	struct list_head *p;

	list_for_each(p, &vm->regions) {
		struct vm_region *r = list_entry(p, struct vm_region, link);

		if (r->end <= at)
			continue;
		if (r->start >= at + len)
			break;
		at = r->end;
	}
	return at + len <= VM_STACK_BOTTOM ? at : 0;
}

/*
 * Anonymous mmap: at hint if fixed, else in the first gap. Returns the
 * address, or a negative errno cast to vaddr_t (as Linux returns it).
 */
long vm_mmap_anon(struct vm *vm, vaddr_t hint, size_t len, unsigned prot,
		  bool fixed)
{
	unsigned long f;
	vaddr_t at;
	int err;

	if (!len)
		return -EINVAL;
	/* As Linux: a length that cannot fit (or wraps) is -ENOMEM. */
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len || len > VM_USER_TOP)
		return -ENOMEM;
	vm_map_lock(vm);
	if (fixed) {
		at = hint;
	} else {
		f = spin_lock_irqsave(&vm->lock);
		at = vm_find_gap(vm, len);
		spin_unlock_irqrestore(&vm->lock, f);
	}
	err = at ? vm_map_range(vm, at, len, prot) : -ENOMEM;
	vm_map_unlock(vm);
	return err ? err : (long)at;
}

/* A move of pages between two ranges of one vm, by their PTEs. */
struct vm_move {
	pte_t *pml4;
	vaddr_t from, to;		/* the ranges' starts */
};

/* The destination's page tables for a present page (first pass). */
static bool vm_move_prepare(pte_t *pte, vaddr_t va, void *arg)
{
	struct vm_move *m = arg;

	(void)pte;
	return mmu_walk(m->pml4, m->to + (va - m->from), true) != NULL;
}

/* The page itself (second pass: the tables exist, nothing can fail). */
static bool vm_move_pte(pte_t *pte, vaddr_t va, void *arg)
{
	struct vm_move *m = arg;

	*mmu_walk(m->pml4, m->to + (va - m->from), false) = *pte;
	*pte = 0;
	invlpg(va);
	return true;
}

/*
 * Move [old, old + old_len), part of one region, to a new region of
 * new_len bytes at @to (@fixed: what was there is unmapped first) or in
 * the first free gap: the pages move by their PTEs, none is copied;
 * beyond min(old_len, new_len) the old range is unmapped, the new one
 * demand-paged. The source's stale TLB entries are shot down before
 * anything is freed. map_busy held. Returns the new address or -errno.
 */
static long vm_move(struct vm *vm, vaddr_t old, size_t old_len,
		    size_t new_len, bool fixed, vaddr_t to)
{
	size_t keep = MIN(old_len, new_len);
	struct vm_move m = { phys_to_virt(vm->pml4), old, 0 };
	struct vm_region *r, *nr;
	unsigned long f;
	unsigned here;
	int err = -ENOMEM;

	if (fixed) {
		if (!vm_range_ok(to, new_len) ||
		    (to < old + old_len && old < to + new_len))
			return -EINVAL;
		err = vm_unmap_range(vm, to, new_len);
		if (err)
			return err;
		err = -ENOMEM;
	}
	nr = kmalloc(sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	f = spin_lock_irqsave(&vm->lock);
	if (!fixed)
		to = vm_find_gap(vm, new_len);
	r = vm_find(vm, old);		/* again: the unmap may have split it */
	*nr = *r;			/* before vm_cut() frees r */
	nr->start = to;
	nr->end = to + new_len;
	if (nr->shm) {
		nr->shm_pa += old - r->start;
		shm_get(nr->shm);	/* before vm_cut() puts r's */
	}
	m.to = to;
	if (to && vm_walk_range(vm, old, old + keep, vm_move_prepare, &m))
		err = vm_cut(vm, old, old + old_len);
	if (err) {
		if (nr->shm)
			shm_put(nr->shm);
		spin_unlock_irqrestore(&vm->lock, f);
		kfree(nr);
		return err;
	}
	vm_walk_range(vm, old, old + keep, vm_move_pte, &m);
	vm_insert(vm, nr);
	here = cpu_id();
	spin_unlock_irqrestore(&vm->lock, f);
	vm_shootdown(vm, here);
	if (keep < old_len)
		vm_zap(vm, old + keep, old + old_len);
	return (long)to;
}

/*
 * Grow region r, which ends at @end, to @new_end if nothing is mapped
 * there and it stays in the user half. Lock held.
 */
static bool vm_grow(struct vm *vm, struct vm_region *r, vaddr_t new_end)
{
	struct vm_region *next;

	if (new_end < r->end || new_end > VM_USER_TOP)
		return false;
	if (r->link.next != &vm->regions) {
		next = list_entry(r->link.next, struct vm_region, link);
		if (next->start < new_end)
			return false;
	}
	r->end = new_end;
	return true;
}

/*
 * mremap: resize [old, old + old_len), which must lie in one region, to
 * new_len bytes. Shrinks in place; grows in place when the pages after it
 * are free; else, with @may_move, moves it (vm_move(), to @to if @fixed).
 * A shared mapping (shm) may shrink or move but not grow: its object has
 * no more pages. Returns the address or -errno, as Linux: -EFAULT if the
 * range is not within one region, -ENOMEM if it cannot grow in place and
 * may not move (or no gap fits), -EINVAL for bad sizes, a bad or
 * overlapping destination, or growing a shared mapping.
 */
long vm_remap(struct vm *vm, vaddr_t old, size_t old_len, size_t new_len,
	      bool may_move, bool fixed, vaddr_t to)
{
	struct vm_region *r;
	bool move = false;
	unsigned long f;
	long ret;

	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (!old_len || !new_len || new_len > VM_USER_TOP)
		return -EINVAL;
	vm_map_lock(vm);
	f = spin_lock_irqsave(&vm->lock);
	r = vm_find(vm, old);
	if (!r || old + old_len < old || old + old_len > r->end)
		ret = -EFAULT;
	else if (r->shm && new_len > old_len)
		ret = -EINVAL;
	else if (!fixed && (new_len <= old_len ||
			    (old + old_len == r->end &&
			     vm_grow(vm, r, old + new_len))))
		ret = (long)old;
	else if (may_move)
		move = true;
	else
		ret = -ENOMEM;
	spin_unlock_irqrestore(&vm->lock, f);
	if (move) {
		ret = vm_move(vm, old, old_len, new_len, fixed, to);
	} else if (ret == (long)old && new_len < old_len) {
		int err = vm_unmap_range(vm, old + new_len, old_len - new_len);

		if (err)
			ret = err;
	}
	vm_map_unlock(vm);
	return ret;
}

/*
 * brk: move the program break. The heap is the region [brk_start, brk)
 * rounded to pages. Returns the new break (the old one if refused), as
 * the Linux call does.
 */
vaddr_t vm_brk(struct vm *vm, vaddr_t want)
{
	vaddr_t old_end, new_end;

	vm_map_lock(vm);
	old_end = ALIGN_UP(vm->brk, PAGE_SIZE);
	new_end = ALIGN_UP(want, PAGE_SIZE);
	if (want < vm->brk_start || want >= VM_MMAP_BASE ||
	    (new_end > old_end &&
	     vm_map_range(vm, old_end, new_end - old_end, VM_READ | VM_WRITE)))
		want = vm->brk;
	else if (new_end < old_end)
		vm_unmap_range(vm, new_end, old_end - new_end);
	vm->brk = want;
	vm_map_unlock(vm);
	return want;
}

/* Pages currently mapped in the user half (for tests and the debugger). */
static bool vm_count_pte(pte_t *pte, vaddr_t va, void *n)
{
	(*(size_t *)n)++;
	return true;
}

size_t vm_resident(struct vm *vm)
{
	size_t n = 0;
	unsigned long f = spin_lock_irqsave(&vm->lock);

	vm_walk_range(vm, VM_USER_MIN, VM_USER_TOP, vm_count_pte, &n);
	spin_unlock_irqrestore(&vm->lock, f);
	return n;
}

/* Bytes vm's regions span (/proc's vsize). Takes vm->lock. */
size_t vm_size(struct vm *vm)
{
	unsigned long f = spin_lock_irqsave(&vm->lock);
	struct list_head *p;
	size_t n = 0;

	list_for_each(p, &vm->regions) {
		struct vm_region *r = list_entry(p, struct vm_region, link);

		n += r->end - r->start;
	}
	spin_unlock_irqrestore(&vm->lock, f);
	return n;
}

/* vm_clone(): the child's address space and the region being copied. */
struct vm_copy {
	struct vm *dst;
	const struct vm_region *r;
};

/* Give the child a private copy of the parent's page at @va. */
static bool vm_copy_pte(pte_t *spte, vaddr_t va, void *arg)
{
	struct vm_copy *c = arg;
	pte_t *dpte = vm_populate(c->dst, va, c->r);

	if (dpte)
		memcpy(phys_to_virt(*dpte & PTE_ADDR),
		       phys_to_virt(*spte & PTE_ADDR), PAGE_SIZE);
	return dpte != NULL;
}

/*
 * A copy of vm for fork: the same regions and a private copy of every
 * present page (eager; copy-on-write can come later). Returns NULL when
 * out of memory.
 */
struct vm *vm_clone(struct vm *src)
{
	struct vm *vm = vm_create();
	struct vm_copy copy = { vm, NULL };
	struct list_head *p;
	unsigned long f;
	int err = 0;

	if (!vm)
		return NULL;
	vm->image_lo = src->image_lo;
	vm->brk_start = src->brk_start;
	vm->brk = src->brk;
	vm->mmap_base = src->mmap_base;
	vm->exe = procinfo_exe_dup(src->exe);	/* none: /proc shows none */
	f = spin_lock_irqsave(&src->lock);
	list_for_each(p, &src->regions) {
		struct vm_region *r = list_entry(p, struct vm_region, link);
		struct vm_region *nr = kmalloc(sizeof(*nr));

		if (!nr) {
			err = -ENOMEM;
			break;
		}
		*nr = *r;
		list_add_tail(&nr->link, &vm->regions);
		if (nr->shm) {		/* shared, not copied: faults map it */
			shm_get(nr->shm);
			continue;
		}
		copy.r = nr;
		if (!vm_walk_range(src, r->start, r->end, vm_copy_pte, &copy)) {
			err = -ENOMEM;
			break;
		}
	}
	spin_unlock_irqrestore(&src->lock, f);
	if (err) {
		vm_destroy(vm);
		return NULL;
	}
	return vm;
}

/*
 * Map all of shared object s (taking a reference for the mapping) in the
 * first free gap, writable or read-only for good (mprotect cannot add
 * write to a read-only one). Returns the address or -ENOMEM. Pages are
 * mapped on first touch; fork shares the region; munmap and exit drop it.
 */
long vm_map_shm(struct vm *vm, struct shm *s, bool writable)
{
	struct vm_region *r = kzalloc(sizeof(*r));
	unsigned long f;
	vaddr_t at;

	if (!r)
		return -ENOMEM;
	vm_map_lock(vm);
	f = spin_lock_irqsave(&vm->lock);
	at = vm_find_gap(vm, s->size);
	if (at) {
		r->start = at;
		r->end = at + s->size;
		r->prot = VM_READ | (writable ? VM_WRITE : 0);
		r->shm = s;
		r->shm_pa = s->base;
		r->shm_ro = !writable;
		shm_get(s);
		vm_insert(vm, r);
	}
	spin_unlock_irqrestore(&vm->lock, f);
	vm_map_unlock(vm);
	if (!at) {
		kfree(r);
		return -ENOMEM;
	}
	return at;
}

/* What region r of vm is, for /proc's maps. vm->lock held. */
static enum pi_map_kind vm_region_kind(const struct vm *vm,
				       const struct vm_region *r)
{
	if (r->shm)
		return !vdso_owns(r->shm) ? PI_MAP_SHM :
		       r->prot & VM_EXEC ? PI_MAP_VDSO : PI_MAP_VVAR;
	if (r->end == VM_USER_TOP)
		return PI_MAP_STACK;
	if (r->start >= vm->brk_start && r->end <= ALIGN_UP(vm->brk, PAGE_SIZE))
		return PI_MAP_HEAP;
	if (r->start >= vm->image_lo && r->end <= vm->brk_start)
		return PI_MAP_IMAGE;
	return PI_MAP_ANON;
}

/*
 * Up to max of vm's regions into out, from the first, by address (the
 * list's order). Returns how many. Context: proc_lock may be held.
 */
size_t vm_regions(struct vm *vm, struct pi_map *out, size_t max)
{
	unsigned long f = spin_lock_irqsave(&vm->lock);
	struct list_head *p;
	size_t n = 0;

	list_for_each(p, &vm->regions) {
		struct vm_region *r = list_entry(p, struct vm_region, link);

		if (n == max)
			break;
		out[n++] = (struct pi_map){ r->start, r->end, r->prot,
					    vm_region_kind(vm, r) };
	}
	spin_unlock_irqrestore(&vm->lock, f);
	return n;
}
