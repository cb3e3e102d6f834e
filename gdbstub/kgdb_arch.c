/*
 * The x86_64 part of the stub: a thread's registers (from its CPU's trap
 * frame while parked, or from its saved struct context while switched
 * out), memory access that cannot fault, int3 breakpoints patched into
 * read-only text with CR0.WP briefly cleared, DR0-7 breakpoints and
 * watchpoints on every CPU, and single-step with TF (interrupts masked).
 * Called by the master with every other CPU parked.
 */
#include "ksym.h"
#include "sched.h"
#include "string.h"
#include "gdbstub/kgdb_internal.h"
#include <arch/cpu.h>
#include <arch/safemem.h>

#define RFLAGS_RF (1UL << 16)
#define DR6_BS (1UL << 14)
#define DR6_CLEAR 0xffff0ff0UL
#define KGDB_MAX_SW 64
#define INT3 0xcc

#define DR_READ(n)                                                     \
	({                                                             \
		uint64_t v_;                                           \
		__asm__ __volatile__("mov %%db" #n ", %0" : "=r"(v_)); \
		v_;                                                    \
	})
#define DR_WRITE(n, v) \
	__asm__ __volatile__("mov %0, %%db" #n : : "r"((uint64_t)(v)))

struct kgdb_sw {
	uint64_t addr;
	uint8_t orig;
	bool used, planted;
};

struct kgdb_hw {
	uint64_t addr;
	uint8_t type; /* enum gdbstub_bp_type, 1-4 */
	uint8_t len;
	bool used;
};

static struct kgdb_sw kgdb_sw[KGDB_MAX_SW];
static struct kgdb_hw kgdb_hw[4];
static uint64_t kgdb_dr7;

/* Code a breakpoint would re-enter the stub from (docs/gdb.md). */
static const char *const kgdb_no_bp[] = {
	"kgdb",
	"com2_",
	"trap_",
	"ipi_stop_irq",
	"lapic_",
	"safe_memcpy",
	"rsp_",
	"gdbreg_",
	"hex_",
	"bytes_",
	"xfer_",
	"target_xml",
	"cpu_halt_forever",
};

/* Trap frame and saved-context slots, by GDB register number. */
static const struct {
	uint8_t reg, off;
} kgdb_tf_callee[] = {
	{ GDBREG_RBX, offsetof(struct trap_frame, rbx) },
	{ GDBREG_RBP, offsetof(struct trap_frame, rbp) },
	{ GDBREG_R12, offsetof(struct trap_frame, r12) },
	{ GDBREG_R13, offsetof(struct trap_frame, r13) },
	{ GDBREG_R14, offsetof(struct trap_frame, r14) },
	{ GDBREG_R15, offsetof(struct trap_frame, r15) },
	{ GDBREG_RSP, offsetof(struct trap_frame, rsp) },
	{ GDBREG_RIP, offsetof(struct trap_frame, rip) },
}, kgdb_tf_caller[] = {
	{ GDBREG_RAX, offsetof(struct trap_frame, rax) },
	{ GDBREG_RCX, offsetof(struct trap_frame, rcx) },
	{ GDBREG_RDX, offsetof(struct trap_frame, rdx) },
	{ GDBREG_RSI, offsetof(struct trap_frame, rsi) },
	{ GDBREG_RDI, offsetof(struct trap_frame, rdi) },
	{ GDBREG_R8, offsetof(struct trap_frame, r8) },
	{ GDBREG_R9, offsetof(struct trap_frame, r9) },
	{ GDBREG_R10, offsetof(struct trap_frame, r10) },
	{ GDBREG_R11, offsetof(struct trap_frame, r11) },
}, kgdb_ctx_regs[] = {
	{ GDBREG_RBX, offsetof(struct context, rbx) },
	{ GDBREG_RBP, offsetof(struct context, rbp) },
	{ GDBREG_R12, offsetof(struct context, r12) },
	{ GDBREG_R13, offsetof(struct context, r13) },
	{ GDBREG_R14, offsetof(struct context, r14) },
	{ GDBREG_R15, offsetof(struct context, r15) },
	{ GDBREG_RIP, offsetof(struct context, rip) },
};

void kgdb_arch_save_sysregs(struct kgdb_sysregs *s)
{
	s->cr0 = read_cr0();
	s->cr2 = read_cr2();
	s->cr3 = read_cr3();
	s->cr4 = read_cr4();
	__asm__ __volatile__("mov %%cr8, %0" : "=r"(s->cr8));
	s->efer = rdmsr(MSR_EFER);
	s->fs_base = rdmsr(MSR_FS_BASE);
	s->gs_base = rdmsr(MSR_GS_BASE);
	s->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	s->dr[0] = DR_READ(0);
	s->dr[1] = DR_READ(1);
	s->dr[2] = DR_READ(2);
	s->dr[3] = DR_READ(3);
	s->dr[6] = DR_READ(6);
	s->dr[7] = DR_READ(7);
	__asm__ __volatile__("mov %%ds, %0" : "=r"(s->ds));
	__asm__ __volatile__("mov %%es, %0" : "=r"(s->es));
	__asm__ __volatile__("mov %%fs, %0" : "=r"(s->fs));
	__asm__ __volatile__("mov %%gs, %0" : "=r"(s->gs));
}

/* This CPU's DR0-3 and DR7 from the table; DR6 cleared. */
void kgdb_arch_load_debugregs(void)
{
	DR_WRITE(7, 0);
	DR_WRITE(0, kgdb_hw[0].used ? kgdb_hw[0].addr : 0);
	DR_WRITE(1, kgdb_hw[1].used ? kgdb_hw[1].addr : 0);
	DR_WRITE(2, kgdb_hw[2].used ? kgdb_hw[2].addr : 0);
	DR_WRITE(3, kgdb_hw[3].used ? kgdb_hw[3].addr : 0);
	DR_WRITE(6, DR6_CLEAR);
	DR_WRITE(7, kgdb_dr7);
}

static void kgdb_arch_put_sys(struct gdbreg_image *img,
			      const struct kgdb_sysregs *s)
{
	static const uint8_t dr_regs[] = { 0, 1, 2, 3, 6, 7 };

	gdbreg_set_u64(img, GDBREG_DS, s->ds);
	gdbreg_set_u64(img, GDBREG_ES, s->es);
	gdbreg_set_u64(img, GDBREG_FS, s->fs);
	gdbreg_set_u64(img, GDBREG_GS, s->gs);
	gdbreg_set_u64(img, GDBREG_FS_BASE, s->fs_base);
	gdbreg_set_u64(img, GDBREG_GS_BASE, s->gs_base);
	gdbreg_set_u64(img, GDBREG_CR0, s->cr0);
	gdbreg_set_u64(img, GDBREG_CR2, s->cr2);
	gdbreg_set_u64(img, GDBREG_CR3, s->cr3);
	gdbreg_set_u64(img, GDBREG_CR4, s->cr4);
	gdbreg_set_u64(img, GDBREG_CR8, s->cr8);
	gdbreg_set_u64(img, GDBREG_EFER, s->efer);
	gdbreg_set_u64(img, GDBREG_KERNEL_GS_BASE, s->kernel_gs_base);
	for (unsigned i = 0; i < sizeof(dr_regs); i++)
		gdbreg_set_u64(img, GDBREG_DR0 + dr_regs[i], s->dr[dr_regs[i]]);
}

static void kgdb_arch_put_frame(struct gdbreg_image *img,
				const struct kgdb_cpu *c)
{
	const uint8_t *f = (const uint8_t *)c->tf;

	for (unsigned i = 0; i < ARRAY_SIZE(kgdb_tf_callee); i++)
		gdbreg_set(img, kgdb_tf_callee[i].reg,
			   f + kgdb_tf_callee[i].off);
	gdbreg_set_u64(img, GDBREG_EFLAGS, c->tf->rflags);
	gdbreg_set_u64(img, GDBREG_CS, c->tf->cs);
	gdbreg_set_u64(img, GDBREG_SS, c->tf->ss);
	if (!c->tf_partial) {
		for (unsigned i = 0; i < ARRAY_SIZE(kgdb_tf_caller); i++)
			gdbreg_set(img, kgdb_tf_caller[i].reg,
				   f + kgdb_tf_caller[i].off);
	}
	kgdb_arch_put_sys(img, &c->sys);
}

/* A switched-out thread: callee-saved registers, RIP and RSP only. */
static void kgdb_arch_put_context(struct gdbreg_image *img,
				  const struct thread *t)
{
	struct context ctx, *p;

	if (safe_memcpy(&p, &t->ctx, sizeof(p)) || !p ||
	    safe_memcpy(&ctx, p, sizeof(ctx)))
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(kgdb_ctx_regs); i++)
		gdbreg_set(img, kgdb_ctx_regs[i].reg,
			   (uint8_t *)&ctx + kgdb_ctx_regs[i].off);
	gdbreg_set_u64(img, GDBREG_RSP, (uint64_t)(p + 1));
}

int kgdb_arch_read_regs(int64_t tid, struct gdbreg_image *img)
{
	const struct kgdb_thread *th = kgdb_threads_find(tid);

	if (!th)
		return -ESRCH;
	if (th->cpu >= 0) {
		if (kgdb_cpus[th->cpu].tf)
			kgdb_arch_put_frame(img, &kgdb_cpus[th->cpu]);
		return 0;
	}
	kgdb_arch_put_context(img, th->t);
	return 0;
}

/* Copy the registers @img marks from the image into the struct at @base. */
static void kgdb_arch_take(const struct gdbreg_image *img, uint8_t *base,
			   int reg, unsigned off)
{
	uint64_t v;

	if (gdbreg_get_u64(img, reg, &v))
		memcpy(base + off, &v, sizeof(v));
}

int kgdb_arch_write_regs(int64_t tid, const struct gdbreg_image *img)
{
	const struct kgdb_thread *th = kgdb_threads_find(tid);
	struct kgdb_cpu *c;
	uint64_t v;

	if (!th)
		return -ESRCH;
	if (th->cpu < 0) {
		struct context *p = th->t->ctx;

		for (unsigned i = 0; p && i < ARRAY_SIZE(kgdb_ctx_regs); i++)
			kgdb_arch_take(img, (uint8_t *)p, kgdb_ctx_regs[i].reg,
				       kgdb_ctx_regs[i].off);
		return 0;
	}
	c = &kgdb_cpus[th->cpu];
	if (!c->tf)
		return -EIO;
	for (unsigned i = 0; i < ARRAY_SIZE(kgdb_tf_callee); i++)
		kgdb_arch_take(img, (uint8_t *)c->tf, kgdb_tf_callee[i].reg,
			       kgdb_tf_callee[i].off);
	for (unsigned i = 0; !c->tf_partial && i < ARRAY_SIZE(kgdb_tf_caller);
	     i++)
		kgdb_arch_take(img, (uint8_t *)c->tf, kgdb_tf_caller[i].reg,
			       kgdb_tf_caller[i].off);
	if (gdbreg_get_u64(img, GDBREG_EFLAGS, &v))
		c->tf->rflags = (c->tf->rflags & ~0xffffffffUL) | (uint32_t)v;
	return 0;
}

size_t kgdb_arch_read_mem(uint64_t addr, void *buf, size_t len)
{
	return len - safe_memcpy(buf, (const void *)addr, len);
}

/* Writes may hit read-only text: everyone else is parked, so drop WP. */
size_t kgdb_arch_write_mem(uint64_t addr, const void *buf, size_t len)
{
	uint64_t cr0 = read_cr0();
	size_t left;

	write_cr0(cr0 & ~CR0_WP);
	left = safe_memcpy((void *)addr, buf, len);
	write_cr0(cr0);
	return len - left;
}

static bool kgdb_arch_forbidden(uint64_t addr)
{
	const char *name = ksym_lookup(addr, NULL);

	for (unsigned i = 0; name && i < ARRAY_SIZE(kgdb_no_bp); i++) {
		if (!strncmp(name, kgdb_no_bp[i], strlen(kgdb_no_bp[i])))
			return true;
	}
	return false;
}

static struct kgdb_sw *kgdb_arch_sw_find(uint64_t addr)
{
	for (unsigned i = 0; i < KGDB_MAX_SW; i++) {
		if (kgdb_sw[i].used && kgdb_sw[i].addr == addr)
			return &kgdb_sw[i];
	}
	return NULL;
}

bool kgdb_arch_sw_planted(uint64_t addr)
{
	struct kgdb_sw *b = kgdb_arch_sw_find(addr);

	return b && b->planted;
}

/* Breakpoints are recorded while stopped and planted only on resume. */
static int kgdb_arch_sw_insert(uint64_t addr)
{
	struct kgdb_sw *b;
	uint8_t orig;

	if (kgdb_arch_sw_find(addr))
		return 0;
	if (kgdb_arch_forbidden(addr))
		return -EPERM;
	if (kgdb_arch_read_mem(addr, &orig, 1) != 1 ||
	    kgdb_arch_write_mem(addr, &orig, 1) != 1)
		return -EFAULT;
	for (b = kgdb_sw; b < kgdb_sw + KGDB_MAX_SW; b++) {
		if (!b->used) {
			*b = (struct kgdb_sw){ addr, orig, true, false };
			return 0;
		}
	}
	return -ENOSPC;
}

/* Unplant every int3: called on entry, before the master runs kernel code. */
void kgdb_arch_deactivate(void)
{
	DR_WRITE(7, 0);
	for (struct kgdb_sw *b = kgdb_sw; b < kgdb_sw + KGDB_MAX_SW; b++) {
		if (b->planted)
			kgdb_arch_write_mem(b->addr, &b->orig, 1);
		b->planted = false;
	}
}

/* Plant every int3: on resume, while the other CPUs are still parked. */
void kgdb_arch_activate(void)
{
	static const uint8_t int3 = INT3;

	for (struct kgdb_sw *b = kgdb_sw; b < kgdb_sw + KGDB_MAX_SW; b++) {
		if (b->used && !b->planted)
			b->planted =
				kgdb_arch_write_mem(b->addr, &int3, 1) == 1;
	}
}

static uint64_t kgdb_arch_dr7_bits(const struct kgdb_hw *h, unsigned i)
{
	static const uint8_t len_bits[9] = { 0, 0, 1, 0, 3, 0, 0, 0, 2 };
	uint64_t rw = h->type == GDBSTUB_BP_HW	    ? 0
		      : h->type == GDBSTUB_WP_WRITE ? 1
						    : 3;
	uint64_t len = h->type == GDBSTUB_BP_HW ? 0 : len_bits[h->len];

	return (1UL << (2 * i)) | (rw << (16 + 4 * i)) | (len << (18 + 4 * i));
}

static void kgdb_arch_dr7_update(void)
{
	kgdb_dr7 = 0;
	for (unsigned i = 0; i < 4; i++) {
		if (kgdb_hw[i].used)
			kgdb_dr7 |= kgdb_arch_dr7_bits(&kgdb_hw[i], i);
	}
	if (kgdb_dr7)
		kgdb_dr7 |= 1UL << 8; /* LE: exact data breakpoints */
}

static int kgdb_arch_hw_insert(enum gdbstub_bp_type type, uint64_t addr,
			       uint64_t len)
{
	if (type == GDBSTUB_BP_HW)
		len = 1;
	if ((len != 1 && len != 2 && len != 4 && len != 8) ||
	    (addr & (len - 1)))
		return -EINVAL;
	for (unsigned i = 0; i < 4; i++) {
		if (kgdb_hw[i].used && kgdb_hw[i].addr == addr &&
		    kgdb_hw[i].type == type && kgdb_hw[i].len == len)
			return 0;
	}
	for (unsigned i = 0; i < 4; i++) {
		if (!kgdb_hw[i].used) {
			kgdb_hw[i] = (struct kgdb_hw){ addr, type, len, true };
			kgdb_arch_dr7_update();
			return 0;
		}
	}
	return -ENOSPC;
}

int kgdb_arch_insert_bp(enum gdbstub_bp_type type, uint64_t addr, uint64_t kind)
{
	if (type == GDBSTUB_BP_SW)
		return kgdb_arch_sw_insert(addr);
	return kgdb_arch_hw_insert(type, addr, kind);
}

int kgdb_arch_remove_bp(enum gdbstub_bp_type type, uint64_t addr, uint64_t kind)
{
	if (type == GDBSTUB_BP_SW) {
		struct kgdb_sw *b = kgdb_arch_sw_find(addr);

		if (b && b->planted)
			kgdb_arch_write_mem(addr, &b->orig, 1);
		if (b)
			b->used = b->planted = false;
		return 0;
	}
	for (unsigned i = 0; i < 4; i++) {
		if (kgdb_hw[i].used && kgdb_hw[i].addr == addr &&
		    kgdb_hw[i].type == type)
			kgdb_hw[i].used = false;
	}
	kgdb_arch_dr7_update();
	return 0;
}

void kgdb_arch_remove_all(void)
{
	kgdb_arch_deactivate();
	memset(kgdb_sw, 0, sizeof(kgdb_sw));
	memset(kgdb_hw, 0, sizeof(kgdb_hw));
	kgdb_arch_dr7_update();
}

/* Classify a #DB: our step, one of our DR slots, or none of ours. */
bool kgdb_arch_debug_event(struct trap_frame *tf, struct gdbstub_stop *stop)
{
	struct kgdb_cpu *c = &kgdb_cpus[cpu_id()];
	uint64_t dr6 = DR_READ(6);

	DR_WRITE(6, DR6_CLEAR);
	if (c->stepping && (dr6 & DR6_BS)) {
		kgdb_arch_step_done(tf, c);
		return true;
	}
	for (unsigned i = 0; i < 4; i++) {
		const struct kgdb_hw *h = &kgdb_hw[i];

		if (!(dr6 & (1UL << i)) || !h->used)
			continue;
		stop->addr = h->addr;
		if (h->type == GDBSTUB_BP_HW) {
			tf->rflags |= RFLAGS_RF; /* do not re-trigger */
			stop->kind = GDBSTUB_STOP_HWBREAK;
		} else {
			stop->kind = h->type == GDBSTUB_WP_WRITE
					     ? GDBSTUB_STOP_WATCH
				     : h->type == GDBSTUB_WP_READ
					     ? GDBSTUB_STOP_RWATCH
					     : GDBSTUB_STOP_AWATCH;
		}
		return true;
	}
	return false;
}

/* Step one instruction with interrupts masked (no wandering into IRQs). */
void kgdb_arch_step(struct trap_frame *tf, struct kgdb_cpu *c)
{
	c->stepping = true;
	c->step_if = tf->rflags & RFLAGS_IF;
	c->step_rip = tf->rip;
	tf->rflags = (tf->rflags | RFLAGS_TF) & ~RFLAGS_IF;
}

/* Give back IF, unless the stepped instruction was cli or sti itself. */
void kgdb_arch_step_done(struct trap_frame *tf, struct kgdb_cpu *c)
{
	uint8_t op = 0;

	kgdb_arch_read_mem(c->step_rip, &op, 1);
	tf->rflags &= ~RFLAGS_TF;
	if (op == 0xfb || (c->step_if && op != 0xfa && op != 0x9d))
		tf->rflags |= RFLAGS_IF;
	c->stepping = false;
}
