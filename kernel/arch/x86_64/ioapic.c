/*
 * The IOAPIC: routes ISA/PCI interrupt lines (GSIs) to vectors on a CPU.
 * Everything starts masked; drivers unmask their line when they are ready.
 * ioapic_lock protects the index/data register pair. Order: innermost.
 */
#include "printk.h"
#include "spinlock.h"
#include <arch/acpi.h>
#include <arch/ioapic.h>
#include <arch/mmu.h>
#include <arch/trap.h>

#define IOREGSEL	0x00
#define IOWIN		0x10
#define IOAPIC_VER	0x01
#define REDIR(n)	(0x10 + 2 * (n))
#define RTE_MASKED	(1 << 16)
#define RTE_LEVEL	(1 << 15)
#define RTE_LOW		(1 << 13)

static volatile uint32_t *ioapic_regs;
static unsigned ioapic_pins;
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");

static uint32_t ioapic_read(unsigned reg)
{
	ioapic_regs[IOREGSEL / 4] = reg;
	return ioapic_regs[IOWIN / 4];
}

static void ioapic_write(unsigned reg, uint32_t v)
{
	ioapic_regs[IOREGSEL / 4] = reg;
	ioapic_regs[IOWIN / 4] = v;
}

static void ioapic_set(unsigned pin, uint64_t rte)
{
	unsigned long f = spin_lock_irqsave(&ioapic_lock);

	ioapic_write(REDIR(pin), RTE_MASKED);
	ioapic_write(REDIR(pin) + 1, rte >> 32);
	ioapic_write(REDIR(pin), (uint32_t)rte);
	spin_unlock_irqrestore(&ioapic_lock, f);
}

static uint64_t ioapic_get(unsigned pin)
{
	unsigned long f = spin_lock_irqsave(&ioapic_lock);
	uint64_t v = ioapic_read(REDIR(pin)) |
		     (uint64_t)ioapic_read(REDIR(pin) + 1) << 32;

	spin_unlock_irqrestore(&ioapic_lock, f);
	return v;
}

/*
 * Route ISA irq to VEC_IRQ_BASE + irq on the CPU with apic_id, masked,
 * honouring ACPI's source overrides. Returns 0, or -EIO if the entry does
 * not read back as written.
 */
int ioapic_route_isa(unsigned irq, uint32_t apic_id)
{
	unsigned pin = acpi.irq_gsi[irq] - acpi.ioapic_gsi_base;
	uint16_t fl = acpi.irq_flags[irq];
	uint64_t rte = (VEC_IRQ_BASE + irq) | RTE_MASKED |
		       ((uint64_t)apic_id << 56);

	if (pin >= ioapic_pins)
		return -EINVAL;
	if ((fl & 3) == 3)
		rte |= RTE_LOW;
	if (((fl >> 2) & 3) == 3)
		rte |= RTE_LEVEL;
	ioapic_set(pin, rte);
	return ioapic_get(pin) == rte ? 0 : -EIO;
}

void ioapic_unmask_isa(unsigned irq, bool unmask)
{
	unsigned pin = acpi.irq_gsi[irq] - acpi.ioapic_gsi_base;
	uint64_t rte = ioapic_get(pin);

	ioapic_set(pin, unmask ? rte & ~(uint64_t)RTE_MASKED : rte | RTE_MASKED);
}

/* Map the IOAPIC and mask every pin. Returns the number of pins. */
unsigned ioapic_init(void)
{
	mmu_map_mmio(acpi.ioapic_addr, PAGE_SIZE);
	ioapic_regs = phys_to_virt(acpi.ioapic_addr);
	ioapic_pins = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
	for (unsigned pin = 0; pin < ioapic_pins; pin++)
		ioapic_set(pin, RTE_MASKED);
	return ioapic_pins;
}
