/* Panic reports (panic.c). Everything here is a cold exit. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "types.h"
#include <arch/trap.h>

__noreturn void panic_trap(struct trap_frame *tf, const char *what);
void panic_backtrace(uint64_t rip, uint64_t rbp, uint64_t rsp);
extern volatile int panic_cpu;		/* -1, or the CPU that panicked */
extern bool panic_exit;			/* panic=exit: end QEMU */

#endif
