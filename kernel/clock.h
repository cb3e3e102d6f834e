/* Wall-clock and monotonic time (clock.c). */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H

#include "types.h"

void clock_init(void);
uint64_t clock_monotonic_ns(void);
uint64_t clock_realtime_ns(void);

#endif
