/*
 * An open-addressing hash table of tasks. Tids are small and dense in
 * practice, but nothing in the format promises it, so no direct array.
 * Each task is its own allocation, so growing the table moves no task.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task.h"

int task_table_init(struct task_table *t)
{
	t->cap = 1024;
	t->n = 0;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	return t->slots ? 0 : -ENOMEM;
}

void task_table_free(struct task_table *t)
{
	for (uint32_t i = 0; t->slots && i < t->cap; i++)
		free(t->slots[i]);
	free(t->slots);
	t->slots = NULL;
}

static uint32_t task_hash(uint32_t tid)
{
	return tid * 2654435761u;
}

static struct task **task_slot(const struct task_table *t, uint32_t tid)
{
	uint32_t i = task_hash(tid) & (t->cap - 1);

	while (t->slots[i] && t->slots[i]->tid != tid)
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

struct task *task_find(struct task_table *t, uint32_t tid)
{
	return *task_slot(t, tid);
}

static int task_grow(struct task_table *t)
{
	struct task_table big = { calloc(2 * (size_t)t->cap, sizeof(*t->slots)),
				  2 * t->cap, t->n };

	if (!big.slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->cap; i++) {
		if (t->slots[i])
			*task_slot(&big, t->slots[i]->tid) = t->slots[i];
	}
	free(t->slots);
	*t = big;
	return 0;
}

/*
 * The task @tid, created (named "tid-N", its own process) if unknown.
 * Tasks never move, so pointers stay valid. NULL only when out of memory.
 */
struct task *task_get(struct task_table *t, uint32_t tid)
{
	struct task **slot = task_slot(t, tid);
	struct task *p = *slot;

	if (p)
		return p;
	if (2 * (t->n + 1) > t->cap) {
		if (task_grow(t))
			return NULL;
		slot = task_slot(t, tid);
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	*slot = p;
	p->tid = tid;
	p->pid = tid;
	if (tid == TRACE_TID_IDLE)
		strcpy(p->name, "idle");
	else
		snprintf(p->name, sizeof(p->name), "tid-%u", tid);
	t->n++;
	return p;
}

/*
 * Copy a record's NUL-padded, possibly unterminated name into @dst (n + 1
 * bytes). Bytes outside printable ASCII become '?': the name goes into a
 * protobuf string, which must be valid UTF-8.
 */
void task_copy_name(char *dst, const char *src, size_t n)
{
	size_t len = strnlen(src, n);

	for (size_t i = 0; i < len; i++)
		dst[i] = src[i] >= ' ' && src[i] <= '~' ? src[i] : '?';
	dst[len] = '\0';
}

void task_set_name(struct task *p, const char name[TRACE_NAME_LEN])
{
	if (name[0])
		task_copy_name(p->name, name, TRACE_NAME_LEN);
}

/* Thread tracks live above 2^32; fixed tracks (Boot, counters) below. */
uint64_t task_uuid(const struct task *p)
{
	return ((uint64_t)p->gen + 1) << 32 | p->tid;
}
