/*
 * Host unit tests for the trace ring (trace/emit.c, ring.c, reader.c):
 * round trips of every record type, wrap-around in both modes, exact loss
 * accounting, half-written and corrupt records, and nesting, played by
 * trace_nest_hook between a record's reservation and its commit.
 */
#include <stdalign.h>
#include <stdint.h>

#include "types.h"
#include "trace/emit.h"
#include "tests/harness.h"

#define SMALL	(2 * TRACE_BLOCK_SIZE)		/* the smallest ring */

static alignas(64) uint8_t ring_mem[TRACE_RING_HDR_SIZE + 64 * 1024];
static alignas(64) uint8_t snap_mem[sizeof(ring_mem)];

union rec {
	struct trace_hdr h;
	struct trace_lost lost;
	struct trace_sched_switch sw;
	struct trace_sched_wakeup wk;
	struct trace_task_new tn;
	struct trace_task_exit tx;
	struct trace_task_rename rn;
	struct trace_irq_entry ie;
	struct trace_irq_exit ix;
	struct trace_exception ex;
	struct trace_ipi ipi;
	struct trace_boot_stage bs;
	struct trace_counter ct;
	struct trace_timer_tick tt;
	struct trace_syscall_enter se;
	struct trace_syscall_exit sx;
	struct trace_ipc ipc;
	struct trace_page_fault pf;
	struct trace_marker mk;
	struct trace_ipc_switch is;
	struct trace_ipc_reply_recv rr;
	uint64_t w[TRACE_REC_MAX / 8];
};

static struct trace_ring_hdr *ring_new(uint64_t data_size, int mode)
{
	struct trace_ring_hdr *r = (void *)ring_mem;

	if (trace_ring_init(r, trace_ring_bytes(data_size), 3, mode))
		return NULL;
	trace_nest_hook = NULL;
	return r;
}

TEST(init_rejects_bad_args)
{
	struct trace_ring_hdr *r = (void *)ring_mem;
	struct trace_reader rd;

	CHECK_EQ(trace_ring_init(ring_mem + 8, sizeof(ring_mem) - 64, 0, 0), -EINVAL);
	CHECK_EQ(trace_ring_init(r, trace_ring_bytes(SMALL) - 8, 0, 0), -EINVAL);
	CHECK_EQ(trace_ring_init(r, trace_ring_bytes(SMALL), 0, 7), -EINVAL);
	CHECK_EQ(trace_ring_init(r, trace_ring_bytes(SMALL) + 4096, 1, 1), 0);
	CHECK_EQ(r->data_size, SMALL);
	CHECK_EQ(r->limit, SMALL);
	CHECK_EQ(trace_reader_init(&rd, r, false), 0);
	r->data_mask = 5;
	CHECK_EQ(trace_reader_init(&rd, r, false), -EINVAL);
	__builtin_memset(r, 0x5a, sizeof(*r));
	CHECK_EQ(trace_reader_init(&rd, r, false), -EINVAL);
}

TEST(empty_ring_reads_nothing)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_OVERWRITE);
	struct trace_reader rd;
	union rec u;

	CHECK(r);
	CHECK_EQ(trace_reader_init(&rd, r, true), 0);
	CHECK_EQ(trace_reader_next(&rd, &u), 0);
	CHECK_EQ(r->written, 0);
}

static const char name_a[TRACE_NAME_LEN] = "init";
static const char name_b[TRACE_NAME_LEN] = "fifteen-chars-x";

static void emit_one_of_each(struct trace_ring_hdr *r)
{
	trace_emit_switch(r, 1, 2, TRACE_STATE_SLEEPING, 10, -3);
	trace_emit_wakeup(r, 2, 7, 1, 5);
	trace_emit_task_new(r, 7, 7, 2, TRACE_TASK_F_KERNEL, name_a);
	trace_emit_task_exit(r, 7, 7, -9);
	trace_emit_task_rename(r, 8, name_b);
	trace_emit_irq_entry(r, 32, trace_name8("timer"));
	trace_emit_irq_exit(r, 32, 1);
	trace_emit_exception(r, 13, 0x10, 0xffffffff80001234ull);
	trace_emit_ipi(r, TRACE_IPI_SEND, 0xf0, 2);
	trace_emit_ipi(r, TRACE_IPI_RECV, 0xf1, 0);
	trace_emit_boot_stage(r, 4, TRACE_STAGE_END);
	trace_emit_counter(r, TRACE_COUNTER_FREE_PAGES, 123456);
	trace_emit_tick(r, 99);
	trace_emit_syscall_enter(r, 60, 1, 2, 3);
	trace_emit_syscall_exit(r, 60, -38);
	trace_emit_ipc(r, TRACE_IPC_CALL, 5, 9, 0xabcdef);
	trace_emit_page_fault(r, 0x1000, 0x401000, 6);
	trace_emit_marker(r, 11, 22);
	trace_emit_ipc_switch(r, TRACE_IPC_CALL_SWITCH, 5, 9, 0x43);
	trace_emit_ipc_reply_recv(r, TRACE_IPC_REPLY_WAKE_RECV, 5, 9, 0x44, 10,
				  0x45);
}

