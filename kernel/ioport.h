/*
 * I/O-port grants (ioport.c): a process holding a CAP_IOPORT may enable
 * its ports, which builds the process's I/O permission bitmap; the
 * context switch (arch user.c) loads that bitmap into the CPU's TSS.
 */
#ifndef KERNEL_IOPORT_H
#define KERNEL_IOPORT_H

#include "types.h"

#define IOPORT_COUNT	65536
#define IOMAP_BYTES	(IOPORT_COUNT / 8)

/*
 * A process's I/O permission bitmap, in the TSS's format: bit set = the
 * port faults. Owned by the process's (only) thread; gen changes with
 * every change of map, so a CPU can tell whether its TSS copy is current.
 */
struct iomap {
	uint64_t gen;
	unsigned len;			/* bytes of map that allow anything */
	uint8_t map[IOMAP_BYTES];
};

struct proc;
struct trap_frame;

long ioport_syscall(unsigned call, struct trap_frame *tf);
int ioport_fork(struct proc *child, const struct proc *parent);
void ioport_release(struct proc *p);

#endif
