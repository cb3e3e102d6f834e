/*
 * A fuzzer for the RSP engine, run under ASan/UBSan: random bytes, random
 * well-framed packets built from every command prefix with random
 * arguments, and mutations of valid packets (flipped, dropped, duplicated
 * bytes, bad checksums, cut-off frames). The caller plays the kernel's stop
 * loop; after every batch a well-formed `?` must still get a stop reply.
 */
#include "tests/harness.h"
#include "gdbstub/tests/fake_target.h"

#define FUZZ_PACKETS	40000
#define FUZZ_BATCH	50

static struct fake_target f;
static uint64_t fuzz_state = 0x9e3779b97f4a7c15ull;

static uint64_t fuzz_rand(void)
{
	/* xorshift64*: reproducible, no libc state. */
	fuzz_state ^= fuzz_state >> 12;
	fuzz_state ^= fuzz_state << 25;
	fuzz_state ^= fuzz_state >> 27;
	return fuzz_state * 0x2545f4914f6cdd1dull;
}

static size_t fuzz_below(size_t n)
{
	return (size_t)(fuzz_rand() % n);
}

static const char *const fuzz_prefixes[] = {
	"?", "g", "G", "p", "P", "m", "M", "X", "c", "C", "s", "S", "H",
	"Hg", "Hc", "T", "D", "k", "Z", "z", "Z0,", "Z2,", "z1,", "vCont?",
	"vCont;", "vCont;s:", "vCont;C", "vKill", "vMustReplyEmpty", "qC",
	"qSupported:", "qXfer:features:read:", "qXfer:features:read:target.xml:",
	"qXfer:features:read:64bit-core.xml:", "qXfer:threads:read::",
	"qXfer:threads:read:", "qfThreadInfo", "qsThreadInfo",
	"qThreadExtraInfo,", "qRcmd,", "qAttached", "qSymbol::", "qTStatus",
	"QStartNoAckMode", "qHostInfo", "x", "jThreadsInfo", "",
};

static const char fuzz_alphabet[] = "0123456789abcdefABCDEFxX,:;=-+$#}*\x03 ";

/* A payload: a command prefix and random arguments. */
static size_t fuzz_payload(char *buf, size_t max)
{
	const char *pre = fuzz_prefixes[fuzz_below(ARRAY_SIZE(fuzz_prefixes))];
	size_t n = strlen(pre), extra = fuzz_below(40);

	memcpy(buf, pre, n);
	if (fuzz_below(50) == 0)
		extra = fuzz_below(max - n);
	for (size_t i = 0; i < extra && n < max; i++) {
		if (fuzz_below(4))
			buf[n++] = fuzz_alphabet[fuzz_below(sizeof(fuzz_alphabet) - 1)];
		else
			buf[n++] = (char)fuzz_below(256);
	}
	return n;
}

/* Frame @payload, escaping what must be escaped; maybe spoil the sum. */
static size_t fuzz_frame(uint8_t *out, const char *payload, size_t n)
{
	size_t o = 0;
	uint8_t sum = 0;

	out[o++] = '$';
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)payload[i];

		if (c == '$' || c == '#' || c == '}' || c == '*') {
			out[o++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[o++] = c;
		sum += c;
	}
	if (fuzz_below(10) == 0)
		sum ^= (uint8_t)(1 + fuzz_below(255));
	o += (size_t)sprintf((char *)out + o, "#%02x", sum);
	return o;
}

static void fuzz_mutate(uint8_t *buf, size_t *n, size_t max)
{
	size_t at;

	switch (fuzz_below(5)) {
	case 0:
		buf[fuzz_below(*n)] ^= (uint8_t)(1u << fuzz_below(8));
		break;
	case 1:
		at = fuzz_below(*n);
		memmove(buf + at, buf + at + 1, *n - at - 1);
		(*n)--;
		break;
	case 2:
		if (*n < max) {
			at = fuzz_below(*n);
			memmove(buf + at + 1, buf + at, *n - at);
			(*n)++;
		}
		break;
	case 3:
		*n = fuzz_below(*n) + 1;
		break;
	default:
		buf[fuzz_below(*n)] = (uint8_t)fuzz_below(256);
	}
}

/* Feed like the kernel's loop would: stop when asked, then carry on. */
static void fuzz_feed(const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (rsp_input_byte(&f.rsp, buf[i])) {
		case RSP_EV_INTERRUPT:
		case RSP_EV_RESUME:
		case RSP_EV_DETACH:
			rsp_stopped(&f.rsp);
			break;
		default:
			break;
		}
	}
	if (f.out_len > FAKE_OUT_SIZE / 2)
		fake_out_clear(&f);
}

static void fuzz_one(void)
{
	static char payload[GDBSTUB_PACKET_SIZE + 64];
	static uint8_t wire[2 * sizeof(payload) + 16];
	size_t n;

	switch (fuzz_below(4)) {
	case 0:
		n = fuzz_below(64) + 1;
		for (size_t i = 0; i < n; i++)
			wire[i] = (uint8_t)fuzz_below(256);
		break;
	case 1:
		n = fuzz_payload(payload, sizeof(payload));
		n = fuzz_frame(wire, payload, n);
		fuzz_mutate(wire, &n, sizeof(wire));
		break;
	default:
		n = fuzz_payload(payload, sizeof(payload));
		n = fuzz_frame(wire, payload, n);
	}
	fuzz_feed(wire, n);
	if (fuzz_below(200) == 0) {
		rsp_disconnect(&f.rsp);
		rsp_stopped(&f.rsp);
	}
}

/* The engine must still answer `?` whatever state the batch left. */
static bool fuzz_still_answers(void)
{
	char payload[256];
	size_t n;

	f.stop = (struct gdbstub_stop){ GDBSTUB_SIGTRAP, 1, 0,
					GDBSTUB_STOP_NONE, 0 };
	fake_out_clear(&f);
	fuzz_feed((const uint8_t *)"$?#3f", 5);
	n = fake_unframe(f.out, payload, sizeof(payload));
	return n != (size_t)-1 && !strcmp(payload, "T05thread:1;core:0;");
}

TEST(random_and_mutated_packets)
{
	fake_init(&f);
	for (int i = 0; i < FUZZ_PACKETS; i++) {
		fuzz_one();
		if (i % FUZZ_BATCH == FUZZ_BATCH - 1)
			CHECK(fuzz_still_answers());
	}
	CHECK(fuzz_still_answers());
}

TEST(pure_noise)
{
	static uint8_t noise[1 << 16];

	fake_init(&f);
	for (int round = 0; round < 16; round++) {
		for (size_t i = 0; i < sizeof(noise); i++)
			noise[i] = (uint8_t)fuzz_rand();
		fuzz_feed(noise, sizeof(noise));
		CHECK(fuzz_still_answers());
	}
}

TEST(memory_stays_in_bounds)
{
	/* Random m/M/X over and around the fake memory; ASan checks. */
	char payload[128];
	uint8_t wire[300];

	fake_init(&f);
	for (int i = 0; i < 5000; i++) {
		uint64_t addr = FAKE_MEM_BASE - 0x100 + fuzz_below(0x2200);
		size_t n = (size_t)snprintf(payload, sizeof(payload),
					    "m%llx,%zx", (unsigned long long)addr,
					    fuzz_below(0x3000));

		fuzz_feed(wire, fuzz_frame(wire, payload, n));
	}
	CHECK(fuzz_still_answers());
}

static const struct harness_test tests[] = {
	T(random_and_mutated_packets),
	T(pure_noise),
	T(memory_stays_in_bounds),
};

HARNESS_MAIN("rsp_fuzz", tests)
