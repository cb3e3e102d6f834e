/*
 * Shared between the stub's kernel layers: the debugger core (kgdb.c),
 * the x86_64 part (kgdb_arch.c), the thread view (kgdb_threads.c), the
 * monitor commands (kgdb_monitor.c) and the COM2 driver (com2.c).
 * Everything here is used with every other CPU parked, by the master.
 */
#ifndef GDBSTUB_KGDB_INTERNAL_H
#define GDBSTUB_KGDB_INTERNAL_H

#include "types.h"
#include "cpu.h"
#include "sched.h"
#include "gdbstub/gdbstub.h"
#include "gdbstub/rsp.h"
#include <arch/trap.h>

/* What a parked CPU saved about itself (the frame has the rest). */
struct kgdb_sysregs {
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
	uint64_t fs_base, gs_base, kernel_gs_base;
	uint64_t dr[8];
	uint16_t ds, es, fs, gs;
};

enum kgdb_cpu_state {
	KGDB_RUNNING,
	KGDB_PARKED, /* spinning in kgdb_park() */
	KGDB_MASTER, /* drives the session */
	KGDB_HALTED, /* stopped for good by a panic */
};

struct kgdb_cpu {
	/* Written by the CPU itself, read by the master while it is parked. */
	struct trap_frame *tf; /* shown as its current thread's registers */
	bool tf_partial; /* only rbx rbp r12-r15 rip rsp are real */
	struct kgdb_sysregs sys;
	volatile int state; /* enum kgdb_cpu_state */
	volatile bool in_park; /* in kgdb_park_wait(): NMIs only wake it */
	struct trap_frame frame; /* the NMI frame, copied off the IST */
	/* Written by the master: */
	volatile bool hold; /* stay parked while set */
	bool stepping; /* TF set by us: #DB step expected */
	bool step_if; /* IF to give back after the step */
	uint64_t step_rip; /* where the step started */
};

extern struct kgdb_cpu kgdb_cpus[MAX_CPUS];
extern struct rsp kgdb_rsp;
extern struct gdbstub_stop kgdb_stop;

/* kgdb_arch.c */
void kgdb_arch_save_sysregs(struct kgdb_sysregs *s);
void kgdb_arch_load_debugregs(void);
int kgdb_arch_read_regs(int64_t tid, struct gdbreg_image *img);
int kgdb_arch_write_regs(int64_t tid, const struct gdbreg_image *img);
size_t kgdb_arch_read_mem(uint64_t addr, void *buf, size_t len);
size_t kgdb_arch_write_mem(uint64_t addr, const void *buf, size_t len);
int kgdb_arch_insert_bp(enum gdbstub_bp_type type, uint64_t addr,
			uint64_t kind);
int kgdb_arch_remove_bp(enum gdbstub_bp_type type, uint64_t addr,
			uint64_t kind);
void kgdb_arch_remove_all(void);
void kgdb_arch_activate(void);
void kgdb_arch_deactivate(void);
bool kgdb_arch_sw_planted(uint64_t addr);
bool kgdb_arch_debug_event(struct trap_frame *tf, struct gdbstub_stop *stop);
void kgdb_arch_step(struct trap_frame *tf, struct kgdb_cpu *c);
void kgdb_arch_step_done(struct trap_frame *tf, struct kgdb_cpu *c);

/* kgdb_threads.c */
struct kgdb_thread {
	struct thread *t;
	int64_t tid;
	int cpu; /* CPU it runs on, or -1 */
	const char *state;
	char name[THREAD_NAME_LEN + 1];
};
void kgdb_threads_snapshot(void);
const struct kgdb_thread *kgdb_threads_find(int64_t tid);
const struct kgdb_thread *kgdb_threads_at(uint64_t i);
int64_t kgdb_threads_tid_on(unsigned cpu);

/* kgdb_monitor.c */
int kgdb_monitor(const char *cmd);
void kgdb_monitor_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
extern unsigned kgdb_missing;

/* gdbtest.c */
void gdbtest_start(void);

/* com2.c */
extern const struct gdbstub_io_ops com2_io;
void com2_init(void);
void com2_rearm(void);

#endif
