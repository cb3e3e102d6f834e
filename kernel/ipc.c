/*
 * IPC: synchronous endpoints, notifications and reply objects (see ipc.h,
 * docs/ipc.md).
 *
 * A call blocks until a receiver takes the message and replies; the
 * receiver then holds the caller (ipc.caller) until it replies or moves it
 * into a reply object (NC_REPLY_SAVE) to answer later, out of order. A
 * receiver that exits holding a caller, or drops an unanswered reply
 * capability, answers -EPIPE. An endpoint whose last receive capability is
 * gone is dead: queued and future callers get -EPIPE. A caller whose
 * process is killed abandons its call with -EINTR if it is queued or
 * saved; a held caller waits for the (prompt) reply. The message travels
 * in registers (a tag and four words); bulk data goes through shared memory.
 * A signal that may be delivered interrupts a wait as a kill does.
 *
 * Locks (order: ep->lock -> reply->lock -> notify->lock -> wq->lock ->
 * rq->lock; reference counts are atomics):
 *   ep->lock      the endpoint's queues and dead flag, and the hand-over of
 *                 messages between the threads on them (QUEUED -> HELD)
 *   reply->lock   reply->caller: who answers or abandons a saved call
 *   notify->lock  the notification's bits and the thread bound to it
 *   rq->lock      (the owner's) a thread's done flags and call state, set
 *                 by wakers with sched_wakeup_store() and tested by the
 *                 thread's sleep, sched_sleep_until(); NC_CALL and
 *                 NC_REPLY_RECV have a fast path beside this file
 *                 (ipc_fast.c) that takes ep->lock and rq->lock likewise
 */
#include "ipc.h"
#include "cmdline.h"
#include "kmalloc.h"
#include "proc.h"
#include "sched.h"
#include "trace.h"
#include <arch/trap.h>

struct notify {
	struct spinlock lock;
	/* lock protects: */
	uint64_t bits;
	struct thread *bound;		/* its receives also wait for bits */
	struct wait_queue wq;		/* NC_WAIT sleeps here */
	int refs;			/* atomic */
};

/*
 * A saved call (CAP_REPLY). refs counts the caller (until its call ends)
 * and, as one, the capabilities (cap_refs, counting cap_get/cap_put): when
 * the last capability goes, an unanswered caller gets -EPIPE.
 */
struct reply {
	struct spinlock lock;
	struct thread *caller;		/* under lock: NULL once answered or
					 * abandoned */
	int refs;			/* atomic */
	int cap_refs;			/* atomic */
};

static uint32_t ipc_next_ep_id;		/* atomic */

/* The caller's process is killed, or a signal may be deliverable to it. */
static bool ipc_killed(void)
{
	struct thread *t = current_thread();

	return t->proc && signal_pending(t);
}

/*
 * The condition a caller waits on: the reply, or an interruption that
 * lets it abandon the call. A held call cannot be abandoned, so an
 * interrupted caller sleeps on; it then stops being fast, so the reply
 * comes through the scheduler and its way out (ipc_fast_resumed), never
 * straight to user mode past the kill or signal (ipc_fast.c, "The
 * partner's kill"). Tested under the thread's rq->lock, where the fast
 * path tests the caller's state.
 */
static bool ipc_call_done(struct ipc_wait *w)
{
	if (w->got_reply)
		return true;
	if (!ipc_killed())
		return false;
	if (w->state != IPC_HELD)
		return true;
	w->fast = false;
	return false;
}

static struct thread *ipc_owner(struct ipc_wait *w)
{
	return container_of(w, struct thread, ipc);
}

/*
 * Set *flag and wake w's thread onto this CPU, both under its rq->lock,
 * which its sleep tests the flag under (ipc_sleep): once the lock is
 * dropped the thread may run, return and exit, so nothing of it may be
 * touched after. The lock's release orders the message before the flag.
 */
static void ipc_complete(struct ipc_wait *w, volatile int *flag)
{
	sched_wakeup_store(ipc_owner(w), flag, 1, NULL);
}

/* Sleep until cond (see sched_sleep_until: nothing stays on the stack). */
#define ipc_sleep(cond) sched_sleep_until(cond)

void ipc_thread_init(struct thread *t)
{
	list_init(&t->ipc.link);
}