static const uint16_t each_type[] = {
	TRACE_SCHED_SWITCH, TRACE_SCHED_WAKEUP, TRACE_TASK_NEW,
	TRACE_TASK_EXIT, TRACE_TASK_RENAME, TRACE_IRQ_ENTRY, TRACE_IRQ_EXIT,
	TRACE_EXCEPTION, TRACE_IPI_SEND, TRACE_IPI_RECV, TRACE_BOOT_STAGE,
	TRACE_COUNTER, TRACE_TIMER_TICK, TRACE_SYSCALL_ENTER,
	TRACE_SYSCALL_EXIT, TRACE_IPC_CALL, TRACE_PAGE_FAULT, TRACE_MARKER,
	TRACE_IPC_CALL_SWITCH, TRACE_IPC_REPLY_WAKE_RECV,
};

TEST(every_type_round_trips)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_OVERWRITE);
	struct trace_reader rd;
	union rec u[ARRAY_SIZE(each_type)];
	uint64_t tsc = 0;

	emit_one_of_each(r);
	CHECK_EQ(r->written, ARRAY_SIZE(each_type));
	CHECK_EQ(trace_reader_init(&rd, r, false), 0);
	for (size_t i = 0; i < ARRAY_SIZE(each_type); i++) {
		CHECK_EQ(trace_reader_next(&rd, &u[i]), trace_rec_size[each_type[i]]);
		CHECK_EQ(u[i].h.type, each_type[i]);
		CHECK_EQ(u[i].h.flags, TRACE_F_COMMIT);
		CHECK(u[i].h.tsc >= tsc);
		tsc = u[i].h.tsc;
	}
	CHECK_EQ(trace_reader_next(&rd, &u[0]), 0);
	CHECK_EQ(rd.records, ARRAY_SIZE(each_type));
	CHECK_EQ(u[0].sw.prev_tid, 1);
	CHECK_EQ(u[0].sw.next_tid, 2);
	CHECK_EQ(u[0].sw.prev_state, TRACE_STATE_SLEEPING);
	CHECK_EQ(u[0].sw.next_prio, -3);
	CHECK_EQ(u[1].wk.target_cpu, 1);
	CHECK_EQ(u[1].wk.reserved, 0);
	CHECK(!memcmp(u[2].tn.name, name_a, TRACE_NAME_LEN));
	CHECK_EQ(u[2].tn.flags, TRACE_TASK_F_KERNEL);
	CHECK_EQ(u[3].tx.exit_code, -9);
	CHECK(!memcmp(u[4].rn.name, name_b, TRACE_NAME_LEN));
	CHECK(!memcmp(u[5].ie.name, "timer\0\0\0", 8));
	CHECK_EQ(u[7].ex.rip, 0xffffffff80001234ull);
	CHECK_EQ(u[8].ipi.cpu, 2);
	CHECK_EQ(u[11].ct.value, 123456);
	CHECK_EQ(u[13].se.args[2], 3);
	CHECK_EQ(u[14].sx.ret, -38);
	CHECK_EQ(u[15].ipc.tag, 0xabcdef);
	CHECK_EQ(u[16].pf.error_code, 6);
	CHECK_EQ(u[17].mk.b, 22);
	CHECK_EQ(u[18].is.partner_tid, 9);
	CHECK_EQ(u[18].is.tag, 0x43);
	CHECK_EQ(u[19].rr.endpoint, 5);
	CHECK_EQ(u[19].rr.partner_tid, 9);
	CHECK_EQ(u[19].rr.tag, 0x44);
	CHECK_EQ(u[19].rr.recv_tid, 10);
	CHECK_EQ(u[19].rr.reserved, 0);
	CHECK_EQ(u[19].rr.recv_tag, 0x45);
}

