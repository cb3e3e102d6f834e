/*
 * Shared-memory objects (CAP_SHM): physically contiguous, zeroed pages
 * from the buddy allocator that several address spaces (and the kernel,
 * through the direct map) see at once. The file servers' request areas
 * (srv.c) and the initrd are shm objects.
 *
 * An object lives while a capability or a mapping (a vm region, vm.c)
 * holds a reference: refs is atomic, no lock. The initrd object is never
 * freed. Rights: CAP_WRITE maps writable, CAP_GRANT mints copies.
 */
#include "ipc.h"
#include "bootinfo.h"
#include "kmalloc.h"
#include "pmm.h"
#include "proc.h"
#include "shm.h"
#include "sched.h"
#include "string.h"
#include "vm.h"
#include <arch/mmu.h>
#include <arch/trap.h>

#define SHM_MAX		(PAGE_SIZE << PMM_MAX_ORDER)	/* one buddy block */

static struct shm *shm_initrd_obj;

void shm_get(struct shm *s)
{
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

void shm_put(struct shm *s)
{
	/* Acq_rel: the last put sees every other user's writes before the free. */
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) || s->fixed)
		return;
	pmm_free(s->base, s->order);
	kfree(s);
}

/* A new zeroed object of at least size bytes, one reference; or NULL. */
struct shm *shm_create(size_t size)
{
	unsigned order;
	struct shm *s;

	if (!size || size > SHM_MAX)
		return NULL;
	order = pmm_order(size);
	s = kzalloc(sizeof(*s));
	if (!s)
		return NULL;
	s->base = pmm_alloc(order);
	if (!s->base) {
		kfree(s);
		return NULL;
	}
	memset(phys_to_virt(s->base), 0, PAGE_SIZE << order);
	s->order = order;
	s->size = PAGE_SIZE << order;
	s->refs = 1;
	return s;
}

/*
 * The initrd module as a read-only object that is never freed, with a
 * reference for the caller; NULL without an initrd. Boot only (PID 1's
 * capabilities), so no lock.
 */
struct shm *shm_initrd(void)
{
	struct shm *s = shm_initrd_obj;

	if (!boot_info.nmods)
		return NULL;
	if (!s) {
		s = kzalloc(sizeof(*s));
		if (!s)
			return NULL;
		s->base = ALIGN_DOWN(boot_info.mods[0].base, PAGE_SIZE);
		s->offset = boot_info.mods[0].base - s->base;
		s->len = boot_info.mods[0].len;
		s->size = ALIGN_UP(boot_info.mods[0].base + s->len, PAGE_SIZE) -
			  s->base;
		s->fixed = true;
		shm_initrd_obj = s;
	}
	shm_get(s);
	return s;
}

/* NC_SHM_NEW(size in rdx): a full-rights capability to a new object. */
static long shm_new_call(uint64_t size)
{
	struct cap c = { CAP_SHM, NULL, 0, CAP_WRITE | CAP_GRANT };
	struct shm *s;
	long slot;

	if (!size || size > SHM_MAX)
		return -EINVAL;
	s = shm_create(size);
	if (!s)
		return -ENOMEM;
	s->len = size;
	c.obj = s;
	slot = cap_install(current_thread()->proc, &c);
	if (slot < 0)
		shm_put(s);
	return slot;
}

/*
 * NC_SHM_MAP(slot in rdi, writable in rdx): map the whole object; returns
 * the address of its first byte and puts its length in rdx.
 */
static long shm_map_call(struct trap_frame *tf)
{
	bool writable = tf->rdx != 0;
	struct cap c;
	long err, addr;

	err = cap_lookup(current_thread()->proc, tf->rdi, CAP_SHM,
			 writable ? CAP_WRITE : 0, &c);
	if (err)
		return err;
	addr = vm_map_shm(current_thread()->proc->vm, c.obj, writable);
	if (addr >= 0) {
		struct shm *s = c.obj;

		addr += s->offset;
		tf->rdx = s->len;
	}
	cap_put(&c);
	return addr;
}

long shm_syscall(unsigned call, struct trap_frame *tf)
{
	if (call == NC_SHM_NEW)
		return shm_new_call(tf->rdx);
	return shm_map_call(tf);
}
