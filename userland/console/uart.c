/*
 * COM1, a 16550 UART, from user mode: init granted this process ports
 * 0x3f8-0x3ff and the kernel enabled them in its I/O bitmap. The kernel's
 * own printk writes the same transmitter; bytes from both interleave,
 * which is harmless. Receive interrupts (IRQ 4) signal our notification.
 * inb/outb are musl's <sys/io.h> (outb takes the value, then the port).
 */
#include <sys/io.h>

#include "console.h"

#define COM1	0x3f8
#define RBR	0	/* receive buffer */
#define THR	0	/* transmit holding */
#define IER	1	/* interrupt enable */
#define MCR	4	/* modem control */
#define LSR	5	/* line status */
#define LSR_DR	0x01	/* data ready */
#define LSR_THRE 0x20	/* transmitter holding register empty */

/* Keep the kernel's line settings; interrupt on received data. */
void uart_init(void)
{
	outb(0x0b, COM1 + MCR);		/* DTR, RTS, OUT2 (the IRQ gate) */
	outb(0x01, COM1 + IER);		/* received data available */
}

void uart_putc(char c)
{
	for (int spin = 0; spin < 100000; spin++) {
		if (inb(COM1 + LSR) & LSR_THRE)
			break;
	}
	outb((uint8_t)c, COM1 + THR);
}

int uart_getc(void)
{
	if (!(inb(COM1 + LSR) & LSR_DR))
		return -1;
	return inb(COM1 + RBR);
}
