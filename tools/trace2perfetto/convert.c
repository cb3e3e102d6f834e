/*
 * The heart of trace2perfetto: walks the capture's records in time order
 * and turns them into Perfetto packets. This file handles the scheduler
 * side (sched_switch chains, wakeups, task lifetime, IRQs) as per-CPU
 * ftrace bundles, announces tasks in the process tree, and owns the
 * per-CPU and counter tracks; thread.c and boot.c do the rest.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "kernel/types.h"

#define CONVERT_DEFAULT_HZ 1000000000ull
#define T2P_STR2(x) #x
#define T2P_STR(x) T2P_STR2(x)

static uint64_t convert_ns(const struct convert *cv, uint64_t tsc)
{
	/* Time zero is kernel entry; earlier stamps (other CPUs' skew) clamp. */
	if (tsc <= cv->boot_tsc)
		return 0;
	return (uint64_t)(((unsigned __int128)(tsc - cv->boot_tsc) *
			   cv->ns_mult) >> 32);
}

/* "sym+0x12" with a kernel ELF, "0xffffffff80101234" without. */
void convert_addr(const struct convert *cv, uint64_t addr, char *buf,
		  size_t len)
{
	if (cv->opts.ksyms && cv->opts.ksyms->n)
		ksym_format(cv->opts.ksyms, addr, buf, len);
	else
		snprintf(buf, len, "0x%" PRIx64, addr);
}

/* The "CPU N events" track (exceptions, IPIs, losses, markers). */
uint64_t convert_cpu_track(struct convert *cv, unsigned int cpu)
{
	char name[32];

	if (!cv->cpus[cpu].events_track) {
		snprintf(name, sizeof(name), "CPU %u events", cpu);
		track_named(cv->out, UUID_CPU_EVENTS(cpu), 0, name);
		cv->cpus[cpu].events_track = true;
	}
	return UUID_CPU_EVENTS(cpu);
}

/*
 * Put @p in the process tree: a leader as a process (named by cmdline[0])
 * and every task as a thread of its process, so the UI groups threads.
 */
static void convert_announce(struct convert *cv, struct task *p, uint64_t ts)
{
	struct pb *pb = cv->out;
	struct task *leader = p;

	if (p->tid == TRACE_TID_IDLE)
		return;
	if (p->pid != p->tid) {
		leader = task_get(&cv->tasks, p->pid);
		if (leader && !leader->known)
			convert_announce(cv, leader, ts);
	}
	p->known = true;
	pb_begin(pb, 1);
	pb_uint(pb, 8, ts);
	pb_begin(pb, 2);
	if (leader == p) {
		struct task *parent = task_find(&cv->tasks, p->parent);

		pb_begin(pb, 1);
		pb_int(pb, 1, p->pid);
		pb_int(pb, 2, parent ? parent->pid : 0);
		pb_string(pb, 3, p->name);
		pb_end(pb);
	}
	pb_begin(pb, 2);
	pb_int(pb, 1, p->tid);
	pb_string(pb, 2, p->name);
	pb_int(pb, 3, p->pid);
	pb_end(pb);
	pb_end(pb);
	pb_end(pb);
	pb_maybe_flush(pb);
}

/* The task @tid, announced if this is the first time it is seen. */
static struct task *convert_task(struct convert *cv, uint32_t tid, uint64_t ts)
{
	struct task *p = task_get(&cv->tasks, tid);

	if (p && !p->known)
		convert_announce(cv, p, ts);
	return p;
}

static void convert_switch(struct convert *cv, uint64_t ts, unsigned int cpu,
			   const struct trace_sched_switch *r)
{
	struct convert_cpu *c = &cv->cpus[cpu];
	struct task *prev = convert_task(cv, r->prev_tid, ts);
	struct task *next = convert_task(cv, r->next_tid, ts);
	struct task *was;

	if (!prev || !next)
		return;
	if (c->have_cur && c->cur != r->prev_tid) {
		/* Records were lost: close the chain so no slice stays open. */
		was = convert_task(cv, c->cur, ts);
		if (was)
			ftrace_switch(&c->ft, ts, was->name, (int32_t)was->tid,
				      was->prio, TRACE_STATE_RUNNABLE,
				      prev->name, (int32_t)prev->tid,
				      prev->prio);
		cv->stats.chain_repairs++;
	}
	prev->prio = r->prev_prio;
	next->prio = r->next_prio;
	ftrace_switch(&c->ft, ts, prev->name, (int32_t)prev->tid, prev->prio,
		      r->prev_state, next->name, (int32_t)next->tid, next->prio);
	c->cur = r->next_tid;
	c->have_cur = true;
}

