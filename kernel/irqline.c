/*
 * ISA interrupt lines delivered to user-space drivers as notification
 * bits (CAP_IRQ, badge = first line | count << 16). NC_IRQ_GRANT carves a
 * capability for one line; NC_IRQ_BIND routes the line through the IOAPIC
 * (honouring the MADT's overrides) to VEC_IRQ_BASE + line and names the
 * notification and bits it signals; NC_IRQ_ACK unmasks it again.
 *
 * The handler runs in interrupt context: it masks the line (the driver
 * acks once it has drained the device), counts the interrupt and signals
 * the notification. It neither allocates nor prints.
 *
 * Each line's lock protects its binding. Lock order: irqline lock ->
 * the notification's locks (ipc.c) -> ioapic_lock.
 */
#include "ipc.h"
#include "proc.h"
#include "sched.h"
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <arch/trap.h>

#define IRQ_LINES	16

struct irqline {
	struct spinlock lock;
	/* lock protects: */
	struct cap ntfn;		/* CAP_NOTIFY holding a reference, or CAP_NONE */
	uint64_t bits;			/* what each interrupt ORs into it */
	bool routed;			/* handler registered, IOAPIC routed */
	/* Written by the handler only, under lock: */
	uint64_t count;			/* interrupts taken */
};

static struct irqline irqlines[IRQ_LINES] = {
	[0 ... IRQ_LINES - 1] = { .lock = SPINLOCK_INIT("irqline") },
};

/* Lines the kernel keeps: the PIT, the PIC cascade, COM2 (GDB stub). */
static const uint16_t irqline_reserved = 1u << 0 | 1u << 2 | 1u << 3;

/* Context: interrupt, interrupts off. */
static void irqline_irq(struct trap_frame *tf)
{
	unsigned line = (unsigned)tf->vector - VEC_IRQ_BASE;
	struct irqline *l = &irqlines[line];

	spin_lock(&l->lock);
	ioapic_unmask_isa(line, false);
	l->count++;
	if (l->ntfn.type == CAP_NOTIFY)
		ipc_notify_signal(l->ntfn.obj, l->bits);
	spin_unlock(&l->lock);
}

static unsigned irqline_first(const struct cap *c)
{
	return c->badge & 0xffff;
}

static unsigned irqline_count(const struct cap *c)
{
	return (c->badge >> 16) & 0xffff;
}

/*
 * NC_IRQ_GRANT(slot, line): a capability for line alone, from a slot with
 * CAP_GRANT that covers it. Returns the new slot, -EINVAL (line outside
 * slot's lines) or -EPERM (no grant right, or a line the kernel keeps).
 */
static long irqline_grant(uint64_t slot, uint64_t line)
{
	struct proc *p = current_thread()->proc;
	struct cap src, nc;
	long err = cap_lookup(p, slot, CAP_IRQ, CAP_GRANT, &src);

	if (err)
		return err;
	cap_put(&src);		/* no object: the badge is the grant */
	if (line >= IRQ_LINES || line < irqline_first(&src) ||
	    line >= irqline_first(&src) + irqline_count(&src))
		return -EINVAL;
	if (irqline_reserved & (1u << line))
		return -EPERM;
	nc = src;
	nc.badge = line | 1ull << 16;
	return cap_install(p, &nc);
}

/* The one line slot's capability names, or -errno. */
static long irqline_lookup(uint64_t slot)
{
	struct cap c;
	long err = cap_lookup(current_thread()->proc, slot, CAP_IRQ, 0, &c);

	if (err)
		return err;
	cap_put(&c);
	if (irqline_count(&c) != 1 || irqline_first(&c) >= IRQ_LINES ||
	    (irqline_reserved & (1u << irqline_first(&c))))
		return -EINVAL;
	return irqline_first(&c);
}

/* Route line to this CPU and install the handler, once. lock held. */
static long irqline_route(unsigned line)
{
	struct irqline *l = &irqlines[line];
	long err;

	if (l->routed)
		return 0;
	err = ioapic_route_isa(line, lapic_id());
	if (err)
		return err;
	irq_register(VEC_IRQ_BASE + line, irqline_irq, "irqline");
	l->routed = true;
	return 0;
}

/*
 * NC_IRQ_BIND(irq slot, notify slot, bits): from now on each interrupt
 * on the line signals bits on the notification (which needs CAP_SEND),
 * replacing any earlier binding, and the line is unmasked. Returns 0,
 * -EINVAL (no bits, not a single line) or a lookup error.
 */
static long irqline_bind(uint64_t slot, uint64_t nslot, uint64_t bits)
{
	long line = irqline_lookup(slot), err;
	struct cap n, old;
	struct irqline *l;
	unsigned long f;

	if (line < 0)
		return line;
	if (!bits)
		return -EINVAL;
	err = cap_lookup(current_thread()->proc, nslot, CAP_NOTIFY, CAP_SEND,
			 &n);
	if (err)
		return err;
	l = &irqlines[line];
	f = spin_lock_irqsave(&l->lock);
	err = irqline_route(line);
	old = l->ntfn;
	if (!err) {
		l->ntfn = n;	/* the lookup's reference moves to the line */
		l->bits = bits;
		ioapic_unmask_isa(line, true);
	}
	spin_unlock_irqrestore(&l->lock, f);
	cap_put(err ? &n : &old);
	return err;
}

/*
 * NC_IRQ_ACK(irq slot): the driver has drained the device: unmask the
 * line. Returns the number of interrupts the line has taken so far.
 */
static long irqline_ack(uint64_t slot)
{
	long line = irqline_lookup(slot);
	struct irqline *l;
	unsigned long f;
	long count;

	if (line < 0)
		return line;
	l = &irqlines[line];
	f = spin_lock_irqsave(&l->lock);
	if (l->routed && l->ntfn.type == CAP_NOTIFY)
		ioapic_unmask_isa(line, true);
	count = (long)l->count;
	spin_unlock_irqrestore(&l->lock, f);
	return count;
}

long irqline_syscall(unsigned call, struct trap_frame *tf)
{
	switch (call) {
	case NC_IRQ_GRANT:
		return irqline_grant(tf->rdi, tf->rdx);
	case NC_IRQ_BIND:
		return irqline_bind(tf->rdi, tf->rdx, tf->r10);
	default:
		return irqline_ack(tf->rdi);
	}
}
