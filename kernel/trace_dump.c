/*
 * Dumping the rings as text, the slow way out (real hardware, post-mortem):
 * on a panic to the console, or through any line callback for the GDB
 * stub's `monitor trace`. tools/tracecap --from-dump reads it back.
 */
#include "trace.h"
#include "fmt.h"
#include "printk.h"
#include "sched.h"

static const char hexdigit[] = "0123456789abcdef";

/* "trace-dump: r <cpu> <pos> <record bytes in hex>" for one record. */
static void trace_dump_record(void (*out)(const char *, void *), void *arg,
			      unsigned cpu, uint64_t pos, const uint8_t *rec,
			      int size)
{
	char line[64 + 2 * TRACE_REC_MAX];
	int n = snprintf(line, sizeof(line), "trace-dump: r %u %lx ", cpu, pos);

	for (int i = 0; i < size; i++) {
		line[n++] = hexdigit[rec[i] >> 4];
		line[n++] = hexdigit[rec[i] & 15];
	}
	line[n] = 0;
	out(line, arg);
}

/* Dump the whole records in the last @bytes of @r (rounded to blocks). */
static void trace_dump_ring(void (*out)(const char *, void *), void *arg,
			    struct trace_ring_hdr *r, uint64_t bytes)
{
	uint64_t rec[TRACE_REC_MAX / 8];
	struct trace_reader rd;
	uint64_t head, start;
	char line[128];
	int size;

	if (trace_reader_init(&rd, r, false))
		return;
	head = TRACE_HEAD_POS(__atomic_load_n(&r->head, __ATOMIC_RELAXED));
	start = head > bytes ? ALIGN_DOWN(head - bytes, (uint64_t)TRACE_BLOCK_SIZE) : 0;
	if (start > rd.pos)
		rd.pos = start;
	snprintf(line, sizeof(line), "trace-dump: cpu %u written %lu lost %lu "
		 "size %lu head %lx", r->cpu, r->written, r->lost, r->data_size,
		 head);
	out(line, arg);
	for (;;) {
		size = trace_reader_next(&rd, rec);
		if (size == -EAGAIN) {
			trace_reader_skip(&rd);	/* a record that never ends */
			continue;
		}
		if (size <= 0)
			break;
		trace_dump_record(out, arg, r->cpu, rd.pos - size,
				  (const uint8_t *)rec, size);
	}
}

/*
 * Write every CPU's last @bytes_per_cpu of records through @out, one line
 * at a time (no newline). The current thread names are recorded first.
 * Context: any; takes no lock (a panic has stopped the other CPUs; a live
 * dump races only with writers, which readers tolerate). Returns the
 * number of rings dumped.
 */
int trace_dump(void (*out)(const char *line, void *arg), void *arg,
	       uint64_t bytes_per_cpu)
{
	char line[128];
	int n = 0;

	snprintf(line, sizeof(line), "trace-dump: begin v%u ncpus %u tsc_hz %lu "
		 "boot_tsc %lu mode %u", TRACE_VERSION, trace_ctl.ncpus,
		 trace_ctl.tsc_hz, trace_ctl.boot_tsc, trace_ctl.mode);
	out(line, arg);
	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (trace_rings[cpu]) {
			trace_dump_ring(out, arg, trace_rings[cpu], bytes_per_cpu);
			n++;
		}
	}
	out("trace-dump: end", arg);
	return n;
}

static void trace_dump_printk(const char *line, void *unused)
{
	printk("%s", line);
}

/* The panic report's dump (tracedump= bytes per CPU). Context: panic. */
void trace_panic_dump(void)
{
	extern uint64_t trace_dump_bytes;
	static bool dumped;

	if (dumped || !trace_dump_bytes || !trace_ctl.enabled)
		return;
	dumped = true;
	trace_snapshot_names(true);
	trace_dump(trace_dump_printk, NULL, trace_dump_bytes);
}
