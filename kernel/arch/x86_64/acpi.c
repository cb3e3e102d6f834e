/*
 * ACPI, just enough to find the machine: the RSDP (EBDA or the BIOS area),
 * the RSDT/XSDT, and the MADT's processors, IOAPIC and interrupt source
 * overrides. Tables are read through the direct map; checksums verified.
 */
#include "printk.h"
#include "string.h"
#include <arch/acpi.h>
#include <arch/mmu.h>

struct acpi_rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t xchecksum;
	uint8_t reserved[3];
} __packed;

struct acpi_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __packed;

struct acpi_madt {
	struct acpi_header h;
	uint32_t lapic;
	uint32_t flags;
	uint8_t entries[];
} __packed;

struct acpi_info acpi;

static bool acpi_checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return sum == 0;
}

static const struct acpi_rsdp *acpi_scan(paddr_t start, size_t len)
{
	for (paddr_t p = start; p < start + len; p += 16) {
		const struct acpi_rsdp *r = phys_to_virt(p);

		if (!memcmp(r->sig, "RSD PTR ", 8) && acpi_checksum(r, 20))
			return r;
	}
	return NULL;
}

static const struct acpi_rsdp *acpi_find_rsdp(void)
{
	paddr_t ebda = (paddr_t)*(uint16_t *)phys_to_virt(0x40e) << 4;
	const struct acpi_rsdp *r = NULL;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		r = acpi_scan(ebda, 1024);
	return r ? r : acpi_scan(0xe0000, 0x20000);
}

static const struct acpi_header *acpi_find_table(const struct acpi_rsdp *r,
						 const char *sig)
{
	bool x = r->revision >= 2 && r->xsdt;
	const struct acpi_header *root = phys_to_virt(x ? r->xsdt : r->rsdt);
	size_t width = x ? 8 : 4;
	size_t n = (root->length - sizeof(*root)) / width;
	const uint8_t *ents = (const uint8_t *)(root + 1);

	for (size_t i = 0; i < n; i++) {
		uint64_t pa = 0;
		const struct acpi_header *h;

		memcpy(&pa, ents + i * width, width);
		h = phys_to_virt(pa);
		if (!memcmp(h->sig, sig, 4) && acpi_checksum(h, h->length))
			return h;
	}
	return NULL;
}

static void acpi_madt_entry(const uint8_t *e)
{
	switch (e[0]) {
	case 0:		/* processor local APIC: uid, apic id, flags */
		if ((e[4] & 1) && acpi.ncpus < ACPI_MAX_CPUS)
			acpi.apic_ids[acpi.ncpus++] = e[3];
		break;
	case 1:		/* IOAPIC: id, reserved, address, GSI base */
		if (!acpi.ioapic_addr) {
			memcpy(&acpi.ioapic_addr, e + 4, 4);
			memcpy(&acpi.ioapic_gsi_base, e + 8, 4);
		}
		break;
	case 2:		/* interrupt source override: bus, irq, gsi, flags */
		if (e[3] < 16) {
			memcpy(&acpi.irq_gsi[e[3]], e + 4, 4);
			memcpy(&acpi.irq_flags[e[3]], e + 8, 2);
		}
		break;
	case 5:		/* local APIC address override */
		memcpy(&acpi.lapic_addr, e + 4, 8);
		break;
	}
}

/* Find the CPUs, the local APIC and the IOAPIC. Returns 0 or -ENODEV. */
int acpi_init(void)
{
	const struct acpi_rsdp *r = acpi_find_rsdp();
	const struct acpi_madt *madt;
	const uint8_t *e, *end;

	for (int i = 0; i < 16; i++)
		acpi.irq_gsi[i] = i;
	if (!r)
		return -ENODEV;
	madt = (const struct acpi_madt *)acpi_find_table(r, "APIC");
	if (!madt)
		return -ENODEV;
	acpi.lapic_addr = madt->lapic;
	e = madt->entries;
	end = (const uint8_t *)madt + madt->h.length;
	for (; e + 2 <= end && e[1] >= 2; e += e[1])
		acpi_madt_entry(e);
	return acpi.ncpus && acpi.ioapic_addr ? 0 : -ENODEV;
}
