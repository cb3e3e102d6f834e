/*
 * IPC: synchronous endpoints and notifications (see ipc.h, docs/ipc.md).
 *
 * A call blocks until a receiver takes the message and replies; the
 * receiver then holds the caller (ipc.caller) until it replies, and a
 * receiver that exits holding one replies -EPIPE for it. An endpoint
 * whose last receive capability is gone is dead: queued and future
 * callers get -EPIPE instead of waiting forever. The message travels in
 * registers (a tag and four words); bulk data goes through shared memory.
 *
 * ep->lock protects the endpoint's queues and dead flag, and the hand-over
 * of messages between the threads on them. Lock order: ep->lock -> wq->lock
 * -> rq->lock. Reference counts are atomics.
 */
#include "ipc.h"
#include "kmalloc.h"
#include "proc.h"
#include "sched.h"
#include <arch/trap.h>

struct endpoint {
	struct spinlock lock;
	/* lock protects: */
	struct list_head senders;	/* struct ipc_wait: callers, unreceived */
	struct list_head receivers;	/* struct ipc_wait: waiting receivers */
	bool dead;			/* no receive capability left */
	/* atomic: */
	int refs;			/* capabilities naming it */
	int recv_refs;			/* of which carry CAP_RECV */
};

struct notify {
	struct spinlock lock;
	uint64_t bits;			/* under lock */
	struct wait_queue wq;
	int refs;			/* atomic */
};

static struct thread *ipc_owner(struct ipc_wait *w)
{
	return container_of(w, struct thread, ipc);
}

/* Set *flag and wake w's thread, both under its wait-queue lock: once the
 * lock is dropped the thread may run, return and exit, so nothing of it
 * may be touched after. */
static void ipc_complete(struct ipc_wait *w, volatile int *flag)
{
	unsigned long f = spin_lock_irqsave(&w->wq.lock);
	struct list_head *p;

	/* Release: pairs with the acquire load in the waiter's wait_event. */
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
	list_for_each(p, &w->wq.waiters)
		sched_wakeup_sync(list_entry(p, struct waiter, link)->t);
	spin_unlock_irqrestore(&w->wq.lock, f);
}

void ipc_thread_init(struct thread *t)
{
	list_init(&t->ipc.link);
	wait_init(&t->ipc.wq, "ipc");
}

/* Answer the caller t holds, if any, with ret (0 or -EPIPE) and msg. */
static void ipc_answer(struct thread *t, long ret, const struct ipc_msg *msg)
{
	struct thread *c = t->ipc.caller;

	if (!c)
		return;
	t->ipc.caller = NULL;
	if (msg)
		c->ipc.msg = *msg;
	c->ipc.ret = ret;
	ipc_complete(&c->ipc, &c->ipc.got_reply);
}

/* A thread leaving user space for good: its pending caller gets -EPIPE. */
void ipc_thread_exit(struct thread *t)
{
	ipc_answer(t, -EPIPE, NULL);
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
		w->ret = -EPIPE;
		ipc_complete(w, &w->got_reply);
	}
	spin_unlock_irqrestore(&ep->lock, f);
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
		struct notify *n = c->obj;

		if (!__atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL))
			kfree(n);
	}
}

/* Send m on ep and wait for the reply, which replaces m. */
static long ipc_do_call(struct endpoint *ep, struct ipc_msg *m, uint64_t badge)
{
	struct thread *me = current_thread();
	struct ipc_wait *w = &me->ipc, *rw = NULL;
	unsigned long f = spin_lock_irqsave(&ep->lock);

	if (ep->dead) {
		spin_unlock_irqrestore(&ep->lock, f);
		return -EPIPE;
	}
	w->msg = *m;
	w->badge = badge;
	w->ret = 0;
	w->got_reply = 0;
	if (!list_empty(&ep->receivers)) {
		rw = list_first_entry(&ep->receivers, struct ipc_wait, link);
		list_del(&rw->link);
		rw->msg = *m;
		rw->badge = badge;
		rw->caller = me;
		ipc_complete(rw, &rw->got_call);
	} else {
		list_add_tail(&w->link, &ep->senders);
	}
	spin_unlock_irqrestore(&ep->lock, f);
	/* Acquire: pairs with the release in ipc_complete(). */
	wait_event(&w->wq, __atomic_load_n(&w->got_reply, __ATOMIC_ACQUIRE));
	*m = w->msg;
	return w->ret;
}

