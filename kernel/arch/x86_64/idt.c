/*
 * Per-CPU interrupt descriptor tables. Every vector points at its stub in
 * entry.S; NMI, double fault and machine check run on IST stacks so they
 * work even when the interrupted kernel stack is broken.
 */
#include "cpu.h"
#include <arch/percpu.h>
#include <arch/trap.h>

extern char trap_stub_base[];

static void idt_set(struct idt_entry *e, uint64_t handler, uint8_t ist,
		    uint8_t dpl)
{
	e->off_lo = handler & 0xffff;
	e->sel = GDT_KCODE;
	e->ist = ist;
	e->type = 0x8e | (dpl << 5);	/* present, 64-bit interrupt gate */
	e->off_mid = (handler >> 16) & 0xffff;
	e->off_hi = handler >> 32;
	e->zero = 0;
}

/* Fill and load this CPU's IDT. Context: boot, once per CPU. */
void idt_init_cpu(struct cpu *c)
{
	struct idt_entry *idt = c->arch.idt;
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = { sizeof(c->arch.idt) - 1, (uint64_t)idt };

	for (int v = 0; v < 256; v++) {
		uint8_t ist = 0;

		if (v == VEC_NMI)
			ist = IST_NMI;
		else if (v == VEC_DF)
			ist = IST_DF;
		else if (v == VEC_MC)
			ist = IST_MC;
		idt_set(&idt[v], (uint64_t)trap_stub_base + 16 * v, ist,
			v == VEC_BP ? 3 : 0);
	}
	__asm__ __volatile__("lidt %0" : : "m"(ptr));
}
