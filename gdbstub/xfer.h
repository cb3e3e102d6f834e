/*
 * qXfer documents (target description, thread list) are rendered whole on
 * every request into a window: only bytes [offset, offset + len) are kept,
 * so no document is ever stored and any window GDB asks for is served.
 */
#ifndef GDBSTUB_XFER_H
#define GDBSTUB_XFER_H

#include "types.h"

struct xfer {
	uint8_t *out;		/* window buffer */
	size_t skip;		/* document offset of out[0] */
	size_t cap;		/* bytes out can take */
	size_t pos;		/* document bytes rendered so far */
};

void xfer_put(struct xfer *x, const char *s);
void xfer_put_xml(struct xfer *x, const char *s);
void xfer_put_dec(struct xfer *x, uint64_t v);
size_t xfer_kept(const struct xfer *x);

#endif
