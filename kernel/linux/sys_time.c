/*
 * Linux time calls: clock_gettime (REALTIME from the CMOS clock read at
 * boot plus the TSC, MONOTONIC from the TSC), nanosleep (tick-granular).
 */
#include "linux.h"
#include "clock.h"
#include <arch/lapic.h>

#define CLOCK_REALTIME	0
#define CLOCK_MONOTONIC	1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME	7

struct timespec64 {
	int64_t sec, nsec;
};

long sys_clock_gettime(SYSCALL_ARGS)
{
	uint64_t ns;
	struct timespec64 ts;

	switch (a0) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		ns = clock_realtime_ns();
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		ns = clock_monotonic_ns();
		break;
	default:
		return -EINVAL;
	}
	ts.sec = ns / 1000000000;
	ts.nsec = ns % 1000000000;
	return copy_to_user((void *)a1, &ts, sizeof(ts));
}

/* nanosleep(req, rem): sleeps at least req, rounded up to timer ticks. */
long sys_nanosleep(SYSCALL_ARGS)
{
	struct timespec64 ts;
	uint64_t ns, ticks;

	if (copy_from_user(&ts, (void *)a0, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
		return -EINVAL;
	ns = (uint64_t)ts.sec * 1000000000 + ts.nsec;
	ticks = (ns + 1000000000 / HZ - 1) / (1000000000 / HZ);
	if (ticks)
		sched_sleep_ticks(ticks);
	if (a1) {
		struct timespec64 zero = { 0, 0 };

		if (copy_to_user((void *)a1, &zero, sizeof(zero)))
			return -EFAULT;
	}
	return 0;
}
