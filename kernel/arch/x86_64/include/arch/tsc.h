/* The time-stamp counter (tsc.c). */
#ifndef ARCH_TSC_H
#define ARCH_TSC_H

#include "types.h"

extern uint64_t tsc_hz;
uint64_t tsc_to_ns(uint64_t ticks);
void tsc_delay_us(uint64_t us);

#endif