/* Hand c its answer: ret (0 or -EPIPE) and msg (NULL: none). */
static void ipc_deliver(struct thread *c, long ret, const struct ipc_msg *msg)
{
	if (msg)
		c->ipc.msg = *msg;
	c->ipc.ret = ret;
	ipc_complete(&c->ipc, &c->ipc.got_reply);
}

/* Answer the caller t holds, if any, with ret (0 or -EPIPE) and msg. */
static void ipc_answer(struct thread *t, long ret, const struct ipc_msg *msg)
{
	struct thread *c = t->ipc.caller;

	if (!c)
		return;
	t->ipc.caller = NULL;
	ipc_deliver(c, ret, msg);
}

static void ipc_reply_unref(struct reply *r)
{
	/* Acq_rel: the last put sees every other user's work. */
	if (!__atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL))
		kfree(r);
}

/*
 * Reply msg to caller c, held (by the server or a reply object, so
 * c->ipc.ep stays), and record it (sched_wakeup_ipc): a REPLY on the
 * endpoint c called (a converter ends the server's serve slice and c's
 * call slice, both keyed by it), or a REPLY_WAKE when the reply woke c
 * onto this CPU, which then stands for the wakeup's record too. @recv:
 * the replying server's wait, if it has just taken a queued call on that
 * endpoint (ipc_reply_take): the record is then a REPLY_RECV (or
 * REPLY_WAKE_RECV), which stands for that call's RECV too.
 */
static void ipc_reply_traced(struct thread *c, const struct ipc_msg *msg,
			     const struct ipc_wait *recv)
{
	struct sched_wake_rec rec = {
		.type = TRACE_IPC_REPLY, .wake_type = TRACE_IPC_REPLY_WAKE,
		.endpoint = c->ipc.ep ? c->ipc.ep->id : 0,
		.partner_tid = c->tid, .tag = msg->tag };

	if (recv) {
		rec.type = TRACE_IPC_REPLY_RECV;
		rec.wake_type = TRACE_IPC_REPLY_WAKE_RECV;
		rec.recv_tid = recv->caller->tid;
		rec.recv_tag = recv->msg.tag;
	}

	c->ipc.msg = *msg;
	c->ipc.ret = 0;
	sched_wakeup_ipc(c, &c->ipc.got_reply, &rec);
}

/*
 * Answer r's caller unless it was answered or abandoned: with msg (a
 * reply), or with -EPIPE and no message. Returns 0 or -EPIPE.
 */
static long ipc_reply_answer(struct reply *r, long ret,
			     const struct ipc_msg *msg)
{
	unsigned long f = spin_lock_irqsave(&r->lock);
	struct thread *c = r->caller;

	r->caller = NULL;
	if (c && msg)
		ipc_reply_traced(c, msg, NULL);	/* under r->lock */
	else if (c)
		ipc_deliver(c, ret, NULL);
	spin_unlock_irqrestore(&r->lock, f);
	return c ? 0 : -EPIPE;
}

static void ipc_notify_put(struct notify *n)
{
	if (!__atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL))
		kfree(n);
}

/* A thread leaving user space for good: its pending caller gets -EPIPE
 * and its bound notification is unbound. */
void ipc_thread_exit(struct thread *t)
{
	struct notify *n = t->ipc.bound;

	ipc_answer(t, -EPIPE, NULL);
	if (n) {
		unsigned long f = spin_lock_irqsave(&n->lock);

		n->bound = NULL;
		spin_unlock_irqrestore(&n->lock, f);
		t->ipc.bound = NULL;
		ipc_notify_put(n);
	}
}

/* The last receive capability went away: fail every queued caller. */
static void ipc_endpoint_kill(struct endpoint *ep)
{
	unsigned long f = spin_lock_irqsave(&ep->lock);

	ep->dead = true;
	while (!list_empty(&ep->senders)) {
		struct ipc_wait *w = list_first_entry(&ep->senders,
						      struct ipc_wait, link);

		list_del(&w->link);
		w->state = IPC_IDLE;
		w->ret = -EPIPE;
		ipc_complete(w, &w->got_reply);
	}
	spin_unlock_irqrestore(&ep->lock, f);
	ipc_poll_wake(ep);		/* pollers see it dead: an error */
}

/*
 * Wake every thread polling a file ep's server serves, to ask the server
 * again (NC_POLL_WAKE, and the endpoint's death). Context: thread.
 */
