/*
 * Spinlocks: test-and-test-and-set with the holder's CPU recorded, so
 * recursion and foreign unlocks are caught. They always run with local
 * interrupts off (an interrupt handler taking a lock its CPU already holds
 * would deadlock); that is also what makes "IF=1 means no lock held" true
 * for preemption on interrupt return.
 */
#include "spinlock.h"
#include "printk.h"
#include "cpu.h"
#include <arch/cpu.h>

void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->owner = -1;
	l->name = name;
}

void spin_lock(struct spinlock *l)
{
	int me = (int)cpu_id();

	if (unlikely(irqs_enabled()))
		panic("spin_lock(%s) with interrupts enabled", l->name);
	if (unlikely(READ_ONCE(l->owner) == me))
		panic("spin_lock(%s): recursive lock on CPU %d", l->name, me);
	/* Acquire: pairs with the release in spin_unlock(). */
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
	}
	l->owner = me;
}

void spin_unlock(struct spinlock *l)
{
	if (unlikely(l->owner != (int)cpu_id()))
		panic("spin_unlock(%s): not held by CPU %u (owner %d)",
		      l->name, cpu_id(), l->owner);
	l->owner = -1;
	/* Release: pairs with the acquire in spin_lock(). */
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = irq_save();

	spin_lock(l);
	return flags;
}

void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	spin_unlock(l);
	irq_restore(flags);
}

bool spin_held(const struct spinlock *l)
{
	return READ_ONCE(l->locked) && l->owner == (int)cpu_id();
}
