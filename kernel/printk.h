/*
 * The kernel log. printk() formats one whole line (or several) and writes
 * it to the console and the dmesg ring under the console lock, so lines
 * from different CPUs never interleave. Not for hot paths.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>
#include "types.h"

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);
bool printk_log_contains(const char *line);
size_t printk_log_read(char *dst, size_t max, uint64_t since, uint64_t *head);
extern const uint64_t dmesg_size;
__noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
