/* Wall-clock and monotonic time (clock.c). */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H

#include "types.h"

struct loupe_vvar;
extern struct loupe_vvar clock_vvar;

void clock_init(void);
uint64_t clock_monotonic_ns(void);
uint64_t clock_realtime_ns(void);
uint64_t clock_ticks(uint64_t ns);
long clock_timespec_in(const void *uts, uint64_t *ns);
long clock_timespec_out(void *uts, uint64_t ns);

#endif
