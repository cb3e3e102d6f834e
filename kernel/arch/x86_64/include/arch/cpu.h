/*
 * Small x86_64 instruction wrappers: port I/O, MSRs, control registers,
 * interrupt flag, TSC. Everything here is inline and safe on hot paths.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include "types.h"

#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_FMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_APIC_BASE		0x1b

#define EFER_SCE	(1UL << 0)
#define EFER_LME	(1UL << 8)
#define EFER_NXE	(1UL << 11)
#define RFLAGS_IF	(1UL << 9)
#define RFLAGS_TF	(1UL << 8)
#define CR0_WP		(1UL << 16)
#define CR4_PGE		(1UL << 7)
#define CR4_OSFXSR	(1UL << 9)
#define CR4_SMEP	(1UL << 20)
#define CR4_SMAP	(1UL << 21)

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			     "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define CR_ACCESSORS(n) \
static inline uint64_t read_cr##n(void) \
{ \
	uint64_t v; \
	__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v)); \
	return v; \
} \
static inline void write_cr##n(uint64_t v) \
{ \
	__asm__ __volatile__("mov %0, %%cr" #n : : "r"(v) : "memory"); \
}
CR_ACCESSORS(0)
CR_ACCESSORS(2)
CR_ACCESSORS(3)
CR_ACCESSORS(4)

static inline unsigned long read_rflags(void)
{
	unsigned long f;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline void irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

static inline bool irqs_enabled(void)
{
	return read_rflags() & RFLAGS_IF;
}

static inline unsigned long irq_save(void)
{
	unsigned long f = read_rflags();

	irq_disable();
	return f;
}

static inline void irq_restore(unsigned long f)
{
	if (f & RFLAGS_IF)
		irq_enable();
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline void invlpg(vaddr_t va)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ __volatile__("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]),
			     "=d"(r[3]) : "a"(leaf), "c"(sub));
}

/* QEMU's isa-debug-exit device: QEMU exits with status (code << 1) | 1. */
static inline void qemu_exit(uint8_t code)
{
	outl(0xf4, code);
}

__noreturn void cpu_halt_forever(void);

#endif
