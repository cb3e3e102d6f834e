/*
 * Loupe's native system-call ABI, shared by the kernel (kernel/ipc.c and
 * the files it dispatches to) and user space (userland/lib/ipc.h,
 * userland/lib/loupe.h). docs/ipc.md explains the calls.
 *
 * Native calls use the SYSCALL instruction like Linux calls, with numbers
 * from NATIVE_SYS_BASE up (Linux's x86_64 numbers end below 512):
 *   in:  rax = NATIVE_SYS_BASE + enum native_call, rdi = capability slot,
 *        rsi = message tag, rdx, r10, r8, r9 = words 0-3 (or arguments)
 *   out: rax = 0, a new slot, an address, or -errno; rdi = badge;
 *        rsi, rdx, r10, r8, r9 = tag and words of a message received
 *        (NC_CALL's reply: rdi = 0)
 *   kept: every other register, and every register a call does not
 *        return a value in (on an error, all but rax): rbx, rbp, rsp,
 *        r12-r15, the x87/SSE state; rcx and r11 are the thread's own
 *        return address and flags (SYSRET's). No register ever returns
 *        a kernel value. The IPC fast path (kernel/ipc_fast.c) keeps
 *        this exactly; ipctests' t_fast_regs checks it on both paths.
 */
#ifndef LOUPE_NATIVE_H
#define LOUPE_NATIVE_H

#define NATIVE_SYS_BASE		1024

enum native_call {
	/* Endpoints and notifications (kernel/ipc.c). */
	NC_CALL,		/* slot, msg: send, wait for the reply */
	NC_RECV,		/* slot: wait for a call (or a bound notification) */
	NC_REPLY,		/* msg: answer the caller held */
	NC_REPLY_RECV,		/* slot, msg: reply, then receive */
	NC_SIGNAL,		/* slot, bits: OR bits into a notification */
	NC_WAIT,		/* slot: take a notification's bits, waiting */
	NC_ENDPOINT_NEW,	/* -> slot */
	NC_NOTIFY_NEW,		/* -> slot */
	NC_CAP_MINT,		/* slot, badge, rights -> slot */
	NC_CAP_DROP,		/* slot */
	NC_NOTIFY_BIND,		/* slot: recv also returns when it is signalled */
	NC_REPLY_SAVE,		/* -> slot: move the held caller to a reply cap */
	NC_REPLY_TO,		/* slot, msg: answer through a reply cap, drop it */
	/* Shared memory (kernel/shm.c). */
	NC_SHM_NEW,		/* size -> slot */
	NC_SHM_MAP,		/* slot, writable -> address (rdx: length) */
	/* Server registry (kernel/srv.c). */
	NC_SRV_REGISTER,	/* ctl slot, id, endpoint slot, shm slot */
	/* Device access (kernel/ioport.c, kernel/irqline.c). */
	NC_IOPORT_GRANT,	/* slot, base, count -> slot */
	NC_IOPORT_ENABLE,	/* slot: this process may use those ports */
	NC_IRQ_GRANT,		/* slot, line -> slot */
	NC_IRQ_BIND,		/* irq slot, notify slot, bits */
	NC_IRQ_ACK,		/* irq slot: unmask the line again */
	/* IPC again (kernel/ipc.c). */
	NC_IPC_STATS,		/* which: 0 -> fast path on (1/0), 1 -> its switches */
	NC_POLL_WAKE,		/* endpoint slot (CAP_RECV): wake the kernel's
				 * pollers of files it serves to ask again */
	/* /proc's snapshots (kernel/procinfo.c, <loupe/procinfo.h>). */
	NC_PROC_INFO,		/* kind, buf, count, arg -> records */
	NC_NR_CALLS
};

/* Capability types and rights. */
enum cap_type {
	CAP_NONE, CAP_ENDPOINT, CAP_NOTIFY, CAP_REPLY, CAP_SHM, CAP_IOPORT,
	CAP_IRQ, CAP_SRVCTL
};
#define CAP_SEND	1	/* call an endpoint, signal a notification */
#define CAP_RECV	2	/* receive on an endpoint, wait on a notification */
#define CAP_GRANT	4	/* mint or grant copies with no more rights */
#define CAP_WRITE	8	/* shared memory: map writable */

/* NC_RECV's badge when a bound notification, not a call, woke it. */
#define NOTIFY_BADGE	(~0ull)

/*
 * The capabilities PID 1 starts with, in these slots; init hands them on
 * (or mints narrower copies) to the servers and drops them before it runs
 * anything else. Every other process starts with what fork copied.
 */
enum boot_slot {
	BOOT_SLOT_IOPORT,	/* every port the kernel does not use itself */
	BOOT_SLOT_IRQ,		/* every ISA IRQ line the kernel does not use */
	BOOT_SLOT_SRVCTL,	/* register servers */
	BOOT_SLOT_INITRD,	/* the initrd, shared memory, read-only */
	BOOT_SLOTS
};

/*
 * Server identities (NC_SRV_REGISTER); the kernel routes file calls by
 * them. A CAP_SRVCTL's badge limits what it may register: 0 any id (the
 * boot capability), else a mask of 1 << id. Mint restricted copies
 * without CAP_GRANT, or their holder could mint an unrestricted one.
 */
enum srv_id {
	SRV_VFS,		/* the root file system and /dev */
	SRV_CONSOLE,		/* the terminal on COM1 */
	SRV_TEST = 7,		/* spare: the tests' throwaway servers (/dev/test) */
	SRV_MAX = 8
};

#endif
