/*
 * The vDSO's data page (vvar): what user space needs to read the clocks
 * without a system call. The kernel fills it once at boot, before the
 * first process exists (kernel/vdso.c, from clock.c's parameters), and
 * maps it read-only into every process just below the vDSO image
 * (kernel/vdso/vdso.c reads it). Shared by both, so the kernel's
 * clock_gettime and the vDSO's compute time with the same formula from
 * the same TSC: a time read one way is never later than one read the
 * other way afterwards.
 *
 * Written once and never again: clock_settime and settimeofday are not
 * implemented. Changing these fields at run time would need a sequence
 * count that readers retry on.
 */
#ifndef LOUPE_VVAR_H
#define LOUPE_VVAR_H

#include <stdint.h>

/* Linux's clock ids that the page serves (and clock_gettime switches on). */
#ifndef CLOCK_REALTIME
#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_MONOTONIC_RAW	4
#define CLOCK_REALTIME_COARSE	5
#define CLOCK_MONOTONIC_COARSE	6
#define CLOCK_BOOTTIME		7
#endif

struct loupe_vvar {
	uint64_t boot_tsc;	/* TSC at time zero of CLOCK_MONOTONIC */
	uint64_t mult;		/* ns = (tsc - boot_tsc) * mult >> 32; 0: the
				 * TSC is not calibrated, ask the kernel */
	uint64_t boot_unix_ns;	/* CLOCK_REALTIME at time zero, in ns */
};

/* Nanoseconds of CLOCK_MONOTONIC at TSC value @tsc. */
static inline uint64_t vvar_monotonic_ns(const volatile struct loupe_vvar *v,
					 uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)(tsc - v->boot_tsc) *
			   v->mult) >> 32);
}

#endif
