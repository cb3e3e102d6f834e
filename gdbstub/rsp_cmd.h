/*
 * Internal interface between the framing layer (rsp.c) and the command
 * handlers (rsp_cmd.c, rsp_query.c, rsp_mem.c, rsp_regs.c, xfer.c). Each
 * handler gets a cursor just past the command letter(s), builds its reply
 * with the rsp_put*() builders and returns 0, or -Exxx for an `Exx` reply.
 */
#ifndef GDBSTUB_RSP_CMD_H
#define GDBSTUB_RSP_CMD_H

#include "gdbstub/rsp.h"
#include "gdbstub/hex.h"

void rsp_cmd_dispatch(struct rsp *r);
void rsp_cmd_after_reply(struct rsp *r);
void rsp_cmd_stop_reply(struct rsp *r);
int64_t rsp_cmd_current_tid(struct rsp *r);
bool rsp_cmd_is(struct hex_cursor *c, const char *name);

int rsp_query(struct rsp *r, struct hex_cursor *c);
int rsp_query_set(struct rsp *r, struct hex_cursor *c);

int rsp_mem_read(struct rsp *r, struct hex_cursor *c);
int rsp_mem_write_hex(struct rsp *r, struct hex_cursor *c);
int rsp_mem_write_bin(struct rsp *r, struct hex_cursor *c);

int rsp_regs_read_all(struct rsp *r);
int rsp_regs_write_all(struct rsp *r, struct hex_cursor *c);
int rsp_regs_read_one(struct rsp *r, struct hex_cursor *c);
int rsp_regs_write_one(struct rsp *r, struct hex_cursor *c);

int xfer_features(struct rsp *r, struct hex_cursor *c);
int xfer_threads(struct rsp *r, struct hex_cursor *c);

#endif
