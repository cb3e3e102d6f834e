/*
 * Builds Perfetto FtraceEventBundle packets: the events ui.perfetto.dev
 * turns into "CPU N Scheduling", thread states and "Irq Cpu N" tracks.
 * Field numbers are perfetto_subset.proto's.
 */
#include "ftrace.h"

/* Events per bundle: big enough to amortise the packet, small enough to stream. */
#define FTRACE_BUNDLE_EVENTS 4096

int ftrace_cpu_init(struct ftrace_cpu *fc, unsigned int cpu, struct pb *out)
{
	fc->out = out;
	fc->cpu = cpu;
	fc->nevents = 0;
	fc->lost = false;
	return pb_init(&fc->pb, NULL);
}

void ftrace_cpu_free(struct ftrace_cpu *fc)
{
	pb_free(&fc->pb);
}

/* Close the open bundle, if any, and append it to the output. */
void ftrace_flush(struct ftrace_cpu *fc)
{
	if (!fc->nevents)
		return;
	pb_end(&fc->pb);	/* FtraceEventBundle */
	pb_end(&fc->pb);	/* TracePacket */
	if (fc->pb.err && !fc->out->err)
		fc->out->err = fc->pb.err;
	pb_raw(fc->out, fc->pb.buf, fc->pb.len);
	fc->pb.len = 0;
	fc->nevents = 0;
	pb_maybe_flush(fc->out);
}

/* Open FtraceEvent @kind's payload, opening a bundle first if needed. */
static struct pb *ftrace_begin(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
			       enum ftrace_kind kind)
{
	struct pb *pb = &fc->pb;

	if (!fc->nevents) {
		pb_begin(pb, 1);		/* Trace.packet */
		pb_begin(pb, 1);		/* TracePacket.ftrace_events */
		pb_uint(pb, 1, fc->cpu);
		if (fc->lost)
			pb_uint(pb, 3, 1);	/* lost_events */
		fc->lost = false;
	}
	pb_begin(pb, 2);			/* FtraceEventBundle.event */
	pb_uint(pb, 1, ts);
	pb_uint(pb, 2, cur);
	pb_begin(pb, kind);
	return pb;
}

static void ftrace_end(struct ftrace_cpu *fc)
{
	pb_end(&fc->pb);
	pb_end(&fc->pb);
	if (++fc->nevents == FTRACE_BUNDLE_EVENTS)
		ftrace_flush(fc);
}

void ftrace_switch(struct ftrace_cpu *fc, uint64_t ts, const char *prev_comm,
		   int32_t prev_pid, int32_t prev_prio, int64_t prev_state,
		   const char *next_comm, int32_t next_pid, int32_t next_prio)
{
	struct pb *pb = ftrace_begin(fc, ts, (uint32_t)prev_pid,
				     FTRACE_SCHED_SWITCH);

	pb_string(pb, 1, prev_comm);
	pb_int(pb, 2, prev_pid);
	pb_int(pb, 3, prev_prio);
	pb_int(pb, 4, prev_state);
	pb_string(pb, 5, next_comm);
	pb_int(pb, 6, next_pid);
	pb_int(pb, 7, next_prio);
	ftrace_end(fc);
}

void ftrace_waking(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
		   const char *comm, int32_t pid, int32_t prio,
		   int32_t target_cpu)
{
	struct pb *pb = ftrace_begin(fc, ts, cur, FTRACE_SCHED_WAKING);

	pb_string(pb, 1, comm);
	pb_int(pb, 2, pid);
	pb_int(pb, 3, prio);
	pb_int(pb, 4, 1);
	pb_int(pb, 5, target_cpu);
	ftrace_end(fc);
}

void ftrace_newtask(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
		    int32_t pid, const char *comm, uint64_t clone_flags)
{
	struct pb *pb = ftrace_begin(fc, ts, cur, FTRACE_TASK_NEWTASK);

	pb_int(pb, 1, pid);
	pb_string(pb, 2, comm);
	pb_uint(pb, 3, clone_flags);
	ftrace_end(fc);
}

void ftrace_rename(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
		   int32_t pid, const char *oldcomm, const char *newcomm)
{
	struct pb *pb = ftrace_begin(fc, ts, cur, FTRACE_TASK_RENAME);

	pb_int(pb, 1, pid);
	pb_string(pb, 2, oldcomm);
	pb_string(pb, 3, newcomm);
	ftrace_end(fc);
}

void ftrace_free(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
		 const char *comm, int32_t pid, int32_t prio)
{
	struct pb *pb = ftrace_begin(fc, ts, cur, FTRACE_PROCESS_FREE);

	pb_string(pb, 1, comm);
	pb_int(pb, 2, pid);
	pb_int(pb, 3, prio);
	ftrace_end(fc);
}

void ftrace_irq_entry(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
		      int32_t irq, const char *name)
{
	struct pb *pb = ftrace_begin(fc, ts, cur, FTRACE_IRQ_ENTRY);

	pb_int(pb, 1, irq);
	pb_string(pb, 2, name);
	ftrace_end(fc);
}

void ftrace_irq_exit(struct ftrace_cpu *fc, uint64_t ts, uint32_t cur,
		     int32_t irq, int32_t ret)
{
	struct pb *pb = ftrace_begin(fc, ts, cur, FTRACE_IRQ_EXIT);

	pb_int(pb, 1, irq);
	pb_int(pb, 2, ret);	/* 1: handled */
	ftrace_end(fc);
}
