/*
 * What the boot loader told us, in a loader-neutral form: usable RAM
 * ranges, modules and the command line. Filled by the arch's loader code
 * (multiboot.c) before anything else runs.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include "types.h"
#include "pmm.h"

#define BOOT_MAX_RANGES	32
#define BOOT_MAX_MODULES 8

struct boot_info {
	struct mem_range ram[BOOT_MAX_RANGES];
	int nram;
	struct mem_range mapped[BOOT_MAX_RANGES];	/* RAM + ACPI: direct-mapped */
	int nmapped;
	struct mem_range mods[BOOT_MAX_MODULES];
	int nmods;
	paddr_t max_phys;		/* end of the highest RAM range */
	char cmdline[512];
};

extern struct boot_info boot_info;
int multiboot_parse(uint32_t magic, uint32_t mbi);

#endif
