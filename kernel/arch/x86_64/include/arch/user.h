/*
 * Entering and leaving user mode (user.c, syscall.S): per-CPU SYSCALL
 * set-up, SMEP/SMAP, per-thread FPU/SSE state and the FS base for TLS.
 */
#ifndef ARCH_USER_H
#define ARCH_USER_H

#include "types.h"
#include "sched.h"
#include <arch/cpu.h>

/* FXSAVE image: x87, MMX and SSE state (512 bytes, 16-byte aligned). */
struct fpu_state {
	uint8_t fxsave[512];
} __aligned(16);

void user_init_cpu(void);
struct fpu_state *user_fpu_alloc(void);
void user_fpu_save(struct fpu_state *f);
void user_fpu_load(const struct fpu_state *f);
void user_fpu_load_initial(void);
uint32_t user_mxcsr_mask(void);
struct fpu_state *user_attach(struct thread *t, uint64_t cr3,
			      struct fpu_state *fpu);
__noreturn void user_enter(struct thread *t, uint64_t entry, uint64_t sp);
struct trap_frame;
__noreturn void user_resume(struct thread *t, const struct trap_frame *tf);
void user_reset(struct thread *t, struct trap_frame *tf, uint64_t entry,
		uint64_t sp);
void user_switch(struct thread *prev, struct thread *next);
struct iomap;
void user_iomap_load(const struct iomap *m);

/*
 * user_switch() between two user threads, inline for the IPC fast path.
 * prev entered the kernel by SYSCALL from user mode, so its FS base is
 * the loaded one: write it only when next's differs (two processes
 * forked from one share the FS base). CR3 is written without comparing:
 * the fast path switches only between single-threaded processes, and
 * every process has its own address space (a vfork copies too), so
 * prev's and next's always differ. Context: interrupts off, on this CPU.
 */
static inline void user_switch_fast(struct thread *prev, struct thread *next)
{
	uint64_t cr3 = next->cr3;	/* one load: the store's asm clobbers memory */

	__asm__ __volatile__("fxsave64 %0" : "=m"(*prev->fpu));
	__asm__ __volatile__("fxrstor64 %0" : : "m"(*next->fpu));
	if (unlikely(next->fs_base != prev->fs_base))
		wrmsr(MSR_FS_BASE, next->fs_base);
	/*
	 * As in user_switch(): paired with vm_shootdown()'s fence. Stored
	 * through %gs (this_cpu()->user_cr3, one instruction, no register
	 * for the pointer: the fast path has none to spare).
	 */
	__asm__ __volatile__("movq %0, %%gs:%c1"
			     : : "r"(cr3), "i"(offsetof(struct cpu, user_cr3))
			     : "memory");
	write_cr3(cr3);
}

#endif
