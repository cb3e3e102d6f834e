/*
 * The fake target behind the RSP host tests (see fake_target.h). It plays
 * the debugger core: memory reads stop at the end of the array (a partial
 * read), writes stop at the read-only tail, hw breakpoints run out at 4.
 */
#include <stdio.h>
#include <string.h>
#include "gdbstub/tests/fake_target.h"

static struct fake_target *fake_of(void *ctx)
{
	return ctx;
}

static void fake_reset(void *ctx)
{
	struct fake_target *f = fake_of(ctx);

	f->resets++;
	f->nbp = 0;
}

static int fake_read_regs(void *ctx, int64_t tid, struct gdbreg_image *img)
{
	struct fake_target *f = fake_of(ctx);

	if (tid < 1 || tid > 3)
		return -ESRCH;
	*img = f->regs[tid - 1];
	return 0;
}

static int fake_write_regs(void *ctx, int64_t tid,
			   const struct gdbreg_image *img)
{
	struct fake_target *f = fake_of(ctx);
	struct gdbreg_image *dst;

	if (tid < 1 || tid > 3)
		return -ESRCH;
	dst = &f->regs[tid - 1];
	for (int i = 0; i < GDBREG_COUNT; i++) {
		if (img->avail[i])
			gdbreg_set(dst, i, img->bytes + gdbreg_table[i].offset);
	}
	return 0;
}

static size_t fake_span(uint64_t addr, size_t len, uint64_t limit)
{
	if (addr < FAKE_MEM_BASE || addr >= FAKE_MEM_BASE + limit)
		return 0;
	return (size_t)MIN((uint64_t)len, FAKE_MEM_BASE + limit - addr);
}

static size_t fake_read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake_target *f = fake_of(ctx);
	size_t n = fake_span(addr, len, FAKE_MEM_SIZE);

	memcpy(buf, f->mem + (addr - FAKE_MEM_BASE) * !!n, n);
	return n;
}

static size_t fake_write_mem(void *ctx, uint64_t addr, const void *buf,
			     size_t len)
{
	struct fake_target *f = fake_of(ctx);
	size_t n = fake_span(addr, len, FAKE_MEM_RW);

	memcpy(f->mem + (addr - FAKE_MEM_BASE) * !!n, buf, n);
	return n;
}

static int fake_find_bp(struct fake_target *f, int type, uint64_t addr)
{
	for (int i = 0; i < f->nbp; i++) {
		if (f->bp[i].type == type && f->bp[i].addr == addr)
			return i;
	}
	return -1;
}

static int fake_count_hw(struct fake_target *f)
{
	int n = 0;

	for (int i = 0; i < f->nbp; i++)
		n += f->bp[i].type != GDBSTUB_BP_SW;
	return n;
}

static int fake_insert_bp(void *ctx, enum gdbstub_bp_type type, uint64_t addr,
			  uint64_t kind)
{
	struct fake_target *f = fake_of(ctx);

	if (fake_find_bp(f, type, addr) >= 0)
		return 0;
	if (type != GDBSTUB_BP_SW && fake_count_hw(f) == 4)
		return -ENOSPC;
	if (type != GDBSTUB_BP_SW && kind != 1 && kind != 2 && kind != 4 &&
	    kind != 8)
		return -EINVAL;
	if (f->nbp == FAKE_MAX_BP)
		return -ENOSPC;
	f->bp[f->nbp++] = (struct fake_bp){ type, addr, kind };
	return 0;
}

static int fake_remove_bp(void *ctx, enum gdbstub_bp_type type, uint64_t addr,
			  uint64_t kind __unused)
{
	struct fake_target *f = fake_of(ctx);
	int i = fake_find_bp(f, type, addr);

	if (i < 0)
		return 0;
	f->bp[i] = f->bp[--f->nbp];
	return 0;
}

static int fake_resume(void *ctx, const struct gdbstub_action *acts, int n)
{
	struct fake_target *f = fake_of(ctx);

	memcpy(f->acts, acts, (size_t)n * sizeof(*acts));
	f->nacts = n;
	f->resumes++;
	return 0;
}

static const struct gdbstub_thread fake_threads[] = {
	{ 1, "idle", 0, "running" },
	{ 2, "init", -1, "sleeping" },
	{ 3, "k<w&r>#*", 1, "running" },
};

static bool fake_thread_next(void *ctx __unused, uint64_t *cursor,
			     struct gdbstub_thread *t)
{
	if (*cursor >= ARRAY_SIZE(fake_threads))
		return false;
	*t = fake_threads[(*cursor)++];
	return true;
}

static int fake_thread_find(void *ctx __unused, int64_t tid, struct gdbstub_thread *t)
{
	if (tid < 1 || tid > (int64_t)ARRAY_SIZE(fake_threads))
		return -ESRCH;
	*t = fake_threads[tid - 1];
	return 0;
}

static void fake_stop_reason(void *ctx, struct gdbstub_stop *stop)
{
	*stop = fake_of(ctx)->stop;
}

static int fake_monitor(void *ctx, const char *cmd)
{
	struct fake_target *f = fake_of(ctx);
	char line[300];

	snprintf(f->last_monitor, sizeof(f->last_monitor), "%s", cmd);
	if (!strcmp(cmd, "help"))
		snprintf(line, sizeof(line), "help tasks cpus\n");
	else
		snprintf(line, sizeof(line), "unknown command: %s\n", cmd);
	rsp_console_write(&f->rsp, line, strlen(line));
	return 0;
}

