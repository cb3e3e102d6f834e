/*
 * The debugger core: which CPU drives the GDB session (the master), how
 * the others are rounded up with an NMI and parked, and how they are let
 * go again (all continue, or one CPU steps while the rest stay parked).
 * Entered from #BP, #DB and unexpected exceptions (trap.c), from the COM2
 * interrupt (break-in), from panic() and with gdb=wait. The only lock is
 * kgdb_master; nothing here takes a lock a parked CPU might hold.
 *
 * A CPU is in one of the states of enum kgdb_cpu_state. Round-up, in order:
 *   1. a CPU wins kgdb_master (cmpxchg) and becomes MASTER;
 *   2. it sets hold on every other online CPU, then NMIs each one that is
 *      not PARKED or HALTED already;
 *   3. each NMI'd CPU saves its frame and registers, stores PARKED, and
 *      spins while hold is set;
 *   4. the master waits (1 s at most) for every CPU to be PARKED or HALTED,
 *      then runs the session; on resume it clears hold, waits for the
 *      released CPUs to leave, and only then frees kgdb_master.
 */
#include "cmdline.h"
#include "panic.h"
#include "printk.h"
#include "sched.h"
#include "smp.h"
#include "stage.h"
#include "string.h"
#include "gdbstub/kgdb.h"
#include "gdbstub/kgdb_internal.h"
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <arch/tsc.h>

#define COM2_IRQ 3

struct kgdb_cpu kgdb_cpus[MAX_CPUS];
struct rsp kgdb_rsp;
struct gdbstub_stop kgdb_stop;

static int kgdb_master = -1; /* CPU driving the engine, or -1 */
static bool kgdb_ready; /* COM2 and the engine are set up */
static bool kgdb_wait; /* gdb=wait on the command line */
static struct gdbstub_action kgdb_acts[GDBSTUB_MAX_ACTIONS];
static int kgdb_nacts; /* recorded by ops->resume */
unsigned kgdb_missing; /* CPUs that ignored the NMI (mask) */

extern volatile bool cpu_stopped[MAX_CPUS];
extern char kgdb_park_entry[], kgdb_park_hlt[];
void kgdb_park_halt(void);
void kgdb_park_wait(struct kgdb_cpu *c, struct trap_frame *out);

static bool kgdb_active(void)
{
	return kgdb_ready && (kgdb_rsp.attached || kgdb_wait);
}

