/*
 * trace2perfetto: convert a Loupe trace capture into a Perfetto protobuf
 * trace for ui.perfetto.dev. The thin command line over capture.c (check
 * and read), convert.c (model and emit) and ksym.c / catalog.c (names).
 *
 *   trace2perfetto <capture> -o <out.pftrace> [--kernel ELF]
 *                  [--stages CATALOG] [--partial] [--quiet]
 *   trace2perfetto --bench [EVENTS]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "capture.h"
#include "catalog.h"
#include "convert.h"
#include "ksym.h"
#include "pb.h"

#ifndef T2P_STAGES_DEFAULT
#define T2P_STAGES_DEFAULT "boot-stages/stages.catalog"
#endif

struct args {
	const char *in;
	const char *out;
	const char *kernel;
	const char *stages;
	bool stages_given;
	bool partial;
	bool quiet;
	bool bench;
	long bench_events;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: trace2perfetto <capture> -o <out.pftrace> [--kernel ELF]\n"
		"                      [--stages CATALOG] [--partial] [--quiet]\n"
		"       trace2perfetto --bench [EVENTS]\n"
		"Converts a Loupe trace capture into a Perfetto trace.\n"
		"  --kernel ELF      symbolize kernel addresses (build/kernel.elf)\n"
		"  --stages CATALOG  boot-stage names (default %s)\n"
		"  --partial         on bad input, warn and convert what precedes it\n"
		"  --bench [EVENTS]  convert a synthetic capture, print events/s\n",
		T2P_STAGES_DEFAULT);
	exit(2);
}

static void parse_args(struct args *a, int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	a->stages = T2P_STAGES_DEFAULT;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		bool more = i + 1 < argc;

		if (!strcmp(s, "-o") && more)
			a->out = argv[++i];
		else if (!strcmp(s, "--kernel") && more)
			a->kernel = argv[++i];
		else if (!strcmp(s, "--stages") && more)
			a->stages = argv[++i], a->stages_given = true;
		else if (!strcmp(s, "--partial"))
			a->partial = true;
		else if (!strcmp(s, "--quiet") || !strcmp(s, "-q"))
			a->quiet = true;
		else if (!strcmp(s, "--bench"))
			a->bench = true;
		else if (a->bench && !a->bench_events && s[0] != '-')
			a->bench_events = atol(s);
		else if (s[0] != '-' && !a->in)
			a->in = s;
		else
			usage();
	}
	if (!a->bench && (!a->in || !a->out))
		usage();
}

/* Map @path read-only; returns the length or -1 with a message printed. */
static long map_file(const char *path, const void **buf)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "trace2perfetto: %s: %s\n", path, strerror(errno));
		return -1;
	}
	*buf = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ,
				 MAP_PRIVATE, fd, 0) : "";
	close(fd);
	if (*buf == MAP_FAILED) {
		fprintf(stderr, "trace2perfetto: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return (long)st.st_size;
}

/* Catalog and symbols: missing defaults are fine, missing explicit ones not. */
static int load_names(const struct args *a, struct catalog *cat,
		      struct ksym_table *ks)
{
	char err[300];

	if (catalog_load(cat, a->stages, err, sizeof(err))) {
		if (a->stages_given) {
			fprintf(stderr, "trace2perfetto: %s\n", err);
			return -1;
		}
		if (!a->quiet)
			fprintf(stderr, "trace2perfetto: note: %s; boot stages "
				"are named by number\n", err);
	}
	if (a->kernel && ksym_load(ks, a->kernel, err, sizeof(err))) {
		fprintf(stderr, "trace2perfetto: %s\n", err);
		return -1;
	}
	return 0;
}

static void summary(const struct args *a, const struct capture *cap,
		    const struct convert *cv, long out_bytes)
{
	uint64_t lost = 0;

	for (unsigned int i = 0; i < cap->ncpus; i++)
		lost += cap->cpus[i].lost;
	fprintf(stderr, "trace2perfetto: %llu records from %u CPUs -> %s "
		"(%ld bytes); lost in kernel %llu, loss marks %llu, "
		"chain repairs %llu, unmatched ends %llu\n",
		(unsigned long long)cv->stats.events, cap->ncpus, a->out,
		out_bytes, (unsigned long long)lost,
		(unsigned long long)cv->stats.lost_marks,
		(unsigned long long)cv->stats.chain_repairs,
		(unsigned long long)cv->stats.unmatched_ends);
}

/* False only when both sides have a build-id and they differ. */
static bool build_id_matches(const struct capture *cap,
			     const struct ksym_table *ks)
{
	static const uint8_t none[20];

	return !memcmp(cap->hdr.build_id, none, 20) ||
	       !memcmp(ks->build_id, none, 20) ||
	       !memcmp(cap->hdr.build_id, ks->build_id, 20);
}

/* Check, then convert @buf into @a->out. Returns the exit status. */
static int convert_file(const struct args *a, const void *buf, size_t len,
			const struct convert_opts *opts)
{
	struct capture cap;
	struct convert cv;
	struct stat st;
	struct pb pb;
	char err[300];
	bool regular;
	FILE *f;
	int ret = 1;

	memset(&cv, 0, sizeof(cv));
	if (capture_open(&cap, buf, len, a->partial, err, sizeof(err))) {
		fprintf(stderr, "trace2perfetto: %s: %s\n", a->in, err);
		capture_close(&cap);
		return 1;
	}
	if (opts->ksyms->n && !a->quiet && !build_id_matches(&cap, opts->ksyms))
		fprintf(stderr, "trace2perfetto: warning: %s's build-id differs "
			"from the capture's: symbols may be wrong\n", a->kernel);
	if (cap.warning[0])
		fprintf(stderr, "trace2perfetto: warning: %s: %s; converting "
			"the %llu records before it\n", a->in, cap.warning,
			(unsigned long long)cap.records);
	f = fopen(a->out, "wb");
	if (!f) {
		fprintf(stderr, "trace2perfetto: %s: %s\n", a->out,
			strerror(errno));
		capture_close(&cap);
		return 1;
	}
	regular = !fstat(fileno(f), &st) && S_ISREG(st.st_mode);
	if (pb_init(&pb, f) || convert_init(&cv, &pb, &cap, opts)) {
		fprintf(stderr, "trace2perfetto: out of memory\n");
		pb.err = pb.err ? pb.err : -ENOMEM;
	} else {
		convert_run(&cv);
	}
	if (!pb.err && !fflush(f) && !ferror(f))
		ret = 0;
	if (!ret && !a->quiet)
		summary(a, &cap, &cv, ftell(f));
	if (fclose(f) || ret) {
		fprintf(stderr, "trace2perfetto: %s: %s\n", a->out,
			pb.err ? strerror(-pb.err) : "write failed");
		if (regular)	/* never unlink /dev/full and its kin */
			unlink(a->out);
		ret = 1;
	}
	convert_free(&cv);
	pb_free(&pb);
	capture_close(&cap);
	return ret;
}

int main(int argc, char **argv)
{
	struct convert_opts opts = { 0 };
	struct ksym_table ks = { 0 };
	struct catalog cat = { 0 };
	const void *buf;
	struct args a;
	long len;
	int ret;

	parse_args(&a, argc, argv);
	if (a.bench)
		return bench_run(a.bench_events);
	if (load_names(&a, &cat, &ks))
		return 1;
	opts.ksyms = &ks;
	opts.stages = &cat;
	len = map_file(a.in, &buf);
	if (len < 0)
		return 1;
	ret = convert_file(&a, buf, (size_t)len, &opts);
	ksym_free(&ks);
	catalog_free(&cat);
	return ret;
}