/* Read every marker; check a is consecutive. Returns markers read. */
static long read_markers(struct trace_reader *rd, uint64_t *next_a,
			 uint64_t *lost_total)
{
	union rec u;
	long n = 0;
	int ret;

	while ((ret = trace_reader_next(rd, &u)) > 0) {
		if (u.h.type == TRACE_LOST) {
			*lost_total = u.lost.lost_total;
			continue;
		}
		if (u.h.type != TRACE_MARKER || u.mk.b != ~u.mk.a)
			return -1;
		if (*next_a != ~0ull && u.mk.a != *next_a)
			return -2;
		*next_a = u.mk.a + 1;
		n++;
	}
	return ret == 0 ? n : -3;
}

TEST(overwrite_wraps_and_keeps_newest)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_OVERWRITE);
	struct trace_reader rd;
	uint64_t next = ~0ull, lost = 0;
	const uint64_t n = 10000;
	long got;

	for (uint64_t i = 0; i < n; i++)
		trace_emit_marker(r, i, ~i);
	CHECK_EQ(r->written, n);
	CHECK_EQ(r->lost, 0);
	CHECK_EQ(trace_reader_init(&rd, r, false), 0);
	got = read_markers(&rd, &next, &lost);
	CHECK(got > 0);
	CHECK_EQ(next, n);		/* ends with the newest */
	CHECK_EQ(rd.overruns, 1);
	/* one block of 128 markers goes in the resync; pads cost one each */
	CHECK(got >= (long)(SMALL / 32 - 128 - 2));
	CHECK_EQ(rd.records, (uint64_t)got);
}

TEST(overwrite_reader_follows_writer)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_OVERWRITE);
	struct trace_reader rd;
	uint64_t next = ~0ull, lost = 0, i = 0;
	long total = 0, got;

	CHECK_EQ(trace_reader_init(&rd, r, true), 0);
	for (int round = 0; round < 50; round++) {
		for (int k = 0; k < 31 * (round % 7 + 1); k++, i++)
			trace_emit_marker(r, i, ~i);
		got = read_markers(&rd, &next, &lost);
		CHECK(got >= 0);
		total += got;
	}
	CHECK_EQ(rd.overruns, 0);	/* never more than a ring behind */
	CHECK_EQ((uint64_t)total, i);
	CHECK_EQ(r->written, i);
	CHECK_EQ(r->tail, rd.pos);
}

TEST(stream_drops_newest_exactly)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_STREAM);
	struct trace_reader rd;
	uint64_t next = ~0ull, lost = 0;
	const uint64_t n = 1000;
	long got;

	for (uint64_t i = 0; i < n; i++)
		trace_emit_marker(r, i, ~i);
	/* 128 markers per block; nothing is read, so two blocks' worth */
	CHECK_EQ(r->written, 256);
	CHECK_EQ(r->lost, n - 256);
	CHECK_EQ(trace_reader_init(&rd, r, true), 0);
	got = read_markers(&rd, &next, &lost);
	CHECK_EQ(got, 256);
	CHECK_EQ(next, 256);		/* the oldest were kept */
	CHECK_EQ(lost, 0);
	/* Room again: the next record is preceded by the loss record. */
	trace_emit_marker(r, 5000, ~5000ull);
	next = ~0ull;
	got = read_markers(&rd, &next, &lost);
	CHECK_EQ(got, 1);
	CHECK_EQ(lost, n - 256);
	CHECK_EQ(r->lost_reported, n - 256);
	CHECK_EQ(r->written + r->lost, n + 1);
}

TEST(stream_accounting_with_partial_reads)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_STREAM);
	struct trace_reader rd;
	uint64_t lost = 0, produced = 0, seen = 0, last_lost = 0;
	union rec u;
	int ret;

	CHECK_EQ(trace_reader_init(&rd, r, true), 0);
	for (int round = 0; round < 200; round++) {
		for (int k = 0; k < 97 + round % 151; k++, produced++) {
			if (produced % 3)
				trace_emit_marker(r, produced, ~produced);
			else
				trace_emit_syscall_enter(r, 1, produced, 0, 0);
		}
		for (int k = 0; k < 113 && (ret = trace_reader_next(&rd, &u)) > 0; k++) {
			uint64_t a = u.h.type == TRACE_MARKER ? u.mk.a : u.se.args[0];

			if (u.h.type == TRACE_LOST) {
				CHECK(u.lost.lost_total > last_lost);
				last_lost = u.lost.lost_total;
				continue;
			}
			/* every gap in the sequence is a counted loss */
			CHECK(a >= seen);
			lost += a - seen;
			seen = a + 1;
		}
	}
	while ((ret = trace_reader_next(&rd, &u)) > 0) {
		uint64_t a = u.h.type == TRACE_MARKER ? u.mk.a : u.se.args[0];

		if (u.h.type == TRACE_LOST)
			continue;
		lost += a - seen;
		seen = a + 1;
	}
	CHECK_EQ(ret, 0);
	lost += produced - seen;
	CHECK(r->lost > 0);
	CHECK_EQ(r->written + r->lost, produced);
	CHECK_EQ(rd.records, r->written);
	CHECK_EQ(lost, r->lost);
}

