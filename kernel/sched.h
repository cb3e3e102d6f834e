/*
 * Threads and the scheduler. Every kernel thread is a struct thread with a
 * name, a guarded kernel stack and, while it is not running, a saved
 * struct context at the top of its stack (the debugger reads it).
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "types.h"
#include "list.h"
#include "cpu.h"
#include "ipc.h"
#include "signal.h"

struct proc;
struct fpu_state;

/*
 * The callee-saved registers switch_to() pushes, lowest address first;
 * thread->ctx points at it while the thread is not running. The caller-
 * saved registers of a sleeping thread are not saved anywhere: a debugger
 * must report them unavailable. rsp of a switched-out thread is
 * (uint64_t)(ctx + 1): the value after switch_to() returns.
 */
struct context {
	uint64_t r15, r14, r13, r12, rbx, rbp, rip;
};

enum thread_state {
	THREAD_RUNNING,		/* on a CPU: cpus[t->cpu].current == t */
	THREAD_READY,		/* in cpus[t->cpu].rq */
	THREAD_SLEEPING,	/* on a wait queue or a sleep list */
	THREAD_WAKING,		/* being moved to another CPU by a waker */
	THREAD_DEAD,		/* exited; the reaper frees it */
	THREAD_STOPPED,		/* SLEEPING in a job-control stop (signal.c):
				 * woken alike, told apart only where it is
				 * shown (the trace, the debugger) */
};

/* Asleep, so a wakeup makes it runnable: SLEEPING or STOPPED. */
static inline bool thread_asleep(enum thread_state s)
{
	return s == THREAD_SLEEPING || s == THREAD_STOPPED;
}

#define THREAD_NAME_LEN 16

struct thread {
	struct context *ctx;		/* offset 0: saved by switch_to() */
	uint64_t kstack_top;		/* offset 8 */
	unsigned tid;
	unsigned tgid;			/* the trace's process id: tid of its
					 * process's first thread (tid if none) */
	unsigned trace_tid;		/* tid in trace records: tid, or
					 * TRACE_TID_IDLE for an idle thread, so
					 * hot hooks need not map it */
	char name[THREAD_NAME_LEN];
	void (*fn)(void *);
	void *arg;

	/* cpus[t->cpu].rq.lock protects: */
	union {
		struct {
			enum thread_state state;
			unsigned cpu;	/* CPU that runs or queues it */
		};
		/* Both, for the IPC fast path's one compare (ipc_fast.c). */
		uint64_t state_cpu;
	};
	bool on_cpu;			/* still running there (until switched out) */
	int pinned;			/* CPU it must run on, or -1 */
	struct list_head rq_link;	/* rq->ready or the CPU's sleepers */
	uint64_t wake_tick;		/* for sched_sleep_ticks() */

	/* Owned by the CPU running the thread: */
	uint64_t runtime;		/* TSC ticks spent running */
	uint64_t switched_in;		/* TSC at the last switch-in */
	uint64_t nswitches;
	uint64_t ticks;			/* timer ticks that found it running */

	/* threads_lock protects: */
	struct list_head all_link;	/* all_threads */

	/* User threads only (NULL/0 for kernel threads); owned by the thread: */
	struct proc *proc;		/* its process */
	int ltid;			/* Linux thread id (gettid), from the
					 * pid space; the pid for the first */
	struct list_head proc_link;	/* proc->threads, under proc_lock */
	struct fpu_state *fpu;		/* FPU/SSE registers while switched out */
	uint64_t fs_base;		/* TLS pointer (arch_prctl) */
	uint64_t cr3;			/* its address space's page-table root */
	uint64_t clear_child_tid;	/* set_tid_address */
	struct ipc_wait ipc;		/* IPC state (ipc.c) */
	struct sig_thread sig;		/* mask, pending signals (signal.c) */
};

extern struct list_head all_threads;
extern struct spinlock threads_lock;

void sched_init(void);
void sched_init_cpu(struct cpu *c, uint64_t stack_top);
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     int cpu);
struct thread *thread_alloc(const char *name, void (*fn)(void *), void *arg,
			    int cpu);