/*
 * The IPC fast path's record: the TRACE_IPC_CALL or _REPLY it stands for,
 * then its TRACE_SCHED_SWITCH, as if both had been recorded; after a
 * call, also the server's TRACE_IPC_RECV, at the same instant (the slow
 * path records it when the server takes the call), so the server's
 * serve slice opens that its REPLY closes. The switch is from the thread
 * this CPU's chain last switched to: the sender ran the fast path there.
 * Before this CPU's first switch (a flight recording's oldest records
 * are gone) that thread is unknown: the chain starts at the partner.
 */
static void convert_ipc_switch(struct convert *cv, uint64_t ts,
			       unsigned int cpu,
			       const struct trace_ipc_switch *r)
{
	struct convert_cpu *c = &cv->cpus[cpu];
	uint32_t sender = c->cur;
	bool known = c->have_cur;
	struct trace_ipc ipc = {
		.h = r->h, .endpoint = r->endpoint,
		.partner_tid = r->partner_tid, .tag = r->tag };
	struct trace_sched_switch sw = {
		.h = r->h, .prev_tid = sender,
		.next_tid = r->partner_tid,
		.prev_state = TRACE_STATE_SLEEPING };

	ipc.h.type = r->h.type == TRACE_IPC_CALL_SWITCH ? TRACE_IPC_CALL
							 : TRACE_IPC_REPLY;
	ipc.h.size = sizeof(ipc);
	sw.h.type = TRACE_SCHED_SWITCH;
	sw.h.size = sizeof(sw);
	thread_ipc(cv, ts, cpu, &ipc);
	if (known) {
		convert_switch(cv, ts, cpu, &sw);
	} else {
		c->cur = r->partner_tid;
		c->have_cur = true;
	}
	if (r->h.type == TRACE_IPC_CALL_SWITCH) {
		ipc.h.type = TRACE_IPC_RECV;
		ipc.partner_tid = known ? sender : 0;
		thread_ipc(cv, ts, cpu, &ipc);
	}
}

static void convert_wakeup(struct convert *cv, uint64_t ts, unsigned int cpu,
			   const struct trace_sched_wakeup *r)
{
	struct task *p = convert_task(cv, r->wakee_tid, ts);

	if (!p)
		return;
	p->prio = r->wakee_prio;
	ftrace_waking(&cv->cpus[cpu].ft, ts, r->waker_tid, p->name,
		      (int32_t)p->tid, p->prio, r->target_cpu);
}

/*
 * An IPC call or reply that woke its partner onto this CPU: the
 * TRACE_SCHED_WAKEUP it stands for (from the thread this CPU's chain last
 * switched to), then the TRACE_IPC_CALL or _REPLY itself.
 */
static void convert_ipc_wake(struct convert *cv, uint64_t ts,
			     unsigned int cpu, const struct trace_ipc *r)
{
	struct convert_cpu *c = &cv->cpus[cpu];
	struct trace_sched_wakeup w = {
		.h = r->h, .waker_tid = c->have_cur ? c->cur : 0,
		.wakee_tid = r->partner_tid, .target_cpu = (uint16_t)cpu };
	struct trace_ipc ipc = *r;

	convert_wakeup(cv, ts, cpu, &w);
	ipc.h.type = r->h.type == TRACE_IPC_CALL_WAKE ? TRACE_IPC_CALL
						       : TRACE_IPC_REPLY;
	thread_ipc(cv, ts, cpu, &ipc);
}

/*
 * A reply-and-receive that took a queued call: the TRACE_IPC_REPLY (or
 * _REPLY_WAKE) it stands for, then the TRACE_IPC_RECV of that call.
 */
static void convert_ipc_reply_recv(struct convert *cv, uint64_t ts,
				   unsigned int cpu,
				   const struct trace_ipc_reply_recv *r)
{
	struct trace_ipc ipc = {
		.h = r->h, .endpoint = r->endpoint,
		.partner_tid = r->partner_tid, .tag = r->tag };

	ipc.h.size = sizeof(ipc);
	if (r->h.type == TRACE_IPC_REPLY_WAKE_RECV) {
		ipc.h.type = TRACE_IPC_REPLY_WAKE;
		convert_ipc_wake(cv, ts, cpu, &ipc);
	} else {
		ipc.h.type = TRACE_IPC_REPLY;
		thread_ipc(cv, ts, cpu, &ipc);
	}
	ipc.h.type = TRACE_IPC_RECV;
	ipc.partner_tid = r->recv_tid;
	ipc.tag = r->recv_tag;
	thread_ipc(cv, ts, cpu, &ipc);
}

