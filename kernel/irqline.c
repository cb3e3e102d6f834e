/*
 * IRQ lines delivered to user space as notifications (CAP_IRQ): to be
 * written (issue 5, console work).
 */
#include "ipc.h"

long irqline_syscall(unsigned call, struct trap_frame *tf)
{
	return -ENOSYS;
}
