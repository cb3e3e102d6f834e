/*
 * Time for user space: monotonic nanoseconds since boot from the TSC, and
 * the wall clock from the CMOS real-time clock, read once at boot.
 */
#include "clock.h"
#include <arch/cpu.h>
#include <arch/tsc.h>

static uint64_t boot_tsc;
static uint64_t boot_unix_ns;

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
	boot_tsc = rdtsc();
	boot_unix_ns = ((clock_days(y, mo, d) * 24 + h) * 3600 + mi * 60 + s) *
		       1000000000ULL;
}

uint64_t clock_monotonic_ns(void)
{
	return tsc_to_ns(rdtsc() - boot_tsc);
}

uint64_t clock_realtime_ns(void)
{
	return boot_unix_ns + clock_monotonic_ns();
}
