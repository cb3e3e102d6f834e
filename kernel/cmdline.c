/*
 * The kernel command line: space-separated key=value words from the boot
 * loader (QEMU -append). Copied once at boot; looked up by key.
 *
 *   smp=N          use at most N CPUs
 *   stages=exit    end QEMU (isa-debug-exit) after the last boot stage
 *   panic=exit     end QEMU after a panic report instead of halting
 *   panic_test=X   make a kernel thread fault: null, ud, div0, stack, assert
 *   test=none      skip the scheduler self-tests
 *   bench=1        run the in-kernel benchmarks after boot
 */
#include "cmdline.h"
#include "string.h"

static char cmdline[512];

/* Multiboot loaders put the kernel's file name first: skip a word without '='. */
void cmdline_init(const char *s)
{
	const char *w = s ? s : "";

	while (*w == ' ')
		w++;
	for (const char *p = w; *p && *p != ' '; p++) {
		if (*p == '=')
			break;
		if (p[1] == ' ' || !p[1]) {
			w = p + 1;
			while (*w == ' ')
				w++;
			break;
		}
	}
	strlcpy(cmdline, w, sizeof(cmdline));
}

const char *cmdline_raw(void)
{
	return cmdline;
}

/* Copy the value of key into buf; returns false if key is absent. */
bool cmdline_get(const char *key, char *buf, size_t n)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			size_t i = 0;

			p += klen + 1;
			while (p[i] && p[i] != ' ' && i + 1 < n) {
				buf[i] = p[i];
				i++;
			}
			buf[i] = '\0';
			return true;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

bool cmdline_is(const char *key, const char *value)
{
	char buf[64];

	return cmdline_get(key, buf, sizeof(buf)) && !strcmp(buf, value);
}

long cmdline_long(const char *key, long dflt)
{
	char buf[32];
	long v = 0;

	if (!cmdline_get(key, buf, sizeof(buf)) || !buf[0])
		return dflt;
	for (char *p = buf; *p; p++) {
		if (*p < '0' || *p > '9')
			return dflt;
		v = v * 10 + (*p - '0');
	}
	return v;
}
