/*
 * The vDSO in every process: one data page (loupe/vvar.h) and the image
 * built from kernel/vdso/vdso.c, in one shared object made at boot and
 * never freed. exec maps it (vdso_map) and tells the program where in
 * AT_SYSINFO_EHDR; fork shares it as any shared mapping. Neither part
 * is ever writable by user space (vdso_map), and the data page is
 * written once, here, before the first process.
 */
#include "clock.h"
#include "printk.h"
#include "shm.h"
#include "string.h"
#include "vdso.h"
#include "vm.h"
#include <arch/mmu.h>
#include <loupe/vvar.h>

extern const char vdso_image[], vdso_image_end[];

static struct shm *vdso_obj;

/* Context: boot, after clock_init() and before the first process. */
__init void vdso_init(void)
{
	size_t len = (size_t)(vdso_image_end - vdso_image);
	char *base;

	vdso_obj = shm_create(PAGE_SIZE + ALIGN_UP(len, PAGE_SIZE));
	if (!vdso_obj)
		panic("vdso: no memory for its pages");
	vdso_obj->fixed = true;		/* shared by every process, for good */
	base = phys_to_virt(vdso_obj->base);
	memcpy(base, &clock_vvar, sizeof(clock_vvar));
	memcpy(base + PAGE_SIZE, vdso_image, len);
}

/* Whether s is the vDSO's object (/proc's maps names its regions). */
bool vdso_owns(const struct shm *s)
{
	return s == vdso_obj;
}

/*
 * Map the vDSO into vm: the whole object read-only (for good: mprotect
 * cannot make it writable), then the image after the data page
 * executable too. Returns the image's address, or -ENOMEM.
 */
long vdso_map(struct vm *vm)
{
	long at = vm_map_shm(vm, vdso_obj, false);

	if (at < 0)
		return at;
	if (vm_protect(vm, at + PAGE_SIZE, vdso_obj->size - PAGE_SIZE,
		       VM_READ | VM_EXEC)) {
		vm_unmap(vm, at, vdso_obj->size);
		return -ENOMEM;
	}
	return at + PAGE_SIZE;
}
