/*
 * Where a CPU rounded up by the GDB stub waits: outside the NMI handler,
 * so that the next NMI (the master's wake-up) can reach it while it sits
 * in hlt with interrupts off, and no host CPU is burnt spinning.
 *
 * kgdb_park_entry: kgdb_nmi() makes the NMI return here, on the
 *	interrupted stack (below its rsp), IF=0, %rdi = struct kgdb_cpu *.
 *	kgdb_park_wait() copies the (possibly edited) saved trap frame to
 *	the stack; trap_return (entry.S) restores it with iretq.
 * kgdb_park_halt: one hlt. An NMI that lands exactly on it (it may have
 *	come between the caller's check and the hlt) skips it: kgdb_nmi()
 *	moves RIP past kgdb_park_hlt, so no wake-up is lost.
 */
#define FRAME_SIZE (22 * 8)

	.text
	.globl kgdb_park_entry
kgdb_park_entry:
	cld
	subq $FRAME_SIZE, %rsp
	movq %rsp, %rsi
	call kgdb_park_wait
	jmp trap_return

	.globl kgdb_park_halt, kgdb_park_hlt
kgdb_park_halt:
kgdb_park_hlt:
	hlt
	ret
