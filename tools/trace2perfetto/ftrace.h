/*
 * Perfetto ftrace bundles, one being filled per CPU. Each CPU's events go
 * into its own buffer (one open FtraceEventBundle packet) that is appended
 * to the output whole when it is full, so CPUs can be converted in any
 * interleaving while every bundle holds one CPU's events in order.
 */
#ifndef T2P_FTRACE_H
#define T2P_FTRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "pb.h"

/* FtraceEvent payload field numbers (perfetto_subset.proto). */
enum ftrace_kind {
	FTRACE_SCHED_SWITCH = 4,
	FTRACE_SCHED_WAKING = 20,
	FTRACE_IRQ_ENTRY = 36,
	FTRACE_IRQ_EXIT = 37,
	FTRACE_TASK_NEWTASK = 235,
	FTRACE_TASK_RENAME = 236,
	FTRACE_PROCESS_FREE = 240,
};

/* Linux 4.4 prev_state values, which Perfetto decodes for non-Linux kernels. */
#define FTRACE_STATE_RUNNABLE	0x0
#define FTRACE_STATE_SLEEPING	0x1
#define FTRACE_STATE_BLOCKED	0x2
#define FTRACE_STATE_DEAD	0x10
#define FTRACE_STATE_PREEMPTED	0x800

#define FTRACE_CLONE_THREAD	0x10000

struct ftrace_cpu {
	struct pb pb;
	struct pb *out;
	unsigned int cpu;
	unsigned int nevents;	/* in the open bundle; 0: none open */
	bool lost;		/* records were lost before the next event */
};

int ftrace_cpu_init(struct ftrace_cpu *fc, unsigned int cpu, struct pb *out);
void ftrace_cpu_free(struct ftrace_cpu *fc);
void ftrace_flush(struct ftrace_cpu *fc);

void ftrace_switch(struct ftrace_cpu *fc, uint64_t ts, const char *prev_comm,
		   int32_t prev_pid, int32_t prev_prio, int64_t prev_state,
		   const char *next_comm, int32_t next_pid, int32_t next_prio);
void ftrace_waking(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
		   const char *comm, int32_t pid, int32_t prio,
		   int32_t target_cpu);
void ftrace_newtask(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
		    int32_t pid, const char *comm, uint64_t clone_flags);
void ftrace_rename(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
		   int32_t pid, const char *oldcomm, const char *newcomm);
void ftrace_free(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
		 const char *comm, int32_t pid, int32_t prio);
void ftrace_irq_entry(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
		      int32_t irq, const char *name);
void ftrace_irq_exit(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
		     int32_t irq, int32_t ret);

#endif
