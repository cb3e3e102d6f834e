/*
 * Tracing glue: the rings' memory (static, in .bss, for MAX_CPUS: usable
 * from the first line of kmain, at fixed physical addresses; see "The
 * kernel side" in docs/tracing.md), trace_ctl for the host, the trace=
 * options, task-name snapshots and low-rate sampling from CPU 0's idle loop.
 */
#include "trace.h"
#include "cmdline.h"
#include "pmm.h"
#include "printk.h"
#include "sched.h"
#include "stage.h"
#include "string.h"
#include <arch/mmu.h>
#include <arch/trap.h>
#include <arch/tsc.h>

#define TRACE_DATA_MAX		(1024 * 1024)	/* data bytes per CPU, at most */
#define TRACE_SLOT		(TRACE_DATA_MAX + PAGE_SIZE)
#define TRACE_SAMPLE_TICKS	25		/* idle samples every 100 ms */
#define TRACE_DUMP_DEFAULT	4096		/* bytes per CPU on a panic */

_Static_assert(MAX_CPUS <= TRACE_MAX_CPUS, "trace_ctl.ring_phys too small");

static uint8_t trace_mem[MAX_CPUS][TRACE_SLOT] __aligned(PAGE_SIZE);
struct trace_ring_hdr *trace_rings[MAX_CPUS];
struct trace_ctl trace_ctl __aligned(64);
uint64_t trace_irq_name8[256];
static uint64_t trace_ring_size = TRACE_DATA_MAX;
uint64_t trace_dump_bytes = TRACE_DUMP_DEFAULT;	/* trace_dump.c */
/* Record every system call (tracesys=): read by syscall.c on each call. */
bool trace_syscalls;
/* The CPU has no CMPXCHG16B: tracing stays off (trace_init says so). */
static bool trace_no_cx16;
#define CPUID_1_ECX_CX16	(1u << 13)

static void trace_publish(unsigned cpu)
{
	struct trace_ring_hdr *r = (struct trace_ring_hdr *)trace_mem[cpu];

	/*
	 * No fence of our own: a host that finds ring_phys[] checks the
	 * ring's magic with trace_reader_init()'s acquire load, which pairs
	 * with trace_ring_init()'s release store; hooks read their CPU's
	 * cpus[].trace_ring on this CPU, in program order.
	 */
	trace_ctl.ring_phys[cpu] = virt_to_phys(r);
	WRITE_ONCE(trace_rings[cpu], r);
	WRITE_ONCE(cpus[cpu].trace_ring, r);
}

/*
 * Stop (@paused) or restart recording on every CPU, for benchmarks that
 * compare tracing on and off in one boot; the rings stay as they are.
 * trace_rings[] goes too: the IPC fast path reads it. Context: thread,
 * one caller at a time (the benchmarks).
 */
void trace_pause(bool paused)
{
	static struct trace_ring_hdr *saved[MAX_CPUS];

	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (paused)
			saved[i] = trace_rings[i];
		WRITE_ONCE(trace_rings[i], paused ? NULL : saved[i]);
		WRITE_ONCE(cpus[i].trace_ring, paused ? NULL : saved[i]);
	}
}

/*
 * CPU 0's ring in flight-recorder mode, before anything else runs: the
 * command line is not parsed yet, so trace_init() settles the mode.
 * Context: first lines of kmain, GS not set up.
 */
__init void trace_init_early(void)
{
	uint32_t r[4];

	trace_ctl.boot_tsc = rdtsc();
	/* The ring's slow path stores a pair with cmpxchg16b (trace/local.h). */
	cpuid(1, 0, r);
	trace_no_cx16 = !(r[2] & CPUID_1_ECX_CX16);
	if (trace_no_cx16)
		return;
	trace_ring_init(trace_mem[0], trace_ring_bytes(trace_ring_size), 0,
			TRACE_MODE_OVERWRITE);
	trace_publish(0);
}