void ipc_poll_wake(struct endpoint *ep)
{
	/* Release: pairs with the acquire load of a poller that then asks. */
	__atomic_add_fetch(&ep->poll_gen, 1, __ATOMIC_RELEASE);
	wake_up(&ep->pollq);
}

/* NC_POLL_WAKE(slot): only a receiver of the endpoint may pulse it. */
static long ipc_poll_wake_call(uint64_t slot)
{
	struct cap c;
	long err = cap_lookup(current_thread()->proc, slot, CAP_ENDPOINT,
			      CAP_RECV, &c);

	if (err)
		return err;
	ipc_poll_wake(c.obj);
	cap_put(&c);
	return 0;
}

void ipc_object_get(const struct cap *c)
{
	if (c->type == CAP_ENDPOINT) {
		struct endpoint *ep = c->obj;

		__atomic_add_fetch(&ep->refs, 1, __ATOMIC_RELAXED);
		if (c->rights & CAP_RECV)
			__atomic_add_fetch(&ep->recv_refs, 1, __ATOMIC_RELAXED);
	} else if (c->type == CAP_NOTIFY) {
		__atomic_add_fetch(&((struct notify *)c->obj)->refs, 1,
				   __ATOMIC_RELAXED);
	} else if (c->type == CAP_REPLY) {
		__atomic_add_fetch(&((struct reply *)c->obj)->cap_refs, 1,
				   __ATOMIC_RELAXED);
	}
}

void ipc_object_put(const struct cap *c)
{
	if (c->type == CAP_ENDPOINT) {
		struct endpoint *ep = c->obj;

		/* Acq_rel on both: the last put sees every other user's work. */
		if ((c->rights & CAP_RECV) &&
		    !__atomic_sub_fetch(&ep->recv_refs, 1, __ATOMIC_ACQ_REL))
			ipc_endpoint_kill(ep);
		if (!__atomic_sub_fetch(&ep->refs, 1, __ATOMIC_ACQ_REL))
			kfree(ep);
	} else if (c->type == CAP_NOTIFY) {
		ipc_notify_put(c->obj);
	} else if (c->type == CAP_REPLY) {
		struct reply *r = c->obj;

		if (!__atomic_sub_fetch(&r->cap_refs, 1, __ATOMIC_ACQ_REL)) {
			ipc_reply_answer(r, -EPIPE, NULL);
			ipc_reply_unref(r);
		}
	}
}

/*
 * The caller's process was killed while it waited: leave the endpoint's
 * queue or the reply object if the call is still there. Returns true if
 * the call was abandoned, false if a server has it (or answered it).
 */
static bool ipc_abandon(struct ipc_wait *w)
{
	unsigned long f;
	bool gone = false;

	if (w->state == IPC_QUEUED) {
		f = spin_lock_irqsave(&w->ep->lock);
		if (w->state == IPC_QUEUED) {
			list_del(&w->link);
			w->state = IPC_IDLE;
			gone = true;
		}
		spin_unlock_irqrestore(&w->ep->lock, f);
	} else if (w->state == IPC_SAVED) {
		f = spin_lock_irqsave(&w->reply->lock);
		if (w->reply->caller == ipc_owner(w)) {
			w->reply->caller = NULL;
			gone = true;
		}
		spin_unlock_irqrestore(&w->reply->lock, f);
	}
	return gone;
}

/* Wait for the reply, or until a kill makes the call abandonable. */
static long ipc_call_wait(struct ipc_wait *w)
{
	long ret;

	for (;;) {
		ipc_sleep(ipc_call_done(w));
		if (w->got_reply) {
			ret = w->ret;
			break;
		}
		if (ipc_abandon(w)) {
			ret = -EINTR;
			break;
		}
	}
	w->state = IPC_IDLE;
	w->fast = false;
	if (w->reply) {
		ipc_reply_unref(w->reply);
		w->reply = NULL;
	}
	return ret;
}

/*
 * Send m on ep and wait for the reply, which replaces m. fast: nothing
 * of this call is on the kernel stack above the syscall's trap frame, so
 * a fast path may hand the reply straight to it (not for kernel calls).
 */
