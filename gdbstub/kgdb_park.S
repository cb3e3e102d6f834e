/*
 * Where a CPU rounded up by the GDB stub waits: outside the NMI handler,
 * so that the next NMI (the master's wake-up) can reach it while it sits
 * in hlt with interrupts off, and no host CPU is burnt spinning.
 *
 * kgdb_park_entry: kgdb_nmi() makes the NMI return here, on the
 *	interrupted stack (below its rsp), IF=0, %rdi = struct kgdb_cpu *.
 *	kgdb_park_wait() copies the (possibly edited) saved trap frame to
 *	the stack, and iretq restores it. Not through trap_return: that
 *	swaps GS by the frame's CS, but here GS is still the interrupted
 *	context's (nmi_common swapped it back), user GS for a CPU that was
 *	in user mode, and must stay so.
 * kgdb_park_halt: one hlt. An NMI that lands exactly on it (it may have
 *	come between the caller's check and the hlt) skips it: kgdb_nmi()
 *	moves RIP past kgdb_park_hlt, so no wake-up is lost.
 */
#include <arch/frame.h>

#define FRAME_SIZE (22 * 8)

	.text
	.globl kgdb_park_entry
kgdb_park_entry:
	cld
	subq $FRAME_SIZE, %rsp
	movq %rsp, %rsi
	call kgdb_park_wait
	TRAP_POP_REGS
	addq $16, %rsp			/* vector, error code */
	iretq

	.globl kgdb_park_halt, kgdb_park_hlt
kgdb_park_halt:
kgdb_park_hlt:
	hlt
	ret