/* Turn CPU 0's young ring into a stream-mode ring (nothing consumed yet). */
static __init void trace_make_stream(struct trace_ring_hdr *r)
{
	unsigned long f = irq_save();

	r->mode = TRACE_MODE_STREAM;
	r->limit = r->data_size;	/* tail is still 0 */
	r->wlimit = MIN(r->wlimit, r->limit);
	irq_restore(f);
}

/*
 * Apply the command line: trace=off|overwrite|stream (default overwrite),
 * tracebuf=<KiB per CPU> (a power of two, at most 1024), tracedump=<bytes
 * per CPU printed on a panic, 0 = none>, tracesys=on|off (record system
 * calls; default on when streaming a capture, off in the flight recorder,
 * where two records would add a third to a null system call's cost).
 * Then publish trace_ctl.
 * Context: kmain, right after the command line is parsed.
 */
__init void trace_init(void)
{
	char mode[16] = "overwrite";
	long kib = cmdline_long("tracebuf", TRACE_DATA_MAX / 1024);

	cmdline_get("trace", mode, sizeof(mode));
	trace_dump_bytes = cmdline_long("tracedump", TRACE_DUMP_DEFAULT);
	trace_ctl.version = TRACE_VERSION;
	trace_ctl.ncpus = 1;
	trace_ctl.enabled = strcmp(mode, "off") != 0 && !trace_no_cx16;
	if (trace_no_cx16)
		printk("trace: the CPU has no CMPXCHG16B: tracing is off\n");
	trace_ctl.mode = !strcmp(mode, "stream") ? TRACE_MODE_STREAM :
			 TRACE_MODE_OVERWRITE;
	trace_syscalls = trace_ctl.enabled &&
		(cmdline_is("tracesys", "on") ||
		 (trace_ctl.mode == TRACE_MODE_STREAM &&
		  !cmdline_is("tracesys", "off")));
	if (kib >= 8 && kib * 1024 <= TRACE_DATA_MAX && !(kib & (kib - 1)))
		trace_ring_size = kib * 1024;
	trace_ctl.ring_bytes = trace_ring_bytes(trace_ring_size);
	if (!trace_ctl.enabled) {
		trace_rings[0] = NULL;
		cpus[0].trace_ring = NULL;
		trace_ctl.ring_phys[0] = 0;
	} else if (trace_ctl.mode == TRACE_MODE_STREAM) {
		trace_make_stream(trace_rings[0]);
	}
	/* Release: pairs with the acquire load of magic in tracecap's live_map(). */
	__atomic_store_n(&trace_ctl.magic, TRACE_CTL_MAGIC, __ATOMIC_RELEASE);
}

/* Set up @cpu's ring. Context: that CPU starting, before it records. */
void trace_init_cpu(unsigned cpu)
{
	if (!cpu || cpu >= MAX_CPUS || !trace_ctl.enabled)
		return;
	trace_ring_init(trace_mem[cpu], trace_ctl.ring_bytes, cpu,
			trace_ctl.mode);
	trace_publish(cpu);
}

/* Names of the vectors the kernel handles itself, and of device IRQs. */
static void trace_name_vectors(void)
{
	extern const char *irq_names[256];

	trace_irq_name8[VEC_NMI] = trace_name8("nmi");
	trace_irq_name8[VEC_TIMER] = trace_name8("timer");
	trace_irq_name8[VEC_IPI_RESCHED] = trace_name8("resched");
	trace_irq_name8[VEC_IPI_CALL] = trace_name8("ipi-call");
	trace_irq_name8[VEC_IPI_STOP] = trace_name8("ipi-stop");
	trace_irq_name8[VEC_SPURIOUS] = trace_name8("spurious");
	for (int v = 0; v < 256; v++) {
		if (irq_names[v])
			trace_irq_name8[v] = trace_name8(irq_names[v]);
	}
}

static void trace_emit_name(struct trace_ring_hdr *r, struct thread *t)
{
	char name[TRACE_NAME_LEN] = { 0 };

	strlcpy(name, t->name, sizeof(name));
	trace_emit_task_rename(r, t->tid, name);
}

