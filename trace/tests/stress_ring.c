/*
 * Concurrency stress for the trace ring, built with ThreadSanitizer: one
 * writer thread per simulated CPU, each with its own ring, nesting played
 * by trace_nest_hook (an "interrupt" records at every 16th hook call, both
 * before the reserving cmpxchg and before the commit),
 * and one reader thread reading all rings while they are written. Checks
 * that no record is torn or out of order and that written + lost ==
 * produced, exactly, in both modes.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

#include "types.h"
#include "trace/emit.h"
#include "tests/harness.h"

#define NCPU		4
#define PER_CPU		100000		/* outer records per writer */
#define RING_DATA	(4 * TRACE_BLOCK_SIZE)
#define NEST_EVERY	16
#define MIX		0x9e3779b97f4a7c15ull
#define NESTED		(1ull << 62)	/* nested records: their own sequence */

struct cpu {
	struct trace_ring_hdr *r;
	uint32_t id;
	uint64_t produced;		/* emit calls, nested ones included */
	uint64_t outer, nested;		/* the two sequences produced */
	uint64_t hook_calls;
	/* The reader's view of this ring. */
	struct trace_reader rd;
	uint64_t next[2];		/* next outer, nested number expected */
	uint64_t overruns[2];		/* rd.overruns at the last of each */
	uint64_t gaps;			/* sequence numbers never seen */
	uint64_t tsc;
	uint64_t lost_seen;		/* last TRACE_LOST.lost_total */
	uint64_t errors;
};

static struct cpu cpus[NCPU];

/* A data race ends the run: no PASS line may follow a TSan report. */
const char *__tsan_default_options(void)
{
	return "halt_on_error=1";
}

static int writers_left;
static _Thread_local struct cpu *self;
static _Thread_local int nesting;

/* Record @seq on @c in one of three sizes; the payload checks itself. */
static void produce(struct cpu *c, uint64_t seq)
{
	c->produced++;
	if (seq & NESTED) {
		trace_emit_marker(c->r, seq, seq * MIX ^ c->id);
		return;
	}
	switch (seq % 3) {
	case 0:
		trace_emit_marker(c->r, seq, seq * MIX ^ c->id);
		break;
	case 1:
		trace_emit_syscall_enter(c->r, c->id, seq, ~seq, seq * MIX);
		break;
	default:
		trace_emit_tick(c->r, seq);
		break;
	}
}

/*
 * The "interrupt": a record made while the outer one is open. Its number
 * comes from a separate sequence: one made before the outer record's
 * cmpxchg lands ahead of it in the ring.
 */
static void nest_hook(struct trace_ring_hdr *r, int where)
{
	if (nesting || !self || ++self->hook_calls % NEST_EVERY)
		return;
	nesting = 1;
	produce(self, NESTED | self->nested++);
	nesting = 0;
	(void)r;
	(void)where;
}