void thread_launch(struct thread *t);
void thread_free_unlaunched(struct thread *t);
__noreturn void thread_exit(void);
void thread_set_name(struct thread *t, const char *name);
void thread_start(struct thread *last);
void thread_reap(struct thread *t);

void schedule(void);
void sched_yield(void);
void sched_enqueue_new(struct thread *t, int cpu);
bool sched_wakeup(struct thread *t);
void sched_wakeup_sync(struct thread *t);
/*
 * An IPC record sched_wakeup_ipc() makes with a wakeup (trace/record.h):
 * a struct trace_ipc, or with recv_tid a struct trace_ipc_reply_recv.
 */
struct sched_wake_rec {
	uint16_t type, wake_type;	/* TRACE_IPC_CALL, _REPLY or
					 * _REPLY_RECV; the same _WAKE */
	uint32_t endpoint, partner_tid;
	uint64_t tag;
	uint32_t recv_tid;		/* _REPLY_RECV: the call received */
	uint64_t recv_tag;
};

void sched_wakeup_ipc(struct thread *t, volatile int *p,
		      const struct sched_wake_rec *rec);
void sched_wakeup_store(struct thread *t, volatile int *p, int val,
			volatile int *only_if);
void sched_sleep_ticks(uint64_t ticks);
void sched_wakeup_flag(struct thread *t, volatile int *p);
void sched_sleep_flag(volatile int *flag, uint64_t ticks);
unsigned long sched_sleep_prepare(uint64_t ticks);
void sched_sleep_finish(unsigned long f, bool sleep);
void sched_kick_thread(struct thread *t);
void sched_tick(struct cpu *c);
void sched_load_sample(void);
void sched_load_avg(uint64_t out[3], unsigned shift);
void sched_preempt(void);
__noreturn void sched_idle(void);
void sched_finish(struct thread *last);
struct thread *sched_switch_to(struct cpu *c, struct thread *prev,
			       struct thread *next);
/* Save into *save, resume next; returns (in next) the thread switched from. */
struct thread *switch_to(struct context **save, struct context *next,
			 struct thread *prev);
void rq_enqueue(struct runqueue *rq, struct thread *t);

/*
 * The books of a switch from prev to next at TSC time now, kept alike by
 * both ways of switching: sched_switch_to() and the IPC fast path's
 * direct switch (ipc_fast.c). The switching CPU's rq->lock is held.
 */
/* thread.state_cpu's value for a thread asleep on CPU @id. */
static inline uint64_t sched_state_cpu_sleeping(unsigned id)
{
	_Static_assert(sizeof(enum thread_state) == 4 &&
		       offsetof(struct thread, cpu) ==
		       offsetof(struct thread, state) + 4,
		       "state_cpu: state low, cpu high");
	return (uint64_t)id << 32 | THREAD_SLEEPING;
}

static inline void sched_account_switch(struct thread *prev,
					struct thread *next, uint64_t now)
{
	prev->runtime += now - prev->switched_in;
	prev->on_cpu = false;
	next->state = THREAD_RUNNING;
	next->on_cpu = true;
	next->switched_in = now;
	next->nswitches++;
}

/*
 * Sleep until cond is true, testing it under this CPU's rq->lock, so a
 * waker that changes it under the thread's rq->lock (sched_wakeup_store)
 * or then wakes the thread (sched_wakeup) is never missed. Nothing is
 * left on the stack for a waker: a thread asleep here can be resumed
 * elsewhere (the IPC fast path resumes it at its trap frame). Context:
 * thread, may sleep.
 */
#define sched_sleep_until(cond) sched_sleep_as(THREAD_SLEEPING, cond)

/* sched_sleep_until(), asleep in state @as (THREAD_SLEEPING or _STOPPED). */
#define sched_sleep_as(as, cond) do { \
	for (;;) { \
		unsigned long f_ = irq_save(); \
		struct runqueue *rq_ = &this_cpu()->rq; \
		spin_lock(&rq_->lock); \
		if (cond) { \
			spin_unlock(&rq_->lock); \
			irq_restore(f_); \
			break; \
		} \
		current_thread()->state = (as); \
		spin_unlock(&rq_->lock); \
		schedule(); \
		irq_restore(f_); \
	} \
} while (0)

#endif
