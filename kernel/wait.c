/* Wait queues (see wait.h for the protocol). */
#include "wait.h"
#include "sched.h"

void wait_init(struct wait_queue *wq, const char *name)
{
	spin_init(&wq->lock, name);
	list_init(&wq->waiters);
}

/* Join the queue and become SLEEPING; the caller re-checks, then schedules. */
void wait_prepare(struct wait_queue *wq, struct waiter *w)
{
	unsigned long f = spin_lock_irqsave(&wq->lock);

	w->t = current_thread();
	list_add_tail(&w->link, &wq->waiters);
	w->t->state = THREAD_SLEEPING;
	spin_unlock_irqrestore(&wq->lock, f);
}

/*
 * Join the queue without becoming SLEEPING: for a thread that waits on
 * several queues and then sleeps once (sched_sleep_prepare). Leave with
 * wait_finish().
 */
void wait_add(struct wait_queue *wq, struct waiter *w)
{
	unsigned long f = spin_lock_irqsave(&wq->lock);

	w->t = current_thread();
	list_add_tail(&w->link, &wq->waiters);
	spin_unlock_irqrestore(&wq->lock, f);
}

/* Leave the queue; the thread runs again (a wakeup may have done this). */
void wait_finish(struct wait_queue *wq, struct waiter *w)
{
	unsigned long f = spin_lock_irqsave(&wq->lock);

	list_del(&w->link);
	spin_unlock_irqrestore(&wq->lock, f);
	sched_wakeup(w->t);	/* a no-op unless it is still SLEEPING */
}

/* Wake every waiter. Context: any, including IRQ. */
void wake_up(struct wait_queue *wq)
{
	unsigned long f = spin_lock_irqsave(&wq->lock);
	struct list_head *p;

	list_for_each(p, &wq->waiters)
		sched_wakeup(list_entry(p, struct waiter, link)->t);
	spin_unlock_irqrestore(&wq->lock, f);
}

/*
 * Wake the first waiter still asleep: for a queue whose condition one
 * waiter uses up (a free slot), where waking all would wake the rest
 * only to sleep again. A waiter already woken, by an earlier call or
 * anything else, is passed over: it re-tests the condition anyway, and
 * skipping it keeps each call from being spent on it, so no free
 * resource is left with every waiter asleep. Context: any.
 */
void wake_up_one(struct wait_queue *wq)
{
	unsigned long f = spin_lock_irqsave(&wq->lock);
	struct list_head *p;

	list_for_each(p, &wq->waiters) {
		if (sched_wakeup(list_entry(p, struct waiter, link)->t))
			break;
	}
	spin_unlock_irqrestore(&wq->lock, f);
}