/*
 * Record the name of every thread (TRACE_TASK_RENAME), so a capture that
 * starts late, or a flight recorder whose TASK_NEW records were
 * overwritten, still names them. @locked: the caller holds threads_lock
 * or everything else is stopped (panic). Context: any; IRQs are disabled.
 */
void trace_snapshot_names(bool locked)
{
	unsigned long f = irq_save();
	struct trace_ring_hdr *r = trace_ring();
	struct list_head *p;

	if (r && !locked)
		spin_lock(&threads_lock);
	if (r) {
		list_for_each(p, &all_threads)
			trace_emit_name(r, list_entry(p, struct thread,
						      all_link));
		if (!locked)
			spin_unlock(&threads_lock);
	}
	irq_restore(f);
}

static void trace_task_emit_new(struct thread *t, struct thread *parent)
{
	unsigned long f = irq_save();
	struct trace_ring_hdr *r = trace_ring();
	char name[TRACE_NAME_LEN] = { 0 };

	strlcpy(name, t->name, sizeof(name));
	if (r)
		trace_emit_task_new(r, t->tid, t->tgid,
				    parent ? trace_tid_of(parent->tid) : 0,
				    TRACE_TASK_F_KERNEL, name);
	irq_restore(f);
}

/* @t was just created by the current thread. Context: thread. */
void trace_task_new(struct thread *t)
{
	trace_task_emit_new(t, current_thread());
}

/* @t (the current thread) is exiting. Context: thread, IRQs off. */
void trace_task_exit(struct thread *t)
{
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_task_exit(r, t->tid, t->tgid, 0);
}

/* @t has a new name. Context: any. */
void trace_task_rename(struct thread *t)
{
	unsigned long f = irq_save();
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_name(r, t);
	irq_restore(f);
}

/* Boot reached @stage (stage_mark()). Context: any. */
void trace_stage(unsigned stage)
{
	unsigned long f = irq_save();
	struct trace_ring_hdr *r = trace_ring();

	if (r)
		trace_emit_boot_stage(r, stage, TRACE_STAGE_END);
	irq_restore(f);
}

/* Serve a host's request for a name snapshot (trace_ctl.snapshot_req). */
static void trace_serve_snapshot(void)
{
	uint64_t req = __atomic_load_n(&trace_ctl.snapshot_req,
				       __ATOMIC_RELAXED);

	if (req == trace_ctl.snapshot_done)
		return;
	trace_snapshot_names(false);
	WRITE_ONCE(trace_ctl.snapshot_done, req);	/* a hint for the host */
}

static void trace_load_thread(void *unused)
{
	trace_load_main();
}

/*
 * CPU 0's idle loop, every TRACE_SAMPLE_TICKS: sample free memory, serve
 * a host's snapshot request, and once boot is done start the trace
 * workload if the command line asks for one (traceload=, traceflood=,
 * tracebench=). No thread of its own: the boot self-tests count threads.
 * Context: CPU 0's idle thread, interrupts enabled.
 */
void trace_idle(struct cpu *c)
{
	static uint64_t next_sample;
	static bool load_started;

	if (c->id || c->ticks < next_sample || !trace_ctl.enabled)
		return;
	next_sample = c->ticks + TRACE_SAMPLE_TICKS;
	trace_counter(TRACE_COUNTER_FREE_PAGES, (int64_t)pmm_free_count());
	trace_serve_snapshot();
	if (!load_started && trace_load_wanted() &&
	    stage_passed(STAGE_BOOT_DONE)) {
		load_started = true;
		if (!thread_create("traceload", trace_load_thread, NULL, -1))
			panic("cannot create the traceload thread");
	}
}

/*
 * Tracing is set up on the boot CPU and the clock is calibrated: fill in
 * what the host needs to convert time stamps, and name the vectors.
 * Context: kmain (thread_init), before other CPUs start.
 */
__init void trace_start(void)
{
	extern unsigned ncpus;

	trace_ctl.tsc_hz = tsc_hz;
	trace_ctl.ncpus = ncpus;
	trace_name_vectors();
}
