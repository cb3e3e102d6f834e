/*
 * Per-CPU GDT and TSS. Every CPU gets its own GDT because the TSS
 * descriptor (busy bit, base) is per CPU; the TSS holds the IST stacks for
 * NMI, double fault and machine check, and rsp0 for entry from user mode.
 */
#include "cpu.h"
#include "string.h"
#include <arch/percpu.h>

_Static_assert(offsetof(struct arch_cpu, iomap) ==
	       offsetof(struct arch_cpu, tss) + TSS_IOMAP_OFFSET,
	       "the I/O bitmap must follow the TSS");

static void gdt_set_tss(uint64_t *gdt, struct tss *tss)
{
	uint64_t base = (uint64_t)tss;
	uint64_t limit = TSS_IOMAP_OFFSET + TSS_IOMAP_BYTES;	/* + 0xff byte */

	gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (0x89UL << 40) | (((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xff) << 56);
	gdt[6] = base >> 32;
}

/*
 * Load this CPU's GDT and TSS and reload the segment registers. %gs's
 * base is an MSR, untouched by the selector reload.
 * Context: boot, once per CPU, interrupts off.
 */
void gdt_init_cpu(struct cpu *c)
{
	struct arch_cpu *a = &c->arch;
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = { sizeof(a->gdt) - 1, (uint64_t)a->gdt };

	a->gdt[0] = 0;
	a->gdt[1] = 0x00af9a000000ffff;	/* kernel code, 64-bit */
	a->gdt[2] = 0x00cf92000000ffff;	/* kernel data */
	a->gdt[3] = 0x00cff2000000ffff;	/* user data, DPL 3 */
	a->gdt[4] = 0x00affa000000ffff;	/* user code, 64-bit, DPL 3 */
	memset(&a->tss, 0, sizeof(a->tss));
	a->tss.ist[IST_NMI - 1] = (uint64_t)a->ist_stacks[0] + IST_STACK_SIZE;
	a->tss.ist[IST_DF - 1] = (uint64_t)a->ist_stacks[1] + IST_STACK_SIZE;
	a->tss.ist[IST_MC - 1] = (uint64_t)a->ist_stacks[2] + IST_STACK_SIZE;
	a->tss.iomap_base = TSS_IOMAP_INVALID;
	memset(a->iomap, 0xff, sizeof(a->iomap));
	a->iomap_gen = 0;
	a->iomap_len = 0;
	gdt_set_tss(a->gdt, &a->tss);

	__asm__ __volatile__(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movl %%eax, %%fs\n\t"
		"ltr %w3\n\t"
		: : "m"(ptr), "i"(GDT_KCODE), "i"(GDT_KDATA), "r"(GDT_TSS)
		: "rax", "memory");
}

/* The stack the CPU switches to on entry from user mode. */
void gdt_set_kernel_stack(uint64_t top)
{
	this_cpu()->arch.tss.rsp[0] = top;
}
