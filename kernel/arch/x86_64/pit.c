/*
 * The legacy PIT (8254), used only as a known clock to calibrate the TSC
 * and the local APIC timer: channel 2, gated through port 0x61, polled.
 */
#include "types.h"
#include <arch/cpu.h>
#include <arch/pit.h>

#define PIT_HZ		1193182
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PORT_B		0x61

/* Busy-wait ms milliseconds (at most 54) on PIT channel 2. */
void pit_wait_ms(unsigned ms)
{
	uint32_t count = PIT_HZ * ms / 1000;
	uint8_t b = inb(PORT_B);

	outb(PORT_B, (b & ~0x02) & ~0x01);	/* gate low, speaker off */
	outb(PIT_CMD, 0xb0);			/* ch2, lo/hi, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);	/* gate high: go */
	while (!(inb(PORT_B) & 0x20))
		cpu_relax();
}

/* Mask the legacy PICs after moving them off the exception vectors. */
void pic_disable(void)
{
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0xe0);
	outb(0xa1, 0xe8);
	outb(0x21, 4);
	outb(0xa1, 2);
	outb(0x21, 1);
	outb(0xa1, 1);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}