static void convert_task_new(struct convert *cv, uint64_t ts, unsigned int cpu,
			     const struct trace_task_new *r)
{
	struct task *p = task_get(&cv->tasks, r->tid);

	if (!p)
		return;
	if (p->known) {
		/* A reused tid: a new track and process entry, not the old ones. */
		thread_exit(cv, ts, p);
		p->gen++;
		p->known = false;
		p->track = false;
	}
	p->pid = r->pid;
	p->parent = r->parent_tid;
	task_set_name(p, r->name);
	ftrace_newtask(&cv->cpus[cpu].ft, ts, r->parent_tid, (int32_t)r->tid,
		       p->name, r->flags & TRACE_TASK_F_THREAD ?
		       FTRACE_CLONE_THREAD : 0);
	convert_announce(cv, p, ts);
}

static void convert_task_exit(struct convert *cv, uint64_t ts, unsigned int cpu,
			      const struct trace_task_exit *r)
{
	struct task *p = convert_task(cv, r->tid, ts);

	if (!p || r->tid == TRACE_TID_IDLE)
		return;
	ftrace_free(&cv->cpus[cpu].ft, ts, cv->cpus[cpu].cur, p->name,
		    (int32_t)p->tid, p->prio);
	thread_exit(cv, ts, p);
}

static void convert_rename(struct convert *cv, uint64_t ts, unsigned int cpu,
			   const struct trace_task_rename *r)
{
	struct task *p = convert_task(cv, r->tid, ts);
	char old[TRACE_NAME_LEN + 1];

	if (!p)
		return;
	memcpy(old, p->name, sizeof(old));
	task_set_name(p, r->name);
	ftrace_rename(&cv->cpus[cpu].ft, ts, cv->cpus[cpu].cur, (int32_t)p->tid,
		      old, p->name);
	if (p->pid == p->tid)
		convert_announce(cv, p, ts);	/* the process name follows */
}

static void convert_irq_entry(struct convert *cv, uint64_t ts, unsigned int cpu,
			      const struct trace_irq_entry *r)
{
	char name[sizeof(r->name) + 16];

	task_copy_name(name, r->name, sizeof(r->name));
	if (!name[0])
		snprintf(name, sizeof(name), "vector %u", r->vector);
	ftrace_irq_entry(&cv->cpus[cpu].ft, ts, cv->cpus[cpu].cur,
			 (int32_t)r->vector, name);
}

/* An IPI instant; the k-th send from A to B is drawn to the k-th receipt. */
static void convert_ipi(struct convert *cv, uint64_t ts, unsigned int cpu,
			const struct trace_ipi *r)
{
	bool send = r->h.type == TRACE_IPI_SEND;
	struct track_args a = { .n = 2, .arg = {
		{ .name = "vector", .val = r->vector },
		{ .name = send ? "target_cpu" : "source_cpu", .val = r->cpu },
	} };
	unsigned int src = send ? cpu : r->cpu, dst = send ? r->cpu : cpu;

	if (cv->ipi_sent && src < cv->ncpus && dst < cv->ncpus) {
		size_t i = (size_t)src * cv->ncpus + dst;
		uint32_t k = send ? cv->ipi_sent[i]++ : cv->ipi_recv[i]++;
		uint64_t id = 1ull << 63 | (uint64_t)i << 32 | k;

		if (send)
			a.flow = id;
		else
			a.end_flow = id;
	}
	track_event(cv->out, ts, convert_cpu_track(cv, cpu), TRACK_INSTANT,
		    send ? "IPI send" : "IPI receive", &a);
}

