/*
 * Boot entry: the Multiboot header and the 32-bit code that gets the boot
 * CPU into 64-bit long mode on temporary page tables, then jumps to the
 * higher-half kernel and calls kmain(magic, mbi).
 *
 * Contract: entered by a Multiboot loader in 32-bit protected mode, paging
 * off, %eax = 0x2badb002, %ebx = physical address of the Multiboot info.
 * The temporary tables map the first 4 GiB identically (to survive the
 * switch) and at the direct map, and the first 1 GiB at the kernel image
 * address. mmu_init()
 * replaces them.
 */
#include <arch/mmu.h>

#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00010003	/* page-align modules, memory map, address fields */
#define PHYS(x)		((x) - KERNEL_BASE)

	.section .multiboot, "a"
	.align 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long PHYS(mb_header)
	.long PHYS(__kernel_start)
	.long PHYS(__load_end)
	.long PHYS(__bss_end)
	.long PHYS(_start)

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	mov %eax, %edi			/* Multiboot magic: first argument */
	mov %ebx, %esi			/* Multiboot info: second argument */
	mov $PHYS(boot_stack_top), %esp

	/* Zero the boot page tables: the loader zeroes bss, but be sure. */
	push %edi
	mov $PHYS(boot_pml4), %edi
	mov $(7 * 4096 / 4), %ecx
	xor %eax, %eax
	rep stosl
	pop %edi

	/* PML4[0] and PML4[256] -> pdpt_low; PML4[511] -> pdpt_high. */
	mov $PHYS(boot_pdpt_low) + 3, %eax
	mov %eax, PHYS(boot_pml4)
	mov %eax, PHYS(boot_pml4) + 256 * 8
	mov $PHYS(boot_pdpt_high) + 3, %eax
	mov %eax, PHYS(boot_pml4) + 511 * 8
	/* pdpt_low[0..3]: 4 GiB of 2 MiB pages; pdpt_high[510]: the first. */
	mov $PHYS(boot_pd) + 3, %eax
	mov %eax, PHYS(boot_pdpt_high) + 510 * 8
	xor %ecx, %ecx
1:	mov %eax, PHYS(boot_pdpt_low)(, %ecx, 8)
	add $4096, %eax
	inc %ecx
	cmp $4, %ecx
	jne 1b
	mov $PHYS(boot_pd), %ebx
	mov $0x83, %eax			/* present, writable, 2 MiB */
	xor %edx, %edx			/* bits 32-63 of each entry */
	xor %ecx, %ecx
1:	mov %eax, (%ebx, %ecx, 8)
	mov %edx, 4(%ebx, %ecx, 8)
	add $0x200000, %eax
	adc $0, %edx
	inc %ecx
	cmp $2048, %ecx
	jne 1b

	mov %cr4, %eax
	or $(1 << 5 | 1 << 7), %eax	/* PAE, PGE */
	mov %eax, %cr4
	mov $PHYS(boot_pml4), %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx		/* EFER: long mode, NX, SYSCALL */
	rdmsr
	or $(1 << 0 | 1 << 8 | 1 << 11), %eax
	wrmsr
	mov %cr0, %eax
	or $(1 << 31 | 1 << 16 | 1 << 0), %eax	/* PG, WP, PE */
	mov %eax, %cr0

	lgdt PHYS(boot_gdt_ptr)
	ljmp $0x08, $PHYS(long_mode)

	.code64
long_mode:
	xor %eax, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	movabs $higher_half, %rax
	jmp *%rax

higher_half:
	movabs $boot_stack_top, %rsp
	xor %ebp, %ebp
	call kmain
1:	cli
	hlt
	jmp 1b

	.section .rodata
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit kernel code */
	.quad 0x00cf92000000ffff	/* 0x10: kernel data */
boot_gdt_ptr:
	.word boot_gdt_ptr - boot_gdt - 1
	.long PHYS(boot_gdt)

	.section .bss.pagetables, "aw", @nobits
	.align 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4 * 4096

	/* The boot CPU's stack, with an unmapped guard page under it. */
	.section .bss.stack, "aw", @nobits
	.align 4096
	.globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:	.skip 4096
boot_stack_bottom:	.skip 16384
boot_stack_top:
