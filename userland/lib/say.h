/*
 * say(): printf to stdout in one write(2), unbuffered, so a line leaves
 * whole even when other processes write the same console (stdio's
 * unbuffered stdout would split it into several writes). Lines longer
 * than SAY_MAX - 1 bytes are cut.
 */
#ifndef USERLAND_SAY_H
#define USERLAND_SAY_H

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#define SAY_MAX	1200

static inline void say(const char *fmt, ...)
{
	char buf[SAY_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (n > 0 && write(1, buf, (size_t)n) < 0)
		return;		/* nowhere left to say it */
}

#endif
