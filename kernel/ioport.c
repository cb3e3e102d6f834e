/*
 * I/O-port grants (CAP_IOPORT): to be written (issue 5, console work).
 */
#include "ipc.h"

long ioport_syscall(unsigned call, struct trap_frame *tf)
{
	return -ENOSYS;
}
