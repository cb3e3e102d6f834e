/*
 * Builds TrackDescriptor and TrackEvent packets (perfetto_subset.proto).
 * Names are written inline rather than interned: simpler, and the sizes
 * here do not make interning worth its incremental state.
 */
#include "track.h"

static void track_packet_begin(struct pb *pb, uint64_t ts)
{
	pb_begin(pb, 1);		/* Trace.packet */
	if (ts != UINT64_MAX)
		pb_uint(pb, 8, ts);
	pb_uint(pb, 10, TRACK_SEQ_ID);
}

static void track_packet_end(struct pb *pb)
{
	pb_end(pb);
	pb_maybe_flush(pb);
}

/* The first packet of the sequence: tells readers its state starts clean. */
void track_sequence_start(struct pb *pb)
{
	track_packet_begin(pb, UINT64_MAX);
	pb_uint(pb, 13, 1);		/* SEQ_INCREMENTAL_STATE_CLEARED */
	track_packet_end(pb);
}

/* A plain named track, nested under @parent when that is non-0. */
void track_named(struct pb *pb, uint64_t uuid, uint64_t parent,
		 const char *name)
{
	track_packet_begin(pb, UINT64_MAX);
	pb_begin(pb, 60);
	pb_uint(pb, 1, uuid);
	if (parent)
		pb_uint(pb, 5, parent);
	pb_string(pb, 2, name);
	pb_end(pb);
	track_packet_end(pb);
}

/* The track of thread @tid of process @pid: merged with its ftrace thread. */
void track_thread(struct pb *pb, uint64_t uuid, int32_t pid, int32_t tid,
		  const char *name)
{
	track_packet_begin(pb, UINT64_MAX);
	pb_begin(pb, 60);
	pb_uint(pb, 1, uuid);
	pb_begin(pb, 4);
	pb_int(pb, 1, pid);
	pb_int(pb, 2, tid);
	pb_string(pb, 5, name);
	pb_end(pb);
	pb_end(pb);
	track_packet_end(pb);
}

void track_counter_track(struct pb *pb, uint64_t uuid, const char *name,
			 int unit)
{
	track_packet_begin(pb, UINT64_MAX);
	pb_begin(pb, 60);
	pb_uint(pb, 1, uuid);
	pb_string(pb, 2, name);
	pb_begin(pb, 8);
	pb_uint(pb, 3, (uint64_t)unit);
	pb_end(pb);
	pb_end(pb);
	track_packet_end(pb);
}

static void track_args_write(struct pb *pb, const struct track_args *a)
{
	for (unsigned int i = 0; i < a->n && i < TRACK_MAX_ARGS; i++) {
		const struct track_arg *g = &a->arg[i];

		pb_begin(pb, 4);
		pb_string(pb, 10, g->name);
		if (g->str)
			pb_string(pb, 6, g->str);
		else if (g->is_signed)
			pb_int(pb, 4, (int64_t)g->val);
		else
			pb_uint(pb, 3, g->val);
		pb_end(pb);
	}
	if (a->flow)
		pb_fixed64(pb, 47, a->flow);
	if (a->end_flow)
		pb_fixed64(pb, 48, a->end_flow);
}

/* A slice begin/end or an instant on track @uuid; @name unused for ends. */
void track_event(struct pb *pb, uint64_t ts, uint64_t uuid,
		 enum track_type type, const char *name,
		 const struct track_args *a)
{
	track_packet_begin(pb, ts);
	pb_begin(pb, 11);
	pb_uint(pb, 9, type);
	pb_uint(pb, 11, uuid);
	if (name && type != TRACK_SLICE_END)
		pb_string(pb, 23, name);
	if (a)
		track_args_write(pb, a);
	pb_end(pb);
	track_packet_end(pb);
}

void track_counter(struct pb *pb, uint64_t ts, uint64_t uuid, int64_t value)
{
	track_packet_begin(pb, ts);
	pb_begin(pb, 11);
	pb_uint(pb, 9, TRACK_COUNTER);
	pb_uint(pb, 11, uuid);
	pb_int(pb, 30, value);
	pb_end(pb);
	track_packet_end(pb);
}
