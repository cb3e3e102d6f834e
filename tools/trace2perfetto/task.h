/*
 * The converter's table of tasks, keyed by tid: names, process links, the
 * Perfetto track each task's slices go on, and the slices open on it.
 */
#ifndef T2P_TASK_H
#define T2P_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/record.h"

#define TASK_MAX_DEPTH 16

/* What an open slice on a thread track is, so its end can be matched. */
struct task_slice {
	uint32_t kind;		/* TRACE_SYSCALL_ENTER, TRACE_IPC_CALL, _RECV */
	uint32_t key;		/* syscall nr, or IPC endpoint */
	uint32_t peer;		/* IPC: the caller tid */
};

struct task {
	uint32_t tid;
	uint32_t pid;		/* process; == tid for a process leader */
	uint32_t parent;	/* creating tid, 0 if unknown */
	uint32_t gen;		/* incarnation of this tid, for track uuids */
	int16_t prio;
	uint64_t ipc_flow;	/* flow id of this task's pending IPC call */
	bool known;		/* announced (process tree) already */
	bool track;		/* Perfetto thread track emitted */
	char name[TRACE_NAME_LEN + 1];
	int depth;
	struct task_slice open[TASK_MAX_DEPTH];
};

struct task_table {
	struct task **slots;
	uint32_t cap;		/* power of two */
	uint32_t n;
};

int task_table_init(struct task_table *t);
void task_table_free(struct task_table *t);
struct task *task_find(struct task_table *t, uint32_t tid);
struct task *task_get(struct task_table *t, uint32_t tid);
void task_copy_name(char *dst, const char *src, size_t n);
void task_set_name(struct task *p, const char name[TRACE_NAME_LEN]);
uint64_t task_uuid(const struct task *p);

#endif
