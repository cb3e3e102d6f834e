/*
 * User address spaces (vm.c): a page-table root sharing the kernel half,
 * and demand-paged regions in the user half.
 *
 *   0x0000000000010000  lowest user address (NULL page and friends unmapped)
 *   ...                 ELF segments, then the brk heap
 *   0x0000100000000000  mmap area (first fit, upward)
 *   0x00007fffff000000  stack: VM_STACK_SIZE below VM_USER_TOP
 */
#ifndef KERNEL_VM_H
#define KERNEL_VM_H

#include "types.h"
#include "list.h"
#include "spinlock.h"

#define VM_USER_MIN	0x10000UL
#define VM_USER_TOP	0x00007ffffffff000UL
#define VM_MMAP_BASE	0x0000100000000000UL
#define VM_STACK_SIZE	(8UL << 20)
#define VM_STACK_BOTTOM	(VM_USER_TOP - VM_STACK_SIZE)

#define VM_READ		1
#define VM_WRITE	2
#define VM_EXEC		4

struct vm_region {
	vaddr_t start, end;		/* page-aligned, [start, end) */
	unsigned prot;			/* VM_READ | VM_WRITE | VM_EXEC */
	struct shm *shm;		/* a shared mapping (shm.c), or NULL */
	paddr_t shm_pa;			/* shared: the frame behind start */
	bool shm_ro;			/* shared: never writable */
	struct list_head link;		/* in vm->regions, by address */
};

struct vm {
	paddr_t pml4;
	struct spinlock lock;
	/* lock protects: */
	struct list_head regions;
	uint32_t map_busy;		/* serializes map changes (vm.c) */
	/* map_busy protects: */
	vaddr_t image_lo;		/* the program's segments: [image_lo,
					 * brk_start) (/proc's maps) */
	vaddr_t brk_start, brk;
	vaddr_t mmap_base;
	/* Set at load, copied by fork, freed with the vm; read under
	 * proc_lock, which exec's swap of p->vm holds (procinfo.c): */
	struct exe_info *exe;		/* argv and path, for /proc */
};

struct vm *vm_create(void);
void vm_destroy(struct vm *vm);
void vm_activate(struct vm *vm);
int vm_map(struct vm *vm, vaddr_t start, size_t len, unsigned prot);
int vm_unmap(struct vm *vm, vaddr_t start, size_t len);
int vm_protect(struct vm *vm, vaddr_t start, size_t len, unsigned prot);
int vm_fault(struct vm *vm, vaddr_t addr, uint64_t err);
int vm_copy_to(struct vm *vm, vaddr_t dst, const void *src, size_t n);
long vm_mmap_anon(struct vm *vm, vaddr_t hint, size_t len, unsigned prot,
		  bool fixed);
long vm_remap(struct vm *vm, vaddr_t old, size_t old_len, size_t new_len,
	      bool may_move, bool fixed, vaddr_t to);
vaddr_t vm_brk(struct vm *vm, vaddr_t want);
size_t vm_resident(struct vm *vm);
size_t vm_size(struct vm *vm);
struct vm *vm_clone(struct vm *src);
struct shm;
long vm_map_shm(struct vm *vm, struct shm *s, bool writable);
struct pi_map;
size_t vm_regions(struct vm *vm, struct pi_map *out, size_t max);

#endif
