/*
 * Linux time calls: clock_gettime, gettimeofday and time (REALTIME from
 * the CMOS clock read at boot plus the TSC, MONOTONIC from the TSC; the
 * vDSO, kernel/vdso/vdso.c, answers them without entering the kernel),
 * nanosleep (tick-granular), times (CPU time in clock ticks of 1/100 s,
 * AT_CLKTCK).
 */
#include "linux.h"
#include "clock.h"
#include <loupe/vvar.h>

long sys_clock_gettime(SYSCALL_ARGS)
{
	uint64_t ns;

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
	return clock_timespec_out((void *)a1, ns);
}

/* gettimeofday(tv, tz): CLOCK_REALTIME in microseconds; tz is UTC. */
long sys_gettimeofday(SYSCALL_ARGS)
{
	uint64_t ns = clock_realtime_ns();
	struct { int64_t sec, usec; } tv = { (int64_t)(ns / 1000000000),
					     (int64_t)(ns % 1000000000 / 1000) };
	static const struct { int32_t minuteswest, dsttime; } tz;

	if (a0 && copy_to_user((void *)a0, &tv, sizeof(tv)))
		return -EFAULT;
	if (a1 && copy_to_user((void *)a1, &tz, sizeof(tz)))
		return -EFAULT;
	return 0;
}

/* time(tloc): CLOCK_REALTIME in whole seconds, also into *tloc. */
long sys_time(SYSCALL_ARGS)
{
	int64_t t = (int64_t)(clock_realtime_ns() / 1000000000);

	if (a0 && copy_to_user((void *)a0, &t, sizeof(t)))
		return -EFAULT;
	return t;
}

/*
 * nanosleep(req, rem): sleeps at least req by the monotonic clock. A tick
 * sleep may end up to a tick early (the current tick is partly gone), so
 * sleep again until the deadline has passed. A signal to take ends it
 * with EINTR and the time left in *rem (if rem is not NULL); it is never
 * restarted, not even under SA_RESTART, as on Linux.
 */
long sys_nanosleep(SYSCALL_ARGS)
{
	struct thread *me = current_thread();
	uint64_t ns, end, now;
	long err = clock_timespec_in((void *)a0, &ns);

	if (err)
		return err;
	now = clock_monotonic_ns();
	end = now + ns;
	while (now < end && !signal_pending(me)) {
		sched_sleep_flag(&me->sig.flag, clock_ticks(end - now));
		now = clock_monotonic_ns();
	}
	if (now >= end)
		return 0;
	if (a1 && clock_timespec_out((void *)a1, end - now))
		return -EFAULT;
	return -EINTR;
}

#define CLK_TCK		100			/* AT_CLKTCK */

/*
 * times(buf): the caller's CPU time and its reaped children's, in clock
 * ticks; there is no user/system split, so it all counts as user time.
 * Returns ticks since boot (buf NULL is allowed, as on Linux).
 */
long sys_times(SYSCALL_ARGS)
{
	struct {
		int64_t utime, stime, cutime, cstime;
	} t = { 0 };
	uint64_t self, child;

	proc_cpu_time(current_proc(), &self, &child);
	t.utime = self / (1000000000 / CLK_TCK);
	t.cutime = child / (1000000000 / CLK_TCK);
	if (a0 && copy_to_user((void *)a0, &t, sizeof(t)))
		return -EFAULT;
	return clock_monotonic_ns() / (1000000000 / CLK_TCK);
}