/* Acquire: pairs with the release store in kgdb_unlock(). */
static bool kgdb_trylock(void)
{
	int free = -1;

	return __atomic_compare_exchange_n(&kgdb_master, &free, (int)cpu_id(),
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/* Spin for the master role; an NMI round-up parks us meanwhile. */
static void kgdb_lock(void)
{
	while (!kgdb_trylock())
		cpu_relax();
}

static void kgdb_unlock(void)
{
	__atomic_store_n(&kgdb_master, -1, __ATOMIC_RELEASE);
}

/*
 * Leave the master role after a session. A break-in byte that arrived
 * while we still held the role made the COM2 interrupt give up (trylock);
 * re-arming makes the UART raise it again now that the role is free.
 */
static void kgdb_unlock_rearm(void)
{
	kgdb_unlock();
	com2_rearm();
}

static bool kgdb_parked(unsigned c)
{
	/* Acquire: pairs with the release store of PARKED in kgdb_park(). */
	int s = __atomic_load_n(&kgdb_cpus[c].state, __ATOMIC_ACQUIRE);

	return s == KGDB_PARKED || s == KGDB_HALTED || cpu_stopped[c];
}

/*
 * Wait, IRQs off, until the master clears our hold; halted between checks
 * (the master's NMI wakes us). Called from kgdb_park_entry (after an NMI,
 * @out: where to copy the frame trap_return restores) or by a master that
 * hands over to a stepping CPU (@out NULL).
 */
void kgdb_park_wait(struct kgdb_cpu *c, struct trap_frame *out)
{
	kgdb_arch_save_sysregs(&c->sys);
	c->in_park = true;
	/* Release: frame and registers first; pairs with kgdb_parked(). */
	__atomic_store_n(&c->state, KGDB_PARKED, __ATOMIC_RELEASE);
	/* Acquire: pairs with the release clear of hold in kgdb_let_go(). */
	while (__atomic_load_n(&c->hold, __ATOMIC_ACQUIRE))
		kgdb_park_halt();
	kgdb_arch_load_debugregs();
	if (out) {
		*out = c->frame;
		if (c->tf == &c->frame)
			c->tf = NULL;
	}
	c->in_park = false;
	/* Release: we are off the frame; pairs with kgdb_let_go()'s wait. */
	__atomic_store_n(&c->state, KGDB_RUNNING, __ATOMIC_RELEASE);
}

static void kgdb_roundup(unsigned me)
{
	uint64_t deadline;

	kgdb_missing = 0;
	for (unsigned c = 0; c < ncpus; c++) {
		if (c == me || !cpus[c].online)
			continue;
		/* Release: hold is set before the NMI; pairs with kgdb_nmi().
		 */
		__atomic_store_n(&kgdb_cpus[c].hold, true, __ATOMIC_RELEASE);
		if (!kgdb_parked(c))
			lapic_send_ipi(cpus[c].apic_id, ICR_NMI);
	}
	deadline = rdtsc() + tsc_hz;
	for (unsigned c = 0; c < ncpus; c++) {
		if (c == me || !cpus[c].online)
			continue;
		while (!kgdb_parked(c)) {
			if (rdtsc() > deadline) {
				kgdb_missing |= 1u << c;
				break;
			}
			cpu_relax();
		}
	}
}

/* Clear @c's hold, wake it, and wait (bounded) until it has left. */
static void kgdb_let_go(unsigned c)
{
	uint64_t deadline = rdtsc() + tsc_hz;

	/* Release: the frame edits (TF, RIP) are visible before it runs. */
	__atomic_store_n(&kgdb_cpus[c].hold, false, __ATOMIC_RELEASE);
	if (kgdb_cpus[c].in_park)
		lapic_send_ipi(cpus[c].apic_id, ICR_NMI);
	/* Acquire: pairs with the RUNNING store at the end of kgdb_park(). */
	while (__atomic_load_n(&kgdb_cpus[c].state, __ATOMIC_ACQUIRE) ==
		       KGDB_PARKED &&
	       rdtsc() < deadline)
		cpu_relax();
}

/* The CPU to single-step for the recorded actions, or -1. */
static int kgdb_step_cpu(void)
{
	for (int i = 0; i < kgdb_nacts; i++) {
		int64_t tid =
			kgdb_acts[i].tid > 0 ? kgdb_acts[i].tid : kgdb_stop.tid;
		const struct kgdb_thread *th;

		if (kgdb_acts[i].op != 's')
			continue;
		th = kgdb_threads_find(tid);
		return th && th->cpu >= 0 && kgdb_cpus[th->cpu].tf ? th->cpu
								   : -2;
	}
	return -1;
}

/*
 * Leave the session: continue every CPU, or step one and keep the others
 * parked. When the stepping CPU is another one, the master parks itself
 * and that CPU becomes the next master on its #DB.
 */
static void kgdb_release(unsigned me)
{
	struct kgdb_cpu *self = &kgdb_cpus[me];
	int step = kgdb_step_cpu();

	kgdb_arch_activate();
	kgdb_arch_load_debugregs();
	if (step < 0) {
		for (unsigned c = 0; c < ncpus; c++) {
			if (c != me && cpus[c].online && !cpu_stopped[c])
				kgdb_let_go(c);
		}
		self->state = KGDB_RUNNING;
		kgdb_unlock_rearm();
		return;
	}
	kgdb_arch_step(kgdb_cpus[step].tf, &kgdb_cpus[step]);
	if ((unsigned)step == me) {
		self->state = KGDB_RUNNING;
		kgdb_unlock_rearm();
		return;
	}
	self->hold = true;
	self->state = KGDB_PARKED;
	kgdb_let_go(step);
	kgdb_unlock_rearm();
	kgdb_park_wait(self, NULL);
}

static void kgdb_session(void)
{
	rsp_stopped(&kgdb_rsp);
	for (;;) {
		enum rsp_event ev = rsp_poll(&kgdb_rsp);

		if (ev == RSP_EV_RESUME || ev == RSP_EV_DETACH)
			break;
		cpu_relax();
	}
}

/*
 * Stop the machine and serve GDB until it resumes us. Context: IRQs off,
 * kgdb_master held by this CPU; returns with it released.
 */
static void kgdb_enter(struct trap_frame *tf, bool partial, int signal,
		       enum gdbstub_stop_kind kind, uint64_t addr)
{
	unsigned me = cpu_id();
	struct kgdb_cpu *c = &kgdb_cpus[me];
	struct thread *cur = current_thread();

	c->tf = tf;
	c->tf_partial = partial;
	c->state = KGDB_MASTER;
	c->hold = false;
	kgdb_arch_save_sysregs(&c->sys);
	kgdb_roundup(me);
	kgdb_arch_deactivate();
	kgdb_threads_snapshot();
	kgdb_stop = (struct gdbstub_stop){
		.signal = signal,
		.tid = cur ? kgdb_threads_tid_on(me) : 0x10000 + me,
		.cpu = me,
		.kind = kind,
		.addr = addr,
	};
	kgdb_nacts = 0;
	kgdb_session();
	kgdb_release(me);
	c->tf = NULL;
}

static bool kgdb_breakpoint(struct trap_frame *tf)
{
	uint64_t at = tf->rip - 1;
	uint8_t insn;

	kgdb_lock();
	if (kgdb_arch_sw_planted(at)) {
		tf->rip = at;
		kgdb_enter(tf, false, GDBSTUB_SIGTRAP, GDBSTUB_STOP_SWBREAK, 0);
		return true;
	}
	if (kgdb_arch_read_mem(at, &insn, 1) == 1 && insn != 0xcc) {
		/* GDB removed it while we waited for the master role. */
		tf->rip = at;
		kgdb_unlock();
		return true;
	}
	if (!kgdb_rsp.attached) {
		kgdb_unlock();
		return false; /* an int3 compiled in: trap.c counts it */
	}
	kgdb_enter(tf, false, GDBSTUB_SIGTRAP, GDBSTUB_STOP_NONE, 0);
	return true;
}

static bool kgdb_debug(struct trap_frame *tf)
{
	struct gdbstub_stop why = { .kind = GDBSTUB_STOP_NONE };
	bool ours;

	kgdb_lock();
	ours = kgdb_arch_debug_event(tf, &why);
	if (!ours && !kgdb_active()) {
		kgdb_unlock();
		return true; /* a stale debug trap: ignore it */
	}
	kgdb_enter(tf, false, GDBSTUB_SIGTRAP, why.kind, why.addr);
	return true;
}

static int kgdb_signal_of(uint64_t vector)
{
	switch (vector) {
	case VEC_UD:
		return GDBSTUB_SIGILL;
	case VEC_DE:
	case 16: /* #MF */
	case 19: /* #XM */
		return GDBSTUB_SIGFPE;
	default:
		return GDBSTUB_SIGSEGV;
	}
}

/* An exception nobody fixes: show it first; a RIP edited in GDB resumes. */
static bool kgdb_fault(struct trap_frame *tf)
{
	uint64_t rip = tf->rip;

	if (!kgdb_active())
		return false;
	kgdb_lock();
	kgdb_enter(tf, false, kgdb_signal_of(tf->vector), GDBSTUB_STOP_NONE, 0);
	return tf->rip != rip;
}

__coldexit bool kgdb_trap(struct trap_frame *tf)
{
	if (!kgdb_ready || kgdb_master == (int)cpu_id() || panic_cpu >= 0)
		return false;
	switch (tf->vector) {
	case VEC_BP:
		return kgdb_breakpoint(tf);
	case VEC_DB:
		return kgdb_debug(tf);
	default:
		return kgdb_fault(tf);
	}
}

/*
 * A round-up NMI parks the CPU: the frame is copied off the NMI stack and
 * the NMI returns into kgdb_park_entry on the interrupted stack. While
 * parked, an NMI is only the master's wake-up.
 */
__coldexit bool kgdb_nmi(struct trap_frame *tf)
{
	struct kgdb_cpu *c = &kgdb_cpus[cpu_id()];

	if (c->in_park) {
		if (tf->rip == (uint64_t)kgdb_park_hlt)
			tf->rip++; /* woken before the hlt: skip it */
		return true;
	}
	/* Acquire: pairs with the release store of hold in kgdb_roundup(). */
	if (!__atomic_load_n(&c->hold, __ATOMIC_ACQUIRE))
		return false;
	c->frame = *tf;
	if (!c->tf) {
		c->tf = &c->frame;
		c->tf_partial = false;
	}
	c->in_park = true;
	tf->rdi = (uint64_t)c;
	tf->rip = (uint64_t)kgdb_park_entry;
	if (!(tf->cs & 3)) {
		tf->rsp = (c->frame.rsp - 256) & ~15UL;
	} else {
		/*
		 * From user mode: park in kernel mode on the thread's own
		 * kernel stack (empty while it runs in user mode), below
		 * where its entries put their trap frame. Returning there
		 * with the user's CS ran kernel text in user mode: a
		 * SIGSEGV that killed init under a GDB session.
		 */
		tf->cs = GDT_KCODE;
		tf->ss = GDT_KDATA;
		tf->rsp = (this_cpu()->kstack_top - sizeof(struct trap_frame) -
			   256) & ~15UL;
	}
	tf->rflags &= ~(RFLAGS_IF | RFLAGS_TF);
	return true;
}

void kgdb_note_halt(struct trap_frame *tf)
{
	struct kgdb_cpu *c = &kgdb_cpus[cpu_id()];

	if (!c->tf)
		c->tf = tf;
	kgdb_arch_save_sysregs(&c->sys);
	__atomic_store_n(&c->state, KGDB_HALTED, __ATOMIC_RELEASE);
}

/*
 * The callee-saved registers, RSP and RIP of the caller, whose frame stays
 * live while GDB looks at it: enough to unwind from.
 */
static inline __attribute__((always_inline)) void
kgdb_capture(struct trap_frame *f)
{
	__asm__ __volatile__("movq %%rbx, %0\n\tmovq %%rbp, %1\n\t"
			     "movq %%r12, %2\n\tmovq %%r13, %3\n\t"
			     "movq %%r14, %4\n\tmovq %%r15, %5\n\t"
			     "movq %%rsp, %6\n\tleaq 0(%%rip), %%rax\n\t"
			     "movq %%rax, %7"
			     : "=m"(f->rbx), "=m"(f->rbp), "=m"(f->r12),
			       "=m"(f->r13), "=m"(f->r14), "=m"(f->r15),
			       "=m"(f->rsp), "=m"(f->rip)
			     :
			     : "rax");
	f->rflags = read_rflags();
	f->cs = 0x08;
	f->ss = 0x10;
}

/*
 * Called by panic() on the panicking CPU, the others already stopped.
 * The panic owns the machine now: take the master role even if a halted
 * CPU held it. Returns (into the rest of the panic) when GDB resumes.
 */
__coldexit void kgdb_panic(const char *msg, struct trap_frame *tf)
{
	struct trap_frame here;

	if (!kgdb_active() || kgdb_master == (int)cpu_id())
		return;
	__atomic_exchange_n(&kgdb_master, (int)cpu_id(), __ATOMIC_ACQUIRE);
	if (!tf) {
		kgdb_capture(&here);
		tf = &here;
	}
	if (kgdb_rsp.waiting_stop) {
		rsp_console_write(&kgdb_rsp, "PANIC: ", 7);
		rsp_console_write(&kgdb_rsp, msg, strlen(msg));
		rsp_console_write(&kgdb_rsp, "\n", 1);
	}
	kgdb_enter(tf, tf == &here, GDBSTUB_SIGABRT, GDBSTUB_STOP_NONE, 0);
}

/* COM2 receive interrupt: bytes while running only detect a break-in. */
static void kgdb_com2_irq(struct trap_frame *tf)
{
	if (!kgdb_trylock())
		return; /* the master polls COM2 itself */
	if (rsp_poll(&kgdb_rsp) == RSP_EV_INTERRUPT)
		kgdb_enter(tf, false, GDBSTUB_SIGINT, GDBSTUB_STOP_NONE, 0);
	else
		kgdb_unlock();
	com2_rearm();
}

static void kgdb_reset(void *ctx)
{
	kgdb_arch_remove_all();
}

static int kgdb_read_regs(void *ctx, int64_t tid, struct gdbreg_image *img)
{
	return kgdb_arch_read_regs(tid, img);
}

static int kgdb_write_regs(void *ctx, int64_t tid,
			   const struct gdbreg_image *img)
{
	return kgdb_arch_write_regs(tid, img);
}

static size_t kgdb_read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return kgdb_arch_read_mem(addr, buf, len);
}

static size_t kgdb_write_mem(void *ctx, uint64_t addr, const void *buf,
			     size_t len)
{
	return kgdb_arch_write_mem(addr, buf, len);
}

static int kgdb_insert_bp(void *ctx, enum gdbstub_bp_type type, uint64_t addr,
			  uint64_t kind)
{
	return kgdb_arch_insert_bp(type, addr, kind);
}

static int kgdb_remove_bp(void *ctx, enum gdbstub_bp_type type, uint64_t addr,
			  uint64_t kind)
{
	return kgdb_arch_remove_bp(type, addr, kind);
}

/* Record the actions; a step needs a thread that is on a CPU. */
static int kgdb_resume(void *ctx, const struct gdbstub_action *acts, int n)
{
	for (int i = 0; i < n; i++)
		kgdb_acts[i] = acts[i];
	kgdb_nacts = n;
	if (kgdb_step_cpu() == -2) {
		kgdb_nacts = 0;
		return -EINVAL;
	}
	return 0;
}

static bool kgdb_thread_next(void *ctx, uint64_t *cursor,
			     struct gdbstub_thread *t)
{
	const struct kgdb_thread *th = kgdb_threads_at(*cursor);

	if (!th)
		return false;
	(*cursor)++;
	*t = (struct gdbstub_thread){ th->tid, th->name, th->cpu, th->state };
	return true;
}

static int kgdb_thread_find(void *ctx, int64_t tid, struct gdbstub_thread *t)
{
	const struct kgdb_thread *th = kgdb_threads_find(tid);

	if (!th)
		return -ESRCH;
	*t = (struct gdbstub_thread){ th->tid, th->name, th->cpu, th->state };
	return 0;
}

static void kgdb_stop_reason(void *ctx, struct gdbstub_stop *stop)
{
	*stop = kgdb_stop;
}

static int kgdb_monitor_op(void *ctx, const char *cmd)
{
	return kgdb_monitor(cmd);
}

static void kgdb_detach(void *ctx)
{
	kgdb_arch_remove_all();
	kgdb_nacts = 0;
	kgdb_wait = false;
}

static const struct gdbstub_target_ops kgdb_ops = {
	.reset = kgdb_reset,
	.read_regs = kgdb_read_regs,
	.write_regs = kgdb_write_regs,
	.read_mem = kgdb_read_mem,
	.write_mem = kgdb_write_mem,
	.insert_bp = kgdb_insert_bp,
	.remove_bp = kgdb_remove_bp,
	.resume = kgdb_resume,
	.thread_next = kgdb_thread_next,
	.thread_find = kgdb_thread_find,
	.stop_reason = kgdb_stop_reason,
	.monitor = kgdb_monitor_op,
	.detach = kgdb_detach,
};

/* Context: boot CPU, after the IOAPIC is up, interrupts still off. */
__init void kgdb_init(void)
{
	for (unsigned c = 0; c < MAX_CPUS; c++)
		kgdb_cpus[c].state = KGDB_RUNNING;
	com2_init();
	rsp_init(&kgdb_rsp, &com2_io, &kgdb_ops, NULL);
	kgdb_wait = cmdline_is("gdb", "wait");
	irq_register(VEC_IRQ_BASE + COM2_IRQ, kgdb_com2_irq, "com2-gdb");
	if (ioapic_route_isa(COM2_IRQ, lapic_id()))
		panic("IOAPIC route of COM2 failed");
	ioapic_unmask_isa(COM2_IRQ, true);
	kgdb_ready = true;
	stage_mark(STAGE_GDB_READY);
}

/* kinit, after the boot self-tests: the gdbtest=1 targets, if asked. */
void kgdb_late_init(void)
{
	if (cmdline_is("gdbtest", "1"))
		gdbtest_start();
}

/* Context: boot CPU, scheduler set up, before the first thread runs. */
__init void kgdb_boot_wait(void)
{
	struct trap_frame here;

	if (!kgdb_wait)
		return;
	printk("gdb: waiting for GDB on COM2 (gdb=wait)");
	irq_disable();
	kgdb_capture(&here);
	kgdb_lock();
	kgdb_enter(&here, true, GDBSTUB_SIGTRAP, GDBSTUB_STOP_NONE, 0);
}
