/*
 * kmain: the boot CPU's path from the loader to a running system. The
 * order matters and is the documentation of it (docs/architecture.md):
 * console, boot info, physical memory, page tables, heap, CPU tables,
 * ACPI and interrupt controllers, clocks, scheduler. Then a kernel thread
 * (kinit) brings up the other CPUs and runs the self-tests while this
 * context becomes CPU 0's idle thread.
 */
#include "bootinfo.h"
#include "clock.h"
#include "proc.h"
#include "string.h"
#include "cmdline.h"
#include "cpu.h"
#include "kmalloc.h"
#include "kstack.h"
#include "panic.h"
#include "pmm.h"
#include "printk.h"
#include "sched.h"
#include "selftest.h"
#include "smp.h"
#include "stage.h"
#include "vdso.h"
#include "trace.h"
#include "ipc.h"
#include "gdbstub/kgdb.h"
#include <arch/acpi.h>
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <arch/mmu.h>
#include <arch/pit.h>
#include <arch/trap.h>
#include <arch/tsc.h>
#include <arch/uart.h>
#include <arch/user.h>

extern char __kernel_start[], __kernel_end[], boot_stack_top[];
void smp_init_cpu(struct cpu *c);
void smp_enumerate(void);
void thread_init(void);

static __init void check(int err, const char *what)
{
	if (err)
		panic("%s failed: error %d", what, err);
}

static __init void main_memory(void)
{
	struct mem_range res[2 + BOOT_MAX_MODULES] = {
		{ 0, 0x100000 },	/* BIOS, EBDA, the AP trampoline */
		{ virt_to_phys(__kernel_start),
		  virt_to_phys(__kernel_end) - virt_to_phys(__kernel_start) },
	};
	int nres = 2;

	for (int i = 0; i < boot_info.nmods; i++)
		res[nres++] = boot_info.mods[i];
	check(pmm_init(boot_info.ram, boot_info.nram, res, nres), "pmm_init");
	stage_mark(STAGE_MM_PMM);
	mmu_init();
	stage_mark(STAGE_MM_PAGING);
	stage_mark(STAGE_MM_HEAP);
}

static __init void main_cpu(void)
{
	stage_mark(STAGE_CPU_TABLES);
	if (this_cpu() != &cpus[0] || rdmsr(MSR_GS_BASE) != (uint64_t)&cpus[0])
		panic("per-CPU data is not reached through GS");
	user_init_cpu();
	stage_mark(STAGE_CPU_PERCPU);
	check(acpi_init(), "acpi_init (RSDP/MADT)");
	stage_mark(STAGE_ACPI_MADT);
	pic_disable();
	lapic_init();
	lapic_init_cpu();
	stage_mark(STAGE_IRQ_LAPIC);
	if (!ioapic_init())
		panic("IOAPIC has no pins");
	check(ioapic_route_isa(4, lapic_id()), "IOAPIC route of COM1");
	stage_mark(STAGE_IRQ_IOAPIC);
	kgdb_init();
	lapic_timer_calibrate();
	clock_init();
	vdso_init();
	stage_mark(STAGE_TIME_TSC);
	stage_mark(STAGE_TIME_LAPIC);
	smp_enumerate();
}

/* Proofs that need no other CPU: after the banner, so it comes early. */
static __init void main_selftests(void)
{
	check(pmm_selftest(), "pmm_selftest");
	stage_mark(STAGE_MM_PMM_SELFTEST);
	check(kstack_selftest(), "kstack_selftest");
	stage_mark(STAGE_MM_GUARD);
	check(kmalloc_selftest(), "kmalloc_selftest");
	stage_mark(STAGE_MM_HEAP_SELFTEST);
	check(trap_selftest(), "trap_selftest");
	stage_mark(STAGE_CPU_EXCEPTIONS);
}

static __init void main_banner(void)
{
	uint64_t mib = pmm_total_count() * PAGE_SIZE >> 20;

	printk("Loupe 0.1 (x86_64): %u CPUs, %lu MiB RAM (%lu MiB free), "
	       "TSC %lu.%03lu MHz, cmdline '%s'", ncpus, mib,
	       pmm_free_count() * PAGE_SIZE >> 20, tsc_hz / 1000000,
	       tsc_hz / 1000 % 1000, cmdline_raw());
	stage_mark(STAGE_LOG_BANNER);
}

/*
 * Start /init from the initrd as PID 1, with the command line's key=value
 * words as its environment (as Linux passes them), e.g. stages=exit.
 */
static void main_start_init(void)
{
	static char words[512];
	const char *argv[] = { "/init", NULL };
	const char *envp[17];
	int n = 0, pid;

	if (!boot_info.nmods) {
		printk("init: no initrd (QEMU -initrd build/initrd.cpio): no user space");
		return;
	}
	strlcpy(words, cmdline_raw(), sizeof(words));
	for (char *w = words; *w && n < 16;) {
		char *end = w;

		while (*end && *end != ' ')
			end++;
		if (*end)
			*end++ = '\0';
		if (strchr(w, '='))
			envp[n++] = w;
		w = end;
	}
	envp[n] = NULL;
	pid = proc_spawn("/init", argv, envp, NULL);
	if (pid < 0)
		printk("init: cannot start /init from the initrd: error %d", pid);
}

/* kinit: the boot self-tests, then what needs a finished boot. */
static void kinit(void *arg)
{
	selftest_main(arg);
	kgdb_late_init();
	main_start_init();
}

void kmain(uint32_t magic, uint32_t mbi)
{
	int err;

	trace_init_early();
	smp_init_cpu(&cpus[0]);
	uart_init();
	stage_mark(STAGE_BOOT_CONSOLE);
	err = multiboot_parse(magic, mbi);
	cmdline_init(boot_info.cmdline);
	trace_init();
	stage_exit = cmdline_is("stages", "exit");
	panic_exit = cmdline_is("panic", "exit");
	ipc_fast_init();
	stage_mark(STAGE_BOOT_CMDLINE);
	check(err, "multiboot_parse");
	stage_mark(STAGE_MM_MAP);
	main_memory();
	main_cpu();
	main_banner();
	main_selftests();
	sched_init_cpu(&cpus[0], (uint64_t)boot_stack_top);
	cpus[0].online = true;
	thread_init();
	if (!thread_create("kinit", kinit, NULL, 0))
		panic("cannot create kinit");
	stage_mark(STAGE_SCHED_INIT);
	kgdb_boot_wait();
	lapic_timer_start();
	sched_idle();
}

__noreturn void cpu_halt_forever(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt");
}
