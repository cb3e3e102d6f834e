/*
 * The stub's view of kernel threads: a snapshot taken at every stop of
 * each CPU's idle thread and every thread on all_threads, with name, state
 * and the CPU it runs on. Taken with the other CPUs parked and WITHOUT
 * threads_lock (a parked CPU may hold it), so every pointer is read with
 * safe_memcpy and the walk is bounded. Strings stay valid until resume.
 */
#include "sched.h"
#include "gdbstub/kgdb_internal.h"
#include <arch/safemem.h>

#define KGDB_MAX_THREADS 512
#define KGDB_IDLE_TID 0x10000

static struct kgdb_thread kgdb_threads[KGDB_MAX_THREADS];
static unsigned kgdb_nthreads;

static int kgdb_threads_cpu_of(const struct thread *t)
{
	for (unsigned c = 0; c < ncpus; c++) {
		if (cpus[c].online && cpus[c].current == t)
			return c;
	}
	return -1;
}

static const char *kgdb_threads_state(enum thread_state s, int cpu)
{
	static const char *const names[] = {
		[THREAD_RUNNING] = "running",	[THREAD_READY] = "ready",
		[THREAD_SLEEPING] = "sleeping", [THREAD_WAKING] = "waking",
		[THREAD_DEAD] = "dead",		[THREAD_STOPPED] = "stopped",
	};

	if (cpu >= 0)
		return "running";
	if (s == THREAD_RUNNING) /* an idle thread while another runs */
		return "ready";
	return (unsigned)s < ARRAY_SIZE(names) && names[s] ? names[s] : "?";
}

static void kgdb_threads_add(struct thread *t)
{
	struct kgdb_thread *th = &kgdb_threads[kgdb_nthreads];
	struct thread copy;

	if (kgdb_nthreads >= KGDB_MAX_THREADS ||
	    safe_memcpy(&copy, t, sizeof(copy)))
		return;
	th->t = t;
	th->tid = copy.tid;
	th->cpu = kgdb_threads_cpu_of(t);
	th->state = kgdb_threads_state(copy.state, th->cpu);
	for (unsigned i = 0; i < THREAD_NAME_LEN; i++) {
		char ch = copy.name[i];

		th->name[i] = ch >= ' ' && ch < 0x7f ? ch : 0;
		if (!ch)
			break;
	}
	th->name[THREAD_NAME_LEN] = 0;
	if (th->tid > 0)
		kgdb_nthreads++;
}

void kgdb_threads_snapshot(void)
{
	struct list_head *p = all_threads.next;

	kgdb_nthreads = 0;
	for (unsigned c = 0; c < ncpus; c++) {
		if (cpus[c].idle)
			kgdb_threads_add(cpus[c].idle);
	}
	for (unsigned n = 0; p != &all_threads && n < KGDB_MAX_THREADS; n++) {
		struct list_head *next;

		if (safe_memcpy(&next, &p->next, sizeof(next)))
			break;
		kgdb_threads_add(list_entry(p, struct thread, all_link));
		p = next;
	}
}

const struct kgdb_thread *kgdb_threads_find(int64_t tid)
{
	for (unsigned i = 0; i < kgdb_nthreads; i++) {
		if (kgdb_threads[i].tid == tid)
			return &kgdb_threads[i];
	}
	return NULL;
}

const struct kgdb_thread *kgdb_threads_at(uint64_t i)
{
	return i < kgdb_nthreads ? &kgdb_threads[i] : NULL;
}

/* The GDB thread id of what @cpu runs (its idle thread's if nothing). */
int64_t kgdb_threads_tid_on(unsigned cpu)
{
	struct thread *t = cpus[cpu].current;

	return t ? t->tid : KGDB_IDLE_TID + cpu;
}
