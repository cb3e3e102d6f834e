/*
 * Boot-stage markers. Each stage in boot-stages/stages.catalog has an exact
 * marker line; stage_mark() prints it whole and records that the stage
 * passed (the debugger's `monitor stages` reads stage_passed). Called from
 * init code and self-tests only, never from hot paths. With stages=exit on
 * the command line, the last stage this machine expects ends QEMU.
 */
#include "stage.h"
#include "printk.h"
#include "cpu.h"
#include "trace.h"
#include <arch/cpu.h>

uint64_t stage_passed_tsc[STAGE_COUNT];	/* 0 = not passed */
bool stage_exit;

static bool stage_expected(enum stage_id id)
{
	return stage_catalog[id].min_cpus <= ncpus;
}

static bool stage_is_last(enum stage_id id)
{
	for (int i = id + 1; i < STAGE_COUNT; i++) {
		if (stage_expected(i))
			return false;
	}
	return true;
}

void stage_mark(enum stage_id id)
{
	stage_passed_tsc[id] = rdtsc() | 1;
	trace_stage(id);
	printk("%s", stage_catalog[id].marker);
	if (stage_exit && stage_is_last(id))
		qemu_exit(0);
}

bool stage_passed(enum stage_id id)
{
	return stage_passed_tsc[id] != 0;
}
