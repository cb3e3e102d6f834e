/*
 * Device interrupt registration: a driver names a handler for a vector;
 * trap_dispatch() (intr.c) calls it through irq_handlers[] and sends the
 * EOI. Registration happens at init, before the line is unmasked, so the
 * table needs no lock: a plain store the dispatcher reads later.
 */
#include "printk.h"
#include <arch/trap.h>

extern irq_handler_t irq_handlers[256];
extern const char *irq_names[256];

void irq_register(int vector, irq_handler_t fn, const char *name)
{
	if (vector < VEC_IRQ_BASE || vector >= VEC_TIMER || irq_handlers[vector])
		panic("irq_register: vector 0x%x unusable for %s", vector, name);
	irq_names[vector] = name;
	irq_handlers[vector] = fn;
}
