/*
 * Spinlocks. Interrupt-safe: spin_lock_irqsave() disables interrupts on
 * this CPU before taking the lock and spin_unlock_irqrestore() puts them
 * back. Misuse (recursion, unlocking a lock not held by this CPU) panics.
 * The one lock order for the whole kernel is in docs/architecture.md.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "types.h"

struct spinlock {
	uint32_t locked;	/* 0 or 1; xchg'd */
	int32_t owner;		/* CPU id of the holder, -1 when free (or
				 * held by the IPC fast path: ipc_fast.c) */
	const char *name;	/* for panics and the debugger */
};

#define SPINLOCK_INIT(n) { 0, -1, (n) }

void spin_init(struct spinlock *l, const char *name);
bool spin_held(const struct spinlock *l);

#ifdef SPINLOCK_HOST_TEST
/* Host unit tests of kernel code (kernel/tests) supply their own. */
unsigned long spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags);
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
#else
#include <arch/cpu.h>

/* Out of line (spinlock.c): the wait for a held lock, and misuse. */
__attribute__((cold)) void spin_wait(struct spinlock *l);
__attribute__((cold)) __noreturn void spin_misuse(const struct spinlock *l,
						 const char *what);

/*
 * struct cpu's id (kernel/cpu.h, which includes this header and checks
 * the offset), read through %gs in one load for the owner field.
 */
#define SPIN_CPU_ID_OFFSET	0x20

static inline int spin_owner_id(void)
{
	int id;

	__asm__ __volatile__("movl %%gs:%c1, %0"
			     : "=r"(id) : "i"(SPIN_CPU_ID_OFFSET));
	return id;
}

/*
 * Take l, interrupts already off. Inline: the uncontended lock is a few
 * instructions on every kernel path (a file call takes about sixteen);
 * the wait and the panics are out of line.
 */
static inline void spin_acquire(struct spinlock *l)
{
	int me = spin_owner_id();

	if (unlikely(READ_ONCE(l->owner) == me))
		spin_misuse(l, "recursive lock");
	/* Acquire: pairs with the release in spin_unlock(). */
	if (unlikely(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)))
		spin_wait(l);
	l->owner = me;
}

/* For callers that already run with interrupts off. */
static inline void spin_lock(struct spinlock *l)
{
	if (unlikely(irqs_enabled()))
		spin_misuse(l, "lock with interrupts enabled");
	spin_acquire(l);
}

static inline void spin_unlock(struct spinlock *l)
{
	if (unlikely(l->owner != spin_owner_id()))
		spin_misuse(l, "unlock by a CPU that does not hold it");
	l->owner = -1;
	/* Release: pairs with the acquire in spin_lock(). */
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = irq_save();

	spin_acquire(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l,
					  unsigned long flags)
{
	spin_unlock(l);
	irq_restore(flags);
}
#endif /* SPINLOCK_HOST_TEST */

#define assert_held(l) do { if (!spin_held(l)) panic("lock %s not held", (l)->name); } while (0)

#endif