TEST(records_never_cross_blocks)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_OVERWRITE);
	struct trace_reader rd;
	union rec u;
	int ret, n = 0;

	CHECK_EQ(trace_reader_init(&rd, r, false), 0);
	for (int i = 0; i < 300; i++) {
		trace_emit_task_new(r, i, i, 0, 0, name_a);	/* 48 */
		trace_emit_tick(r, i);				/* 24 */
		trace_emit_exception(r, 1, 2, 3);		/* 40 */
		do {
			ret = trace_reader_next(&rd, &u);
			CHECK(ret >= 0);
			if (ret > 0) {
				CHECK_EQ((rd.pos - ret) / TRACE_BLOCK_SIZE,
					 (rd.pos - 1) / TRACE_BLOCK_SIZE);
				n++;
			}
		} while (ret > 0);
	}
	CHECK_EQ(n, 900);
	CHECK_EQ(rd.corrupt, 0);
}

/*
 * The inline emitters' slow path (their trace_retry_*() twins): pads at
 * block ends (48-byte records leave 16 bytes), exact drops when the
 * stream is full, the TRACE_LOST owed before the next record that fits.
 */
TEST(inline_records_pad_drop_and_retry)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_STREAM);
	struct trace_reader rd;
	union rec u;
	uint64_t n = 0;
	long ret;

	for (uint64_t i = 0; i < 400; i++)
		trace_emit_syscall_enter(r, (uint32_t)i, i, ~i, 7);
	CHECK_EQ(r->written, 2 * (TRACE_BLOCK_SIZE / 48));	/* 85 a block */
	CHECK_EQ(r->lost, 400 - r->written);
	CHECK_EQ(trace_reader_init(&rd, r, true), 0);
	while ((ret = trace_reader_next(&rd, &u)) > 0) {
		CHECK_EQ(ret, 48);
		CHECK_EQ(u.se.h.type, TRACE_SYSCALL_ENTER);
		CHECK_EQ(u.se.nr, n);
		CHECK_EQ(u.se.reserved, 0);
		CHECK_EQ(u.se.args[1], ~n);
		CHECK_EQ((rd.pos - ret) / TRACE_BLOCK_SIZE,
			 (rd.pos - 1) / TRACE_BLOCK_SIZE);
		n++;
	}
	CHECK_EQ(ret, 0);
	CHECK_EQ(n, r->written);
	trace_emit_switch(r, 4, 5, TRACE_STATE_SLEEPING, 0, -1);
	CHECK_EQ(trace_reader_next(&rd, &u), (long)sizeof(struct trace_lost));
	CHECK_EQ(u.lost.lost_total, 400 - n);
	CHECK_EQ(trace_reader_next(&rd, &u), 32);
	CHECK_EQ(u.sw.prev_tid, 4);
	CHECK_EQ(u.sw.next_tid, 5);
	CHECK_EQ(u.sw.prev_state, TRACE_STATE_SLEEPING);
	CHECK_EQ(u.sw.prev_prio, 0);
	CHECK_EQ(u.sw.next_prio, -1);
	CHECK_EQ(r->written + r->lost, 401);
}

static struct trace_ring_hdr *hook_ring;
static int hook_calls;

/* An "interrupt" that records while the outer record is open. */
static void hook_nest(struct trace_ring_hdr *r, int where)
{
	struct trace_reader rd;
	union rec u;

	if (where != TRACE_HOOK_COMMIT || hook_calls++)
		return;		/* not yet, or the nested record's own commit */
	trace_emit_marker(r, 2, ~2ull);
	/* The outer record is open: a reader stops there, whole nested or not. */
	trace_reader_init(&rd, r, false);
	CHECK_EQ(trace_reader_next(&rd, &u), 32);	/* marker 0 */
	CHECK_EQ(trace_reader_next(&rd, &u), -EAGAIN);
	hook_ring = r;
}

