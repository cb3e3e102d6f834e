/*
 * The stub's own I/O driver: the 16550 UART on COM2 (0x2f8), 115200 8N1.
 * Polled in both directions while the machine is stopped; while it runs,
 * only the receive interrupt (ISA IRQ 3) is used, to notice a break-in.
 * Nothing else touches COM2, so the driver needs no lock: the debugger
 * core makes sure one CPU at a time calls it. Never set a breakpoint here.
 */
#include "gdbstub/kgdb_internal.h"
#include <arch/cpu.h>

#define COM2 0x2f8
#define UART_RBR 0 /* receive buffer (read) / THR (write) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define IER_RDI 0x01
#define MCR_OUT2 0x08 /* gates the UART's IRQ line on PCs */

void com2_init(void)
{
	outb(COM2 + UART_IER, 0x00);
	outb(COM2 + UART_LCR, 0x80); /* DLAB on */
	outb(COM2 + 0, 0x01); /* divisor 1: 115200 baud */
	outb(COM2 + 1, 0x00);
	outb(COM2 + UART_LCR, 0x03); /* 8N1, DLAB off */
	outb(COM2 + UART_FCR, 0xc7); /* FIFO on, cleared, 14-byte level */
	outb(COM2 + UART_MCR, 0x0b); /* DTR, RTS, OUT2 */
	outb(COM2 + UART_IER, IER_RDI);
}

/*
 * The IOAPIC sees an edge: if bytes arrived after the last read in the
 * IRQ handler, the line never dropped. Toggling IER drops and re-raises
 * it, so pending input interrupts again.
 */
void com2_rearm(void)
{
	outb(COM2 + UART_IER, 0x00);
	outb(COM2 + UART_IER, IER_RDI);
}

/*
 * Transmit in bursts of a FIFO's worth: THRE means the 16-byte FIFO is
 * empty, so one status read per 16 bytes instead of one per byte.
 */
static uint8_t com2_tx[16];
static unsigned com2_ntx;

static void com2_flush(void *ctx)
{
	for (unsigned spin = 0; com2_ntx && spin < 1000000; spin++) {
		if (inb(COM2 + UART_LSR) & LSR_THRE)
			break;
		cpu_relax();
	}
	for (unsigned i = 0; i < com2_ntx; i++)
		outb(COM2 + UART_RBR, com2_tx[i]);
	com2_ntx = 0;
}

static void com2_putc(void *ctx, uint8_t c)
{
	com2_tx[com2_ntx++] = c;
	if (com2_ntx == sizeof(com2_tx))
		com2_flush(ctx);
}

static int com2_getc(void *ctx)
{
	if (!(inb(COM2 + UART_LSR) & LSR_DR))
		return GDBSTUB_IO_NONE;
	return inb(COM2 + UART_RBR);
}

const struct gdbstub_io_ops com2_io = {
	.putc = com2_putc,
	.flush = com2_flush,
	.getc = com2_getc,
};
