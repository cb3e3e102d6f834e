/*
 * The server registry (NC_SRV_REGISTER): to be written (issue 5, VFS work).
 */
#include "ipc.h"

long srv_syscall(unsigned call, struct trap_frame *tf)
{
	return -ENOSYS;
}