static long ipc_do_call(struct endpoint *ep, struct ipc_msg *m, uint64_t badge,
			bool fast)
{
	struct thread *me = current_thread();
	struct ipc_wait *w = &me->ipc, *rw;
	struct sched_wake_rec rec = {
		.type = TRACE_IPC_CALL, .wake_type = TRACE_IPC_CALL_WAKE,
		.endpoint = ep->id, .tag = m->tag };
	unsigned long f = spin_lock_irqsave(&ep->lock);
	long ret;

	if (ep->dead) {
		spin_unlock_irqrestore(&ep->lock, f);
		return -EPIPE;
	}
	w->msg = *m;
	w->badge = badge;
	w->ret = 0;
	w->got_reply = 0;
	w->ep = ep;
	w->reply = NULL;
	w->fast = fast;
	if (!list_empty(&ep->receivers)) {
		rw = list_first_entry(&ep->receivers, struct ipc_wait, link);
		list_del(&rw->link);
		/* Now: once woken, the receiver may reply, return and exit. */
		rec.partner_tid = ipc_owner(rw)->tid;
		w->state = IPC_HELD;
		rw->msg = *m;
		rw->badge = badge;
		rw->caller = me;
		sched_wakeup_ipc(ipc_owner(rw), &rw->got_call, &rec);
	} else {
		w->state = IPC_QUEUED;
		list_add_tail(&w->link, &ep->senders);
		/* Under the lock, before the receiver's RECV: no partner yet. */
		trace_ipc_irqoff(rec.type, rec.endpoint, 0, rec.tag);
	}
	spin_unlock_irqrestore(&ep->lock, f);
	ret = ipc_call_wait(w);
	*m = w->msg;
	return ret;
}

/*
 * A call made by kernel code on the current thread, as if its process had
 * made it with badge: the file calls (file.c) reach the servers this way.
 * Kill rules as for a user call: -EINTR if queued or saved when killed.
 */
long ipc_call_kernel(struct endpoint *ep, struct ipc_msg *m, uint64_t badge)
{
	return ipc_do_call(ep, m, badge, false);
}

/* Take the bits of the bound notification, if any: 0 if none. */
static uint64_t ipc_take_bound(struct notify *n)
{
	unsigned long f;
	uint64_t bits;

	if (!n || !READ_ONCE(n->bits))
		return 0;
	f = spin_lock_irqsave(&n->lock);
	bits = n->bits;
	n->bits = 0;
	spin_unlock_irqrestore(&n->lock, f);
	return bits;
}

/* A notification woke the receive: the message the receiver sees. */
static long ipc_notified(struct ipc_msg *m, uint64_t *badge, uint64_t bits)
{
	*m = (struct ipc_msg){ 0, { bits } };
	*badge = NOTIFY_BADGE;
	return 0;
}

/*
 * The RECV record of a call w now holds, made under ep->lock (interrupts
 * off: no saving and restoring them for the record).
 */
static void ipc_trace_recv_locked(struct endpoint *ep, struct ipc_wait *w)
{
	trace_ipc_irqoff(TRACE_IPC_RECV, ep->id, w->caller->tid, w->msg.tag);
}

/* Take the first queued caller on ep (ep->lock held) into w, unrecorded. */
static void ipc_dequeue_sender(struct endpoint *ep, struct ipc_wait *w)
{
	struct ipc_wait *sw = list_first_entry(&ep->senders, struct ipc_wait,
					       link);

	list_del(&sw->link);
	sw->state = IPC_HELD;
	w->msg = sw->msg;
	w->badge = sw->badge;
	w->caller = ipc_owner(sw);
}

/* ipc_dequeue_sender(), and its RECV record. */
static void ipc_take_sender(struct endpoint *ep, struct ipc_wait *w)
{
	ipc_dequeue_sender(ep, w);
	ipc_trace_recv_locked(ep, w);
}

/*
 * Move a held caller's call to state (QUEUED or SAVED), where a kill can
 * end it, and wake the caller if a kill already came: it found the held
 * call unabandonable and went back to sleep.
 */
static void ipc_set_state(struct ipc_wait *cw, int state)
{
	struct thread *c = ipc_owner(cw);

	/* Under c's rq->lock, which a kill's or a signal's wakeup takes
	 * after storing killed or sigwork: either we see user_work, or its
	 * wakeup sees the new state. */
	sched_wakeup_store(c, &cw->state, state, &c->proc->user_work);
}