static void fake_detach(void *ctx)
{
	fake_of(ctx)->detaches++;
	fake_of(ctx)->nbp = 0;
}

const struct gdbstub_target_ops fake_target_ops = {
	.reset = fake_reset,
	.read_regs = fake_read_regs,
	.write_regs = fake_write_regs,
	.read_mem = fake_read_mem,
	.write_mem = fake_write_mem,
	.insert_bp = fake_insert_bp,
	.remove_bp = fake_remove_bp,
	.resume = fake_resume,
	.thread_next = fake_thread_next,
	.thread_find = fake_thread_find,
	.stop_reason = fake_stop_reason,
	.monitor = fake_monitor,
	.detach = fake_detach,
};

static void fake_putc(void *ctx, uint8_t c)
{
	struct fake_target *f = ctx;

	if (f->out_len < FAKE_OUT_SIZE - 1)
		f->out[f->out_len++] = (char)c;
	f->out[f->out_len] = '\0';
}

static void fake_flush(void *ctx)
{
	((struct fake_target *)ctx)->flushes++;
}

static int fake_getc(void *ctx)
{
	struct fake_target *f = ctx;

	if (f->in_pos < f->in_len)
		return f->in[f->in_pos++];
	return f->in_reset ? GDBSTUB_IO_RESET : GDBSTUB_IO_NONE;
}

static void fake_regs_init(struct fake_target *f)
{
	static const int callee_saved[] = {
		GDBREG_RBX, GDBREG_RBP, GDBREG_RSP, GDBREG_R12,
		GDBREG_R13, GDBREG_R14, GDBREG_R15, GDBREG_RIP,
	};

	for (int t = 0; t < 3; t++)
		gdbreg_clear(&f->regs[t]);
	for (int i = 0; i < GDBREG_COUNT; i++)
		gdbreg_set_u64(&f->regs[0], i, 0x1100 + (uint64_t)i);
	gdbreg_set_u64(&f->regs[0], GDBREG_RIP, FAKE_MEM_BASE);
	gdbreg_set_u64(&f->regs[0], GDBREG_RAX, 0x1122334455667788ull);
	for (size_t i = 0; i < ARRAY_SIZE(callee_saved); i++)
		gdbreg_set_u64(&f->regs[1], callee_saved[i], 0x2200 + i);
	f->regs[2] = f->regs[0];
}

/* A stopped target (thread 1 on CPU 0 hit SIGTRAP) with a fresh engine. */
void fake_init(struct fake_target *f)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < FAKE_MEM_SIZE; i++)
		f->mem[i] = (uint8_t)i;
	memcpy(f->mem, "\xde\xad\xbe\xef", 4);
	fake_regs_init(f);
	f->stop = (struct gdbstub_stop){ .signal = GDBSTUB_SIGTRAP, .tid = 1,
					 .cpu = 0 };
	f->io = (struct gdbstub_io_ops){ fake_putc, fake_flush, fake_getc, f };
	rsp_init(&f->rsp, &f->io, &fake_target_ops, f);
	rsp_stopped(&f->rsp);
}

/* Feed bytes one at a time; return the last event that was not NONE. */
enum rsp_event fake_feed_n(struct fake_target *f, const void *bytes, size_t n)
{
	const uint8_t *b = bytes;
	enum rsp_event last = RSP_EV_NONE, ev;

	for (size_t i = 0; i < n; i++) {
		ev = rsp_input_byte(&f->rsp, b[i]);
		if (ev != RSP_EV_NONE)
			last = ev;
	}
	return last;
}

enum rsp_event fake_feed(struct fake_target *f, const char *bytes)
{
	return fake_feed_n(f, bytes, strlen(bytes));
}

/* Compare and clear the captured output; print both on a mismatch. */
bool fake_out_is(struct fake_target *f, const char *expect)
{
	bool ok = !strcmp(f->out, expect);

	if (!ok)
		fprintf(stderr, "output: \"%s\"\nexpect: \"%s\"\n", f->out,
			expect);
	fake_out_clear(f);
	return ok;
}

void fake_out_clear(struct fake_target *f)
{
	f->out_len = 0;
	f->out[0] = '\0';
}

/* Frame @payload as $payload#cs (no escaping); valid until 4 more calls. */
const char *fake_pkt(const char *payload)
{
	static char bufs[4][0x6000];
	static int next;
	char *dst = bufs[next++ % 4];
	uint8_t sum = 0;

	for (const char *p = payload; *p; p++)
		sum += (uint8_t)*p;
	snprintf(dst, sizeof(bufs[0]), "$%s#%02x", payload, sum);
	return dst;
}

/*
 * Find the first packet in @out, check its checksum and unescape it into
 * @payload (NUL-terminated). Returns its length, or (size_t)-1.
 */
size_t fake_unframe(const char *out, char *payload, size_t max)
{
	const char *p = strchr(out, '$');
	unsigned int want;
	uint8_t sum = 0;
	size_t n = 0;

	if (!p)
		return (size_t)-1;
	for (p++; *p && *p != '#' && n + 1 < max; p++) {
		sum += (uint8_t)*p;
		if (*p == '}') {
			sum += (uint8_t)*++p;
			payload[n++] = (char)(*p ^ 0x20);
		} else {
			payload[n++] = *p;
		}
	}
	payload[n] = '\0';
	if (*p != '#' || sscanf(p + 1, "%2x", &want) != 1 || want != sum)
		return (size_t)-1;
	return n;
}
