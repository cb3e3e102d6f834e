/*
 * The slow transport: a console log holding a ring dump (kernel/
 * trace_dump.c: "trace-dump: begin|cpu|r|end" lines, anywhere in the
 * line, so serial prefixes do not matter) turned into a capture file.
 * Records of one CPU with consecutive ring positions become one chunk.
 */
#include <stdlib.h>
#include <string.h>

#include "tracecap.h"

#define TAG "trace-dump: "

struct dump {
	struct capout out;
	struct trace_file_hdr h;
	int cpu;			/* CPU of the pending chunk, -1 none */
	uint64_t written, lost, size;
	uint8_t buf[1 << 20];
	uint32_t len;
	uint64_t pos;			/* ring position of buf[0] */
	unsigned int ncpus;
	uint64_t records;
};

static void dump_flush(struct dump *d)
{
	if (d->len)
		capout_chunk(&d->out, TRACE_CHUNK_DATA, (uint16_t)d->cpu, d->pos,
			     d->written, d->lost, d->buf, d->len);
	d->len = 0;
}

static int dump_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex digits up to the end of the line (\n or \r\n) -> bytes; -1 if bad. */
static int dump_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	for (; dump_nibble(s[0]) >= 0; s += 2) {
		if (dump_nibble(s[1]) < 0 || n == max)
			return -1;
		out[n++] = (uint8_t)(dump_nibble(s[0]) << 4 | dump_nibble(s[1]));
	}
	return *s && *s != '\r' && *s != '\n' ? -1 : (int)n;
}

static int dump_record(struct dump *d, const char *s)
{
	unsigned int cpu;
	unsigned long pos;
	int off, n;
	uint8_t rec[TRACE_REC_MAX];

	if (sscanf(s, "r %u %lx %n", &cpu, &pos, &off) != 2 || (int)cpu != d->cpu)
		return -1;
	n = dump_hex(s + off, rec, sizeof(rec));
	if (n < (int)sizeof(struct trace_hdr) || n % TRACE_ALIGN)
		return -1;
	if (d->len && (d->pos + d->len != pos || d->len + n > sizeof(d->buf)))
		dump_flush(d);
	if (!d->len)
		d->pos = pos;
	memcpy(d->buf + d->len, rec, (size_t)n);
	d->len += (uint32_t)n;
	d->records++;
	return 0;
}

static int dump_line(struct dump *d, const char *s)
{
	unsigned int v, ncpus, mode, cpu;
	unsigned long hz, boot, w, l, size;

	if (!strncmp(s, "r ", 2))
		return dump_record(d, s);
	dump_flush(d);
	if (sscanf(s, "begin v%u ncpus %u tsc_hz %lu boot_tsc %lu mode %u",
		   &v, &ncpus, &hz, &boot, &mode) == 5) {
		capout_file_hdr(&d->h, 0, mode, hz, boot, 0);
		return v == TRACE_VERSION ? 0 : -1;
	}
	if (sscanf(s, "cpu %u written %lu lost %lu size %lu", &cpu, &w, &l,
		   &size) == 4) {
		d->cpu = (int)cpu;
		d->written = w;
		d->lost = l;
		d->h.ring_size = size;
		if (cpu + 1 > d->ncpus)
			d->ncpus = cpu + 1;
		capout_chunk(&d->out, TRACE_CHUNK_STATS, (uint16_t)cpu, 0, w, l,
			     NULL, 0);
		return 0;
	}
	return strncmp(s, "end", 3) ? -1 : 1;
}

/* Convert the first dump in the console log @log into capture @out. */
int dump_convert(const char *log, const char *out)
{
	static struct dump d;
	FILE *f = fopen(log, "r");
	char line[1024], err[256];
	int state = 0, lineno = 0;

	if (!f || capout_open(&d.out, out, err, sizeof(err))) {
		fprintf(stderr, "tracecap: cannot open %s or %s\n", log, out);
		return 1;
	}
	d.cpu = -1;
	capout_file_hdr(&d.h, 0, 0, 0, 0, 0);
	capout_header(&d.out, &d.h);
	while (state != 1 && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, TAG);

		lineno++;
		if (!p)
			continue;
		state = dump_line(&d, p + strlen(TAG));
		if (state < 0) {
			fprintf(stderr, "tracecap: %s:%d: bad dump line\n", log,
				lineno);
			return 1;
		}
	}
	fclose(f);
	dump_flush(&d);
	if (state != 1) {
		fprintf(stderr, "tracecap: %s: no complete trace dump (no "
			"\"trace-dump: end\")\n", log);
		return 1;
	}
	d.h.ncpus = (uint16_t)d.ncpus;
	if (capout_close(&d.out, &d.h))
		return 1;
	printf("tracecap: %lu records from %u CPUs in the dump; %s\n",
	       (unsigned long)d.records, d.ncpus, out);
	return 0;
}
