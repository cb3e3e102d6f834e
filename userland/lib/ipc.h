/*
 * Loupe's native IPC calls for user space (kernel side: kernel/ipc.c,
 * kernel/cap.c; design: docs/ipc.md).
 *
 * Convention: the SYSCALL instruction, like Linux calls, with numbers from
 * IPC_SYS_BASE up (Linux's own x86_64 numbers end below 512):
 *   in:  rax = call number, rdi = capability slot,
 *        rsi = message tag, rdx, r10, r8, r9 = message words 0-3
 *   out: rax = 0 (or a new slot) or -errno, rdi = badge of the sender
 *        (receive calls),
 *        rsi = tag, rdx, r10, r8, r9 = words 0-3 of the message received
 *   rcx and r11 are clobbered by SYSCALL itself (the return address and
 *   flags); nothing else changes (loupe/native.h).
 * A tag packs a label (bits 63..16, meaning chosen by the protocol) and
 * the count of words used (bits 3..0). Bulk data goes through shared
 * buffers, never through these registers.
 */
#ifndef USERLAND_IPC_H
#define USERLAND_IPC_H

#include <stdint.h>

#include <loupe/native.h>	/* numbers, cap types, rights, boot slots */

/*
 * Every wrapper is inlined, even under -Os: a call to a shared ipc_trap()
 * cost a round trip a third of its user-space instructions (docs/ipc.md).
 */
#define IPC_INLINE	static inline __attribute__((always_inline))

#define IPC_SYS_BASE		NATIVE_SYS_BASE
#define IPC_SYS_CALL		(IPC_SYS_BASE + NC_CALL)	/* send, wait reply */
#define IPC_SYS_RECV		(IPC_SYS_BASE + NC_RECV)	/* wait for a call */
#define IPC_SYS_REPLY		(IPC_SYS_BASE + NC_REPLY)	/* answer last call */
#define IPC_SYS_REPLY_RECV	(IPC_SYS_BASE + NC_REPLY_RECV)	/* reply, then recv */
#define IPC_SYS_SIGNAL		(IPC_SYS_BASE + NC_SIGNAL)	/* notification: OR bits */
#define IPC_SYS_WAIT		(IPC_SYS_BASE + NC_WAIT)	/* notification: take bits */
#define IPC_SYS_ENDPOINT_NEW	(IPC_SYS_BASE + NC_ENDPOINT_NEW) /* -> slot, all rights */
#define IPC_SYS_NOTIFY_NEW	(IPC_SYS_BASE + NC_NOTIFY_NEW)	/* -> slot, all rights */
#define IPC_SYS_CAP_MINT	(IPC_SYS_BASE + NC_CAP_MINT)	/* slot, badge, rights -> slot */
#define IPC_SYS_CAP_DROP	(IPC_SYS_BASE + NC_CAP_DROP)	/* slot */

#define IPC_WORDS		4

struct ipc_msg {
	uint64_t tag;
	uint64_t w[IPC_WORDS];
};

_Static_assert(sizeof(struct ipc_msg) == 40, "ipc_msg is five words");

IPC_INLINE uint64_t ipc_tag(uint64_t label, unsigned nwords)
{
	return label << 16 | (nwords & 0xf);
}

IPC_INLINE uint64_t ipc_tag_label(uint64_t tag)
{
	return tag >> 16;
}

/*
 * The one trap all calls share. @m goes out in registers and what comes
 * back overwrites it; *@badge gets rdi. Returns rax: 0 or -errno.
 */

IPC_INLINE long ipc_trap(long nr, uint64_t cap, struct ipc_msg *m,
			    uint64_t *badge)
{
	register uint64_t r10 __asm__("r10") = m->w[1];
	register uint64_t r8 __asm__("r8") = m->w[2];
	register uint64_t r9 __asm__("r9") = m->w[3];
	uint64_t rdi = cap, rsi = m->tag, rdx = m->w[0];
	long rax = nr;

	__asm__ __volatile__("syscall"
			     : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx),
			       "+r"(r10), "+r"(r8), "+r"(r9)
			     :
			     : "rcx", "r11", "memory");
	if (rax == 0) {
		m->tag = rsi;
		m->w[0] = rdx;
		m->w[1] = r10;
		m->w[2] = r8;
		m->w[3] = r9;
		if (badge)
			*badge = rdi;
	}
	return rax;
}

/* Send @m on endpoint @cap and wait for the reply, which replaces @m. */
IPC_INLINE long ipc_call(uint64_t cap, struct ipc_msg *m)
{
	return ipc_trap(IPC_SYS_CALL, cap, m, 0);
}

/* Wait on endpoint @cap for a call; its sender's badge goes to *@badge. */
IPC_INLINE long ipc_recv(uint64_t cap, struct ipc_msg *m, uint64_t *badge)
{
	*m = (struct ipc_msg){ 0 };	/* nothing goes out: defined registers */
	return ipc_trap(IPC_SYS_RECV, cap, m, badge);
}

/* Reply @m to the caller last received; does not block. */
IPC_INLINE long ipc_reply(struct ipc_msg *m)
{
	return ipc_trap(IPC_SYS_REPLY, 0, m, 0);
}

/* A server's loop step: reply @m, then wait on @cap for the next call. */
IPC_INLINE long ipc_reply_recv(uint64_t cap, struct ipc_msg *m,
				  uint64_t *badge)
{
	return ipc_trap(IPC_SYS_REPLY_RECV, cap, m, badge);
}

/* OR @bits into notification @cap, waking a waiter; never blocks. */
IPC_INLINE long ipc_signal(uint64_t cap, uint64_t bits)
{
	struct ipc_msg m = { .w = { bits } };

	return ipc_trap(IPC_SYS_SIGNAL, cap, &m, 0);
}

/* Wait until notification @cap has bits set; take them into *@bits. */
IPC_INLINE long ipc_wait(uint64_t cap, uint64_t *bits)
{
	struct ipc_msg m = { 0 };
	long r = ipc_trap(IPC_SYS_WAIT, cap, &m, 0);

	*bits = m.w[0];
	return r;
}

/* A new endpoint (or notification): its slot, or -errno. */
IPC_INLINE long ipc_endpoint_new(void)
{
	struct ipc_msg m = { 0 };

	return ipc_trap(IPC_SYS_ENDPOINT_NEW, 0, &m, 0);
}

IPC_INLINE long ipc_notify_new(void)
{
	struct ipc_msg m = { 0 };

	return ipc_trap(IPC_SYS_NOTIFY_NEW, 0, &m, 0);
}

/* A copy of @cap in a new slot, carrying @badge and only @rights. */
IPC_INLINE long ipc_cap_mint(uint64_t cap, uint64_t badge, uint64_t rights)
{
	struct ipc_msg m = { .w = { badge, rights } };

	return ipc_trap(IPC_SYS_CAP_MINT, cap, &m, 0);
}

IPC_INLINE long ipc_cap_drop(uint64_t cap)
{
	struct ipc_msg m = { 0 };

	return ipc_trap(IPC_SYS_CAP_DROP, cap, &m, 0);
}

#endif
