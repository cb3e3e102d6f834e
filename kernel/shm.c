/*
 * Shared memory objects (CAP_SHM): to be written (issue 5, VFS work).
 */
#include "ipc.h"

void shm_get(struct shm *s)
{
}

void shm_put(struct shm *s)
{
}

/* The initrd as a read-only object, with a reference for the caller. */
struct shm *shm_initrd(void)
{
	return NULL;
}

long shm_syscall(unsigned call, struct trap_frame *tf)
{
	return -ENOSYS;
}
