/*
 * Futexes: a thread sleeps on a 32-bit user word while it holds an
 * expected value, and another wakes it after changing the word. musl's
 * mutexes, condition variables, pthread_join and its thread-list lock are
 * built on them. A futex is named by (address space, user address), so
 * FUTEX_PRIVATE_FLAG changes nothing: futexes in memory shared between
 * processes (shm) are not supported (each process has its own key).
 *
 * Waiters sit in a hash of buckets. b->lock protects the bucket's list
 * and each queued waiter's b and uaddr, and is what makes FUTEX_WAIT's
 * "read the word, then queue" atomic against "store the word, then
 * FUTEX_WAKE": the waker takes b->lock after its store, so it either finds
 * the waiter queued or the waiter read the new value and did not sleep.
 * The wake itself sets w->woken under the waiter's rq->lock, which its
 * sleep tests (sched_sleep_flag), so it is never lost either.
 * Lock order: b->lock (lower address first) -> vm->lock (a fault while
 * reading the word) -> rq->lock (the wake).
 */
#include "futex.h"
#include "proc.h"
#include "sched.h"
#include "clock.h"
#include "vm.h"
#include <arch/uaccess.h>

#define FUTEX_BUCKETS		64
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256
#define FUTEX_BITSET_ANY	0xffffffffu

struct futex_bucket {
	struct spinlock lock;
	struct list_head waiters;	/* struct futex_waiter, under lock */
};

/* A sleeping FUTEX_WAIT, on its thread's stack. */
struct futex_waiter {
	struct list_head link;		/* in *b, under b->lock */
	struct futex_bucket *b;		/* changes only with both locks held */
	struct thread *t;
	const struct vm *vm;
	uint64_t uaddr;			/* under b->lock (requeue moves it) */
	uint32_t bitset;
	volatile int woken;		/* set by the waker under t's rq->lock */
};

/* Lists start zeroed and are made empty lists on first lock (futex_lock). */
static struct futex_bucket futex_table[FUTEX_BUCKETS] = {
	[0 ... FUTEX_BUCKETS - 1] = { .lock = SPINLOCK_INIT("futex") },
};

static struct futex_bucket *futex_bucket(const struct vm *vm, uint64_t uaddr)
{
	uint64_t h = ((uint64_t)vm >> 6) ^ (uaddr >> 2);

	h *= 0x9e3779b97f4a7c15ULL;
	return &futex_table[h >> 58];	/* top 6 bits: 64 buckets */
}

static void futex_lock(struct futex_bucket *b, unsigned long *f)
{
	*f = spin_lock_irqsave(&b->lock);
	if (!b->waiters.next)
		list_init(&b->waiters);
}

static bool futex_match(const struct futex_waiter *w, const struct vm *vm,
			uint64_t uaddr)
{
	return w->vm == vm && w->uaddr == uaddr;
}

/* Lock the bucket w is queued in, following a requeue meanwhile. */
static struct futex_bucket *futex_lock_waiter(struct futex_waiter *w,
					      unsigned long *f)
{
	for (;;) {
		struct futex_bucket *b = READ_ONCE(w->b);

		futex_lock(b, f);
		if (READ_ONCE(w->b) == b)
			return b;
		spin_unlock_irqrestore(&b->lock, *f);
	}
}

/* Wake w (b->lock held): off the list, then the flag its sleep tests. */
static void futex_wake_one(struct futex_waiter *w)
{
	list_del(&w->link);
	sched_wakeup_flag(w->t, &w->woken);
}

/*
 * Sleep while *uaddr == val, until woken, killed, interrupted by a signal
 * or (deadline_ns != 0) the monotonic clock passes deadline_ns. Returns
 * 0, -EAGAIN (the word differs), -EFAULT, -ETIMEDOUT, -EINTR (a timed
 * wait interrupted) or -ERESTARTSYS (an untimed one: SA_RESTART restarts
 * it, as on Linux).
 */
static long futex_wait(uint64_t uaddr, uint32_t val, uint64_t deadline_ns,
		       uint32_t bitset)
{
	struct thread *me = current_thread();
	struct futex_waiter w = {
		.t = me, .vm = me->proc->vm, .uaddr = uaddr, .bitset = bitset,
	};
	unsigned long f;
	uint32_t cur;
	long ret = 0;

	w.b = futex_bucket(w.vm, uaddr);
	futex_lock(w.b, &f);
	if (copy_from_user(&cur, (void *)uaddr, sizeof(cur)))
		ret = -EFAULT;
	else if (cur != val)
		ret = -EAGAIN;
	else
		list_add_tail(&w.link, &w.b->waiters);
	spin_unlock_irqrestore(&w.b->lock, f);
	while (!ret && !w.woken) {
		uint64_t now = deadline_ns ? clock_monotonic_ns() : 0, ticks = 0;

		if (signal_pending(me))
			ret = deadline_ns ? -EINTR : -ERESTARTSYS;
		else if (deadline_ns && now >= deadline_ns)
			ret = -ETIMEDOUT;
		else if (deadline_ns)
			ticks = clock_ticks(deadline_ns - now);
		if (!ret)
			sched_sleep_flag(&w.woken, ticks);
	}
	if (ret == -EINTR || ret == -ERESTARTSYS || ret == -ETIMEDOUT) {
		struct futex_bucket *b = futex_lock_waiter(&w, &f);

		if (w.woken)
			ret = 0;	/* the wake came first: it counts */
		else
			list_del(&w.link);
		spin_unlock_irqrestore(&b->lock, f);
	}
	return ret;
}

