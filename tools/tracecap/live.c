/*
 * Live capture from guest RAM (a QEMU memory-backend-file): find trace_ctl,
 * run the kernel's own trace/reader.c on each ring as its consumer, and
 * copy committed records into capture chunks as the guest writes them.
 * Steps T1-T6 in docs/tracing.md, "Transport".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tracecap.h"
#include "trace/ring.h"

#define CHUNK_MAX	(256 * 1024)
#define IDLE_SLEEP_US	100

struct live_cpu {
	struct trace_ring_hdr *r;	/* NULL until the ring appears */
	struct trace_reader rd;
	uint8_t buf[CHUNK_MAX + TRACE_REC_MAX];
	uint32_t len;			/* bytes in buf */
	uint64_t chunk_pos;		/* ring position of buf[0] */
	uint64_t seen_overruns, seen_skipped;
	uint64_t records;		/* captured, PAD and LOST excluded */
};

struct live {
	const struct live_opts *o;
	uint8_t *mem;
	size_t mem_len;
	volatile struct trace_ctl *ctl;
	struct live_cpu *cpus[TRACE_MAX_CPUS];
	unsigned int ncpus;		/* highest attached CPU + 1 */
	struct capout out;
};

static volatile sig_atomic_t live_stop;

/* SIGINT, SIGTERM: stop; SIGUSR1: stop, the guest has ended (drain all). */
static void live_on_signal(int sig)
{
	live_stop = sig == SIGUSR1 ? 2 : 1;
}

static double live_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void live_flush(struct live *lv, unsigned int cpu)
{
	struct live_cpu *lc = lv->cpus[cpu];

	if (!lc->len)
		return;
	capout_chunk(&lv->out, TRACE_CHUNK_DATA, (uint16_t)cpu, lc->chunk_pos,
		     __atomic_load_n(&lc->r->written, __ATOMIC_RELAXED),
		     __atomic_load_n(&lc->r->lost, __ATOMIC_RELAXED),
		     lc->buf, lc->len);
	lc->len = 0;
}

/* Does a record at @pos continue the chunk (maybe after a dropped PAD)? */
static bool live_continues(const struct live_cpu *lc, uint64_t pos)
{
	uint64_t end = lc->chunk_pos + lc->len;

	if (pos == end)
		return true;
	return pos > end && pos % TRACE_BLOCK_SIZE == 0 &&
	       pos - end < TRACE_BLOCK_SIZE;
}

/*
 * Copy every committed record of @cpu's ring into its chunk buffer.
 * @final: the guest has stopped; a record that is still open never will
 * be committed, so skip it. Returns the number of records copied.
 */
static uint64_t live_drain(struct live *lv, unsigned int cpu, bool final)
{
	struct live_cpu *lc = lv->cpus[cpu];
	uint64_t rec[TRACE_REC_MAX / 8], n = 0;

	for (;;) {
		int size = trace_reader_next(&lc->rd, rec);
		uint64_t pos;

		if (size == -EAGAIN && final) {
			trace_reader_skip(&lc->rd);
			continue;
		}
		if (size <= 0)
			break;
		pos = lc->rd.pos - (uint64_t)size;
		if (lc->rd.overruns != lc->seen_overruns ||
		    lc->rd.skipped != lc->seen_skipped ||
		    (lc->len && !live_continues(lc, pos))) {
			live_flush(lv, cpu);
			lc->seen_overruns = lc->rd.overruns;
			lc->seen_skipped = lc->rd.skipped;
		}
		if (!lc->len)
			lc->chunk_pos = pos;
		memcpy(lc->buf + lc->len, rec, (size_t)size);
		lc->len += (uint32_t)size;
		if ((rec[0] & 0xffff) != TRACE_LOST)
			lc->records++;
		n++;
		if (lc->len >= CHUNK_MAX)
			live_flush(lv, cpu);
	}
	live_flush(lv, cpu);
	return n;
}

/* Start reading @cpu's ring once the kernel has published it. */
static void live_attach(struct live *lv, unsigned int cpu)
{
	uint64_t phys = lv->ctl->ring_phys[cpu];
	uint64_t bytes = lv->ctl->ring_bytes;
	struct trace_ring_hdr *r;
	struct live_cpu *lc;

	if (!phys || phys + bytes > lv->mem_len)
		return;
	r = (struct trace_ring_hdr *)(lv->mem + phys);
	lc = calloc(1, sizeof(*lc));
	if (!lc)
		return;
	if (trace_reader_init(&lc->rd, r, r->mode == TRACE_MODE_STREAM)) {
		free(lc);
		return;
	}
	lc->r = r;
	lv->cpus[cpu] = lc;
	if (cpu + 1 > lv->ncpus)
		lv->ncpus = cpu + 1;
}

static uint64_t live_poll(struct live *lv, bool final)
{
	uint64_t n = 0;

	for (unsigned int cpu = 0; cpu < TRACE_MAX_CPUS; cpu++) {
		if (!lv->cpus[cpu])
			live_attach(lv, cpu);
		if (lv->cpus[cpu])
			n += live_drain(lv, cpu, final);
	}
	return n;
}

