/*
 * Per-thread slices: syscalls named from the Linux x86_64 table, IPC
 * calls with flow arrows caller -> server -> caller, and exceptions and
 * page faults as instants. Each goes on the thread's own TrackEvent track,
 * which Perfetto merges with the thread's scheduling data. Slices on a
 * track must nest, so each task keeps the stack of slices it has open.
 */
#include <inttypes.h>
#include <stdio.h>

#include "convert.h"
#include "syscall_names.h"
#include <loupe/native.h>

static const char *const thread_vectors[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM no FPU", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

/* Loupe's native calls in enum native_call order (include/loupe/native.h);
 * a call added there without a name here shows as "syscall N". */
static const char *const native_names[] = {
	"ipc_call", "ipc_recv", "ipc_reply", "ipc_reply_recv", "ipc_signal",
	"ipc_wait", "ipc_endpoint_new", "ipc_notify_new", "ipc_cap_mint",
	"ipc_cap_drop", "ipc_notify_bind", "ipc_reply_save", "ipc_reply_to",
	"shm_new", "shm_map", "srv_register", "ioport_grant", "ioport_enable",
	"irq_grant", "irq_bind", "irq_ack",
};

static const char *thread_syscall_name(uint32_t nr, char *buf, size_t len)
{
	if (nr < sizeof(syscall_names) / sizeof(syscall_names[0]) &&
	    syscall_names[nr])
		return syscall_names[nr];
	if (nr - NATIVE_SYS_BASE < sizeof(native_names) / sizeof(native_names[0]))
		return native_names[nr - NATIVE_SYS_BASE];
	snprintf(buf, len, "syscall %u", nr);
	return buf;
}

/* The running task on @cpu, or NULL when that is idle or not yet known. */
static struct task *thread_current(struct convert *cv, unsigned int cpu)
{
	const struct convert_cpu *c = &cv->cpus[cpu];

	if (!c->have_cur || c->cur == TRACE_TID_IDLE)
		return NULL;
	return task_get(&cv->tasks, c->cur);
}

static uint64_t thread_track(struct convert *cv, struct task *p)
{
	if (!p->track) {
		track_thread(cv->out, task_uuid(p), (int32_t)p->pid,
			     (int32_t)p->tid, p->name);
		p->track = true;
	}
	return task_uuid(p);
}

static void thread_push(struct convert *cv, uint64_t ts, struct task *p,
			struct task_slice s, const char *name,
			const struct track_args *a)
{
	if (p->depth == TASK_MAX_DEPTH) {
		cv->stats.dropped++;
		return;
	}
	track_event(cv->out, ts, thread_track(cv, p), TRACK_SLICE_BEGIN, name,
		    a);
	p->open[p->depth++] = s;
}

/*
 * End the innermost open slice of @kind and @key on @p, first ending any
 * opened inside it whose end was lost. Returns false if none is open.
 */
static bool thread_pop(struct convert *cv, uint64_t ts, struct task *p,
		       uint32_t kind, uint32_t key, const struct track_args *a)
{
	int i = p->depth - 1;

	while (i >= 0 && (p->open[i].kind != kind || p->open[i].key != key))
		i--;
	if (i < 0) {
		cv->stats.unmatched_ends++;
		return false;
	}
	while (p->depth > i + 1) {
		track_event(cv->out, ts, task_uuid(p), TRACK_SLICE_END, NULL,
			    NULL);
		p->depth--;
	}
	track_event(cv->out, ts, task_uuid(p), TRACK_SLICE_END, NULL, a);
	p->depth = i;
	return true;
}

void thread_syscall_enter(struct convert *cv, uint64_t ts, unsigned int cpu,
			  const struct trace_syscall_enter *r)
{
	struct task *p = thread_current(cv, cpu);
	struct track_args a = { .n = 3, .arg = {
		{ .name = "arg0", .val = r->args[0] },
		{ .name = "arg1", .val = r->args[1] },
		{ .name = "arg2", .val = r->args[2] },
	} };
	char buf[32];

	if (!p) {
		cv->stats.dropped++;
		return;
	}
	thread_push(cv, ts, p,
		    (struct task_slice){ TRACE_SYSCALL_ENTER, r->nr, 0 },
		    thread_syscall_name(r->nr, buf, sizeof(buf)), &a);
}

void thread_syscall_exit(struct convert *cv, uint64_t ts, unsigned int cpu,
			 const struct trace_syscall_exit *r)
{
	struct task *p = thread_current(cv, cpu);
	struct track_args a = { .n = 1, .arg = {
		{ .name = "ret", .val = (uint64_t)r->ret, .is_signed = true } } };

	if (!p) {
		cv->stats.unmatched_ends++;
		return;
	}
	thread_pop(cv, ts, p, TRACE_SYSCALL_ENTER, r->nr, &a);
}

/*
 * CALL: the caller opens "ipc call" and starts flow F. RECV: the server
 * opens "ipc serve", ending F and starting F + 1. REPLY: the server's
 * slice ends; the caller's call slice ends and an "ipc reply" instant on
 * the caller ends F + 1. Calls are matched by (endpoint, caller tid).
 */
void thread_ipc(struct convert *cv, uint64_t ts, unsigned int cpu,
		const struct trace_ipc *r)
{
	struct task *self = thread_current(cv, cpu);
	struct task *caller;
	struct track_args a = { .n = 2, .arg = {
		{ .name = "endpoint", .val = r->endpoint },
		{ .name = "tag", .val = r->tag } } };
	char name[48];

	if (!self) {
		cv->stats.dropped++;
		return;
	}
	switch (r->h.type) {
	case TRACE_IPC_CALL:
		self->ipc_flow = cv->next_flow;
		cv->next_flow += 2;
		a.flow = self->ipc_flow;
		snprintf(name, sizeof(name), "ipc call ep%u", r->endpoint);
		thread_push(cv, ts, self, (struct task_slice){
			TRACE_IPC_CALL, r->endpoint, self->tid }, name, &a);
		break;
	case TRACE_IPC_RECV:
		caller = task_find(&cv->tasks, r->partner_tid);
		if (caller && caller->ipc_flow) {
			a.end_flow = caller->ipc_flow;
			a.flow = caller->ipc_flow + 1;
		}
		snprintf(name, sizeof(name), "ipc serve ep%u", r->endpoint);
		thread_push(cv, ts, self, (struct task_slice){
			TRACE_IPC_RECV, r->endpoint, r->partner_tid }, name, &a);
		break;
	case TRACE_IPC_REPLY:
		thread_pop(cv, ts, self, TRACE_IPC_RECV, r->endpoint, NULL);
		caller = task_find(&cv->tasks, r->partner_tid);
		if (!caller || !thread_pop(cv, ts, caller, TRACE_IPC_CALL,
					   r->endpoint, NULL))
			break;
		a.end_flow = caller->ipc_flow ? caller->ipc_flow + 1 : 0;
		caller->ipc_flow = 0;
		snprintf(name, sizeof(name), "ipc reply ep%u", r->endpoint);
		track_event(cv->out, ts, task_uuid(caller), TRACK_INSTANT,
			    name, &a);
		break;
	}
}

/* An instant on the running thread's track, or on the CPU's own track. */
static void thread_instant(struct convert *cv, uint64_t ts, unsigned int cpu,
			   const char *name, const struct track_args *a)
{
	struct task *p = thread_current(cv, cpu);
	uint64_t uuid = p ? thread_track(cv, p) : convert_cpu_track(cv, cpu);

	track_event(cv->out, ts, uuid, TRACK_INSTANT, name, a);
}

void thread_exception(struct convert *cv, uint64_t ts, unsigned int cpu,
		      const struct trace_exception *r)
{
	char rip[160], name[48];
	struct track_args a = { .n = 3, .arg = {
		{ .name = "rip", .str = rip },
		{ .name = "error_code", .val = r->error_code },
		{ .name = "vector", .val = r->vector } } };

	convert_addr(cv, r->rip, rip, sizeof(rip));
	if (r->vector < 32 && thread_vectors[r->vector])
		snprintf(name, sizeof(name), "%s", thread_vectors[r->vector]);
	else
		snprintf(name, sizeof(name), "exception %u", r->vector);
	thread_instant(cv, ts, cpu, name, &a);
}

void thread_page_fault(struct convert *cv, uint64_t ts, unsigned int cpu,
		       const struct trace_page_fault *r)
{
	char rip[160], addr[24];
	struct track_args a = { .n = 3, .arg = {
		{ .name = "addr", .str = addr },
		{ .name = "rip", .str = rip },
		{ .name = "error_code", .val = r->error_code } } };

	snprintf(addr, sizeof(addr), "0x%" PRIx64, r->addr);
	convert_addr(cv, r->rip, rip, sizeof(rip));
	thread_instant(cv, ts, cpu, "page fault", &a);
}

/* @p is gone: end the slices it left open (exit_group never returns). */
void thread_exit(struct convert *cv, uint64_t ts, struct task *p)
{
	while (p->depth > 0) {
		track_event(cv->out, ts, task_uuid(p), TRACK_SLICE_END, NULL,
			    NULL);
		p->depth--;
	}
	p->ipc_flow = 0;
}
