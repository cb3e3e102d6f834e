/*
 * The application processors' way into long mode. smp.c copies this code
 * to physical TRAMPOLINE_PA (below 1 MiB, where a SIPI can point) and
 * fills tramp_params; each AP then starts here in real mode, switches to
 * protected mode, enables paging with tramp_params.cr3 (the kernel half
 * plus an identity map of low memory), enters long mode and jumps to
 * tramp_params.entry(tramp_params.cpu) on tramp_params.stack.
 * Everything is addressed as (label - trampoline_start + TRAMPOLINE_PA).
 */
#define TRAMPOLINE_PA	0x8000
#define ABS(x)		((x) - trampoline_start + TRAMPOLINE_PA)

	.section .rodata
	.code16
	.globl trampoline_start, trampoline_end, tramp_params
	.align 16
trampoline_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl ABS(tramp_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $ABS(tramp32)

	.code32
tramp32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(1 << 5 | 1 << 7), %eax		/* PAE, PGE */
	movl %eax, %cr4
	movl ABS(tramp_params), %eax		/* cr3 */
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $(1 << 0 | 1 << 8 | 1 << 11), %eax	/* SCE, LME, NXE */
	wrmsr
	movl %cr0, %eax
	orl $(1 << 31 | 1 << 16 | 1), %eax	/* PG, WP, PE */
	movl %eax, %cr0
	ljmpl $0x18, $ABS(tramp64)

	.code64
tramp64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq ABS(tramp_params) + 8, %rsp	/* stack */
	movq ABS(tramp_params) + 16, %rdi	/* struct cpu * */
	movq ABS(tramp_params) + 24, %rax	/* entry */
	xorl %ebp, %ebp
	pushq $0				/* fake return address */
	jmp *%rax

	.align 16
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff		/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff		/* 0x10: data */
	.quad 0x00af9a000000ffff		/* 0x18: 64-bit code */
tramp_gdt_ptr:
	.word tramp_gdt_ptr - tramp_gdt - 1
	.long ABS(tramp_gdt)

	.align 8
tramp_params:
	.quad 0		/* cr3 */
	.quad 0		/* stack */
	.quad 0		/* cpu */
	.quad 0		/* entry */
trampoline_end:
