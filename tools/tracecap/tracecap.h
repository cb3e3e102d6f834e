/*
 * tracecap: the host side of Loupe's trace transport. Reads the per-CPU
 * rings live out of guest RAM (a QEMU memory-backend-file), or parses a
 * console dump, and writes a capture file (trace/record.h) for
 * tools/trace2perfetto. docs/tracing.md, "Transport".
 */
#ifndef TRACECAP_H
#define TRACECAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trace/record.h"

/* kelf.c: where kernel.elf puts a symbol, as a guest-physical address. */
int kelf_symbol_phys(const char *path, const char *name, uint64_t *phys,
		     uint64_t *size, char *err, size_t errlen);

/* capout.c: writing a capture file. */
struct capout {
	FILE *f;
	uint64_t bytes;
	uint32_t chunks;
};

int capout_open(struct capout *o, const char *path, char *err, size_t errlen);
void capout_header(struct capout *o, const struct trace_file_hdr *h);
void capout_chunk(struct capout *o, uint16_t kind, uint16_t cpu, uint64_t pos,
		  uint64_t written, uint64_t lost, const void *data,
		  uint32_t len);
int capout_close(struct capout *o, const struct trace_file_hdr *h);
void capout_file_hdr(struct trace_file_hdr *h, unsigned int ncpus,
		     unsigned int mode, uint64_t tsc_hz, uint64_t boot_tsc,
		     uint64_t ring_size);

/* live.c: capture from guest RAM. */
struct live_opts {
	const char *mem;	/* the memory-backend file */
	uint64_t ctl_phys;	/* physical address of trace_ctl */
	const char *out;
	int qemu_pid;		/* stop when it ends; 0 = on a signal only */
	double timeout;		/* seconds; 0 = none */
	bool quiet;
	bool stop_at_load_done;	/* stop once trace_ctl.load_done is set */
};

int live_capture(const struct live_opts *o);

/* dump.c: a console log with "trace-dump:" lines -> capture file. */
int dump_convert(const char *log, const char *out);

/* stat.c: counts per CPU and flood markers per step, for tests. */
int stat_capture(const char *path);

#endif
