/*
 * Perfetto TrackEvent packets: named tracks (Boot, counters, per-thread
 * tracks), slices with flow arrows, instants and counter values. Used for
 * what ftrace events cannot express: syscall names, IPC, boot stages.
 */
#ifndef T2P_TRACK_H
#define T2P_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "pb.h"

/* The one packet sequence every TrackEvent packet is written on. */
#define TRACK_SEQ_ID 1

enum track_type {
	TRACK_SLICE_BEGIN = 1,
	TRACK_SLICE_END = 2,
	TRACK_INSTANT = 3,
	TRACK_COUNTER = 4,
};

#define TRACK_UNIT_SIZE_BYTES 3

#define TRACK_MAX_ARGS 4

/* A debug annotation: a string, or else a signed or unsigned number. */
struct track_arg {
	const char *name;
	const char *str;
	uint64_t val;
	bool is_signed;
};

/* Optional extras of one event; zero-initialise and fill what applies. */
struct track_args {
	uint64_t flow;		/* start (or continue) this flow, if non-0 */
	uint64_t end_flow;	/* terminate this flow here, if non-0 */
	unsigned int n;
	struct track_arg arg[TRACK_MAX_ARGS];
};

void track_sequence_start(struct pb *pb);
void track_named(struct pb *pb, uint64_t uuid, uint64_t parent,
		 const char *name);
void track_thread(struct pb *pb, uint64_t uuid, int32_t pid, int32_t tid,
		  const char *name);
void track_counter_track(struct pb *pb, uint64_t uuid, const char *name,
			 int unit);
void track_event(struct pb *pb, uint64_t ts, uint64_t uuid,
		 enum track_type type, const char *name,
		 const struct track_args *a);
void track_counter(struct pb *pb, uint64_t ts, uint64_t uuid, int64_t value);

#endif
