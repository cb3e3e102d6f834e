/*
 * A Loupe trace capture file (trace/record.h: file header, then chunks of
 * per-CPU records) checked and indexed in one pass, then read back as a
 * single stream of records merged across CPUs in time-stamp order.
 */
#ifndef T2P_CAPTURE_H
#define T2P_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/record.h"

struct capture_chunk {
	size_t off;		/* payload offset in the file */
	size_t len;
	uint64_t pos;		/* ring position of the payload's first byte */
	bool gap;		/* does not start where this CPU's last chunk ended */
};

struct capture_cpu {
	struct capture_chunk *chunks;
	size_t n, cap;
	uint64_t written;	/* ring counters from the last chunk header */
	uint64_t lost;
	uint64_t records;	/* whole records captured, PAD/LOST excluded */
	uint64_t gaps;		/* chunks that did not start where the last ended */
	uint64_t end_pos;	/* ring position after the last chunk */
	uint64_t block;		/* ring block size, from the file header */
	/* Merge cursor, used by capture_next(). */
	size_t ci;
	size_t ri;
	uint64_t next_tsc;
	bool gap_pending;	/* the cursor crossed into a chunk after a gap */
};

struct capture {
	const uint8_t *buf;
	size_t len;
	struct trace_file_hdr hdr;
	unsigned int ncpus;
	struct capture_cpu *cpus;
	uint64_t records;	/* over all CPUs */
	bool complete;		/* the END chunk was seen */
	size_t bad_off;		/* offset of the first problem, if any */
	char warning[200];	/* that problem, when partial kept going */
};

/* One record handed out by capture_next(). */
struct capture_rec {
	const struct trace_hdr *h;	/* points into the file */
	unsigned int cpu;
	bool gap;		/* records were lost on this CPU just before */
};

int capture_open(struct capture *c, const void *buf, size_t len, bool partial,
		 char *err, size_t errlen);
void capture_close(struct capture *c);
void capture_rewind(struct capture *c);
bool capture_next(struct capture *c, struct capture_rec *r);

#endif
