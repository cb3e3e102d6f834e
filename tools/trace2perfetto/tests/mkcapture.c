/*
 * Writes the small handmade captures trace2perfetto's tests convert, in
 * trace/record.h's format through synth.c, so no test copies a layout:
 *
 *   mkcapture basic|lost|pads|nopads OUT   a scenario
 *   mkcapture bad-magic|bad-record|bad-seq|bad-size|bad-chunk OUT
 *                                   basic, broken; prints the offset the
 *                                   error must name
 *   mkcapture layout OUT            basic; prints "chunk OFF LEN" per chunk
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/trace2perfetto/synth.h"

#define HZ 2000000000ull	/* 2 ticks per ns: exact times in goldens */
#define BOOT 1000ull

static struct synth s;

static uint64_t at(uint64_t ns)
{
	return BOOT + 2 * ns;
}

static void task_new(unsigned int cpu, uint64_t ns, uint32_t tid, uint32_t pid,
		     uint32_t parent, uint32_t flags, const char *name)
{
	struct trace_task_new *r = synth_rec(&s, cpu, TRACE_TASK_NEW, at(ns));

	r->tid = tid;
	r->pid = pid;
	r->parent_tid = parent;
	r->flags = flags;
	strncpy(r->name, name, sizeof(r->name));
}

static void sw(unsigned int cpu, uint64_t ns, uint32_t prev, uint32_t next,
	       uint32_t state)
{
	struct trace_sched_switch *r = synth_rec(&s, cpu, TRACE_SCHED_SWITCH,
						 at(ns));

	r->prev_tid = prev;
	r->next_tid = next;
	r->prev_state = state;
	r->prev_prio = prev ? 20 : 0;
	r->next_prio = next ? 20 : 0;
}

static void wake(unsigned int cpu, uint64_t ns, uint32_t waker, uint32_t wakee,
		 uint16_t target)
{
	struct trace_sched_wakeup *r = synth_rec(&s, cpu, TRACE_SCHED_WAKEUP,
						 at(ns));

	r->waker_tid = waker;
	r->wakee_tid = wakee;
	r->target_cpu = target;
	r->wakee_prio = 20;
}

static void stage(unsigned int cpu, uint64_t ns, uint32_t st, uint32_t what)
{
	struct trace_boot_stage *r = synth_rec(&s, cpu, TRACE_BOOT_STAGE,
					       at(ns));

	r->stage = st;
	r->what = what;
}

static void sys(unsigned int cpu, uint64_t ns, uint32_t nr, bool enter,
		int64_t ret)
{
	if (enter) {
		struct trace_syscall_enter *r =
			synth_rec(&s, cpu, TRACE_SYSCALL_ENTER, at(ns));

		r->nr = nr;
		r->args[0] = 3;
		r->args[1] = 0x7fff0000;
		r->args[2] = 64;
	} else {
		struct trace_syscall_exit *r =
			synth_rec(&s, cpu, TRACE_SYSCALL_EXIT, at(ns));

		r->nr = nr;
		r->ret = ret;
	}
}

static void ipc(unsigned int cpu, uint64_t ns, uint16_t type, uint32_t ep,
		uint32_t partner)
{
	struct trace_ipc *r = synth_rec(&s, cpu, type, at(ns));

	r->endpoint = ep;
	r->partner_tid = partner;
	r->tag = 0x42;
}

/*
 * The IPC fast path's one record per half trip: IPC and switch, from the
 * thread @cpu last switched to.
 */
static void ipc_switch(unsigned int cpu, uint64_t ns, uint16_t type,
		       uint32_t ep, uint32_t partner)
{
	struct trace_ipc_switch *r = synth_rec(&s, cpu, type, at(ns));

	r->endpoint = ep;
	r->partner_tid = partner;
	r->tag = 0x43;
}