TEST(nested_record_while_open)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_OVERWRITE);
	struct trace_reader rd;
	uint64_t next = ~0ull, lost = 0;

	trace_emit_marker(r, 0, ~0ull);
	hook_calls = 0;
	hook_ring = NULL;
	trace_nest_hook = hook_nest;
	trace_emit_marker(r, 1, ~1ull);
	trace_nest_hook = NULL;
	CHECK(hook_ring == r);
	CHECK_EQ(r->written, 3);
	CHECK_EQ(trace_reader_init(&rd, r, false), 0);
	CHECK_EQ(read_markers(&rd, &next, &lost), 3);	/* 0, 1, 2 in order */
	CHECK_EQ(next, 3);
}

/*
 * An "interrupt" between the outer record's load of head and its clock
 * read: its cmpxchg must fail and the retry take a later time stamp (were
 * the clock read first, the outer record would sit after the nested one
 * with an older stamp).
 */
static void hook_before_cmpxchg(struct trace_ring_hdr *r, int where)
{
	if (where != TRACE_HOOK_RESERVE || hook_calls++)
		return;
	trace_emit_marker(r, 2, ~2ull);
}

TEST(nested_record_before_reservation)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_OVERWRITE);
	struct trace_reader rd;
	union rec u[3];

	trace_emit_marker(r, 0, ~0ull);
	hook_calls = 0;
	trace_nest_hook = hook_before_cmpxchg;
	trace_emit_marker(r, 1, ~1ull);	/* loses the cmpxchg, retries */
	trace_nest_hook = NULL;
	CHECK_EQ(r->written, 3);
	CHECK_EQ(trace_reader_init(&rd, r, false), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(trace_reader_next(&rd, &u[i]), 32);
	CHECK_EQ(trace_reader_next(&rd, &u[0]), 0);
	CHECK_EQ(u[1].mk.a, 2);		/* the nested one got in first */
	CHECK_EQ(u[2].mk.a, 1);
	CHECK(u[1].h.tsc <= u[2].h.tsc);	/* and ring order is time order */
	CHECK_EQ(rd.pos, 96);			/* no space wasted */
}

/* The same with an inline emitter outside: its retry twin takes over. */
TEST(nested_record_before_inline_reservation)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_OVERWRITE);
	struct trace_reader rd;
	union rec u[2];

	hook_calls = 0;
	trace_nest_hook = hook_before_cmpxchg;
	trace_emit_irq_exit(r, 0x40, 1);	/* loses the cmpxchg, retries */
	trace_nest_hook = NULL;
	CHECK_EQ(r->written, 2);
	CHECK_EQ(trace_reader_init(&rd, r, false), 0);
	CHECK_EQ(trace_reader_next(&rd, &u[0]), 32);	/* the nested marker */
	CHECK_EQ(trace_reader_next(&rd, &u[1]), 24);
	CHECK_EQ(u[1].ix.vector, 0x40);
	CHECK_EQ(u[1].ix.handled, 1);
	CHECK(u[0].h.tsc <= u[1].h.tsc);
	CHECK_EQ(rd.pos, 56);
}

/* A dump taken between reservation and commit: the CPU "died" there. */
static void hook_snapshot(struct trace_ring_hdr *r, int where)
{
	if (where == TRACE_HOOK_COMMIT && !hook_calls++)
		memcpy(snap_mem, r, sizeof(snap_mem));
}

TEST(half_written_record_detected)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_OVERWRITE);
	struct trace_ring_hdr *dump = (void *)snap_mem;
	struct trace_reader rd;
	union rec u;

	for (int i = 0; i < 10; i++)
		trace_emit_marker(r, i, ~(uint64_t)i);
	hook_calls = 0;
	trace_nest_hook = hook_snapshot;
	trace_emit_marker(r, 10, ~10ull);	/* half-written in the dump */
	trace_nest_hook = NULL;
	CHECK_EQ(trace_reader_init(&rd, dump, false), 0);
	for (int i = 0; i < 10; i++)
		CHECK_EQ(trace_reader_next(&rd, &u), 32);
	CHECK_EQ(trace_reader_next(&rd, &u), -EAGAIN);
	CHECK_EQ(trace_reader_next(&rd, &u), -EAGAIN);	/* stays unreadable */
	trace_reader_skip(&rd);
	CHECK_EQ(rd.pos, TRACE_BLOCK_SIZE);
	CHECK_EQ(trace_reader_next(&rd, &u), 0);
	CHECK_EQ(rd.records, 10);
	/* The live ring has it whole. */
	CHECK_EQ(trace_reader_init(&rd, r, false), 0);
	for (int i = 0; i < 11; i++)
		CHECK_EQ(trace_reader_next(&rd, &u), 32);
	CHECK_EQ(u.mk.a, 10);
}

