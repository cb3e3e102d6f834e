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

/* A held lock: spin until it is free, then take it (spin_acquire()). */
void spin_wait(struct spinlock *l)
{
	do {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
		/* Acquire: pairs with the release in spin_unlock(). */
	} while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
}

void spin_misuse(const struct spinlock *l, const char *what)
{
	panic("spinlock %s: %s on CPU %d (owner %d)", l->name, what,
	      spin_owner_id(), l->owner);
}

bool spin_held(const struct spinlock *l)
{
	return READ_ONCE(l->locked) && l->owner == (int)cpu_id();
}
