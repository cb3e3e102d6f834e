/*
 * The kernel log: printk() formats into a local buffer, then writes the
 * whole text to the console and to the dmesg ring under console_lock, so
 * lines from different CPUs never interleave. The ring (dmesg_buf, with
 * dmesg_head counting every byte ever written) is what `loupe-dmesg` and
 * `monitor dmesg` read. Not for hot paths.
 */
#include "printk.h"
#include "fmt.h"
#include "cpu.h"
#include <arch/cpu.h>
#include <arch/uart.h>

#define DMESG_SIZE (64 * 1024)

/* console_lock protects the UART and the dmesg ring. Order: innermost. */
static struct spinlock console_lock = SPINLOCK_INIT("console");
char dmesg_buf[DMESG_SIZE];
uint64_t dmesg_head;		/* total bytes written; index = head % size */
const uint64_t dmesg_size = DMESG_SIZE;
bool console_busted;		/* set by panic: write without the lock */

static void dmesg_append(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dmesg_buf[(dmesg_head + i) % DMESG_SIZE] = s[i];
	dmesg_head += n;
}

/* Write already-formatted text whole. Context: any but hot paths. */
void console_write(const char *s, size_t n)
{
	unsigned long flags;

	if (console_busted) {
		dmesg_append(s, n);
		uart_write(s, n);
		return;
	}
	flags = spin_lock_irqsave(&console_lock);
	dmesg_append(s, n);
	uart_write(s, n);
	spin_unlock_irqrestore(&console_lock, flags);
}

void vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);

	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	if (n == 0 || buf[n - 1] != '\n')
		buf[n++] = '\n';
	console_write(buf, n);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

/* Did the log ever contain this exact line? For the dmesg self-test. */
bool printk_log_contains(const char *line)
{
	size_t n = 0, start = dmesg_head > DMESG_SIZE ? dmesg_head - DMESG_SIZE : 0;

	while (line[n])
		n++;
	for (uint64_t i = start; i + n <= dmesg_head; i++) {
		size_t k = 0;

		while (k < n && dmesg_buf[(i + k) % DMESG_SIZE] == line[k])
			k++;
		if (k == n)
			return true;
	}
	return false;
}

/*
 * Copy the log written since byte count @since (but at most the ring's
 * and @max bytes: the newest) to @dst. Returns the bytes copied; *head
 * gets the count written so far. For syslog(2).
 */
size_t printk_log_read(char *dst, size_t max, uint64_t since, uint64_t *head)
{
	unsigned long flags = spin_lock_irqsave(&console_lock);
	uint64_t start = dmesg_head > DMESG_SIZE ? dmesg_head - DMESG_SIZE : 0;
	size_t n;

	start = MAX(start, MIN(since, dmesg_head));
	n = MIN(dmesg_head - start, max);
	start = dmesg_head - n;
	for (size_t i = 0; i < n; i++)
		dst[i] = dmesg_buf[(start + i) % DMESG_SIZE];
	*head = dmesg_head;
	spin_unlock_irqrestore(&console_lock, flags);
	return n;
}
