/*
 * Linux memory calls: brk, anonymous mmap/munmap/mprotect, mremap,
 * madvise.
 * Everything is demand-paged (kernel/vm.c); file-backed mappings are not
 * supported yet and get -ENODEV.
 */
#include "linux.h"
#include "vm.h"

#define PROT_READ	1
#define PROT_WRITE	2
#define PROT_EXEC	4
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2

static unsigned sys_mm_prot(unsigned long prot)
{
	return (prot & PROT_READ ? VM_READ : 0) |
	       (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

long sys_brk(SYSCALL_ARGS)
{
	return vm_brk(current_vm(), a0);
}

/* mmap(addr, len, prot, flags, fd, off) */
long sys_mmap(SYSCALL_ARGS)
{
	if (a2 & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (!(a3 & MAP_ANONYMOUS))
		return -ENODEV;
	if ((a3 & (MAP_SHARED | MAP_PRIVATE)) == 0 || (a0 & ~PAGE_MASK) ||
	    (a3 & MAP_FIXED && !a0))
		return -EINVAL;
	return vm_mmap_anon(current_vm(), a0, a1, sys_mm_prot(a2),
			    a3 & MAP_FIXED);
}

long sys_munmap(SYSCALL_ARGS)
{
	if (a0 & ~PAGE_MASK)
		return -EINVAL;
	return vm_unmap(current_vm(), a0, a1);
}

long sys_mprotect(SYSCALL_ARGS)
{
	if (a0 & ~PAGE_MASK)
		return -EINVAL;
	if (!a1)
		return 0;
	return vm_protect(current_vm(), a0, a1, sys_mm_prot(a2));
}

/*
 * mremap(old, old_size, new_size, flags, new_address). MREMAP_DONTUNMAP
 * is not supported (EINVAL, as for any other unknown flag).
 */
long sys_mremap(SYSCALL_ARGS)
{
	if ((a0 & ~PAGE_MASK) || (a3 & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
	    ((a3 & MREMAP_FIXED) && !(a3 & MREMAP_MAYMOVE)) ||
	    ((a3 & MREMAP_FIXED) && (a4 & ~PAGE_MASK)))
		return -EINVAL;
	return vm_remap(current_vm(), a0, a1, a2, a3 & MREMAP_MAYMOVE,
			a3 & MREMAP_FIXED, a4);
}

long sys_madvise(SYSCALL_ARGS)
{
	return a0 & ~PAGE_MASK ? -EINVAL : 0;
}
