/*
 * The server registry (NC_SRV_REGISTER): which endpoint and request area
 * serve each server id (enum srv_id), and the kernel side of a file call
 * to a server: borrow one of the area's FS_SLOTS slots, call, give the
 * slot back (include/loupe/fsproto.h describes the protocol).
 *
 * A registration is a refcounted struct srv_reg holding references to the
 * endpoint and the shm area. Re-registering an id (a restarted server)
 * replaces the pointer; calls in flight finish on the old one, which is
 * freed with its last reference.
 *
 * srv_lock protects srv_table[] (the pointers). reg->slots.lock protects
 * reg->free (a wait queue's own lock, so a thread that finds no free slot
 * sleeps on it). Lock order: srv_lock -> reg->slots.lock; neither is held
 * across an IPC call.
 */
#include "ipc.h"
#include "kmalloc.h"
#include "proc.h"
#include "sched.h"
#include "shm.h"
#include "signal.h"
#include "srv.h"
#include <arch/mmu.h>
#include <arch/trap.h>
#include <loupe/fsproto.h>

struct srv_reg {
	struct cap ep;			/* the endpoint (a send capability) */
	struct shm *shm;		/* the request area */
	int refs;			/* atomic: the table + calls in flight */
	struct wait_queue slots;	/* lock protects free; waiters sleep */
	unsigned free;			/* bit i: slot i is free */
};

static struct spinlock srv_lock = SPINLOCK_INIT("srv");
static struct srv_reg *srv_table[SRV_MAX];

void srv_put(struct srv_reg *r)
{
	/* Acq_rel: the last put sees every caller's use of r before the free. */
	if (__atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL))
		return;
	cap_put(&r->ep);
	shm_put(r->shm);
	kfree(r);
}

/* Take a free slot of r, sleeping until one is. Returns its index. */
static int srv_slot_get(struct srv_reg *r)
{
	for (;;) {
		unsigned long f = spin_lock_irqsave(&r->slots.lock);
		int i = r->free ? __builtin_ctz(r->free) : -1;

		if (i >= 0)
			r->free &= ~(1u << i);
		spin_unlock_irqrestore(&r->slots.lock, f);
		if (i >= 0)
			return i;
		wait_event(&r->slots, READ_ONCE(r->free) != 0);
	}
}

static void srv_slot_put(struct srv_reg *r, int i)
{
	unsigned long f = spin_lock_irqsave(&r->slots.lock);

	r->free |= 1u << i;
	spin_unlock_irqrestore(&r->slots.lock, f);
	wake_up_one(&r->slots);		/* one slot: one waiter */
}

/*
 * The registration serving id now, with a reference (srv_put), or NULL.
 * An open file keeps the one it was opened on: a restarted server never
 * sees its predecessor's handles, and they get -EIO from the dead one.
 */
struct srv_reg *srv_get(unsigned id)
{
	unsigned long f;
	struct srv_reg *r;

	if (id >= SRV_MAX)
		return NULL;
	f = spin_lock_irqsave(&srv_lock);
	r = srv_table[id];
	if (r)
		__atomic_add_fetch(&r->refs, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&srv_lock, f);
	return r;
}

/* Another reference to r. */
struct srv_reg *srv_hold(struct srv_reg *r)
{
	__atomic_add_fetch(&r->refs, 1, __ATOMIC_RELAXED);
	return r;
}

/*
 * Start a call on r: take a reference and a slot of its area (sleeping
 * until one is free). Fills c.
 */
void srv_begin(struct srv_reg *r, struct srv_call *c)
{
	c->reg = srv_hold(r);
	c->slot = srv_slot_get(r);
	c->buf = (char *)phys_to_virt(r->shm->base) + c->slot * FS_SLOT_SIZE;
}

/* srv_begin on whatever serves id now. Returns 0, or -ENXIO if none does. */
int srv_begin_id(unsigned id, struct srv_call *c)
{
	struct srv_reg *r = srv_get(id);

	if (!r)
		return -ENXIO;
	srv_begin(r, c);
	srv_put(r);
	return 0;
}

/*
 * Send op with handle and arguments a1, a2 on c; the reply's words go to
 * out[0..2] (out[0] is also returned). A server that is gone (its
 * endpoint dead, or it died holding the call) gives -EIO, never a hang.
 * A caller killed, or with a signal to take, whose call had not reached
 * the server (or was parked there: the console's read) gets
 * -ERESTARTSYS, which its way out turns into EINTR or a restart. A
 * server's EINTR (the console's ^C) means the same; if the caller has
 * nothing to take (SIGINT ignored or blocked) the call is simply made
 * again, as the read would go on on Linux. A terminal's FS_TTY_BACKGROUND
 * (a read from a background group) becomes SIGTTIN or EIO, its
 * FS_TTY_BACKGROUND_OUT (a write under TOSTOP or a change of its settings
 * from one) SIGTTOU or EIO, or the request again with FS_F_TTY_ANYWAY when
 * the caller ignores or blocks SIGTTOU (signal_tty_background).
 */