/*
 * Both a call and bound bits came while w slept (ep->lock held): the bits
 * win, so the call goes back to the head of the queue, unreceived.
 */
static void ipc_requeue(struct endpoint *ep, struct ipc_wait *w)
{
	struct ipc_wait *cw = &w->caller->ipc;

	w->caller = NULL;
	w->got_call = 0;
	list_add(&cw->link, &ep->senders);
	ipc_set_state(cw, IPC_QUEUED);
}

/*
 * w is on ep->receivers: sleep until a call, bound bits or a kill arrive,
 * then leave the queue. Returns 1 (a call is held), 0 (look again: bits,
 * or a spurious wakeup) or -EINTR.
 */
static int ipc_recv_wait(struct endpoint *ep, struct ipc_wait *w)
{
	unsigned long f;

	ipc_sleep(w->got_call || (w->bound && READ_ONCE(w->bound->bits)) ||
		  ipc_killed());
	f = spin_lock_irqsave(&ep->lock);
	if (!w->got_call)
		list_del(&w->link);
	else if (w->bound && READ_ONCE(w->bound->bits))
		ipc_requeue(ep, w);
	if (w->got_call)
		ipc_trace_recv_locked(ep, w);
	spin_unlock_irqrestore(&ep->lock, f);
	w->fast = false;
	if (w->got_call)
		return 1;
	return ipc_killed() ? -EINTR : 0;
}

/*
 * Wait on ep for a call (the caller is then held until a reply or a save)
 * or for bits on the bound notification; pending bits win. fast: as for
 * ipc_do_call(). Returns 0, or -EINTR if the process was killed while
 * waiting.
 */
static long ipc_do_recv(struct endpoint *ep, struct ipc_msg *m, uint64_t *badge,
			bool fast)
{
	struct thread *me = current_thread();
	struct ipc_wait *w = &me->ipc;
	unsigned long f;
	uint64_t bits;
	int err;

	if (w->caller)
		return -EBUSY;		/* reply to the last call first */
	for (;;) {
		bits = ipc_take_bound(w->bound);
		if (bits)
			return ipc_notified(m, badge, bits);
		f = spin_lock_irqsave(&ep->lock);
		if (!list_empty(&ep->senders)) {
			ipc_take_sender(ep, w);
			spin_unlock_irqrestore(&ep->lock, f);
			break;
		}
		w->got_call = 0;
		/*
		 * May be resumed at its trap frame; never with a bound
		 * notification, whose bits the fast path would not see
		 * (ipc_fast.c tests only this flag).
		 */
		w->fast = fast && !w->bound;
		list_add_tail(&w->link, &ep->receivers);
		spin_unlock_irqrestore(&ep->lock, f);
		err = ipc_recv_wait(ep, w);
		if (err < 0)
			return err;
		if (err)
			break;
	}
	*m = w->msg;
	*badge = w->badge;
	return 0;
}

static long ipc_do_reply(const struct ipc_msg *m)
{
	struct thread *me = current_thread();

	struct thread *c = me->ipc.caller;

	if (!c)
		return -EINVAL;
	me->ipc.caller = NULL;
	ipc_reply_traced(c, m, NULL);
	return 0;
}

/*
 * NC_REPLY_RECV's reply when a call is already queued on ep, which the
 * receive would take at once: take that call first, under ep->lock, then
 * reply, so that one record says both (ipc_reply_traced). Not with a
 * bound notification, whose pending bits a receive takes before any call,
 * nor when the caller replied to called another endpoint (the record
 * names one). Returns whether it did (the call received into *m and
 * *badge); if not, nothing has changed. Locks: ep->lock, then the
 * caller's rq->lock (sched_wakeup_ipc), as a call takes them.
 */
static bool ipc_reply_take(struct endpoint *ep, struct ipc_msg *m,
			   uint64_t *badge)
{
	struct thread *me = current_thread(), *c = me->ipc.caller;
	struct ipc_wait *w = &me->ipc;
	unsigned long f;

	/*
	 * The queue peeked at without the lock first: an idle server's
	 * reply (the common case) takes it once, in ipc_do_recv(), not
	 * twice. A call queued just after is received there, recorded
	 * apart; one just taken is seen again under the lock.
	 */
	if (!c || w->bound || c->ipc.ep != ep ||
	    READ_ONCE(ep->senders.next) == &ep->senders)
		return false;
	f = spin_lock_irqsave(&ep->lock);
	if (list_empty(&ep->senders)) {
		spin_unlock_irqrestore(&ep->lock, f);
		return false;
	}
	ipc_dequeue_sender(ep, w);
	ipc_reply_traced(c, m, w);
	spin_unlock_irqrestore(&ep->lock, f);
	*m = w->msg;
	*badge = w->badge;
	return true;
}

