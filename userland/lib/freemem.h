/*
 * Free memory as the kernel counts it, for the leak checks of the
 * self-tests (utests, ipctests): pages, read through sysinfo.
 */
#ifndef USERLAND_FREEMEM_H
#define USERLAND_FREEMEM_H

#include <sys/sysinfo.h>
#include <time.h>

/* Free 4 KiB pages (sysinfo freeram * mem_unit / 4096), or -1. */
static inline long freemem_pages(void)
{
	struct sysinfo si;

	if (sysinfo(&si))
		return -1;
	return (long)(si.freeram * si.mem_unit / 4096);
}

/*
 * Free pages once they stop changing: exited threads' stacks and zombies
 * are freed a little later by the kernel's reaper. Three equal readings
 * 40 ms apart, or the last of 25.
 */
static inline long freemem_settled(void)
{
	struct timespec ts = { 0, 40000000 };
	long prev, now = freemem_pages();
	int same = 0;

	for (int i = 0; i < 25 && same < 3; i++) {
		nanosleep(&ts, NULL);
		prev = now;
		now = freemem_pages();
		same = now == prev ? same + 1 : 0;
	}
	return now;
}

#endif
