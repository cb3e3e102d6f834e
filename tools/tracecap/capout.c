/*
 * Writing a capture file (trace/record.h): the file header, chunks of one
 * CPU's records, an END chunk, and the header again at the end when it
 * learned more (the TSC frequency is calibrated after capture starts).
 */
#include <errno.h>
#include <string.h>

#include "tracecap.h"

void capout_file_hdr(struct trace_file_hdr *h, unsigned int ncpus,
		     unsigned int mode, uint64_t tsc_hz, uint64_t boot_tsc,
		     uint64_t ring_size)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, TRACE_FILE_MAGIC, sizeof(h->magic));
	h->version = TRACE_VERSION;
	h->hdr_size = sizeof(*h);
	h->ncpus = (uint16_t)ncpus;
	h->mode = (uint8_t)mode;
	h->tsc_hz = tsc_hz;
	h->boot_tsc = boot_tsc;
	h->ring_size = ring_size;
	h->block_size = TRACE_BLOCK_SIZE;
}

int capout_open(struct capout *o, const char *path, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->f = fopen(path, "wb");
	if (!o->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void capout_header(struct capout *o, const struct trace_file_hdr *h)
{
	fwrite(h, sizeof(*h), 1, o->f);
	o->bytes += sizeof(*h);
}

void capout_chunk(struct capout *o, uint16_t kind, uint16_t cpu, uint64_t pos,
		  uint64_t written, uint64_t lost, const void *data,
		  uint32_t len)
{
	struct trace_chunk_hdr c = {
		.magic = TRACE_CHUNK_MAGIC, .kind = kind, .cpu = cpu,
		.len = len, .pos = pos, .written = written, .lost = lost,
	};

	fwrite(&c, sizeof(c), 1, o->f);
	if (len)
		fwrite(data, len, 1, o->f);
	o->bytes += sizeof(c) + len;
	o->chunks++;
}

/* End the file and rewrite its header with @h. Returns 0 or -1. */
int capout_close(struct capout *o, const struct trace_file_hdr *h)
{
	int bad;

	capout_chunk(o, TRACE_CHUNK_END, 0, 0, 0, 0, NULL, 0);
	bad = fflush(o->f) || fseek(o->f, 0, SEEK_SET) ||
	      fwrite(h, sizeof(*h), 1, o->f) != 1;
	return fclose(o->f) || bad ? -1 : 0;
}
