/*
 * Loupe's native calls beyond endpoints and notifications (ipc.h): shared
 * memory, the server registry, reply capabilities, bound notifications,
 * I/O ports and IRQs. Numbers and types: include/loupe/native.h; the
 * design: docs/ipc.md.
 */
#ifndef USERLAND_LOUPE_H
#define USERLAND_LOUPE_H

#include "ipc.h"

/* A native call with up to four plain arguments (rdi, rdx, r10, r8). */
IPC_INLINE long loupe_call(enum native_call nc, uint64_t a0, uint64_t a1,
			      uint64_t a2, uint64_t a3)
{
	struct ipc_msg m = { .w = { a1, a2, a3 } };

	return ipc_trap(NATIVE_SYS_BASE + nc, a0, &m, 0);
}

/* recv also returns (badge NOTIFY_BADGE, w[0] = bits) when @ntfn is signalled. */
IPC_INLINE long ipc_notify_bind(uint64_t ntfn)
{
	return loupe_call(NC_NOTIFY_BIND, ntfn, 0, 0, 0);
}

/* Move the caller held since the last recv into a reply capability. */
IPC_INLINE long ipc_reply_save(void)
{
	return loupe_call(NC_REPLY_SAVE, 0, 0, 0, 0);
}

/* Answer through reply capability @slot (which is dropped). */
IPC_INLINE long ipc_reply_to(uint64_t slot, struct ipc_msg *m)
{
	return ipc_trap(NATIVE_SYS_BASE + NC_REPLY_TO, slot, m, 0);
}

/* The IPC fast path: is it on (@which 0), how many switches (@which 1). */
IPC_INLINE long ipc_stats(uint64_t which)
{
	return loupe_call(NC_IPC_STATS, which, 0, 0, 0);
}

/*
 * Wake the kernel's pollers of files served through endpoint @ep (held
 * with CAP_RECV): they ask again with FS_POLL (docs/ipc.md, "Poll").
 */
IPC_INLINE long ipc_poll_wake(long ep)
{
	return loupe_call(NC_POLL_WAKE, ep, 0, 0, 0);
}

/* A new shared-memory object of @size bytes (page-rounded): its slot. */
IPC_INLINE long shm_new(uint64_t size)
{
	return loupe_call(NC_SHM_NEW, 0, size, 0, 0);
}

/* Map shared memory @slot; returns its address, or -errno. */
IPC_INLINE long shm_map(uint64_t slot, int writable)
{
	return loupe_call(NC_SHM_MAP, slot, writable, 0, 0);
}

/* Register endpoint @ep and shared area @shm as server @id (enum srv_id). */
IPC_INLINE long srv_register(uint64_t ctl, unsigned id, uint64_t ep,
				uint64_t shm)
{
	return loupe_call(NC_SRV_REGISTER, ctl, id, ep, shm);
}

/* A capability for ports [@base, @base + @count) out of @slot's range. */
IPC_INLINE long ioport_grant(uint64_t slot, unsigned base, unsigned count)
{
	return loupe_call(NC_IOPORT_GRANT, slot, base, count, 0);
}

/* Let this process use @slot's ports (in/out from user mode). */
IPC_INLINE long ioport_enable(uint64_t slot)
{
	return loupe_call(NC_IOPORT_ENABLE, slot, 0, 0, 0);
}

/* A capability for IRQ line @line out of @slot's lines. */
IPC_INLINE long irq_grant(uint64_t slot, unsigned line)
{
	return loupe_call(NC_IRQ_GRANT, slot, line, 0, 0);
}

/* Deliver @irq's interrupts as @bits on notification @ntfn. */
IPC_INLINE long irq_bind(uint64_t irq, uint64_t ntfn, uint64_t bits)
{
	return loupe_call(NC_IRQ_BIND, irq, ntfn, bits, 0);
}

/* The driver has handled the interrupt: unmask the line. */
IPC_INLINE long irq_ack(uint64_t irq)
{
	return loupe_call(NC_IRQ_ACK, irq, 0, 0, 0);
}

#endif
