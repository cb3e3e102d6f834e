/*
 * Shared by the Linux system-call files: the handler signature (from the
 * generated table), the calling process and thread, user-memory access.
 */
#ifndef KERNEL_LINUX_LINUX_H
#define KERNEL_LINUX_LINUX_H

#include "types.h"
#include "proc.h"
#include "sched.h"
#include "syscall_table.h"
#include <arch/trap.h>
#include <arch/uaccess.h>

static inline struct proc *current_proc(void)
{
	return current_thread()->proc;
}

static inline struct vm *current_vm(void)
{
	return current_proc()->vm;
}

/* The user trap frame of the calling thread (top of its kernel stack). */
static inline struct trap_frame *current_user_frame(void)
{
	return (struct trap_frame *)current_thread()->kstack_top - 1;
}

extern uint64_t syscall_unknown[SYSCALL_NR + 1];

#endif
