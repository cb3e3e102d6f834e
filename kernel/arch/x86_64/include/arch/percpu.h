/*
 * The x86_64 part of struct cpu: this CPU's GDT, TSS, IDT and the stacks
 * the TSS's IST slots point at (NMI, double fault, machine check), so
 * those exceptions run on a known-good stack even after a stack overflow.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include "types.h"

#define GDT_KCODE	0x08
#define GDT_KDATA	0x10
#define GDT_UDATA	0x1b	/* 0x18 | RPL 3: SYSRET wants user data at +8 */
#define GDT_UCODE	0x23	/* 0x20 | RPL 3 */
#define GDT_TSS		0x28
#define GDT_ENTRIES	7	/* null, kcode, kdata, udata, ucode, tss (2) */

#define IST_NMI		1
#define IST_DF		2
#define IST_MC		3
#define IST_STACK_SIZE	8192

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

/*
 * The TSS's I/O permission bitmap follows it (user.c switches it): 8 KiB
 * of "this port faults" bits and the 0xff byte the SDM wants after them.
 * An offset past the TSS limit means no port is allowed at all.
 */
#define TSS_IOMAP_BYTES		8192
#define TSS_IOMAP_OFFSET	sizeof(struct tss)
#define TSS_IOMAP_INVALID	0xffff

struct idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __packed;

struct arch_cpu {
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	struct tss tss __aligned(16);
	uint8_t iomap[TSS_IOMAP_BYTES + 1];	/* must follow tss directly */
	/* Owned by this CPU, interrupts off: */
	uint64_t iomap_gen;		/* struct iomap.gen copied into iomap */
	unsigned iomap_len;		/* bytes of iomap that are not 0xff */
	struct idt_entry idt[256] __aligned(16);
	uint8_t ist_stacks[3][IST_STACK_SIZE] __aligned(16);
};

#endif
