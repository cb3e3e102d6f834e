/*
 * Measures trace2perfetto's speed: builds a synthetic 4-CPU capture with
 * a kernel-like mix of records (switches, wakeups, IRQs, syscalls, IPC,
 * counters), then times checking and converting it into /dev/null, and
 * prints the figure `make bench` collects:
 *   bench: trace2perfetto_events_per_s <value> events/s
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "capture.h"
#include "convert.h"
#include "synth.h"

#define BENCH_CPUS 4
#define BENCH_DEFAULT_EVENTS 4000000L
#define BENCH_CHUNK 65536	/* bytes per chunk, like a capture reader's */

static void bench_switch(struct synth *s, unsigned int cpu, uint64_t t,
			 uint32_t prev, uint32_t next)
{
	struct trace_sched_switch *r = synth_rec(s, cpu, TRACE_SCHED_SWITCH, t);

	if (r) {
		r->prev_tid = prev;
		r->next_tid = next;
		r->prev_state = TRACE_STATE_SLEEPING;
	}
}

/* One scheduling round on @cpu: about 10 records. */
static void bench_round(struct synth *s, unsigned int cpu, uint64_t t,
			uint32_t tid)
{
	struct trace_syscall_enter *se;
	struct trace_syscall_exit *sx;
	struct trace_irq_entry *ie;
	struct trace_irq_exit *ix;
	struct trace_sched_wakeup *w;
	struct trace_counter *c;

	bench_switch(s, cpu, t, 0, tid);
	se = synth_rec(s, cpu, TRACE_SYSCALL_ENTER, t + 100);
	if (se)
		se->nr = 1;
	ie = synth_rec(s, cpu, TRACE_IRQ_ENTRY, t + 200);
	if (ie) {
		ie->vector = 32;
		memcpy(ie->name, "timer", 5);
	}
	w = synth_rec(s, cpu, TRACE_SCHED_WAKEUP, t + 250);
	if (w) {
		w->waker_tid = tid;
		w->wakee_tid = tid ^ 1;
		w->target_cpu = (uint16_t)cpu;
	}
	ix = synth_rec(s, cpu, TRACE_IRQ_EXIT, t + 300);
	if (ix) {
		ix->vector = 32;
		ix->handled = 1;
	}
	sx = synth_rec(s, cpu, TRACE_SYSCALL_EXIT, t + 400);
	if (sx)
		sx->nr = 1;
	c = synth_rec(s, cpu, TRACE_COUNTER, t + 450);
	if (c) {
		c->id = TRACE_COUNTER_FREE_PAGES;
		c->value = 100000;
	}
	se = synth_rec(s, cpu, TRACE_SYSCALL_ENTER, t + 500);
	if (se)
		se->nr = 0;
	sx = synth_rec(s, cpu, TRACE_SYSCALL_EXIT, t + 600);
	if (sx)
		sx->nr = 0;
	bench_switch(s, cpu, t + 700, tid, 0);
}

static int bench_build(struct synth *s, long events)
{
	if (synth_init(s, BENCH_CPUS, 1000000000, 0, TRACE_MODE_STREAM))
		return -1;
	for (long i = 0; i < events / (10 * BENCH_CPUS) && !s->err; i++) {
		for (unsigned int cpu = 0; cpu < BENCH_CPUS; cpu++) {
			bench_round(s, cpu, 1000 + (uint64_t)i * 1000,
				    100 + 2 * cpu + (uint32_t)(i & 1));
			if (s->cpus[cpu].len >= BENCH_CHUNK)
				synth_cut(s, cpu);
		}
	}
	synth_end(s);
	return s->err;
}

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Returns the exit status. */
int bench_run(long events)
{
	struct convert_opts opts = { 0 };
	struct capture cap;
	struct convert cv;
	struct synth s;
	struct pb pb;
	char err[300];
	double t0, t1;
	FILE *f = fopen("/dev/null", "wb");
	int ret = 1;

	if (events <= 0)
		events = BENCH_DEFAULT_EVENTS;
	if (!f || bench_build(&s, events)) {
		fprintf(stderr, "trace2perfetto: bench: setup failed\n");
		return 1;
	}
	memset(&cv, 0, sizeof(cv));
	t0 = bench_now();
	if (capture_open(&cap, s.buf, s.len, false, err, sizeof(err))) {
		fprintf(stderr, "trace2perfetto: bench: %s\n", err);
		goto out;
	}
	if (pb_init(&pb, f) || convert_init(&cv, &pb, &cap, &opts))
		goto out;
	convert_run(&cv);
	t1 = bench_now();
	ret = pb.err ? 1 : 0;
	printf("bench: trace2perfetto_events_per_s %.0f events/s\n",
	       (double)cv.stats.events / (t1 - t0));
	fprintf(stderr, "trace2perfetto: bench: %llu records, %zu bytes in, "
		"%.3f s\n", (unsigned long long)cv.stats.events, s.len,
		t1 - t0);
	convert_free(&cv);
	pb_free(&pb);
out:
	capture_close(&cap);
	synth_free(&s);
	fclose(f);
	return ret;
}
