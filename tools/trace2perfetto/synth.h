/*
 * Writes Loupe capture files in memory, record by record, exactly as the
 * ring and the capture tool lay them out (trace/record.h): used by the
 * benchmark and by the test generator, so neither hand-copies a layout.
 */
#ifndef T2P_SYNTH_H
#define T2P_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/record.h"

struct synth_cpu {
	uint8_t *chunk;		/* records not yet cut into a chunk */
	size_t len, cap;
	uint64_t chunk_pos;	/* ring position of chunk[0] */
	uint64_t pos;		/* next ring position */
	uint64_t written;
	uint64_t lost;
};

struct synth {
	uint8_t *buf;		/* the file so far */
	size_t len, cap;
	unsigned int ncpus;
	struct synth_cpu *cpus;
	int err;
	bool drop_pads;		/* leave PADs out, as a capture reader may */
};

int synth_init(struct synth *s, unsigned int ncpus, uint64_t tsc_hz,
	       uint64_t boot_tsc, int mode);
void synth_free(struct synth *s);
void *synth_rec(struct synth *s, unsigned int cpu, uint16_t type,
		uint64_t tsc);
void synth_cut(struct synth *s, unsigned int cpu);
void synth_skip(struct synth *s, unsigned int cpu, uint64_t bytes,
		uint64_t records);
void synth_end(struct synth *s);

#endif
