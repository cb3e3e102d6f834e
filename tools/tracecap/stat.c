/*
 * Counting what a capture holds, for the flood test and the transport
 * benchmark: per CPU the ring's final written/lost counters and the
 * records captured; per flood step and CPU the TRACE_MARKER records
 * (kernel/trace_load.c: a = step << 32 | cpu); per record type, the
 * records captured (all CPUs). Reads the file with
 * trace2perfetto's checked capture reader.
 */
#include <stdlib.h>
#include <string.h>

#include "tracecap.h"
#include "tools/trace2perfetto/capture.h"

#define STEPS 16

static uint8_t *stat_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Print "stat: ..." lines for the capture at @path. Returns 0 or 1. */
int stat_capture(const char *path)
{
	static uint64_t markers[STEPS][TRACE_MAX_CPUS];
	static uint64_t types[TRACE_TYPE_COUNT];
	struct capture c;
	struct capture_rec r;
	char err[256];
	size_t len = 0;
	uint8_t *buf = stat_read(path, &len);

	if (!buf || capture_open(&c, buf, len, false, err, sizeof(err))) {
		fprintf(stderr, "tracecap: %s: %s\n", path, buf ? err : "cannot read");
		return 1;
	}
	while (capture_next(&c, &r)) {
		const struct trace_marker *m = (const void *)r.h;

		if (r.h->type == TRACE_MARKER && (m->a >> 32) < STEPS &&
		    r.cpu < TRACE_MAX_CPUS)
			markers[m->a >> 32][r.cpu]++;
		if (r.h->type < TRACE_TYPE_COUNT)
			types[r.h->type]++;
	}
	for (unsigned int cpu = 0; cpu < c.ncpus; cpu++) {
		struct capture_cpu *cc = &c.cpus[cpu];

		printf("stat: cpu %u written %lu lost %lu captured %lu gaps %lu\n",
		       cpu, (unsigned long)cc->written, (unsigned long)cc->lost,
		       (unsigned long)cc->records, (unsigned long)cc->gaps);
	}
	for (unsigned int s = 0; s < STEPS; s++) {
		for (unsigned int cpu = 0; cpu < c.ncpus && cpu < TRACE_MAX_CPUS;
		     cpu++) {
			if (markers[s][cpu])
				printf("stat: marker step %u cpu %u captured %lu\n",
				       s, cpu, (unsigned long)markers[s][cpu]);
		}
	}
	for (unsigned int t = 0; t < TRACE_TYPE_COUNT; t++) {
		if (types[t])
			printf("stat: type %u captured %lu\n", t,
			       (unsigned long)types[t]);
	}
	capture_close(&c);
	free(buf);
	return 0;
}