static void convert_counter(struct convert *cv, uint64_t ts, unsigned int cpu,
			    const struct trace_counter *r)
{
	char name[48];

	if (r->id == TRACE_COUNTER_FREE_PAGES) {
		if (!cv->counter_track[r->id])
			track_counter_track(cv->out, UUID_FREE_MEM,
					    "Free memory",
					    TRACK_UNIT_SIZE_BYTES);
		cv->counter_track[r->id] = true;
		track_counter(cv->out, ts, UUID_FREE_MEM,
			      r->value * (int64_t)PAGE_SIZE);
	} else if (r->id == TRACE_COUNTER_RUNNABLE) {
		if (!cv->cpus[cpu].runnable_track) {
			snprintf(name, sizeof(name), "CPU %u runnable", cpu);
			track_counter_track(cv->out, UUID_CPU_RUNNABLE(cpu),
					    name, 0);
			cv->cpus[cpu].runnable_track = true;
		}
		track_counter(cv->out, ts, UUID_CPU_RUNNABLE(cpu), r->value);
	} else if (r->id < CONVERT_MAX_COUNTERS) {
		if (!cv->counter_track[r->id]) {
			snprintf(name, sizeof(name), "counter %u", r->id);
			track_counter_track(cv->out, UUID_COUNTER(r->id),
					    name, 0);
			cv->counter_track[r->id] = true;
		}
		track_counter(cv->out, ts, UUID_COUNTER(r->id), r->value);
	} else {
		cv->stats.dropped++;
	}
}

/* A LOST record or a gap between chunks: flag the bundle, mark the time. */
static void convert_lost(struct convert *cv, uint64_t ts, unsigned int cpu,
			 const char *what, uint64_t total)
{
	struct track_args a = { .n = total ? 1 : 0, .arg = {
		{ .name = "lost_total", .val = total } } };

	/* The flag says "lost before this bundle": start a new one. */
	ftrace_flush(&cv->cpus[cpu].ft);
	cv->cpus[cpu].ft.lost = true;
	cv->stats.lost_marks++;
	track_event(cv->out, ts, convert_cpu_track(cv, cpu), TRACK_INSTANT,
		    what, &a);
}

static void convert_marker(struct convert *cv, uint64_t ts, unsigned int cpu,
			   const struct trace_marker *r)
{
	struct track_args a = { .n = 2, .arg = {
		{ .name = "a", .val = r->a }, { .name = "b", .val = r->b } } };

	track_event(cv->out, ts, convert_cpu_track(cv, cpu), TRACK_INSTANT,
		    "marker", &a);
}