/* A reply to @partner that took @next's queued call: one record. */
static void reply_recv(unsigned int cpu, uint64_t ns, uint16_t type,
		       uint32_t ep, uint32_t partner, uint32_t next)
{
	struct trace_ipc_reply_recv *r = synth_rec(&s, cpu, type, at(ns));

	r->endpoint = ep;
	r->partner_tid = partner;
	r->tag = 0x44;
	r->recv_tid = next;
	r->recv_tag = 0x45;
}

static void irq(unsigned int cpu, uint64_t ns, uint32_t vector,
		const char *name)
{
	if (name) {
		struct trace_irq_entry *r = synth_rec(&s, cpu, TRACE_IRQ_ENTRY,
						      at(ns));

		r->vector = vector;
		strncpy(r->name, name, sizeof(r->name));
	} else {
		struct trace_irq_exit *r = synth_rec(&s, cpu, TRACE_IRQ_EXIT,
						     at(ns));

		r->vector = vector;
		r->handled = 1;
	}
}

static void counter(unsigned int cpu, uint64_t ns, uint32_t id, int64_t v)
{
	struct trace_counter *r = synth_rec(&s, cpu, TRACE_COUNTER, at(ns));

	r->id = id;
	r->value = v;
}

/* Boot CPU: stages, tasks, a syscall, an IRQ, the calling side of IPC. */
static void basic_cpu0(void)
{
	struct trace_ipi *ipi;
	struct trace_task_rename *rn;
	struct trace_task_exit *ex;

	stage(0, 1000, 0, TRACE_STAGE_END);
	stage(0, 3000, 1, TRACE_STAGE_END);
	stage(0, 4000, 2, TRACE_STAGE_BEGIN);
	task_new(0, 4100, 1, 1, 0, 0, "init");
	task_new(0, 4200, 4, 4, 0, 0, "server");
	task_new(0, 4300, 2, 2, 0, TRACE_TASK_F_KERNEL, "kworker/0");
	counter(0, 4400, TRACE_COUNTER_FREE_PAGES, 1000);
	stage(0, 5000, 2, TRACE_STAGE_END);
	sw(0, 10000, 0, 1, 0);
	task_new(0, 10500, 3, 1, 1, TRACE_TASK_F_THREAD, "init-worker");
	sys(0, 11000, 0, true, 0);
	irq(0, 11500, 32, "timer");
	irq(0, 11800, 32, NULL);
	sys(0, 12000, 0, false, 5);
	ipc(0, 13000, TRACE_IPC_CALL, 7, 4);
	ipi = synth_rec(&s, 0, TRACE_IPI_SEND, at(13100));
	ipi->vector = 0xf0;
	ipi->cpu = 1;
	sw(0, 13200, 1, 3, TRACE_STATE_SLEEPING);
	synth_cut(&s, 0);
	sys(0, 14000, 9, true, 0);	/* mmap */
	sys(0, 14500, 9, false, 0x7f0000);
	sys(0, 15000, 231, true, 0);	/* exit_group: never returns */
	ex = synth_rec(&s, 0, TRACE_TASK_EXIT, at(15500));
	ex->tid = 3;
	ex->pid = 1;
	sw(0, 15600, 3, 0, TRACE_STATE_DEAD);
	sw(0, 21000, 0, 1, 0);
	rn = synth_rec(&s, 0, TRACE_TASK_RENAME, at(21500));
	rn->tid = 1;
	strncpy(rn->name, "sh", sizeof(rn->name));
	counter(0, 22000, TRACE_COUNTER_FREE_PAGES, 990);
	sw(0, 23000, 1, 0, TRACE_STATE_PREEMPTED);
	/* A fast-path call and reply: each switch must chain. */
	sw(0, 24000, 0, 1, 0);
	ipc_switch(0, 25000, TRACE_IPC_CALL_SWITCH, 7, 4);
	ipc_switch(0, 26000, TRACE_IPC_REPLY_SWITCH, 7, 1);
	sw(0, 27000, 1, 0, TRACE_STATE_SLEEPING);
	/* A slow-path call and reply, each waking its partner here. */
	sw(0, 28000, 0, 1, 0);
	ipc(0, 28500, TRACE_IPC_CALL_WAKE, 7, 4);
	sw(0, 29000, 1, 4, TRACE_STATE_SLEEPING);
	ipc(0, 29500, TRACE_IPC_RECV, 7, 1);
	ipc(0, 30000, TRACE_IPC_REPLY_WAKE, 7, 1);
	sw(0, 30500, 4, 1, TRACE_STATE_SLEEPING);
	sw(0, 31000, 1, 0, TRACE_STATE_SLEEPING);
	/*
	 * A busy server: a reply that takes the next queued call says both
	 * in one record, woken here (init) or elsewhere (client, on CPU 1).
	 */
	task_new(0, 31500, 5, 5, 1, 0, "client");
	sw(0, 32000, 0, 1, 0);
	ipc(0, 32100, TRACE_IPC_CALL_WAKE, 7, 4);
	sw(0, 32200, 1, 5, TRACE_STATE_SLEEPING);
	ipc(0, 32300, TRACE_IPC_CALL, 7, 0);
	sw(0, 32400, 5, 4, TRACE_STATE_SLEEPING);
	ipc(0, 32500, TRACE_IPC_RECV, 7, 1);
	reply_recv(0, 32600, TRACE_IPC_REPLY_WAKE_RECV, 7, 1, 5);
	sw(0, 32700, 4, 1, TRACE_STATE_RUNNABLE);
	ipc(0, 32800, TRACE_IPC_CALL, 7, 0);
	sw(0, 32900, 1, 4, TRACE_STATE_SLEEPING);
	reply_recv(0, 33000, TRACE_IPC_REPLY_RECV, 7, 5, 1);
	wake(0, 33010, 4, 5, 1);
	ipc(0, 33100, TRACE_IPC_REPLY_WAKE, 7, 1);
	sw(0, 33200, 4, 1, TRACE_STATE_SLEEPING);
	sw(0, 33300, 1, 0, TRACE_STATE_SLEEPING);
}

