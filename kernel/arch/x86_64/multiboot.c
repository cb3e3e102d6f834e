/*
 * Multiboot (v1) boot information: the memory map, the command line and
 * the modules (the initrd, later). Read once at boot through the direct
 * map; the results are copied into boot_info, since the loader's memory
 * is not reserved after that.
 */
#include "bootinfo.h"
#include "printk.h"
#include "string.h"
#include <arch/mmu.h>

#define MB_INFO_MEMORY	(1 << 0)
#define MB_INFO_CMDLINE	(1 << 2)
#define MB_INFO_MODS	(1 << 3)
#define MB_INFO_MMAP	(1 << 6)
#define MB_MAGIC	0x2badb002

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __packed;

struct mb_mmap {
	uint32_t size;
	uint64_t base, len;
	uint32_t type;
} __packed;

struct mb_module {
	uint32_t start, end, string, reserved;
} __packed;

struct boot_info boot_info;

static void multiboot_add_ram(uint64_t base, uint64_t len)
{
	struct boot_info *bi = &boot_info;

	if (bi->nram < BOOT_MAX_RANGES) {
		bi->ram[bi->nram].base = base;
		bi->ram[bi->nram].len = len;
		bi->nram++;
	}
	if (base + len > bi->max_phys)
		bi->max_phys = base + len;
}

static void multiboot_read_mmap(const struct mb_info *mb)
{
	uintptr_t p = (uintptr_t)phys_to_virt(mb->mmap_addr);
	uintptr_t end = p + mb->mmap_length;

	while (p < end) {
		const struct mb_mmap *e = (const struct mb_mmap *)p;

		if (e->type == 1 && e->len)
			multiboot_add_ram(e->base, e->len);
		/* RAM, ACPI tables and ACPI NVS go into the direct map. */
		if ((e->type == 1 || e->type == 3 || e->type == 4) && e->len &&
		    boot_info.nmapped < BOOT_MAX_RANGES) {
			boot_info.mapped[boot_info.nmapped].base = e->base;
			boot_info.mapped[boot_info.nmapped].len = e->len;
			boot_info.nmapped++;
		}
		p += e->size + sizeof(e->size);
	}
}

static void multiboot_read_modules(const struct mb_info *mb)
{
	const struct mb_module *m = phys_to_virt(mb->mods_addr);
	struct boot_info *bi = &boot_info;

	for (uint32_t i = 0; i < mb->mods_count && i < BOOT_MAX_MODULES; i++) {
		bi->mods[i].base = m[i].start;
		bi->mods[i].len = m[i].end - m[i].start;
		bi->nmods++;
	}
}

/* Parse the loader's info. Returns 0, or -EINVAL if not booted by Multiboot. */
int multiboot_parse(uint32_t magic, uint32_t mbi)
{
	const struct mb_info *mb = phys_to_virt(mbi);

	if (magic != MB_MAGIC)
		return -EINVAL;
	if (mb->flags & MB_INFO_CMDLINE)
		strlcpy(boot_info.cmdline, phys_to_virt(mb->cmdline),
			sizeof(boot_info.cmdline));
	if (mb->flags & MB_INFO_MMAP) {
		multiboot_read_mmap(mb);
	} else if (mb->flags & MB_INFO_MEMORY) {
		multiboot_add_ram(0, mb->mem_lower * 1024UL);
		multiboot_add_ram(0x100000, mb->mem_upper * 1024UL);
		memcpy(boot_info.mapped, boot_info.ram, sizeof(boot_info.ram));
		boot_info.nmapped = boot_info.nram;
	}
	if (mb->flags & MB_INFO_MODS)
		multiboot_read_modules(mb);
	return boot_info.nram ? 0 : -EINVAL;
}
