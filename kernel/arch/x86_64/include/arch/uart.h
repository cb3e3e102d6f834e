/* The console UART (COM1). */
#ifndef ARCH_UART_H
#define ARCH_UART_H

#include "types.h"

void uart_init(void);
void uart_write(const char *s, size_t n);

#endif