/* Second CPU: the serving side of IPC, an IPI, an exception, a fault. */
static void basic_cpu1(void)
{
	struct trace_ipi *ipi;
	struct trace_exception *e;
	struct trace_page_fault *pf;
	struct trace_marker *m;

	sw(1, 9000, 0, 2, 0);
	e = synth_rec(&s, 1, TRACE_EXCEPTION, at(9500));
	e->vector = 6;
	e->rip = 0xffffffff80101234ull;
	sw(1, 9900, 2, 0, TRACE_STATE_SLEEPING);
	wake(1, 13050, 1, 4, 1);
	ipi = synth_rec(&s, 1, TRACE_IPI_RECV, at(13150));
	ipi->vector = 0xf0;
	ipi->cpu = 0;
	sw(1, 13300, 0, 4, 0);
	ipc(1, 13400, TRACE_IPC_RECV, 7, 1);
	pf = synth_rec(&s, 1, TRACE_PAGE_FAULT, at(13500));
	pf->addr = 0x1000;
	pf->rip = 0x400123;
	pf->error_code = 6;
	ipc(1, 14000, TRACE_IPC_REPLY, 7, 1);
	wake(1, 14100, 4, 1, 0);
	sw(1, 14200, 4, 0, TRACE_STATE_SLEEPING);
	m = synth_rec(&s, 1, TRACE_MARKER, at(20000));
	m->a = 1;
	m->b = 2;
}

static void basic(void)
{
	synth_init(&s, 2, HZ, BOOT, TRACE_MODE_OVERWRITE);
	basic_cpu1();
	synth_cut(&s, 1);	/* CPU 1's chunk first: the merge must sort */
	basic_cpu0();
	synth_end(&s);
}

