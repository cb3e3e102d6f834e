/*
 * The context switch's trace record, inline for sched_switch_to()
 * (kernel/sched_fast.c, hot) and for the tracing benchmark that measures
 * it as the switch makes it (kernel/trace_load.c).
 */
#ifndef KERNEL_SCHED_TRACE_H
#define KERNEL_SCHED_TRACE_H

#include "sched.h"
#include "trace.h"

/* What a switched-out thread is doing, in trace_sched_switch's letters. */
static const uint16_t sched_trace_state[] = {
	[THREAD_RUNNING] = TRACE_STATE_RUNNABLE,
	[THREAD_READY] = TRACE_STATE_RUNNABLE,
	[THREAD_SLEEPING] = TRACE_STATE_SLEEPING,
	[THREAD_WAKING] = TRACE_STATE_RUNNABLE,
	[THREAD_DEAD] = TRACE_STATE_DEAD,
	[THREAD_STOPPED] = TRACE_STATE_STOPPED,
};

/*
 * Record the switch (inline: no call, the trace tids straight from the
 * threads, idle already 0); prev's state is looked up only when tracing
 * is on. Returns the TSC now: the record's time stamp, so a traced switch
 * reads the clock once for the record and the books.
 */
static inline uint64_t sched_trace_switch(struct thread *prev,
					  struct thread *next)
{
	struct trace_ring_hdr *r = trace_ring();

	if (!r)
		return rdtsc();
	return trace_emit_switch(r, prev->trace_tid, next->trace_tid,
				 sched_trace_state[prev->state], 0, 0);
}

#endif