/*
 * A call made by kernel code on the current thread, as if its process had
 * made it with badge: the file calls (file.c) reach the servers this way.
 */
long ipc_call_kernel(struct endpoint *ep, struct ipc_msg *m, uint64_t badge)
{
	return ipc_do_call(ep, m, badge);
}

/* Wait on ep for a call; the caller is held until ipc_do_reply(). */
static long ipc_do_recv(struct endpoint *ep, struct ipc_msg *m, uint64_t *badge)
{
	struct thread *me = current_thread();
	struct ipc_wait *w = &me->ipc;
	unsigned long f;

	if (w->caller)
		return -EBUSY;		/* reply to the last call first */
	f = spin_lock_irqsave(&ep->lock);
	if (!list_empty(&ep->senders)) {
		struct ipc_wait *sw = list_first_entry(&ep->senders,
						       struct ipc_wait, link);

		list_del(&sw->link);
		w->msg = sw->msg;
		w->badge = sw->badge;
		w->caller = ipc_owner(sw);
		spin_unlock_irqrestore(&ep->lock, f);
	} else {
		w->got_call = 0;
		list_add_tail(&w->link, &ep->receivers);
		spin_unlock_irqrestore(&ep->lock, f);
		/* Acquire: pairs with the release in ipc_complete(). */
		wait_event(&w->wq,
			   __atomic_load_n(&w->got_call, __ATOMIC_ACQUIRE));
	}
	*m = w->msg;
	*badge = w->badge;
	return 0;
}

static long ipc_do_reply(const struct ipc_msg *m)
{
	if (!current_thread()->ipc.caller)
		return -EINVAL;
	ipc_answer(current_thread(), 0, m);
	return 0;
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
		wait_event(&n->wq, READ_ONCE(n->bits) != 0);
	}
}

static long ipc_do_signal(struct notify *n, uint64_t bits)
{
	unsigned long f = spin_lock_irqsave(&n->lock);

	n->bits |= bits;
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
		list_init(&ep->senders);
		list_init(&ep->receivers);
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

/* The endpoint calls: look the capability up, run, drop the reference. */
static long ipc_endpoint_call(unsigned call, struct trap_frame *tf)
{
	struct proc *p = current_thread()->proc;
	unsigned need = call == NC_CALL ? CAP_SEND : CAP_RECV;
	struct ipc_msg m;
	uint64_t badge = 0;
	struct cap c;
	long err;

	ipc_msg_in(tf, &m);
	err = cap_lookup(p, tf->rdi, CAP_ENDPOINT, need, &c);
	if (err)
		return err;
	if (call == NC_CALL) {
		err = ipc_do_call(c.obj, &m, c.badge);
	} else {
		if (call == NC_REPLY_RECV && current_thread()->ipc.caller)
			ipc_do_reply(&m);
		err = ipc_do_recv(c.obj, &m, &badge);
	}
	cap_put(&c);
	if (!err)
		ipc_msg_out(tf, &m, badge);
	return err;
}

static long ipc_notify_call(unsigned call, struct trap_frame *tf)
{
	struct cap c;
	uint64_t bits = 0;
	long err;

	err = cap_lookup(current_thread()->proc, tf->rdi, CAP_NOTIFY,
			 call == NC_SIGNAL ? CAP_SEND : CAP_RECV, &c);
	if (err)
		return err;
	if (call == NC_SIGNAL)
		err = ipc_do_signal(c.obj, tf->rdx | c.badge);
	else
		err = ipc_do_wait(c.obj, &bits);
	cap_put(&c);
	if (!err && call == NC_WAIT)
		tf->rdx = bits;
	return err;
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
	default:
		return -ENOSYS;
	}
}