static bool live_should_stop(struct live *lv, double t0)
{
	const struct live_opts *o = lv->o;

	if (live_stop)
		return true;
	if (o->qemu_pid > 0 && kill(o->qemu_pid, 0) && errno == ESRCH) {
		live_stop = 2;
		return true;
	}
	if (o->timeout > 0 && live_now() - t0 > o->timeout)
		return true;
	return o->stop_at_load_done && lv->ctl->load_done;
}

/* Map the memory file once QEMU has made it; wait for trace_ctl. */
static int live_map(struct live *lv, double t0)
{
	const struct live_opts *o = lv->o;
	struct stat st;
	int fd;

	for (;;) {
		fd = open(o->mem, O_RDWR);
		if (fd >= 0 && !fstat(fd, &st) &&
		    (uint64_t)st.st_size >= o->ctl_phys + TRACE_CTL_SIZE)
			break;
		if (fd >= 0)
			close(fd);
		if (live_should_stop(lv, t0)) {
			fprintf(stderr, "tracecap: %s never appeared\n", o->mem);
			return -1;
		}
		usleep(1000);
	}
	lv->mem_len = (size_t)st.st_size;
	lv->mem = mmap(NULL, lv->mem_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);
	close(fd);
	if (lv->mem == MAP_FAILED) {
		perror("tracecap: mmap");
		return -1;
	}
	lv->ctl = (volatile struct trace_ctl *)(lv->mem + o->ctl_phys);
	/* Acquire: pairs with the release store of magic in trace_init(). */
	while (__atomic_load_n(&lv->ctl->magic, __ATOMIC_ACQUIRE) !=
	       TRACE_CTL_MAGIC) {
		if (live_should_stop(lv, t0)) {
			fprintf(stderr, "tracecap: the kernel never set up "
				"trace_ctl (tracing off, or wrong kernel.elf?)\n");
			return -1;
		}
		usleep(200);
	}
	return 0;
}

static void live_report(struct live *lv, double secs)
{
	uint64_t total = 0, lost = 0, missed = 0;

	for (unsigned int cpu = 0; cpu < lv->ncpus; cpu++) {
		struct live_cpu *lc = lv->cpus[cpu];

		if (!lc)
			continue;
		total += lc->records;
		lost += lc->r->lost;
		missed += lc->r->written - lc->records;
		printf("tracecap: cpu %u written %lu lost %lu captured %lu "
		       "missed %lu\n", cpu, (unsigned long)lc->r->written,
		       (unsigned long)lc->r->lost, (unsigned long)lc->records,
		       (unsigned long)(lc->r->written - lc->records));
	}
	printf("tracecap: %lu records in %.2f s (%.0f/s), lost %lu in the "
	       "kernel, %lu written but not captured; %s\n",
	       (unsigned long)total, secs, secs > 0 ? total / secs : 0.0,
	       (unsigned long)lost, (unsigned long)missed, lv->o->out);
}

/* Write a STATS chunk per CPU, the END chunk and the final header. */
static int live_finish(struct live *lv)
{
	struct trace_file_hdr h;
	uint64_t size = 0;

	for (unsigned int cpu = 0; cpu < lv->ncpus; cpu++) {
		struct live_cpu *lc = lv->cpus[cpu];

		if (!lc)
			continue;
		size = lc->r->data_size;
		capout_chunk(&lv->out, TRACE_CHUNK_STATS, (uint16_t)cpu,
			     lc->rd.pos, lc->r->written, lc->r->lost, NULL, 0);
	}
	capout_file_hdr(&h, lv->ncpus, lv->ctl->mode, lv->ctl->tsc_hz,
			lv->ctl->boot_tsc, size);
	return capout_close(&lv->out, &h);
}

/*
 * Capture until QEMU ends, a signal, the timeout, or (optionally) the
 * kernel's trace workload is done. Returns 0, or 1 on an error.
 */
int live_capture(const struct live_opts *o)
{
	struct live lv = { .o = o };
	struct trace_file_hdr h;
	double t0 = live_now(), t1;
	char err[256];
	bool stopping;

	signal(SIGINT, live_on_signal);
	signal(SIGTERM, live_on_signal);
	signal(SIGUSR1, live_on_signal);
	if (capout_open(&lv.out, o->out, err, sizeof(err))) {
		fprintf(stderr, "tracecap: %s\n", err);
		return 1;
	}
	capout_file_hdr(&h, 0, 0, 0, 0, 0);
	capout_header(&lv.out, &h);
	if (live_map(&lv, t0))
		return 1;
	lv.ctl->snapshot_req++;		/* name the tasks that already exist */
	t1 = live_now();
	do {
		stopping = live_should_stop(&lv, t0);
		if (!live_poll(&lv, false) && !stopping)
			usleep(IDLE_SLEEP_US);
	} while (!stopping);
	live_poll(&lv, live_stop == 2);
	if (live_finish(&lv)) {
		fprintf(stderr, "tracecap: writing %s failed\n", o->out);
		return 1;
	}
	if (!o->quiet)
		live_report(&lv, live_now() - t1);
	return 0;
}