/*
 * NC_REPLY_SAVE: move the held caller into a new reply object named by a
 * CAP_REPLY capability. The caller learns it is saved (and so may abandon
 * the call if killed) under its wait-queue lock, woken if already killed.
 */
static long ipc_reply_save(void)
{
	struct thread *me = current_thread(), *c = me->ipc.caller;
	struct cap cap = { CAP_REPLY, NULL, 0, 0 };
	struct reply *r;
	long slot;

	if (!c)
		return -EINVAL;
	r = kzalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	spin_init(&r->lock, "reply");
	r->caller = c;
	r->refs = 2;			/* the capability and the caller */
	r->cap_refs = 1;
	cap.obj = r;
	slot = cap_install(me->proc, &cap);
	if (slot < 0) {
		kfree(r);
		return slot;
	}
	me->ipc.caller = NULL;
	c->ipc.reply = r;
	ipc_set_state(&c->ipc, IPC_SAVED);
	return slot;
}

/* NC_REPLY_TO(slot, m): answer a saved call and drop its capability. */
static long ipc_reply_to(uint64_t slot, const struct ipc_msg *m)
{
	struct proc *p = current_thread()->proc;
	struct cap c;
	long err = cap_lookup(p, slot, CAP_REPLY, 0, &c);

	if (err)
		return err;
	err = ipc_reply_answer(c.obj, 0, m);
	cap_drop(p, slot);
	cap_put(&c);
	return err;
}

/* NC_NOTIFY_BIND(slot): receives by this thread also wait for n's bits. */
static long ipc_notify_bind(uint64_t slot)
{
	struct thread *me = current_thread();
	struct cap c;
	struct notify *n;
	unsigned long f;
	long err = cap_lookup(me->proc, slot, CAP_NOTIFY, CAP_RECV, &c);

	if (err)
		return err;
	n = c.obj;
	if (me->ipc.bound) {
		cap_put(&c);
		return me->ipc.bound == n ? 0 : -EBUSY;
	}
	f = spin_lock_irqsave(&n->lock);
	if (n->bound) {
		err = -EBUSY;
	} else {
		n->bound = me;
		me->ipc.bound = n;	/* keeps the lookup's reference */
	}
	spin_unlock_irqrestore(&n->lock, f);
	if (err)
		cap_put(&c);
	return err;
}

static long ipc_do_wait(struct notify *n, uint64_t *bits)
{
	for (;;) {
		unsigned long f = spin_lock_irqsave(&n->lock);

		*bits = n->bits;
		n->bits = 0;
		spin_unlock_irqrestore(&n->lock, f);
		if (*bits)
			return 0;
		if (ipc_killed())
			return -EINTR;
		wait_event(&n->wq, READ_ONCE(n->bits) != 0 || ipc_killed());
	}
}

/* OR in bits; wake NC_WAIT sleepers and the bound thread's receive. */
static long ipc_do_signal(struct notify *n, uint64_t bits)
{
	unsigned long f = spin_lock_irqsave(&n->lock);

	n->bits |= bits;
	if (n->bound)
		sched_wakeup(n->bound);	/* its receive tests bits under rq->lock */
	spin_unlock_irqrestore(&n->lock, f);
	wake_up(&n->wq);
	return 0;
}

/*
 * OR bits into notification n (the obj of a CAP_NOTIFY the caller holds
 * a reference to): the IRQ lines (irqline.c) signal this way.
 * Context: any, including interrupt.
 */
void ipc_notify_signal(void *n, uint64_t bits)
{
	ipc_do_signal(n, bits);
}

