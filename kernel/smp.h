/*
 * Cross-CPU operations (arch/x86_64/smp.c, ipi.c): start the other CPUs,
 * run a function on them, kick them to reschedule, stop them.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include "types.h"

#define SMP_CALL_ALL	(-1)

void smp_boot_aps(void);
int smp_call(int cpu, void (*fn)(void *), void *arg);
void smp_send_resched(unsigned cpu);
void smp_stop_others(void);
unsigned smp_online_count(void);

#endif
