/*
 * User mode on x86_64: SYSCALL/SYSRET through MSR_STAR/LSTAR/FMASK, SMEP
 * and SMAP (the kernel can neither run nor, outside uaccess, touch user
 * pages), FXSAVE-based FPU/SSE state per user thread, the first entry
 * to ring 3 through an IRET frame at the top of the thread's stack, and
 * the TSS's I/O permission bitmap of processes granted ports (ioport.c).
 */
#include "ioport.h"
#include "kmalloc.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <arch/uaccess.h>
#include <arch/user.h>

#define CR0_MP		(1UL << 1)
#define CR0_EM		(1UL << 2)
#define CR0_TS		(1UL << 3)
#define CR4_OSXMMEXCPT	(1UL << 10)
#define FMASK_BITS	(RFLAGS_IF | RFLAGS_TF | (1UL << 10) | (1UL << 18))

extern char syscall_entry[], trap_return[];
bool uaccess_smap;
static struct fpu_state fpu_initial;	/* FCW 0x37f, MXCSR 0x1f80 */

/* Context: every CPU at boot, before it runs user code. */
void user_init_cpu(void)
{
	uint32_t r[4];

	wrmsr(MSR_STAR, ((uint64_t)(GDT_UDATA - 8 - 3) << 48) |
			((uint64_t)GDT_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, FMASK_BITS);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	write_cr0((read_cr0() | CR0_MP) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	cpuid(7, 0, r);
	if (r[1] & (1 << 7))
		write_cr4(read_cr4() | CR4_SMEP);
	if (r[1] & (1 << 20)) {
		write_cr4(read_cr4() | CR4_SMAP);
		uaccess_smap = true;
	}
	if (this_cpu()->id == 0) {
		__asm__ __volatile__("fninit; fxsave64 %0" : "=m"(fpu_initial));
		*(uint32_t *)&fpu_initial.fxsave[24] = 0x1f80;	/* MXCSR */
	}
}

/* An FPU state as Linux starts a process with, or NULL (no memory). */
struct fpu_state *user_fpu_alloc(void)
{
	struct fpu_state *f = kmalloc(sizeof(*f));

	if (f)
		memcpy(f, &fpu_initial, sizeof(*f));
	return f;
}

/*
 * The calling thread's live FPU registers into *f, or from *f (a signal
 * frame's; its MXCSR already checked against user_mxcsr_mask(), else
 * FXRSTOR would #GP here), or the initial state (a handler starts with
 * it, as on Linux). A switch in between saves the registers into
 * thread->fpu: nothing is lost.
 */
void user_fpu_save(struct fpu_state *f)
{
	__asm__ __volatile__("fxsave64 %0" : "=m"(*f));
}

void user_fpu_load(const struct fpu_state *f)
{
	__asm__ __volatile__("fxrstor64 %0" : : "m"(*f));
}

void user_fpu_load_initial(void)
{
	user_fpu_load(&fpu_initial);
}

/* The MXCSR bits FXRSTOR accepts (MXCSR_MASK, or 0xffbf if it is 0). */
uint32_t user_mxcsr_mask(void)
{
	uint32_t m;

	memcpy(&m, &fpu_initial.fxsave[28], sizeof(m));
	return m ? m : 0xffbf;
}

/*
 * Point this CPU's TSS at I/O bitmap m (NULL: every port faults). Only
 * the bytes that allow a port are copied, and only when m is not the
 * copy already there (most processes have no bitmap: one store).
 * Context: interrupts off; the context switch (hot: no allocation).
 */
void user_iomap_load(const struct iomap *m)
{
	struct arch_cpu *a = &this_cpu()->arch;

	if (!m) {
		a->tss.iomap_base = TSS_IOMAP_INVALID;
		return;
	}
	if (a->iomap_gen != m->gen) {
		memcpy(a->iomap, m->map, m->len);
		if (a->iomap_len > m->len)
			memset(a->iomap + m->len, 0xff, a->iomap_len - m->len);
		a->iomap_len = m->len;
		a->iomap_gen = m->gen;
	}
	a->tss.iomap_base = TSS_IOMAP_OFFSET;
}

static const struct iomap *user_iomap_of(const struct thread *t)
{
	return t->proc ? t->proc->iomap : NULL;
}

/*
 * Make the calling thread a user thread of the address space at cr3 with
 * FPU state fpu (or, with fpu NULL, a kernel thread again: returns the old
 * state for the caller to free). Both change at once, with interrupts off,
 * so a context switch never sees one without the other.
 */
struct fpu_state *user_attach(struct thread *t, uint64_t cr3,
			      struct fpu_state *fpu)
{
	unsigned long f = irq_save();
	struct fpu_state *old = t->fpu;

	t->fpu = fpu;
	t->cr3 = cr3;
	/* Before the CR3 load: pairs with the fence in vm_shootdown(). */
	this_cpu()->user_cr3 = fpu ? cr3 : 0;
	write_cr3(fpu ? cr3 : mmu_kernel_pml4());
	user_iomap_load(fpu ? user_iomap_of(t) : NULL);
	irq_restore(f);
	return old;
}

/*
 * A fresh user register state in tf: start at entry on stack sp with all
 * other registers zero, the initial FPU state and no TLS (execve).
 */
void user_reset(struct thread *t, struct trap_frame *tf, uint64_t entry,
		uint64_t sp)
{
	memset(tf, 0, sizeof(*tf));
	tf->rip = entry;
	tf->cs = GDT_UCODE;
	tf->rflags = RFLAGS_IF | 2;
	tf->rsp = sp;
	tf->ss = GDT_UDATA;
	memcpy(t->fpu, &fpu_initial, sizeof(*t->fpu));
	__asm__ __volatile__("fxrstor64 %0" : : "m"(*t->fpu));
	t->fs_base = 0;
	wrmsr(MSR_FS_BASE, 0);
}

/*
 * Go to user mode with the registers in tf, through the trap frame at the
 * top of t's kernel stack (where later entries from user mode put theirs).
 */
__noreturn void user_resume(struct thread *t, const struct trap_frame *tf)
{
	struct trap_frame *top = (struct trap_frame *)t->kstack_top - 1;

	irq_disable();
	if (top != tf)
		memcpy(top, tf, sizeof(*top));
	__asm__ __volatile__("fxrstor64 %0" : : "m"(*t->fpu));
	wrmsr(MSR_FS_BASE, t->fs_base);
	__asm__ __volatile__("movq %0, %%rsp; jmp *%1"
			     : : "r"(top), "r"(trap_return) : "memory");
	__builtin_unreachable();
}

/* Leave for user mode at entry with stack sp (a new process). */
__noreturn void user_enter(struct thread *t, uint64_t entry, uint64_t sp)
{
	struct trap_frame *tf = (struct trap_frame *)t->kstack_top - 1;

	user_reset(t, tf, entry, sp);
	user_resume(t, tf);
}

/*
 * The user half of a context switch: save prev's FPU state, load next's,
 * its FS base and its address space. A thread has FPU state exactly when
 * it has an address space (cr3); both change together with interrupts
 * off (proc.c). Kernel threads have neither (the kernel never uses the
 * FPU) and run on the kernel's own tables: a user address space must not
 * stay loaded under them, since its process may exit on another CPU and
 * free those tables meanwhile. The I/O bitmap goes with the address
 * space: a kernel thread never runs user code, so it keeps the last one.
 */
void user_switch(struct thread *prev, struct thread *next)
{
	if (prev->fpu)
		__asm__ __volatile__("fxsave64 %0" : "=m"(*prev->fpu));
	/*
	 * user_cr3 before the CR3 write (serializing): pairs with the fence
	 * in vm_shootdown(), which reads it after changing PTEs.
	 */
	if (!next->fpu) {
		this_cpu()->user_cr3 = 0;
		if (prev->fpu)
			write_cr3(mmu_kernel_pml4());
		return;
	}
	__asm__ __volatile__("fxrstor64 %0" : : "m"(*next->fpu));
	wrmsr(MSR_FS_BASE, next->fs_base);
	this_cpu()->user_cr3 = next->cr3;
	if (read_cr3() != next->cr3)
		write_cr3(next->cr3);
	user_iomap_load(user_iomap_of(next));
}
