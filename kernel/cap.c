/*
 * Capability tables: each process names the IPC objects it may use by
 * small slot numbers, and can do nothing with an object it holds no
 * capability for. A capability carries rights (send, receive, grant) and
 * a badge the receiver sees. fork copies the table; exit releases it.
 *
 * table->lock protects the slots. Lock order: table->lock -> the object's
 * reference counts (atomics, no lock). Only a process's own threads
 * write its table, so while it has one (proc->nthreads == 1, which only
 * that thread can raise, by clone) that thread may read its own slots
 * without the lock (the IPC fast path does).
 */
#include "ipc.h"
#include "kmalloc.h"
#include "proc.h"

int cap_table_init(struct proc *p)
{
	p->caps = kzalloc(sizeof(*p->caps));
	if (!p->caps)
		return -ENOMEM;
	spin_init(&p->caps->lock, "caps");
	return 0;
}

/* The child gets a copy of every capability (each object gains a ref). */
int cap_table_copy(struct proc *child, struct proc *parent)
{
	unsigned long f;
	int err = cap_table_init(child);

	if (err)
		return err;
	f = spin_lock_irqsave(&parent->caps->lock);
	for (int i = 0; i < CAP_SLOTS; i++) {
		child->caps->slot[i] = parent->caps->slot[i];
		if (child->caps->slot[i].type != CAP_NONE)
			cap_get(&child->caps->slot[i]);
	}
	spin_unlock_irqrestore(&parent->caps->lock, f);
	return 0;
}

void cap_table_release(struct proc *p)
{
	if (!p->caps)
		return;
	for (int i = 0; i < CAP_SLOTS; i++)
		cap_drop(p, i);
	kfree(p->caps);
	p->caps = NULL;
}

/* Whether c is of type (CAP_NONE: any) with every right in rights. */
static int cap_check(const struct cap *c, enum cap_type type, unsigned rights)
{
	if (c->type == CAP_NONE)
		return -EBADF;
	if (type != CAP_NONE && c->type != type)
		return -EINVAL;
	if ((c->rights & rights) != rights)
		return -EPERM;
	return 0;
}

/*
 * Copy slot's capability to *out if it is of type (CAP_NONE: any) and has
 * every right in rights, taking a reference the caller drops with cap_put(). Returns 0,
 * -EBADF (no such capability), -EINVAL (wrong type) or -EPERM (rights).
 */
int cap_lookup(struct proc *p, uint64_t slot, enum cap_type type,
	       unsigned rights, struct cap *out)
{
	unsigned long f;
	int err;

	if (slot >= CAP_SLOTS)
		return -EBADF;
	f = spin_lock_irqsave(&p->caps->lock);
	*out = p->caps->slot[slot];
	err = cap_check(out, type, rights);
	if (!err)
		cap_get(out);
	spin_unlock_irqrestore(&p->caps->lock, f);
	return err;
}

/*
 * cap_lookup() for the calling thread of a process of one thread, with
 * no lock and no reference: only a process's own threads change its
 * table (every cap_install() and cap_drop() is on the caller's process,
 * cap_table_copy() reads the parent's), so with one thread the slot
 * stays as read, and keeps its object alive, until this thread drops it
 * (as the IPC fast path reads it, ipc_fast.c).
 */
int cap_peek(struct proc *p, uint64_t slot, enum cap_type type,
	     unsigned rights, struct cap *out)
{
	if (slot >= CAP_SLOTS)
		return -EBADF;
	*out = p->caps->slot[slot];
	return cap_check(out, type, rights);
}

/* Put c (whose reference the caller hands over) in the lowest free slot. */
int cap_install(struct proc *p, const struct cap *c)
{
	unsigned long f = spin_lock_irqsave(&p->caps->lock);
	int slot = -EMFILE;

	for (int i = 0; i < CAP_SLOTS; i++) {
		if (p->caps->slot[i].type == CAP_NONE) {
			p->caps->slot[i] = *c;
			slot = i;
			break;
		}
	}
	spin_unlock_irqrestore(&p->caps->lock, f);
	return slot;
}

int cap_drop(struct proc *p, uint64_t slot)
{
	struct cap c;
	unsigned long f;

	if (slot >= CAP_SLOTS)
		return -EBADF;
	f = spin_lock_irqsave(&p->caps->lock);
	c = p->caps->slot[slot];
	p->caps->slot[slot].type = CAP_NONE;
	spin_unlock_irqrestore(&p->caps->lock, f);
	if (c.type == CAP_NONE)
		return -EBADF;
	cap_put(&c);
	return 0;
}

/* Reference counting by type: the objects' own files count. */
void cap_get(const struct cap *c)
{
	switch (c->type) {
	case CAP_ENDPOINT:
	case CAP_NOTIFY:
	case CAP_REPLY:
		ipc_object_get(c);
		break;
	case CAP_SHM:
		shm_get(c->obj);
		break;
	default:		/* IOPORT, IRQ, SRVCTL: no object */
		break;
	}
}

void cap_put(const struct cap *c)
{
	switch (c->type) {
	case CAP_ENDPOINT:
	case CAP_NOTIFY:
	case CAP_REPLY:
		ipc_object_put(c);
		break;
	case CAP_SHM:
		shm_put(c->obj);
		break;
	default:
		break;
	}
}

/*
 * PID 1's authority (enum boot_slot): every I/O port and ISA IRQ line the
 * kernel leaves to drivers, the right to register servers, and the initrd.
 * The kernel keeps COM2 (the GDB stub), the PICs, the PIT and PCI config
 * to itself: ioport.c refuses grants that overlap them.
 */
int cap_boot_init(struct proc *p)
{
	const struct cap boot[BOOT_SLOTS] = {
		[BOOT_SLOT_IOPORT] = { CAP_IOPORT, NULL, 0 | 0x10000ull << 16,
				       CAP_GRANT },
		[BOOT_SLOT_IRQ] = { CAP_IRQ, NULL, 0 | 16ull << 16, CAP_GRANT },
		[BOOT_SLOT_SRVCTL] = { CAP_SRVCTL, NULL, 0, CAP_GRANT },
		[BOOT_SLOT_INITRD] = { CAP_SHM, shm_initrd(), 0, CAP_GRANT },
	};

	for (int i = 0; i < BOOT_SLOTS; i++) {
		if (boot[i].type == CAP_SHM && !boot[i].obj)
			continue;	/* no initrd: the slot stays empty */
		p->caps->slot[i] = boot[i];
	}
	return 0;
}
