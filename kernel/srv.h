/*
 * The kernel's side of a file-server call (srv.c): begin (a slot of the
 * server's request area), any number of srv_rpc() on it, end.
 */
#ifndef KERNEL_SRV_H
#define KERNEL_SRV_H

#include "types.h"

struct srv_reg;

struct srv_call {
	struct srv_reg *reg;
	int slot;
	char *buf;			/* the slot: FS_SLOT_SIZE bytes */
};

int srv_begin(unsigned id, struct srv_call *c);
long srv_rpc(struct srv_call *c, unsigned op, uint64_t handle, uint64_t a1,
	     uint64_t a2, uint64_t out[3]);
void srv_end(struct srv_call *c);

#endif
