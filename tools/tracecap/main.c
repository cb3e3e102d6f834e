/*
 * tracecap: capture Loupe's trace rings into a capture file (trace/record.h):
 * live from guest RAM (--kernel ELF --mem FILE -o OUT), from a console dump
 * (--from-dump LOG -o OUT), or count what a capture holds (--stat CAPTURE).
 */
#include <stdlib.h>
#include <string.h>

#include "tracecap.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: tracecap --kernel ELF --mem FILE -o OUT [--pid PID]\n"
		"                [--timeout S] [--until-load-done] [--quiet]\n"
		"       tracecap --from-dump CONSOLE.LOG -o OUT\n"
		"       tracecap --stat CAPTURE\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct live_opts o = { 0 };
	const char *kernel = NULL, *dump = NULL, *stat = NULL;
	uint64_t size;
	char err[256];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--quiet"))
			o.quiet = true;
		else if (!strcmp(a, "--until-load-done"))
			o.stop_at_load_done = true;
		else if (!v)
			return usage();
		else if (!strcmp(a, "--kernel"))
			kernel = v, i++;
		else if (!strcmp(a, "--mem"))
			o.mem = v, i++;
		else if (!strcmp(a, "-o"))
			o.out = v, i++;
		else if (!strcmp(a, "--pid"))
			o.qemu_pid = atoi(v), i++;
		else if (!strcmp(a, "--timeout"))
			o.timeout = atof(v), i++;
		else if (!strcmp(a, "--from-dump"))
			dump = v, i++;
		else if (!strcmp(a, "--stat"))
			stat = v, i++;
		else
			return usage();
	}
	if (stat)
		return stat_capture(stat);
	if (dump)
		return o.out ? dump_convert(dump, o.out) : usage();
	if (!kernel || !o.mem || !o.out)
		return usage();
	if (kelf_symbol_phys(kernel, "trace_ctl", &o.ctl_phys, &size, err,
			     sizeof(err))) {
		fprintf(stderr, "tracecap: %s\n", err);
		return 1;
	}
	if (size && size != TRACE_CTL_SIZE) {
		fprintf(stderr, "tracecap: trace_ctl is %lu bytes in %s, this "
			"tool expects %u: rebuild it\n", (unsigned long)size,
			kernel, TRACE_CTL_SIZE);
		return 1;
	}
	return live_capture(&o);
}
