/*
 * `monitor` commands (qRcmd): a look at the stopped kernel from inside,
 * printed back to GDB as console output. Everything is read without locks
 * (a parked CPU may hold them), so lists are bounded and pointers checked.
 * An unknown command prints an error; the session goes on.
 */
#include "fmt.h"
#include "sched.h"
#include "stage.h"
#include "string.h"
#include "gdbstub/kgdb_internal.h"

#define DMESG_DEFAULT 4096

extern char dmesg_buf[];
extern uint64_t dmesg_head;
extern const uint64_t dmesg_size;

struct kgdb_monitor_cmd {
	const char *name;
	void (*fn)(const char *arg);
	const char *help;
};

static const struct kgdb_monitor_cmd kgdb_monitor_cmds[];

void kgdb_monitor_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	rsp_console_write(&kgdb_rsp, buf, n);
}

static void kgdb_monitor_help(const char *arg)
{
	for (const struct kgdb_monitor_cmd *c = kgdb_monitor_cmds; c->name; c++)
		kgdb_monitor_printf("%-8s %s\n", c->name, c->help);
}

static void kgdb_monitor_tasks(const char *arg)
{
	const struct kgdb_thread *th;

	kgdb_monitor_printf("%-8s %-16s %-9s %s\n", "TID", "NAME", "STATE",
			    "CPU");
	for (uint64_t i = 0; (th = kgdb_threads_at(i)); i++) {
		char tid[20], cpu[8] = "-";

		snprintf(tid, sizeof(tid), "%lx", th->tid);
		if (th->cpu >= 0)
			snprintf(cpu, sizeof(cpu), "%d", th->cpu);
		kgdb_monitor_printf("%-8s %-16s %-9s %s\n", tid, th->name,
				    th->state, cpu);
	}
}

static const char *kgdb_monitor_cpu_state(unsigned c)
{
	static const char *const names[] = {
		[KGDB_RUNNING] = "running",
		[KGDB_PARKED] = "parked",
		[KGDB_MASTER] = "master",
		[KGDB_HALTED] = "halted",
	};

	if (kgdb_missing & (1u << c))
		return "no-answer";
	return names[kgdb_cpus[c].state & 3];
}

static void kgdb_monitor_cpus(const char *arg)
{
	kgdb_monitor_printf("%-4s %-5s %-9s %-16s %-18s %s\n", "CPU", "APIC",
			    "STATE", "THREAD", "RIP", "TICKS");
	for (unsigned c = 0; c < ncpus; c++) {
		const struct kgdb_thread *th =
			kgdb_threads_find(kgdb_threads_tid_on(c));
		struct trap_frame *tf = kgdb_cpus[c].tf;

		if (!cpus[c].online) {
			kgdb_monitor_printf("%-4u %-5u offline\n", c,
					    cpus[c].apic_id);
			continue;
		}
		kgdb_monitor_printf("%-4u %-5u %-9s %-16s %016lx   %lu\n", c,
				    cpus[c].apic_id, kgdb_monitor_cpu_state(c),
				    th ? th->name : "?", tf ? tf->rip : 0UL,
				    cpus[c].ticks);
	}
}

/* `dmesg [all|N]`: the tail of the kernel log ring (4 KiB by default). */
static void kgdb_monitor_dmesg(const char *arg)
{
	uint64_t head = dmesg_head;
	uint64_t want = DMESG_DEFAULT;
	uint64_t have = head < dmesg_size ? head : dmesg_size;

	if (!strcmp(arg, "all")) {
		want = dmesg_size;
	} else if (*arg) {
		want = 0;
		for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
			want = want * 10 + (*p - '0');
	}
	if (want > have)
		want = have;
	for (uint64_t pos = head - want; pos < head;) {
		uint64_t off = pos % dmesg_size;
		uint64_t n = MIN(head - pos, dmesg_size - off);

		rsp_console_write(&kgdb_rsp, dmesg_buf + off, n);
		pos += n;
	}
}

static void kgdb_monitor_stages(const char *arg)
{
	unsigned passed = 0, expected = 0;

	for (int i = 0; i < STAGE_COUNT; i++) {
		const struct stage_desc *s = &stage_catalog[i];
		bool want = s->min_cpus <= ncpus;

		expected += want;
		passed += stage_passed(i);
		kgdb_monitor_printf("%-20s %-11s %s\n", s->id,
				    stage_passed(i) ? "passed"
				    : want	    ? "NOT passed"
						    : "n/a",
				    s->marker);
	}
	kgdb_monitor_printf("%u of %u expected stages passed\n", passed,
			    expected);
}

static void kgdb_monitor_trace(const char *arg)
{
	kgdb_monitor_printf("trace: tracing is not available yet in this "
			    "kernel (see docs/gdb.md)\n");
}

static const struct kgdb_monitor_cmd kgdb_monitor_cmds[] = {
	{ "help", kgdb_monitor_help, "this list" },
	{ "tasks", kgdb_monitor_tasks,
	  "every kernel thread: tid, name, "
	  "state, CPU" },
	{ "cpus", kgdb_monitor_cpus,
	  "every CPU: state in the debugger, "
	  "thread, RIP, ticks" },
	{ "dmesg", kgdb_monitor_dmesg,
	  "[all|BYTES] the tail of the kernel "
	  "log (4096 bytes)" },
	{ "stages", kgdb_monitor_stages, "which boot stages passed" },
	{ "trace", kgdb_monitor_trace, "the trace buffer (not available yet)" },
	{ NULL, NULL, NULL },
};

int kgdb_monitor(const char *cmd)
{
	size_t n = 0;

	while (*cmd == ' ')
		cmd++;
	while (cmd[n] && cmd[n] != ' ')
		n++;
	for (const struct kgdb_monitor_cmd *c = kgdb_monitor_cmds; c->name;
	     c++) {
		if (n == strlen(c->name) && !strncmp(cmd, c->name, n)) {
			c->fn(cmd[n] ? cmd + n + 1 : "");
			return 0;
		}
	}
	kgdb_monitor_printf("monitor: unknown command '%s' (try 'monitor "
			    "help')\n",
			    cmd);
	return 0;
}
