/*
 * Wait queues: sleep until a condition holds. The waiter adds itself and
 * marks itself sleeping under wq->lock before re-checking the condition;
 * the waker changes the condition first and then takes wq->lock, so a
 * wakeup can never fall between the check and the sleep.
 * Lock order: wq->lock before any rq->lock.
 */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H

#include "types.h"
#include "list.h"
#include "spinlock.h"

struct thread;

struct wait_queue {
	struct spinlock lock;
	struct list_head waiters;	/* struct waiter, under lock */
};

struct waiter {
	struct thread *t;
	struct list_head link;
};

#define WAIT_QUEUE_INIT(wq, n) { SPINLOCK_INIT(n), LIST_HEAD_INIT((wq).waiters) }

void wait_init(struct wait_queue *wq, const char *name);
void wait_prepare(struct wait_queue *wq, struct waiter *w);
void wait_add(struct wait_queue *wq, struct waiter *w);
void wait_finish(struct wait_queue *wq, struct waiter *w);
void wake_up(struct wait_queue *wq);
void wake_up_one(struct wait_queue *wq);

/* Sleep until cond is true. Context: thread, may sleep. */
#define wait_event(wq, cond) do { \
	struct waiter __w; \
	for (;;) { \
		wait_prepare((wq), &__w); \
		/* Full: SLEEPING before cond's loads; pairs with the \
		 * rq->lock a waker not using wq takes (proc_kill). */ \
		__atomic_thread_fence(__ATOMIC_SEQ_CST); \
		if (cond) \
			break; \
		schedule(); \
		wait_finish((wq), &__w); \
	} \
	wait_finish((wq), &__w); \
} while (0)

#endif
