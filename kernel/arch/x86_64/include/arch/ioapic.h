/* The IOAPIC (ioapic.c). */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include "types.h"

unsigned ioapic_init(void);
int ioapic_route_isa(unsigned irq, uint32_t apic_id);
void ioapic_unmask_isa(unsigned irq, bool unmask);

#endif
