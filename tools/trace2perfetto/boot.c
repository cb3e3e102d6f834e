/*
 * The "Boot" track: one slice per boot stage, named by its catalog id.
 * A stage with BEGIN and END records spans them; a stage that only has an
 * END (the kernel marks stages when they are reached) spans from the
 * previous stage event, or from time zero, so the track reads as a
 * sequence of what boot spent its time on.
 */
#include <stdio.h>

#include "convert.h"

static void boot_slice_begin(struct convert *cv, uint64_t ts, uint32_t stage)
{
	const struct catalog_stage *st = NULL;
	struct track_args a = { 0 };
	char buf[32];

	if (cv->opts.stages && stage < cv->opts.stages->n) {
		st = &cv->opts.stages->stages[stage];
		a = (struct track_args){ .n = 1, .arg = {
			{ .name = "marker", .str = st->marker } } };
	} else {
		snprintf(buf, sizeof(buf), "stage %u", stage);
	}
	track_event(cv->out, ts, UUID_BOOT, TRACK_SLICE_BEGIN,
		    st ? st->id : buf, &a);
}

static void boot_slice_end(struct convert *cv, uint64_t ts)
{
	track_event(cv->out, ts, UUID_BOOT, TRACK_SLICE_END, NULL, NULL);
}

void boot_stage(struct convert *cv, uint64_t ts,
		const struct trace_boot_stage *r)
{
	int i;

	if (!cv->boot_track) {
		track_named(cv->out, UUID_BOOT, 0, "Boot");
		cv->boot_track = true;
	}
	if (r->what == TRACE_STAGE_BEGIN) {
		if (cv->boot_depth == CONVERT_MAX_STAGES) {
			cv->stats.dropped++;
			return;
		}
		boot_slice_begin(cv, ts, r->stage);
		cv->boot_open[cv->boot_depth++] = r->stage;
		cv->boot_last = ts;
		return;
	}
	for (i = cv->boot_depth - 1; i >= 0; i--) {
		if (cv->boot_open[i] == r->stage)
			break;
	}
	if (i < 0 && cv->boot_depth == 0) {
		/* Only the end is recorded: the stage ran since the last event. */
		boot_slice_begin(cv, cv->boot_last, r->stage);
		boot_slice_end(cv, ts);
	} else if (i < 0) {
		cv->stats.unmatched_ends++;
	} else {
		/* Stages begun inside this one and never ended end with it. */
		while (cv->boot_depth > i) {
			boot_slice_end(cv, ts);
			cv->boot_depth--;
		}
	}
	cv->boot_last = ts;
}
