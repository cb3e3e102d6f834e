/* The local APIC (lapic.c). */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include "types.h"

#define HZ			250

#define ICR_FIXED		0x00000
#define ICR_NMI			0x00400
#define ICR_INIT		0x00500
#define ICR_STARTUP		0x00600
#define ICR_ASSERT		0x04000
#define ICR_LEVEL		0x08000
#define ICR_ALL_BUT_SELF	0xc0000

void lapic_init(void);
void lapic_init_cpu(void);
void lapic_eoi(void);
uint32_t lapic_id(void);
void lapic_send_ipi(uint32_t apic_id, uint32_t low);
void lapic_timer_calibrate(void);
void lapic_timer_start(void);
extern uint32_t lapic_ticks_per_hz;

#endif
