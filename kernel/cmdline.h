/* The kernel command line (cmdline.c). */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include "types.h"

void cmdline_init(const char *s);
const char *cmdline_raw(void);
bool cmdline_get(const char *key, char *buf, size_t n);
bool cmdline_is(const char *key, const char *value);
long cmdline_long(const char *key, long dflt);

#endif