/*
 * Wake up to n waiters on (vm, uaddr) whose bitset meets bitset.
 * Returns how many were woken. Context: thread.
 */
int futex_wake(struct vm *vm, uint64_t uaddr, int n, uint32_t bitset)
{
	struct futex_bucket *b = futex_bucket(vm, uaddr);
	struct list_head *p, *q;
	unsigned long f;
	int woken = 0;

	futex_lock(b, &f);
	list_for_each_safe(p, q, &b->waiters) {
		struct futex_waiter *w = list_entry(p, struct futex_waiter, link);

		if (woken >= n)
			break;
		if (futex_match(w, vm, uaddr) && (w->bitset & bitset)) {
			futex_wake_one(w);
			woken++;
		}
	}
	spin_unlock_irqrestore(&b->lock, f);
	return woken;
}

static void futex_lock_pair(struct futex_bucket *a, struct futex_bucket *b,
			    unsigned long *f)
{
	if (a > b) {
		struct futex_bucket *t = a;

		a = b;
		b = t;
	}
	futex_lock(a, f);
	if (b != a) {
		spin_lock(&b->lock);
		if (!b->waiters.next)
			list_init(&b->waiters);
	}
}

static void futex_unlock_pair(struct futex_bucket *a, struct futex_bucket *b,
			      unsigned long f)
{
	if (b != a)
		spin_unlock(&b->lock);
	spin_unlock_irqrestore(&a->lock, f);
}

/*
 * FUTEX_(CMP_)REQUEUE: wake nwake waiters on uaddr, move up to nmove of
 * the rest to uaddr2 (with cmp, only if *uaddr == val3). Returns the
 * number woken plus moved, -EAGAIN or -EFAULT.
 */
static long futex_requeue(uint64_t uaddr, uint64_t uaddr2, int nwake,
			  int nmove, bool cmp, uint32_t val3)
{
	struct vm *vm = current_thread()->proc->vm;
	struct futex_bucket *b1 = futex_bucket(vm, uaddr);
	struct futex_bucket *b2 = futex_bucket(vm, uaddr2);
	struct list_head *p, *q;
	unsigned long f;
	uint32_t cur;
	long done = 0;

	futex_lock_pair(b1, b2, &f);
	if (cmp && copy_from_user(&cur, (void *)uaddr, sizeof(cur)))
		done = -EFAULT;
	else if (cmp && cur != val3)
		done = -EAGAIN;
	list_for_each_safe(p, q, &b1->waiters) {
		struct futex_waiter *w = list_entry(p, struct futex_waiter, link);

		if (done < 0 || done >= (long)nwake + nmove)
			break;
		if (!futex_match(w, vm, uaddr))
			continue;
		if (done < nwake) {
			futex_wake_one(w);
		} else {
			list_del(&w->link);
			w->uaddr = uaddr2;
			WRITE_ONCE(w->b, b2);
			list_add_tail(&w->link, &b2->waiters);
		}
		done++;
	}
	futex_unlock_pair(b1, b2, f);
	return done;
}

/*
 * The absolute monotonic deadline for FUTEX_WAIT's relative timeout at
 * utime (0: none), or FUTEX_WAIT_BITSET's absolute one (realtime: on
 * CLOCK_REALTIME). Returns 0 or -EFAULT/-EINVAL; *deadline 0 for none.
 */
static long futex_deadline(uint64_t utime, bool absolute, bool realtime,
			   uint64_t *deadline)
{
	uint64_t ns, now = clock_monotonic_ns();
	long err;

	*deadline = 0;
	if (!utime)
		return 0;
	err = clock_timespec_in((void *)utime, &ns);
	if (err)
		return err;
	if (!absolute)
		*deadline = now + ns;
	else if (realtime)
		*deadline = now + (ns > clock_realtime_ns() ?
				   ns - clock_realtime_ns() : 0);
	else
		*deadline = ns;
	if (!*deadline)
		*deadline = 1;	/* already past, but not "none" */
	return 0;
}

/*
 * futex(uaddr, op, val, utime, uaddr2, val3) as Linux's, for the
 * operations musl uses: WAIT, WAKE, REQUEUE, CMP_REQUEUE and the BITSET
 * pair. Others are -ENOSYS. utime is the timeout of the waits and the
 * requeue count of the requeues.
 */
long futex_call(uint64_t uaddr, int op, uint32_t val, uint64_t utime,
		uint64_t uaddr2, uint32_t val3)
{
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	struct vm *vm = current_thread()->proc->vm;
	uint64_t deadline;
	long err;

	if (realtime && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	if (uaddr & 3)
		return -EINVAL;
	if (!uaccess_ok(uaddr, sizeof(uint32_t)))
		return -EFAULT;
	switch (cmd) {
	case FUTEX_WAIT:
		val3 = FUTEX_BITSET_ANY;
		/* fall through */
	case FUTEX_WAIT_BITSET:
		if (!val3)
			return -EINVAL;
		err = futex_deadline(utime, cmd == FUTEX_WAIT_BITSET, realtime,
				     &deadline);
		return err ? err : futex_wait(uaddr, val, deadline, val3);
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_ANY;
		/* fall through */
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wake(vm, uaddr, (int)MIN(val, 0x7fffffffu), val3);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if ((int)val < 0 || (int)utime < 0 || (uaddr2 & 3))
			return -EINVAL;
		if (!uaccess_ok(uaddr2, sizeof(uint32_t)))
			return -EFAULT;
		return futex_requeue(uaddr, uaddr2, (int)val, (int)utime,
				     cmd == FUTEX_CMP_REQUEUE, val3);
	default:
		return -ENOSYS;
	}
}