/* Losses: a LOST record (stream mode) and a reader overrun gap. */
static void lost(void)
{
	struct trace_lost *l;

	synth_init(&s, 2, HZ, BOOT, TRACE_MODE_STREAM);
	task_new(0, 100, 1, 1, 0, 0, "a");
	task_new(0, 110, 2, 2, 0, 0, "b");
	sw(0, 1000, 0, 1, 0);
	s.cpus[0].lost = 5;
	l = synth_rec(&s, 0, TRACE_LOST, at(2000));
	l->lost_total = 5;
	sw(0, 3000, 2, 0, TRACE_STATE_SLEEPING);	/* 1 -> 2 was lost */
	sw(1, 1000, 0, 2, 0);
	synth_skip(&s, 1, 64, 2);
	sw(1, 4000, 1, 0, TRACE_STATE_SLEEPING);	/* 2 -> 1 in the gap */
	synth_end(&s);
}

/*
 * Records across ring blocks, so the ring pads block ends; nopads drops
 * the PADs (a capture may), including one right after a chunk cut.
 */
static void pads(bool drop)
{
	char name[16];

	synth_init(&s, 1, HZ, BOOT, TRACE_MODE_STREAM);
	s.drop_pads = drop;
	for (uint32_t i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "t%u", i);
		task_new(0, 10 * i, 100 + i, 100 + i, 0, 0, name);
		if (s.cpus[0].pos % TRACE_BLOCK_SIZE + trace_rec_size[
		    TRACE_TASK_NEW] > TRACE_BLOCK_SIZE && i < 100)
			synth_cut(&s, 0);	/* the next record pads first */
	}
	for (uint32_t i = 0; i < 200; i++)
		sw(0, 5000 + 10 * i, i ? 99 + i : 0, 100 + i, 0);
	synth_end(&s);
}

/* The file offset of the @n-th record (from 0) of the first chunk. */
static size_t record_off(int n)
{
	size_t off = TRACE_FILE_HDR_SIZE + TRACE_CHUNK_HDR_SIZE;

	while (n--)
		off += ((struct trace_hdr *)(s.buf + off))->size;
	return off;
}

/* The file offset of the @n-th chunk header (from 0). */
static size_t chunk_off(int n)
{
	size_t off = TRACE_FILE_HDR_SIZE;

	while (n--)
		off += TRACE_CHUNK_HDR_SIZE +
		       ((struct trace_chunk_hdr *)(s.buf + off))->len;
	return off;
}

/* Build basic, break it as @how says; returns the offset to report. */
static long broken(const char *how)
{
	struct trace_hdr *h;

	basic();
	h = (struct trace_hdr *)(s.buf + record_off(2));
	if (!strcmp(how, "bad-magic")) {
		s.buf[0] = 'X';
		return 0;
	} else if (!strcmp(how, "bad-record")) {
		h->flags = 0;
	} else if (!strcmp(how, "bad-seq")) {
		h->seq++;
	} else if (!strcmp(how, "bad-size")) {
		h->size = 12;
	} else if (!strcmp(how, "bad-chunk")) {
		((struct trace_chunk_hdr *)(s.buf + chunk_off(1)))->magic = 0;
		return (long)chunk_off(1);
	} else {
		return -1;
	}
	return (long)record_off(2);
}

int main(int argc, char **argv)
{
	long expect = -2;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: mkcapture SCENARIO OUT\n");
		return 2;
	}
	if (!strcmp(argv[1], "basic") || !strcmp(argv[1], "layout"))
		basic();
	else if (!strcmp(argv[1], "lost"))
		lost();
	else if (!strcmp(argv[1], "pads") || !strcmp(argv[1], "nopads"))
		pads(!strcmp(argv[1], "nopads"));
	else
		expect = broken(argv[1]);
	if (expect == -1 || s.err) {
		fprintf(stderr, "mkcapture: bad scenario or no memory\n");
		return 2;
	}
	f = fopen(argv[2], "wb");
	if (!f || fwrite(s.buf, 1, s.len, f) != s.len || fclose(f)) {
		perror(argv[2]);
		return 1;
	}
	if (expect >= 0)
		printf("%ld\n", expect);
	for (int i = 0; !strcmp(argv[1], "layout") && chunk_off(i) < s.len; i++)
		printf("chunk %zu %u\n", chunk_off(i),
		       ((struct trace_chunk_hdr *)(s.buf + chunk_off(i)))->len);
	synth_free(&s);
	return 0;
}
