/*
 * Bringing up the other CPUs: one at a time, INIT-SIPI-SIPI to each CPU
 * ACPI found (up to smp= on the command line), each starting in the
 * trampoline and arriving in ap_main() on its own guarded stack, which
 * becomes its idle thread.
 */
#include "cpu.h"
#include "cmdline.h"
#include "kstack.h"
#include "printk.h"
#include "sched.h"
#include "smp.h"
#include "stage.h"
#include "string.h"
#include <arch/acpi.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/mmu.h>
#include <arch/tsc.h>
#include <arch/user.h>

#define TRAMPOLINE_PA	0x8000

extern char trampoline_start[], trampoline_end[], tramp_params[];
extern pte_t boot_pml4[];
void gdt_init_cpu(struct cpu *c);
void idt_init_cpu(struct cpu *c);

struct cpu cpus[MAX_CPUS];
unsigned ncpus = 1;
static pte_t tramp_pml4[512] __aligned(PAGE_SIZE);

unsigned smp_online_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ncpus; i++)
		n += cpus[i].online;
	return n;
}

/* Per-CPU set-up common to the boot CPU and the others. */
void smp_init_cpu(struct cpu *c)
{
	c->self = c;
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	gdt_init_cpu(c);
	idt_init_cpu(c);
}

static __noreturn void ap_main(struct cpu *c)
{
	smp_init_cpu(c);
	mmu_init_cpu();
	user_init_cpu();
	lapic_init_cpu();
	sched_init_cpu(c, c->kstack_top);
	/* Release: pairs with the acquire load in smp_start_cpu(). */
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	lapic_timer_start();
	sched_idle();
}

static int smp_start_cpu(struct cpu *c)
{
	uint64_t *params = (uint64_t *)phys_to_virt(TRAMPOLINE_PA +
				(tramp_params - trampoline_start));
	uint64_t deadline;

	c->kstack_top = kstack_alloc();
	if (!c->kstack_top)
		return -ENOMEM;
	params[0] = virt_to_phys(tramp_pml4);
	params[1] = c->kstack_top;
	params[2] = (uint64_t)c;
	params[3] = (uint64_t)ap_main;
	lapic_send_ipi(c->apic_id, ICR_INIT | ICR_ASSERT);
	tsc_delay_us(10000);
	for (int i = 0; i < 2 && !c->online; i++) {
		lapic_send_ipi(c->apic_id, ICR_STARTUP | (TRAMPOLINE_PA >> 12));
		tsc_delay_us(200);
	}
	deadline = rdtsc() + 5 * tsc_hz;
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		if (rdtsc() > deadline)
			return -ETIMEDOUT;
		cpu_relax();
	}
	return 0;
}

/* Decide which CPUs to use (ACPI's list, limited by smp=). Boot CPU = 0. */
void smp_enumerate(void)
{
	uint32_t me = lapic_id();
	unsigned limit = cmdline_long("smp", MAX_CPUS);

	cpus[0].apic_id = me;
	ncpus = 1;
	for (unsigned i = 0; i < acpi.ncpus; i++) {
		if (acpi.apic_ids[i] == me || ncpus >= MIN(limit, MAX_CPUS))
			continue;
		cpus[ncpus].id = ncpus;
		cpus[ncpus].apic_id = acpi.apic_ids[i];
		ncpus++;
	}
}

/* Start every other CPU, one at a time. Context: boot CPU, thread. */
void smp_boot_aps(void)
{
	memcpy(phys_to_virt(TRAMPOLINE_PA), trampoline_start,
	       trampoline_end - trampoline_start);
	memcpy(tramp_pml4, phys_to_virt(mmu_kernel_pml4()), PAGE_SIZE);
	tramp_pml4[0] = boot_pml4[0];	/* identity map of low memory */
	for (unsigned i = 1; i < ncpus; i++) {
		int err = smp_start_cpu(&cpus[i]);

		if (err) {
			printk("smp: CPU %u (APIC %u) failed to start: %d",
			       i, cpus[i].apic_id, err);
			ncpus = i;
			break;
		}
		if (i <= 3)
			stage_mark(STAGE_SMP_CPU1 + i - 1);
	}
}
