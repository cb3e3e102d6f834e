/*
 * I/O-port grants (CAP_IOPORT, badge = base | count << 16). A holder with
 * CAP_GRANT can carve a capability for a subrange (NC_IOPORT_GRANT); any
 * holder can enable its ports for the calling process (NC_IOPORT_ENABLE),
 * which clears their bits in the process's I/O permission bitmap. The
 * context switch (arch user.c) points the TSS at that bitmap only while
 * such a process runs: every other process's in/out still faults.
 *
 * The ports the kernel keeps for itself are never granted: see
 * ioport_reserved[]. The bitmap changes only while the process has one
 * thread (NC_IOPORT_ENABLE is -EBUSY with more): threads load it unlocked.
 */
#include "ioport.h"
#include "ipc.h"
#include "kmalloc.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include <arch/cpu.h>
#include <arch/trap.h>
#include <arch/user.h>

struct ioport_range {
	uint16_t base, count;
	const char *why;
};

/* Ports the kernel drives itself: a grant may not overlap any of them. */
static const struct ioport_range ioport_reserved[] = {
	{ 0x20, 2, "master PIC" },
	{ 0x40, 4, "PIT" },
	{ 0x61, 1, "PIT gate (port B)" },
	{ 0xa0, 2, "slave PIC" },
	{ 0xf4, 4, "QEMU isa-debug-exit (power off)" },
	{ 0x2f8, 8, "COM2 (GDB stub)" },
	{ 0xcf8, 8, "PCI configuration" },
};

static uint64_t ioport_gen;	/* atomic: the last struct iomap.gen issued */

static bool ioport_overlaps_reserved(unsigned base, unsigned count)
{
	for (size_t i = 0; i < ARRAY_SIZE(ioport_reserved); i++) {
		const struct ioport_range *r = &ioport_reserved[i];

		if (base < r->base + r->count && r->base < base + count)
			return true;
	}
	return false;
}

static unsigned ioport_base(const struct cap *c)
{
	return c->badge & 0xffff;
}

static unsigned ioport_count(const struct cap *c)
{
	return (c->badge >> 16) & 0x1ffff;
}

/*
 * NC_IOPORT_GRANT(slot, base, count): a new capability for ports
 * [base, base + count) of slot's range, with slot's rights. Returns the
 * new slot, -EINVAL (empty, outside slot's range) or -EPERM (the source
 * lacks CAP_GRANT, or the range touches a port the kernel keeps).
 */
static long ioport_grant(uint64_t slot, uint64_t base, uint64_t count)
{
	struct proc *p = current_thread()->proc;
	struct cap src, nc;
	long err = cap_lookup(p, slot, CAP_IOPORT, CAP_GRANT, &src);

	if (err)
		return err;
	cap_put(&src);		/* no object: the badge is the grant */
	if (!count || base >= IOPORT_COUNT || count > IOPORT_COUNT - base ||
	    base < ioport_base(&src) ||
	    base + count > ioport_base(&src) + ioport_count(&src))
		return -EINVAL;
	if (ioport_overlaps_reserved(base, count))
		return -EPERM;
	nc = src;
	nc.badge = base | count << 16;
	return cap_install(p, &nc);
}

/*
 * NC_IOPORT_ENABLE(slot): the caller may use slot's ports from user mode
 * from now on (and its fork children, which copy the bitmap, and its
 * later threads). The boot capability's whole range is refused: enable a
 * grant carved from it. -EBUSY in a process with several threads.
 */
static long ioport_enable(uint64_t slot)
{
	struct proc *p = current_thread()->proc;
	unsigned base, count;
	struct iomap *m;
	unsigned long f;
	struct cap c;
	long err = cap_lookup(p, slot, CAP_IOPORT, 0, &c);

	if (err)
		return err;
	cap_put(&c);
	if (READ_ONCE(p->nthreads) > 1)
		return -EBUSY;	/* siblings load the bitmap unlocked */
	base = ioport_base(&c);
	count = ioport_count(&c);
	if (ioport_overlaps_reserved(base, count))
		return -EPERM;
	m = p->iomap;
	if (!m) {
		m = kmalloc(sizeof(*m));
		if (!m)
			return -ENOMEM;
		memset(m->map, 0xff, sizeof(m->map));
		m->len = 0;
	}
	for (unsigned port = base; port < base + count; port++)
		m->map[port / 8] &= ~(1u << (port % 8));
	if (m->len < (base + count + 7) / 8)
		m->len = (base + count + 7) / 8;
	f = irq_save();
	m->gen = __atomic_add_fetch(&ioport_gen, 1, __ATOMIC_RELAXED);
	p->iomap = m;
	user_iomap_load(m);
	irq_restore(f);
	return 0;
}

/* fork: the child may use the ports its parent may. */
int ioport_fork(struct proc *child, const struct proc *parent)
{
	if (!parent->iomap)
		return 0;
	child->iomap = kmalloc(sizeof(*child->iomap));
	if (!child->iomap)
		return -ENOMEM;
	memcpy(child->iomap, parent->iomap, sizeof(*child->iomap));
	return 0;
}

/* The process no longer runs user code: free its bitmap. */
void ioport_release(struct proc *p)
{
	kfree(p->iomap);
	p->iomap = NULL;
}

long ioport_syscall(unsigned call, struct trap_frame *tf)
{
	if (call == NC_IOPORT_GRANT)
		return ioport_grant(tf->rdi, tf->rdx, tf->r10);
	return ioport_enable(tf->rdi);
}
