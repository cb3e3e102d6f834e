/*
 * Host benchmark of the trace record path: the kernel's emit code, built
 * with -O2 and no sanitizers, recording into a 1 MiB flight-recorder ring:
 * the switch record inline, as sched_switch_to() makes it, and the marker
 * through its call. Prints the best of several runs; `make bench` collects
 * the lines. The rdtsc line is the floor: a loop of bare rdtsc, which
 * every record executes once.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "trace/local.h"
#include "trace/emit.h"

#define EVENTS	(4 * 1000 * 1000)
#define RUNS	5

static alignas(64) uint8_t mem[TRACE_RING_HDR_SIZE + (1 << 20)];

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double run_switch(struct trace_ring_hdr *r)
{
	double t = now_ns();

	for (uint32_t i = 0; i < EVENTS; i++)
		trace_emit_switch(r, i, i + 1, TRACE_STATE_SLEEPING, 0, 0);
	return (now_ns() - t) / EVENTS;
}

static double run_marker(struct trace_ring_hdr *r)
{
	double t = now_ns();

	for (uint64_t i = 0; i < EVENTS; i++)
		trace_emit_marker(r, i, i);
	return (now_ns() - t) / EVENTS;
}

static double run_rdtsc(void)
{
	volatile uint64_t sink;
	double t = now_ns();

	for (uint32_t i = 0; i < EVENTS; i++)
		sink = local_clock();
	(void)sink;
	return (now_ns() - t) / EVENTS;
}

int main(void)
{
	struct trace_ring_hdr *r = (void *)mem;
	double best = 1e9, marker = 1e9, floor = 1e9, ns;

	if (trace_ring_init(r, sizeof(mem), 0, TRACE_MODE_OVERWRITE))
		return 1;
	for (int i = 0; i < RUNS; i++) {
		ns = run_switch(r);
		best = ns < best ? ns : best;
		ns = run_marker(r);
		marker = ns < marker ? ns : marker;
		ns = run_rdtsc();
		floor = ns < floor ? ns : floor;
	}
	printf("bench: trace_host_ns_per_event %.2f ns (switch, inline; "
	       "%.2f above the rdtsc floor)\n", best, best - floor);
	printf("bench: trace_host_marker_ns %.2f ns (with its call)\n", marker);
	printf("bench: trace_host_rdtsc_floor %.2f ns\n", floor);
	return r->written == (uint64_t)RUNS * EVENTS * 2 ? 0 : 1;
}