/* A new object and a full-rights capability to it, in the caller's table. */
static long ipc_new_object(enum cap_type type)
{
	struct cap c = { type, NULL, 0, CAP_SEND | CAP_RECV | CAP_GRANT };
	long slot;

	if (type == CAP_ENDPOINT) {
		struct endpoint *ep = kzalloc(sizeof(*ep));

		if (!ep)
			return -ENOMEM;
		spin_init(&ep->lock, "endpoint");
		ep->id = __atomic_add_fetch(&ipc_next_ep_id, 1,
					    __ATOMIC_RELAXED);
		list_init(&ep->senders);
		list_init(&ep->receivers);
		wait_init(&ep->pollq, "endpoint poll");
		ep->refs = ep->recv_refs = 1;
		c.obj = ep;
	} else {
		struct notify *n = kzalloc(sizeof(*n));

		if (!n)
			return -ENOMEM;
		spin_init(&n->lock, "notify");
		wait_init(&n->wq, "notify");
		n->refs = 1;
		c.obj = n;
	}
	slot = cap_install(current_thread()->proc, &c);
	if (slot < 0)
		cap_put(&c);
	return slot;
}

/* cap_mint(slot, badge, rights): a copy with a badge and no more rights. */
static long ipc_mint(uint64_t slot, uint64_t badge, uint64_t rights)
{
	struct proc *p = current_thread()->proc;
	struct cap src, nc;
	long err = cap_lookup(p, slot, CAP_NONE, CAP_GRANT, &src), n;

	if (err)
		return err;
	if (rights & ~(uint64_t)src.rights) {
		cap_put(&src);
		return -EPERM;
	}
	nc = src;
	nc.badge = badge;
	nc.rights = rights;
	cap_get(&nc);		/* counted with the new rights ... */
	cap_put(&src);		/* ... the source's slot still holds its own */
	n = cap_install(p, &nc);
	if (n < 0)
		cap_put(&nc);
	return n;
}

static void ipc_msg_in(const struct trap_frame *tf, struct ipc_msg *m)
{
	m->tag = tf->rsi;
	m->w[0] = tf->rdx;
	m->w[1] = tf->r10;
	m->w[2] = tf->r8;
	m->w[3] = tf->r9;
}

static void ipc_msg_out(struct trap_frame *tf, const struct ipc_msg *m,
			uint64_t badge)
{
	tf->rdi = badge;
	tf->rsi = m->tag;
	tf->rdx = m->w[0];
	tf->r10 = m->w[1];
	tf->r8 = m->w[2];
	tf->r9 = m->w[3];
}

/*
 * The endpoint calls: look the capability up and run. In a process of
 * one thread the lookup takes no reference (cap_peek): its table (which
 * names the endpoint) cannot change while that thread is in a call (no
 * other thread can appear: only it could clone), and a
 * thread asleep here then holds nothing on its kernel stack that the IPC
 * fast path would have to release when it resumes the thread straight at
 * its trap frame (ipc_fast.c). A thread with siblings, which may drop
 * the capability meanwhile, keeps the reference to the end of the call
 * (as a Linux read keeps its file open) and so may not be resumed that
 * way (fast false).
 */
static long ipc_endpoint_call(unsigned call, struct trap_frame *tf)
{
	struct proc *p = current_thread()->proc;
	unsigned need = call == NC_CALL ? CAP_SEND : CAP_RECV;
	bool held = READ_ONCE(p->nthreads) > 1;
	struct ipc_msg m;
	uint64_t badge = 0;
	struct cap c;
	long err;

	ipc_msg_in(tf, &m);
	/* One thread: its own slot keeps the endpoint (cap_peek). */
	err = held ? cap_lookup(p, tf->rdi, CAP_ENDPOINT, need, &c) :
		     cap_peek(p, tf->rdi, CAP_ENDPOINT, need, &c);
	if (err)
		return err;
	if (call == NC_CALL) {
		err = ipc_do_call(c.obj, &m, c.badge, !held);
	} else if (call == NC_REPLY_RECV && ipc_reply_take(c.obj, &m, &badge)) {
		err = 0;
	} else {
		if (call == NC_REPLY_RECV && current_thread()->ipc.caller)
			ipc_do_reply(&m);
		err = ipc_do_recv(c.obj, &m, &badge, !held);
	}
	if (held)
		cap_put(&c);
	if (!err)
		ipc_msg_out(tf, &m, badge);
	return err;
}

/*
 * The fast path blocked the current thread (ipc_fast.c) and the scheduler,
 * not a fast path, resumed it: finish its call (NC_CALL) or its receive on
 * ep (NC_REPLY_RECV) as the slow path would, results into tf. Context:
 * thread, interrupts on. Returns the call's result for rax.
 */
