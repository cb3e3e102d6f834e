/*
 * The kernel's hooks into the in-kernel GDB stub (gdbstub/kgdb*.c): the
 * calls trap.c, ipi.c, panic.c and main.c make. Everything behind them is
 * described in gdbstub/README.md and docs/gdb.md.
 */
#ifndef GDBSTUB_KGDB_H
#define GDBSTUB_KGDB_H

#include "types.h"
#include <arch/trap.h>

/* Boot CPU, after the IOAPIC: COM2, its IRQ, gdb= option. Marks gdb.ready. */
void kgdb_init(void);
/* Boot CPU, before the first kernel thread runs: stop if gdb=wait. */
void kgdb_boot_wait(void);
/* kinit, after the boot self-tests: start gdbtest=1 threads. */
void kgdb_late_init(void);

/*
 * The trap hooks. Context: exception or NMI, IRQs off. They stop the
 * machine (placed in .text.coldexit: the hot-path checker stops there).
 * kgdb_trap() returns true when it handled the exception (#BP, #DB, or a
 * fault the debugger looked at and the user repaired).
 */
bool kgdb_trap(struct trap_frame *tf);
bool kgdb_nmi(struct trap_frame *tf);
/* A CPU halting for good (panic round-up): keep its frame for GDB. */
void kgdb_note_halt(struct trap_frame *tf);
/* panic(): report @msg to an attached GDB and stop there (SIGABRT). */
void kgdb_panic(const char *msg, struct trap_frame *tf);

#endif
