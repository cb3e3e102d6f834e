/*
 * A fake target for the RSP engine's host tests: a small memory array with
 * a read-only tail, three threads (one with only callee-saved registers),
 * breakpoint and resume bookkeeping, a monitor, and an I/O capture buffer.
 */
#ifndef GDBSTUB_TESTS_FAKE_TARGET_H
#define GDBSTUB_TESTS_FAKE_TARGET_H

#include "gdbstub/rsp.h"

#define FAKE_MEM_BASE	0x1000u
#define FAKE_MEM_SIZE	0x2000u		/* readable */
#define FAKE_MEM_RW	0x1000u		/* writable prefix */
#define FAKE_MAX_BP	32
#define FAKE_OUT_SIZE	(1 << 20)

struct fake_bp {
	int type;
	uint64_t addr;
	uint64_t kind;
};

struct fake_target {
	uint8_t mem[FAKE_MEM_SIZE];
	struct gdbreg_image regs[3];	/* tid 1..3 */
	struct fake_bp bp[FAKE_MAX_BP];
	int nbp;
	struct gdbstub_action acts[GDBSTUB_MAX_ACTIONS];
	int nacts;
	int resumes, detaches, resets;
	struct gdbstub_stop stop;
	char last_monitor[256];

	/* I/O capture: everything the engine sent. */
	char out[FAKE_OUT_SIZE];
	size_t out_len;
	int flushes;

	/* Input for rsp_poll(). */
	const uint8_t *in;
	size_t in_len, in_pos;
	bool in_reset;		/* report GDBSTUB_IO_RESET at the end */

	struct rsp rsp;
	struct gdbstub_io_ops io;
};

extern const struct gdbstub_target_ops fake_target_ops;

void fake_init(struct fake_target *f);
enum rsp_event fake_feed(struct fake_target *f, const char *bytes);
enum rsp_event fake_feed_n(struct fake_target *f, const void *bytes,
			   size_t n);
bool fake_out_is(struct fake_target *f, const char *expect);
void fake_out_clear(struct fake_target *f);
const char *fake_pkt(const char *payload);
size_t fake_unframe(const char *out, char *payload, size_t max);

#endif