long ipc_resume(unsigned call, struct endpoint *ep, struct trap_frame *tf)
{
	struct ipc_wait *w = &current_thread()->ipc;
	struct ipc_msg m;
	uint64_t badge = 0;
	long err;

	if (call == NC_CALL) {
		err = ipc_call_wait(w);
		m = w->msg;
	} else {
		err = ipc_recv_wait(ep, w);
		if (err > 0) {
			m = w->msg;
			badge = w->badge;
			err = 0;
		} else if (!err) {
			err = ipc_do_recv(ep, &m, &badge, true);
		}
	}
	if (!err)
		ipc_msg_out(tf, &m, badge);
	return err;
}

static long ipc_notify_call(unsigned call, struct trap_frame *tf)
{
	struct proc *p = current_thread()->proc;
	unsigned need = call == NC_SIGNAL ? CAP_SEND : CAP_RECV;
	bool held = READ_ONCE(p->nthreads) > 1;
	struct cap c;
	uint64_t bits = 0;
	long err;

	/* One thread: its own slot keeps the notification (cap_peek). */
	err = held ? cap_lookup(p, tf->rdi, CAP_NOTIFY, need, &c) :
		     cap_peek(p, tf->rdi, CAP_NOTIFY, need, &c);
	if (err)
		return err;
	if (call == NC_SIGNAL)
		err = ipc_do_signal(c.obj, tf->rdx | c.badge);
	else
		err = ipc_do_wait(c.obj, &bits);
	if (held)
		cap_put(&c);
	if (!err && call == NC_WAIT)
		tf->rdx = bits;
	return err;
}

/* Boot: the fast path is on unless the command line says ipcfast=off. */
void ipc_fast_init(void)
{
	ipc_fast_enabled = !cmdline_is("ipcfast", "off");
	for (unsigned i = 0; i < MAX_CPUS; i++)
		cpus[i].ipc_fast_off = !ipc_fast_enabled;
}

/*
 * The native IPC system calls (numbers NATIVE_SYS_BASE + enum native_call), with
 * the caller's trap frame: arguments come from and results go to its
 * registers (userland/lib/ipc.h). Returns 0, a new slot, or -errno.
 */
long ipc_syscall(unsigned call, struct trap_frame *tf)
{
	struct ipc_msg m;

	switch (call) {
	case NC_CALL:
	case NC_RECV:
	case NC_REPLY_RECV:
		return ipc_endpoint_call(call, tf);
	case NC_REPLY:
		ipc_msg_in(tf, &m);
		return ipc_do_reply(&m);
	case NC_NOTIFY_BIND:
		return ipc_notify_bind(tf->rdi);
	case NC_IPC_STATS:
		return tf->rdi ? (long)ipc_fast_count() : ipc_fast_enabled;
	case NC_POLL_WAKE:
		return ipc_poll_wake_call(tf->rdi);
	case NC_REPLY_SAVE:
		return ipc_reply_save();
	case NC_REPLY_TO:
		ipc_msg_in(tf, &m);
		return ipc_reply_to(tf->rdi, &m);
	case NC_SIGNAL:
	case NC_WAIT:
		return ipc_notify_call(call, tf);
	case NC_ENDPOINT_NEW:
		return ipc_new_object(CAP_ENDPOINT);
	case NC_NOTIFY_NEW:
		return ipc_new_object(CAP_NOTIFY);
	case NC_CAP_MINT:
		return ipc_mint(tf->rdi, tf->rdx, tf->r10);
	case NC_CAP_DROP:
		return cap_drop(current_thread()->proc, tf->rdi);
	case NC_SHM_NEW:
	case NC_SHM_MAP:
		return shm_syscall(call, tf);
	case NC_SRV_REGISTER:
		return srv_syscall(call, tf);
	case NC_IOPORT_GRANT:
	case NC_IOPORT_ENABLE:
		return ioport_syscall(call, tf);
	case NC_IRQ_GRANT:
	case NC_IRQ_BIND:
	case NC_IRQ_ACK:
		return irqline_syscall(call, tf);
	case NC_PROC_INFO:
		return procinfo_syscall(call, tf);
	default:
		return -ENOSYS;
	}
}
