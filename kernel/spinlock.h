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
unsigned long spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags);
/* For callers that already run with interrupts off. */
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
bool spin_held(const struct spinlock *l);
#define assert_held(l) do { if (!spin_held(l)) panic("lock %s not held", (l)->name); } while (0)

#endif
