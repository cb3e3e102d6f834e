/*
 * Host unit tests of trace2perfetto's protobuf encoder (pb.c): exact bytes
 * for varints, negative ints, fixed64, strings, and nested messages on both
 * sides of every length-width boundary that pb_end() backpatches.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tests/harness.h"
#include "tools/trace2perfetto/pb.h"

static struct pb pb;

static void pb_reset(void)
{
	pb_free(&pb);
	pb_init(&pb, NULL);
}

static int pb_is(const void *want, size_t n)
{
	return pb.err == 0 && pb.len == n && memcmp(pb.buf, want, n) == 0;
}

/* Decode the varint at @p; returns its width. */
static int varint_at(const uint8_t *p, uint64_t *v)
{
	int n = 0;

	*v = 0;
	do {
		*v |= (uint64_t)(p[n] & 0x7f) << (7 * n);
	} while (p[n++] & 0x80);
	return n;
}

TEST(varint_small)
{
	static const uint8_t want[] = { 0x08, 0x00, 0x10, 0x7f, 0x18, 0x80, 0x01 };

	pb_reset();
	pb_uint(&pb, 1, 0);
	pb_uint(&pb, 2, 127);
	pb_uint(&pb, 3, 128);
	CHECK(pb_is(want, sizeof(want)));
}

TEST(varint_max)
{
	static const uint8_t want[] = { 0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff, 0x01 };

	pb_reset();
	pb_uint(&pb, 1, UINT64_MAX);
	CHECK(pb_is(want, sizeof(want)));
}

TEST(negative_int_is_ten_bytes)
{
	static const uint8_t want[] = { 0x10, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff, 0x01 };

	pb_reset();
	pb_int(&pb, 2, -1);
	CHECK(pb_is(want, sizeof(want)));
}

TEST(large_field_number)
{
	/* field 240, varint: tag = 240 << 3 = 1920 = 0x80 0x0f */
	static const uint8_t want[] = { 0x80, 0x0f, 0x05 };

	pb_reset();
	pb_uint(&pb, 240, 5);
	CHECK(pb_is(want, sizeof(want)));
}

TEST(fixed64_little_endian)
{
	static const uint8_t want[] = { 0xf9, 0x02, 0x08, 0x07, 0x06, 0x05,
					0x04, 0x03, 0x02, 0x01 };

	pb_reset();
	pb_fixed64(&pb, 47, 0x0102030405060708ull);
	CHECK(pb_is(want, sizeof(want)));
}

TEST(string)
{
	static const uint8_t want[] = { 0x12, 0x03, 'a', 'b', 'c', 0x1a, 0x00 };

	pb_reset();
	pb_string(&pb, 2, "abc");
	pb_string(&pb, 3, "");
	CHECK(pb_is(want, sizeof(want)));
}

TEST(nested_small)
{
	static const uint8_t want[] = { 0x0a, 0x04, 0x12, 0x02, 0x08, 0x01 };

	pb_reset();
	pb_begin(&pb, 1);
	pb_begin(&pb, 2);
	pb_uint(&pb, 1, 1);
	pb_end(&pb);
	pb_end(&pb);
	CHECK(pb_is(want, sizeof(want)));
	CHECK_EQ(pb.depth, 0);
}

/* A nested message of @n payload bytes gets a minimal length prefix. */
static int nested_len_ok(size_t n)
{
	static uint8_t payload[70000];
	uint64_t len;
	int w;

	memset(payload, 'x', sizeof(payload));
	pb_reset();
	pb_begin(&pb, 1);
	pb_raw(&pb, payload, n);
	pb_end(&pb);
	pb_uint(&pb, 2, 9);
	w = varint_at(pb.buf + 1, &len);
	return pb.err == 0 && pb.buf[0] == 0x0a && len == n &&
	       w == pb_varint_size(n) && pb.len == 1 + (size_t)w + n + 2 &&
	       (n == 0 || (pb.buf[1 + w] == 'x' && pb.buf[w + n] == 'x')) &&
	       pb.buf[1 + w + n] == 0x10 && pb.buf[2 + w + n] == 9;
}

TEST(nested_backpatch_boundaries)
{
	static const size_t sizes[] = { 0, 1, 127, 128, 129, 16383, 16384,
					65536 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		CHECK(nested_len_ok(sizes[i]));
}

TEST(nested_inner_grows_outer)
{
	static uint8_t payload[200];
	uint64_t outer, inner;
	int wo, wi;

	memset(payload, 'y', sizeof(payload));
	pb_reset();
	pb_begin(&pb, 1);
	pb_begin(&pb, 2);
	pb_raw(&pb, payload, sizeof(payload));
	pb_end(&pb);
	pb_end(&pb);
	wo = varint_at(pb.buf + 1, &outer);
	wi = varint_at(pb.buf + 2 + wo, &inner);
	CHECK_EQ(inner, 200);
	CHECK_EQ(outer, 1 + wi + 200);
	CHECK_EQ(pb.len, 1 + wo + outer);
}

TEST(unbalanced_end_is_an_error)
{
	pb_reset();
	pb_end(&pb);
	CHECK(pb.err != 0);
}

TEST(flush_writes_file)
{
	FILE *f = tmpfile();
	char buf[8];

	CHECK(f);
	pb_free(&pb);
	pb_init(&pb, f);
	pb_uint(&pb, 1, 150);
	CHECK_EQ(pb_flush(&pb), 0);
	CHECK_EQ(pb.len, 0);
	rewind(f);
	CHECK_EQ(fread(buf, 1, sizeof(buf), f), 3);
	CHECK(memcmp(buf, "\x08\x96\x01", 3) == 0);
	fclose(f);
	pb_free(&pb);
	pb_init(&pb, NULL);
}

static const struct harness_test tests[] = {
	T(varint_small),
	T(varint_max),
	T(negative_int_is_ten_bytes),
	T(large_field_number),
	T(fixed64_little_endian),
	T(string),
	T(nested_small),
	T(nested_backpatch_boundaries),
	T(nested_inner_grows_outer),
	T(unbalanced_end_is_an_error),
	T(flush_writes_file),
};

int main(void)
{
	int ret = harness_main("t2p", tests, sizeof(tests) / sizeof(tests[0]));

	pb_free(&pb);
	return ret;
}
