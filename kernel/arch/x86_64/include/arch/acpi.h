/* What ACPI told us about the machine (acpi.c). */
#ifndef ARCH_ACPI_H
#define ARCH_ACPI_H

#include "types.h"

#define ACPI_MAX_CPUS 64

struct acpi_info {
	unsigned ncpus;			/* enabled processors */
	uint8_t apic_ids[ACPI_MAX_CPUS];/* [0] is not necessarily the BSP */
	uint64_t lapic_addr;
	uint32_t ioapic_addr;
	uint32_t ioapic_gsi_base;
	uint32_t irq_gsi[16];		/* ISA IRQ -> GSI (overrides applied) */
	uint16_t irq_flags[16];		/* MPS polarity/trigger flags */
};

extern struct acpi_info acpi;
int acpi_init(void);

#endif
