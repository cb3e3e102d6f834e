/*
 * The 16550 UART on COM1, the console: 115200 baud, 8N1, polled output.
 * Callers serialize (printk holds the console lock); the panic path may
 * write without it.
 */
#include "types.h"
#include <arch/cpu.h>
#include <arch/uart.h>

#define COM1	0x3f8
#define LSR_THRE 0x20

void uart_init(void)
{
	outb(COM1 + 1, 0x00);	/* no interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB on */
	outb(COM1 + 0, 0x01);	/* divisor 1: 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);	/* 8N1, DLAB off */
	outb(COM1 + 2, 0xc7);	/* FIFO on, cleared, 14-byte threshold */
	outb(COM1 + 4, 0x03);	/* DTR, RTS */
}

static void uart_putc(char c)
{
	for (int spin = 0; spin < 100000; spin++) {
		if (inb(COM1 + 5) & LSR_THRE)
			break;
		cpu_relax();
	}
	outb(COM1, c);
}

void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}
