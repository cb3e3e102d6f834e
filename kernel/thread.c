/*
 * Kernel threads: creation with a name and a guarded stack, exit, and the
 * reaper that frees an exited thread's stack once nothing runs on it.
 *
 * threads_lock protects all_threads (every thread but the idle ones is on
 * it, in creation order; the debugger walks it). Order: before rq locks;
 * the reaper frees a thread holding it (-> kmalloc_lock -> pmm_lock).
 * zombie_lock protects zombies. Order: innermost.
 */
#include "sched.h"
#include "kmalloc.h"
#include "kstack.h"
#include "printk.h"
#include "panic.h"
#include "string.h"
#include "trace.h"
#include "wait.h"
#include <arch/cpu.h>
#include <arch/trap.h>

extern char thread_trampoline[];

struct list_head all_threads = LIST_HEAD_INIT(all_threads);
struct spinlock threads_lock = SPINLOCK_INIT("threads");
static struct list_head zombies = LIST_HEAD_INIT(zombies);
static struct spinlock zombie_lock = SPINLOCK_INIT("zombies");
static struct wait_queue reaper_wq = WAIT_QUEUE_INIT(reaper_wq, "reaper");
static unsigned next_tid = 1;

/* Rename @t (records TRACE_TASK_RENAME). Context: any. */
void thread_set_name(struct thread *t, const char *name)
{
	strlcpy(t->name, name, sizeof(t->name));
	trace_task_rename(t);
}

/*
 * Lay out a first context that "returns" into thread_trampoline, below
 * room for the trap frame that entries from user mode put at the very top
 * (so a thread can become a user thread without clobbering its own frames).
 */
static void thread_init_context(struct thread *t)
{
	uint64_t *sp = (uint64_t *)(t->kstack_top - sizeof(struct trap_frame));

	*--sp = 0;			/* fake return address: ends backtraces */
	t->ctx = (struct context *)sp - 1;
	memset(t->ctx, 0, sizeof(*t->ctx));
	t->ctx->rip = (uint64_t)thread_trampoline;
}

static void thread_init_fields(struct thread *t, const char *name)
{
	t->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	t->tgid = t->trace_tid = t->tid;
	strlcpy(t->name, name, sizeof(t->name));
	t->pinned = -1;
	list_init(&t->rq_link);
	list_init(&t->all_link);
	list_init(&t->proc_link);
}

/*
 * A thread that will run fn(arg) on cpu (-1: least loaded, and free to
 * migrate; otherwise pinned there), not queued yet: the caller finishes
 * it (a user thread's process links) and starts it with thread_launch(),
 * or drops it with thread_free_unlaunched(). NULL when out of memory.
 */
struct thread *thread_alloc(const char *name, void (*fn)(void *), void *arg,
			    int cpu)
{
	struct thread *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	thread_init_fields(t, name);
	t->kstack_top = kstack_alloc();
	if (!t->kstack_top) {
		kfree(t);
		return NULL;
	}
	t->fn = fn;
	t->arg = arg;
	t->pinned = cpu;
	thread_init_context(t);
	return t;
}

/* Make a thread from thread_alloc() known (all_threads, trace) and runnable. */
void thread_launch(struct thread *t)
{
	unsigned long f = spin_lock_irqsave(&threads_lock);

	list_add_tail(&t->all_link, &all_threads);
	spin_unlock_irqrestore(&threads_lock, f);
	trace_task_new(t);
	sched_enqueue_new(t, t->pinned);
}

/* Free a thread that thread_launch() never started. */
void thread_free_unlaunched(struct thread *t)
{
	kstack_free(t->kstack_top);
	kfree(t);
}

/* thread_alloc() + thread_launch(). Returns NULL when out of memory. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     int cpu)
{
	struct thread *t = thread_alloc(name, fn, arg, cpu);

	if (t)
		thread_launch(t);
	return t;
}

/* The idle thread of CPU c is the boot context already running on it. */
struct thread *thread_create_idle(struct cpu *c, uint64_t stack_top)
{
	struct thread *t = kzalloc(sizeof(*t));

	if (!t)
		panic("no memory for CPU %u's idle thread", c->id);
	thread_init_fields(t, "idle");
	t->name[4] = '/';
	t->name[5] = '0' + c->id % 10;
	t->tid = t->tgid = 0x10000 + c->id;
	t->trace_tid = TRACE_TID_IDLE;
	t->kstack_top = stack_top;
	t->pinned = c->id;
	t->cpu = c->id;
	t->state = THREAD_RUNNING;
	t->on_cpu = true;
	return t;
}

/* First code a new thread runs (from thread_trampoline). */
void thread_start(struct thread *last)
{
	struct thread *me = current_thread();

	sched_finish(last);
	irq_enable();
	me->fn(me->arg);
	thread_exit();
}

__noreturn void thread_exit(void)
{
	irq_disable();
	trace_task_exit(current_thread());
	current_thread()->state = THREAD_DEAD;
	schedule();
	panic("thread_exit: dead thread ran again");
}

/* Hand an exited thread to the reaper. Context: sched_finish(), IRQs off. */
void thread_reap(struct thread *t)
{
	/* A dead thread is on no list: if it is, it was reaped already. */
	if (!list_empty(&t->rq_link))
		panic("thread %u '%s' reaped twice", t->tid, t->name);
	spin_lock(&zombie_lock);
	list_add_tail(&t->rq_link, &zombies);
	spin_unlock(&zombie_lock);
	wake_up(&reaper_wq);
}

static struct thread *thread_next_zombie(void)
{
	unsigned long f = spin_lock_irqsave(&zombie_lock);
	struct thread *t = NULL;

	if (!list_empty(&zombies)) {
		t = list_first_entry(&zombies, struct thread, rq_link);
		list_del(&t->rq_link);
	}
	spin_unlock_irqrestore(&zombie_lock, f);
	return t;
}

static void thread_reaper(void *unused)
{
	for (;;) {
		struct thread *t;
		unsigned long f;

		wait_event(&reaper_wq, !list_empty(&zombies));
		while ((t = thread_next_zombie())) {
			kstack_free(t->kstack_top);
			/*
			 * Off the list and freed in one hold of threads_lock:
			 * whoever counts all_threads (the self-tests'
			 * quiesce, then comparing free pages) never sees a
			 * thread gone whose memory is not back yet.
			 */
			f = spin_lock_irqsave(&threads_lock);
			list_del(&t->all_link);
			kfree(t);
			spin_unlock_irqrestore(&threads_lock, f);
		}
	}
}

void thread_init(void)
{
	if (!thread_create("reaper", thread_reaper, NULL, -1))
		panic("cannot create the reaper thread");
	trace_start();
}