static void *writer(void *arg)
{
	struct cpu *c = arg;

	self = c;
	for (int i = 0; i < PER_CPU; i++) {
		produce(c, c->outer++);
		if (i % 512 == 511)	/* let the reader catch up at times */
			sched_yield();
	}
	__atomic_fetch_sub(&writers_left, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Decode one record; returns its sequence number or ~0 if torn. */
static uint64_t check_record(struct cpu *c, uint16_t type, const uint64_t *w,
			     int size)
{
	if (type == TRACE_MARKER && size == 32)
		return w[3] == (w[2] * MIX ^ c->id) && (w[2] % 3 == 0 ||
		       w[2] & NESTED) ? w[2] : ~0ull;
	if (type == TRACE_SYSCALL_ENTER && size == 48)
		return (w[2] & 0xffffffff) == c->id && w[4] == ~w[3] &&
		       w[5] == w[3] * MIX ? w[3] : ~0ull;
	if (type == TRACE_TIMER_TICK && size == 24)
		return w[2] % 3 == 2 ? w[2] : ~0ull;
	return ~0ull;
}

/* Read what @c's ring has now. Returns records read. */
static int drain(struct cpu *c)
{
	union {
		struct trace_hdr h;
		uint64_t w[TRACE_REC_MAX / 8];
	} u;
	const struct trace_hdr *h = &u.h;
	const uint64_t *w = u.w;
	uint64_t seq, *next, *overruns;
	int size, n = 0;

	while ((size = trace_reader_next(&c->rd, &u)) > 0) {
		if (h->type == TRACE_LOST) {
			c->errors += w[2] < c->lost_seen;
			c->lost_seen = w[2];
			continue;
		}
		seq = check_record(c, h->type, w, size);
		if (seq == ~0ull || h->tsc < c->tsc) {
			c->errors++;
			continue;
		}
		next = &c->next[!!(seq & NESTED)];
		overruns = &c->overruns[!!(seq & NESTED)];
		seq &= ~NESTED;
		/* In overwrite mode a gap must come with an overrun. */
		if (c->r->mode == TRACE_MODE_OVERWRITE && seq != *next &&
		    c->rd.overruns == *overruns)
			c->errors++;
		*overruns = c->rd.overruns;
		if (seq < *next)
			c->errors++;
		else
			c->gaps += seq - *next;
		*next = seq + 1;
		c->tsc = h->tsc;
		n++;
	}
	return n;
}

static void *reader(void *arg)
{
	int busy = 1;

	(void)arg;
	/* Acquire: pairs with the writers' release decrement. */
	while (__atomic_load_n(&writers_left, __ATOMIC_ACQUIRE) || busy) {
		busy = 0;
		for (int i = 0; i < NCPU; i++)
			busy |= drain(&cpus[i]) > 0;
	}
	return NULL;
}

static int run(int mode)
{
	pthread_t wt[NCPU], rt;

	trace_nest_hook = nest_hook;
	writers_left = NCPU;
	for (int i = 0; i < NCPU; i++) {
		struct cpu *c = &cpus[i];

		free(c->r);
		*c = (struct cpu){ .id = i };
		c->r = aligned_alloc(64, trace_ring_bytes(RING_DATA));
		if (!c->r || trace_ring_init(c->r, trace_ring_bytes(RING_DATA),
					     i, mode) ||
		    trace_reader_init(&c->rd, c->r, true))
			return -1;
	}
	if (pthread_create(&rt, NULL, reader, NULL))
		return -1;
	for (int i = 0; i < NCPU; i++)
		if (pthread_create(&wt[i], NULL, writer, &cpus[i]))
			return -1;
	for (int i = 0; i < NCPU; i++)
		pthread_join(wt[i], NULL);
	pthread_join(rt, NULL);
	for (int i = 0; i < NCPU; i++)
		drain(&cpus[i]);
	return 0;
}

static void report(const char *mode)
{
	for (int i = 0; i < NCPU; i++) {
		struct cpu *c = &cpus[i];

		fprintf(stderr, "%s cpu%d: produced %llu written %llu lost %llu "
			"read %llu overruns %llu errors %llu\n", mode, i,
			(unsigned long long)c->produced,
			(unsigned long long)c->r->written,
			(unsigned long long)c->r->lost,
			(unsigned long long)c->rd.records,
			(unsigned long long)c->rd.overruns,
			(unsigned long long)c->errors);
	}
}

TEST(stream_mode_exact)
{
	CHECK_EQ(run(TRACE_MODE_STREAM), 0);
	report("stream");
	for (int i = 0; i < NCPU; i++) {
		struct cpu *c = &cpus[i];

		CHECK_EQ(c->errors, 0);
		CHECK(c->produced > PER_CPU);		/* nesting happened */
		CHECK_EQ(c->r->written + c->r->lost, c->produced);
		CHECK_EQ(c->rd.records, c->r->written);	/* nothing torn, none lost */
		CHECK_EQ(c->gaps + c->outer - c->next[0] + c->nested - c->next[1],
			 c->r->lost);
		CHECK_EQ(c->rd.overruns, 0);
		CHECK_EQ(c->rd.corrupt, 0);
	}
}

TEST(overwrite_mode_no_torn_records)
{
	CHECK_EQ(run(TRACE_MODE_OVERWRITE), 0);
	report("overwrite");
	for (int i = 0; i < NCPU; i++) {
		struct cpu *c = &cpus[i];

		CHECK_EQ(c->errors, 0);
		CHECK_EQ(c->r->lost, 0);
		CHECK_EQ(c->r->written, c->produced);
		CHECK_EQ(c->next[0], c->outer);		/* the newest arrived */
		CHECK(c->rd.records <= c->r->written);
		CHECK_EQ(c->rd.records + c->gaps + c->nested - c->next[1],
			 c->r->written);
		CHECK_EQ(c->rd.corrupt, 0);
	}
}

static const struct harness_test tests[] = {
	T(stream_mode_exact),
	T(overwrite_mode_no_torn_records),
};

HARNESS_MAIN("trace_stress", tests)
