/*
 * The local APIC (xAPIC, MMIO): enable, end-of-interrupt, inter-processor
 * interrupts, and the periodic timer calibrated against the PIT.
 */
#include "cpu.h"
#include "printk.h"
#include <arch/acpi.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/mmu.h>
#include <arch/pit.h>
#include <arch/trap.h>
#include <arch/tsc.h>

#define LAPIC_ID	0x020
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ESR	0x280
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_LVT_ERR	0x370
#define LAPIC_TIMER_ICR	0x380
#define LAPIC_TIMER_CCR	0x390
#define LAPIC_TIMER_DCR	0x3e0

#define ICR_PENDING	(1 << 12)
#define LVT_MASKED	(1 << 16)
#define TIMER_PERIODIC	(1 << 17)

static volatile uint32_t *lapic_regs;
uint32_t lapic_ticks_per_hz;	/* timer counts per tick (divide by 16) */

static inline uint32_t lapic_read(unsigned reg)
{
	return lapic_regs[reg / 4];
}

static inline void lapic_write(unsigned reg, uint32_t v)
{
	lapic_regs[reg / 4] = v;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

/* Map the registers. Context: boot CPU, once, after acpi_init(). */
void lapic_init(void)
{
	paddr_t pa = acpi.lapic_addr ? acpi.lapic_addr : 0xfee00000;

	mmu_map_mmio(pa, PAGE_SIZE);
	lapic_regs = phys_to_virt(pa);
}

/* Enable this CPU's local APIC with everything masked but errors. */
void lapic_init_cpu(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1 << 11));
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, this_cpu()->id == 0 ? 0x400 : LVT_MASKED);
	lapic_write(LAPIC_LVT_ERR, VEC_SPURIOUS);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	lapic_eoi();
}

/*
 * Send an IPI: vector and delivery mode in the low word (ICR_FIXED etc.),
 * to one APIC id or, with ICR_ALL_BUT_SELF, to every other CPU.
 * Context: any; interrupts are disabled around the two-register write.
 */
void lapic_send_ipi(uint32_t apic_id, uint32_t low)
{
	unsigned long f = irq_save();

	while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
		cpu_relax();
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, low);
	while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
		cpu_relax();
	irq_restore(f);
}

/*
 * Measure the TSC and the APIC timer together over one PIT-timed 10 ms
 * interval. The boot CPU does this once; every CPU uses the result (they
 * share one bus clock and, on anything modern, one invariant TSC).
 */
void lapic_timer_calibrate(void)
{
	uint64_t t0, t1;
	uint32_t count;

	lapic_write(LAPIC_TIMER_DCR, 0x3);	/* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_ICR, 0xffffffff);
	t0 = rdtsc();
	pit_wait_ms(10);
	t1 = rdtsc();
	count = 0xffffffff - lapic_read(LAPIC_TIMER_CCR);
	lapic_write(LAPIC_TIMER_ICR, 0);
	lapic_ticks_per_hz = (uint64_t)count * 100 / HZ;
	tsc_hz = (t1 - t0) * 100;
}

/* Start this CPU's periodic tick at HZ. */
void lapic_timer_start(void)
{
	lapic_write(LAPIC_TIMER_DCR, 0x3);
	lapic_write(LAPIC_LVT_TIMER, TIMER_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_TIMER_ICR, lapic_ticks_per_hz);
}
