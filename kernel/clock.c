/*
 * Time for user space: monotonic nanoseconds since boot from the TSC, and
 * the wall clock from the CMOS real-time clock, read once at boot; and
 * Linux's struct timespec, as the system calls take and give times.
 */
#include "clock.h"
#include <loupe/vvar.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/tsc.h>
#include <arch/uaccess.h>

#define NS_PER_SEC	1000000000ULL

/* Linux x86_64's struct timespec. */
struct clock_timespec {
	int64_t sec, nsec;
};

/*
 * The clocks' parameters, in the vDSO's format (loupe/vvar.h): the
 * vDSO's data page is a copy (vdso.c), so both read time alike. Set by
 * clock_init(), once, before any user process.
 */
struct loupe_vvar clock_vvar;

static uint8_t clock_cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned clock_bcd(uint8_t v, bool bcd)
{
	return bcd ? (v & 15) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t clock_days(unsigned y, unsigned m, unsigned d)
{
	y -= m <= 2;
	unsigned era = y / 400, yoe = y - era * 400;
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (uint64_t)era * 146097 + doe - 719468;
}

/* Read the RTC (waiting out an update in progress). Context: boot. */
void clock_init(void)
{
	unsigned s, mi, h, d, mo, y;
	bool bcd;

	for (int spin = 0; spin < 100000 && (clock_cmos(0x0a) & 0x80); spin++)
		cpu_relax();
	bcd = !(clock_cmos(0x0b) & 0x04);
	s = clock_bcd(clock_cmos(0x00), bcd);
	mi = clock_bcd(clock_cmos(0x02), bcd);
	h = clock_bcd(clock_cmos(0x04) & 0x7f, bcd);
	d = clock_bcd(clock_cmos(0x07), bcd);
	mo = clock_bcd(clock_cmos(0x08), bcd);
	y = 2000 + clock_bcd(clock_cmos(0x09), bcd);
	clock_vvar.boot_tsc = rdtsc();
	clock_vvar.boot_unix_ns = ((clock_days(y, mo, d) * 24 + h) * 3600 +
				   mi * 60 + s) * NS_PER_SEC;
	/* 2^32 ns per TSC tick: 1 GHz gives 2^32, a slower TSC more. */
	if (tsc_hz)
		clock_vvar.mult = (uint64_t)(((unsigned __int128)NS_PER_SEC
					      << 32) / tsc_hz);
}

uint64_t clock_monotonic_ns(void)
{
	return vvar_monotonic_ns(&clock_vvar, rdtsc());
}

uint64_t clock_realtime_ns(void)
{
	return clock_vvar.boot_unix_ns + clock_monotonic_ns();
}

/* Timer ticks (HZ) covering ns, rounded up: a sleep of at least ns. */
uint64_t clock_ticks(uint64_t ns)
{
	return (ns + NS_PER_SEC / HZ - 1) / (NS_PER_SEC / HZ);
}

/*
 * The user's timespec at uts in nanoseconds, into *ns: 0, -EFAULT, or
 * -EINVAL for a negative one or nsec not below a second. Seconds are
 * capped at 2^32 (136 years), so no deadline built on it overflows.
 */
long clock_timespec_in(const void *uts, uint64_t *ns)
{
	struct clock_timespec ts;

	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || (uint64_t)ts.nsec >= NS_PER_SEC)
		return -EINVAL;
	*ns = (uint64_t)MIN(ts.sec, (int64_t)1 << 32) * NS_PER_SEC + ts.nsec;
	return 0;
}

/* ns as the user's timespec at uts: 0 or -EFAULT. */
long clock_timespec_out(void *uts, uint64_t ns)
{
	struct clock_timespec ts = { (int64_t)(ns / NS_PER_SEC),
				     (int64_t)(ns % NS_PER_SEC) };

	return copy_to_user(uts, &ts, sizeof(ts));
}