long srv_rpc(struct srv_call *c, unsigned op, uint64_t handle, uint64_t a1,
	     uint64_t a2, uint64_t out[3])
{
	struct thread *me = current_thread();
	unsigned flags = 0;
	struct ipc_msg m;
	long err;

again:
	do {
		m = (struct ipc_msg){ .tag = (uint64_t)op << 16 | flags | 4,
				      .w = { handle, a1, a2, c->slot } };
		err = ipc_call_kernel(c->reg->ep.obj, &m, me->proc->pid);
		if (err)
			return err == -EINTR ? -ERESTARTSYS : -EIO;
	} while ((long)m.w[0] == -EINTR && !signal_pending(me));
	if ((long)m.w[0] == -EINTR)
		return -ERESTARTSYS;
	if ((long)m.w[0] == FS_TTY_BACKGROUND)
		return signal_tty_background(SIGTTIN);
	if ((long)m.w[0] == FS_TTY_BACKGROUND_OUT && !flags) {
		err = signal_tty_background(SIGTTOU);
		if (err)
			return err;
		flags = FS_F_TTY_ANYWAY;	/* SIGTTOU ignored: go ahead */
		goto again;
	}
	out[0] = m.w[0];
	out[1] = m.w[1];
	out[2] = m.w[2];
	/* A result must be a count, handle or a real errno. */
	if ((long)out[0] < -4095)
		return -EIO;
	return out[0];
}

/*
 * What a poller of r's files watches: the queue the server's pulses
 * (NC_POLL_WAKE) and its endpoint's death wake, and in *gen the pulse
 * count, read before the poller asks the server (FS_POLL) so that a
 * pulse after the answer is never missed.
 */
struct wait_queue *srv_poll_queue(struct srv_reg *r, uint32_t *gen)
{
	struct endpoint *ep = r->ep.obj;

	/* Acquire: pairs with the release increment in ipc_poll_wake(). */
	*gen = __atomic_load_n(&ep->poll_gen, __ATOMIC_ACQUIRE);
	return &ep->pollq;
}

/* Whether r's server pulsed since gen, or died: ask again. */
bool srv_poll_changed(struct srv_reg *r, uint32_t gen)
{
	struct endpoint *ep = r->ep.obj;

	return __atomic_load_n(&ep->poll_gen, __ATOMIC_ACQUIRE) != gen ||
	       READ_ONCE(ep->dead);
}

/*
 * FS_CLOSE handle on c, whatever the caller has pending: a close that
 * had to queue and was abandoned (a kill or a signal) is retried until
 * the server takes it, or is gone, so no handle is left open there.
 */
void srv_close(struct srv_call *c, uint64_t handle)
{
	uint64_t out[3];

	while (srv_rpc(c, FS_CLOSE, handle, 0, 0, out) == -ERESTARTSYS)
		sched_yield();
}

void srv_end(struct srv_call *c)
{
	srv_slot_put(c->reg, c->slot);
	srv_put(c->reg);
}

/* NC_SRV_REGISTER(ctl slot, id, endpoint slot, shm slot). */
static long srv_register(uint64_t ctl, uint64_t id, uint64_t ep_slot,
			 uint64_t shm_slot)
{
	struct proc *p = current_thread()->proc;
	struct srv_reg *r, *old;
	struct cap c, shm;
	unsigned long f;
	long err;

	err = cap_lookup(p, ctl, CAP_SRVCTL, 0, &c);
	if (err)
		return err;
	cap_put(&c);
	if (id >= SRV_MAX)
		return -EINVAL;
	if (c.badge && !(c.badge >> id & 1))
		return -EPERM;		/* a capability for other ids only */
	r = kzalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	err = cap_lookup(p, ep_slot, CAP_ENDPOINT, CAP_SEND, &c);
	if (err)
		goto free_reg;
	/* Hold a send-only copy: the registry must not keep the endpoint alive
	 * for receiving, or a dead server's callers would wait forever. */
	r->ep = c;
	r->ep.rights = CAP_SEND;
	r->ep.badge = 0;
	cap_get(&r->ep);
	cap_put(&c);
	err = cap_lookup(p, shm_slot, CAP_SHM, CAP_WRITE, &shm);
	if (err)
		goto put_ep;
	r->shm = shm.obj;
	if (r->shm->size < FS_SHM_SIZE) {
		err = -EINVAL;
		goto put_shm;
	}
	r->refs = 1;
	r->free = (1u << FS_SLOTS) - 1;
	wait_init(&r->slots, "srv slots");
	f = spin_lock_irqsave(&srv_lock);
	old = srv_table[id];
	srv_table[id] = r;
	spin_unlock_irqrestore(&srv_lock, f);
	if (old)
		srv_put(old);
	return 0;
put_shm:
	cap_put(&shm);
put_ep:
	cap_put(&r->ep);
free_reg:
	kfree(r);
	return err;
}

long srv_syscall(unsigned call, struct trap_frame *tf)
{
	return srv_register(tf->rdi, tf->rdx, tf->r10, tf->r8);
}