/* One record; a decode switch, so long by nature. */
static void convert_record(struct convert *cv, const struct capture_rec *rec)
{
	const struct trace_hdr *h = rec->h;
	uint64_t ts = convert_ns(cv, h->tsc);
	unsigned int cpu = rec->cpu;
	struct convert_cpu *c = &cv->cpus[cpu];

	if (ts > cv->last_ts)
		cv->last_ts = ts;
	cv->stats.events++;
	if (rec->gap)
		convert_lost(cv, ts, cpu, "capture gap (reader overrun)", 0);
	switch (h->type) {
	case TRACE_LOST:
		convert_lost(cv, ts, cpu, "records lost",
			     ((const struct trace_lost *)h)->lost_total);
		break;
	case TRACE_SCHED_SWITCH:
		convert_switch(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_SCHED_WAKEUP:
		convert_wakeup(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_TASK_NEW:
		convert_task_new(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_TASK_EXIT:
		convert_task_exit(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_TASK_RENAME:
		convert_rename(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_IRQ_ENTRY:
		convert_irq_entry(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_IRQ_EXIT: {
		const struct trace_irq_exit *r = (const void *)h;

		ftrace_irq_exit(&c->ft, ts, c->cur, (int32_t)r->vector,
				(int32_t)r->handled);
		break;
	}
	case TRACE_EXCEPTION:
		thread_exception(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_IPI_SEND:
	case TRACE_IPI_RECV:
		convert_ipi(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_BOOT_STAGE:
		boot_stage(cv, ts, (const void *)h);
		break;
	case TRACE_COUNTER:
		convert_counter(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_SYSCALL_ENTER:
		thread_syscall_enter(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_SYSCALL_EXIT:
		thread_syscall_exit(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_IPC_CALL:
	case TRACE_IPC_RECV:
	case TRACE_IPC_REPLY:
		thread_ipc(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_PAGE_FAULT:
		thread_page_fault(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_MARKER:
		convert_marker(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_IPC_CALL_SWITCH:
	case TRACE_IPC_REPLY_SWITCH:
		convert_ipc_switch(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_IPC_CALL_WAKE:
	case TRACE_IPC_REPLY_WAKE:
		convert_ipc_wake(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_IPC_REPLY_RECV:
	case TRACE_IPC_REPLY_WAKE_RECV:
		convert_ipc_reply_recv(cv, ts, cpu, (const void *)h);
		break;
	case TRACE_TIMER_TICK:	/* the timer IRQ slices already show ticks */
	default:
		cv->stats.dropped++;
		break;
	}
}

static void convert_system_info(struct convert *cv)
{
	struct pb *pb = cv->out;

	pb_begin(pb, 1);
	pb_begin(pb, 45);
	pb_begin(pb, 1);
	/* Not "Linux": Perfetto then reads prev_state with the 4.4 layout. */
	pb_string(pb, 1, "Loupe");
	pb_string(pb, 3, "trace v" T2P_STR(TRACE_VERSION));
	pb_end(pb);
	pb_uint(pb, 6, PAGE_SIZE);
	pb_uint(pb, 8, cv->ncpus);
	pb_end(pb);
	pb_end(pb);
}

/*
 * Ftrace stats: a zero start snapshot (rings count from boot) and the
 * final counters, so losses show under "Info and stats". entries is what
 * the ring wrote, overrun what it dropped (full ring, stream mode),
 * read_events what the capture holds, dropped_events the difference
 * (overwritten in flight-recorder mode, or written after the last chunk).
 */
static void convert_ftrace_stats(struct convert *cv, int phase, uint64_t ts)
{
	struct pb *pb = cv->out;

	pb_begin(pb, 1);
	pb_uint(pb, 8, ts);
	pb_begin(pb, 34);
	pb_uint(pb, 1, phase);
	for (unsigned int i = 0; i < cv->ncpus; i++) {
		const struct capture_cpu *c = &cv->cap->cpus[i];
		uint64_t missing = c->written > c->records ?
				   c->written - c->records : 0;

		pb_begin(pb, 2);
		pb_uint(pb, 1, i);
		if (phase == 2) {
			pb_uint(pb, 2, c->written);
			pb_uint(pb, 3, c->lost);
			pb_uint(pb, 8, missing);
			pb_uint(pb, 9, c->records);
		}
		pb_end(pb);
	}
	pb_end(pb);
	pb_end(pb);
}

/* Returns 0 or -ENOMEM. */
int convert_init(struct convert *cv, struct pb *out, const struct capture *cap,
		 const struct convert_opts *opts)
{
	uint64_t hz = cap->hdr.tsc_hz ? cap->hdr.tsc_hz : CONVERT_DEFAULT_HZ;
	size_t pairs = (size_t)cap->ncpus * cap->ncpus;

	memset(cv, 0, sizeof(*cv));
	cv->out = out;
	cv->cap = cap;
	cv->opts = *opts;
	cv->ncpus = cap->ncpus;
	cv->boot_tsc = cap->hdr.boot_tsc;
	cv->ns_mult = (uint64_t)(((unsigned __int128)1000000000u << 32) / hz);
	cv->next_flow = 1;
	cv->cpus = calloc(cv->ncpus, sizeof(*cv->cpus));
	if (!cv->cpus || task_table_init(&cv->tasks))
		return -ENOMEM;
	if (cv->ncpus <= CONVERT_IPI_FLOW_CPUS) {
		cv->ipi_sent = calloc(pairs, sizeof(*cv->ipi_sent));
		cv->ipi_recv = calloc(pairs, sizeof(*cv->ipi_recv));
		if (!cv->ipi_sent || !cv->ipi_recv)
			return -ENOMEM;
	}
	for (unsigned int i = 0; i < cv->ncpus; i++) {
		if (ftrace_cpu_init(&cv->cpus[i].ft, i, out))
			return -ENOMEM;
	}
	return 0;
}

/* Convert the whole capture; errors are left in cv->out->err. */
void convert_run(struct convert *cv)
{
	struct capture_rec rec;

	convert_system_info(cv);
	track_sequence_start(cv->out);
	convert_ftrace_stats(cv, 1, 0);
	capture_rewind((struct capture *)cv->cap);
	while (capture_next((struct capture *)cv->cap, &rec))
		convert_record(cv, &rec);
	for (unsigned int i = 0; i < cv->ncpus; i++)
		ftrace_flush(&cv->cpus[i].ft);
	convert_ftrace_stats(cv, 2, cv->last_ts);
	pb_flush(cv->out);
}

void convert_free(struct convert *cv)
{
	for (unsigned int i = 0; cv->cpus && i < cv->ncpus; i++)
		ftrace_cpu_free(&cv->cpus[i].ft);
	free(cv->cpus);
	free(cv->ipi_sent);
	free(cv->ipi_recv);
	task_table_free(&cv->tasks);
	cv->cpus = NULL;
}
