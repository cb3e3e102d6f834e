/* Fault-tolerant memory copy (safemem.S). */
#ifndef ARCH_SAFEMEM_H
#define ARCH_SAFEMEM_H

#include "types.h"

/* Copy n bytes; returns how many could NOT be copied (0 = all done). */
size_t safe_memcpy(void *dst, const void *src, size_t n);

#endif
