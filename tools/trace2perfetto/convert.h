/*
 * The converter: consumes capture records in time order and writes the
 * Perfetto trace. convert.c owns the scheduler, task and IRQ side (ftrace
 * events, process tree) and per-CPU tracks; thread.c the per-thread
 * slices (syscalls, IPC, faults); boot.c the Boot track.
 */
#ifndef T2P_CONVERT_H
#define T2P_CONVERT_H

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "catalog.h"
#include "ftrace.h"
#include "ksym.h"
#include "pb.h"
#include "task.h"
#include "track.h"

/* Fixed track uuids; thread tracks are above 2^32 (task_uuid()). */
#define UUID_BOOT		0x10
#define UUID_FREE_MEM		0x11
#define UUID_COUNTER(id)	(0x100 + (uint64_t)(id))
#define UUID_CPU_EVENTS(cpu)	(0x10000 + (uint64_t)(cpu))
#define UUID_CPU_RUNNABLE(cpu)	(0x20000 + (uint64_t)(cpu))

#define CONVERT_MAX_COUNTERS	64
#define CONVERT_MAX_STAGES	32	/* open boot stages, nested */
#define CONVERT_IPI_FLOW_CPUS	64	/* IPI arrows only up to this many CPUs */

struct convert_opts {
	const struct ksym_table *ksyms;	/* NULL: addresses stay hex */
	const struct catalog *stages;	/* NULL or empty: "stage N" */
};

struct convert_cpu {
	struct ftrace_cpu ft;
	uint32_t cur;		/* running tid, from the last switch */
	bool have_cur;
	bool events_track;	/* "CPU N events" emitted */
	bool runnable_track;
};

/* Things the converter fixed up or could not place, for the summary. */
struct convert_stats {
	uint64_t events;		/* records converted */
	uint64_t chain_repairs;		/* synthetic switches inserted */
	uint64_t unmatched_ends;	/* exits/replies without a begin */
	uint64_t dropped;		/* records with nowhere to go */
	uint64_t lost_marks;		/* LOST records and capture gaps */
};

struct convert {
	struct pb *out;
	const struct capture *cap;
	struct convert_opts opts;
	struct task_table tasks;
	unsigned int ncpus;
	struct convert_cpu *cpus;
	uint64_t boot_tsc;
	uint64_t ns_mult;		/* ns per TSC tick, 32.32 fixed point */
	uint64_t last_ts;
	uint64_t next_flow;		/* flow ids handed out, 2 per IPC call */
	uint32_t *ipi_sent;		/* [src * ncpus + dst] sends seen */
	uint32_t *ipi_recv;
	bool counter_track[CONVERT_MAX_COUNTERS];
	/* Boot track: stages open, innermost last; time of its last event. */
	bool boot_track;
	int boot_depth;
	uint32_t boot_open[CONVERT_MAX_STAGES];
	uint64_t boot_last;
	struct convert_stats stats;
};

int convert_init(struct convert *cv, struct pb *out, const struct capture *cap,
		 const struct convert_opts *opts);
void convert_run(struct convert *cv);
void convert_free(struct convert *cv);

/* Shared by convert.c, thread.c and boot.c. */
void convert_addr(const struct convert *cv, uint64_t addr, char *buf,
		  size_t len);
uint64_t convert_cpu_track(struct convert *cv, unsigned int cpu);

void thread_syscall_enter(struct convert *cv, uint64_t ts, unsigned int cpu,
			  const struct trace_syscall_enter *r);
void thread_syscall_exit(struct convert *cv, uint64_t ts, unsigned int cpu,
			 const struct trace_syscall_exit *r);
void thread_ipc(struct convert *cv, uint64_t ts, unsigned int cpu,
		const struct trace_ipc *r);
void thread_exception(struct convert *cv, uint64_t ts, unsigned int cpu,
		      const struct trace_exception *r);
void thread_page_fault(struct convert *cv, uint64_t ts, unsigned int cpu,
		       const struct trace_page_fault *r);
void thread_exit(struct convert *cv, uint64_t ts, struct task *p);

void boot_stage(struct convert *cv, uint64_t ts,
		const struct trace_boot_stage *r);

#endif