TEST(stale_lap_is_not_a_record)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_OVERWRITE);
	struct trace_reader rd;
	union rec u;

	/* Fill one lap, then reserve past it without committing. */
	for (uint64_t i = 0; i < SMALL / 32; i++)
		trace_emit_marker(r, i, ~i);
	r->head += 32;		/* reserved, not committed: old lap's bytes */
	CHECK_EQ(trace_reader_init(&rd, r, false), 0);
	rd.pos = SMALL;
	CHECK_EQ(trace_reader_next(&rd, &u), -EAGAIN);
}

/*
 * The writer stores a commit word's first half (type, size, flags) before
 * its seq: a record caught between the two is not whole, in a fresh ring's
 * first record (where an all-zero seq would match position 0) and over an
 * older lap.
 */
TEST(first_half_without_seq_is_not_whole)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_OVERWRITE);
	uint32_t *at0 = (uint32_t *)(ring_mem + TRACE_RING_HDR_SIZE);
	uint32_t first = (uint32_t)TRACE_COMMIT_WORD(TRACE_MARKER, 32,
						     TRACE_F_COMMIT, 0);
	struct trace_reader rd;
	union rec u;

	r->head = 32;			/* reserved at 0, first half stored */
	at0[0] = first;
	CHECK_EQ(trace_reader_init(&rd, r, false), 0);
	CHECK_EQ(trace_reader_next(&rd, &u), -EAGAIN);
	at0[1] = TRACE_SEQ(0);		/* the commit */
	CHECK_EQ(trace_reader_next(&rd, &u), 32);

	for (uint64_t i = 1; i < SMALL / 32; i++)
		trace_emit_marker(r, i, ~i);
	r->head += 32;			/* the next lap's first, half stored */
	at0[0] = first;
	CHECK_EQ(trace_reader_init(&rd, r, false), 0);
	rd.pos = SMALL;
	CHECK_EQ(trace_reader_next(&rd, &u), -EAGAIN);
}

TEST(corrupt_commit_word_skips_block)
{
	struct trace_ring_hdr *r = ring_new(SMALL, TRACE_MODE_OVERWRITE);
	struct trace_reader rd;
	uint64_t *w = (uint64_t *)(ring_mem + TRACE_RING_HDR_SIZE + 64);
	union rec u;

	for (int i = 0; i < 200; i++)
		trace_emit_marker(r, i, ~(uint64_t)i);
	/* record #2 claims 40 bytes: not what a marker is */
	*w = TRACE_COMMIT_WORD(TRACE_MARKER, 40, TRACE_F_COMMIT, TRACE_SEQ(64));
	CHECK_EQ(trace_reader_init(&rd, r, false), 0);
	CHECK_EQ(trace_reader_next(&rd, &u), 32);
	CHECK_EQ(trace_reader_next(&rd, &u), 32);
	CHECK_EQ(trace_reader_next(&rd, &u), 32);
	CHECK_EQ(rd.corrupt, 1);
	CHECK_EQ(u.mk.a, TRACE_BLOCK_SIZE / 32);
}

TEST(name8_packs_and_pads)
{
	CHECK_EQ(trace_name8("ab"), 0x6261);
	CHECK_EQ(trace_name8(""), 0);
	CHECK_EQ(trace_name8("123456789"), 0x3837363534333231ull);
}

static const struct harness_test tests[] = {
	T(init_rejects_bad_args),
	T(empty_ring_reads_nothing),
	T(every_type_round_trips),
	T(overwrite_wraps_and_keeps_newest),
	T(overwrite_reader_follows_writer),
	T(stream_drops_newest_exactly),
	T(stream_accounting_with_partial_reads),
	T(records_never_cross_blocks),
	T(inline_records_pad_drop_and_retry),
	T(nested_record_while_open),
	T(nested_record_before_reservation),
	T(nested_record_before_inline_reservation),
	T(half_written_record_detected),
	T(stale_lap_is_not_a_record),
	T(first_half_without_seq_is_not_whole),
	T(corrupt_commit_word_skips_block),
	T(name8_packs_and_pads),
};

HARNESS_MAIN("trace_ring", tests)
