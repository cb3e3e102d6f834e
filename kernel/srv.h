/*
 * The kernel's side of a file-server call (srv.c): begin (a slot of the
 * server's request area), any number of srv_rpc() on it, end.
 */
#ifndef KERNEL_SRV_H
#define KERNEL_SRV_H

#include "types.h"

struct srv_reg;
struct wait_queue;

struct srv_call {
	struct srv_reg *reg;
	int slot;
	char *buf;			/* the slot: FS_SLOT_SIZE bytes */
};

struct srv_reg *srv_get(unsigned id);
struct srv_reg *srv_hold(struct srv_reg *r);
void srv_put(struct srv_reg *r);
void srv_begin(struct srv_reg *r, struct srv_call *c);
int srv_begin_id(unsigned id, struct srv_call *c);
long srv_rpc(struct srv_call *c, unsigned op, uint64_t handle, uint64_t a1,
	     uint64_t a2, uint64_t out[3]);
void srv_close(struct srv_call *c, uint64_t handle);
void srv_end(struct srv_call *c);
struct wait_queue *srv_poll_queue(struct srv_reg *r, uint32_t *gen);
bool srv_poll_changed(struct srv_reg *r, uint32_t gen);

#endif
