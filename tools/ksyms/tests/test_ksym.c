/*
 * Host tests for tools/ksyms and kernel/ksym.c. This binary is linked the
 * way the kernel is: once with the empty table, then with the table ksyms
 * extracts from that first link. So it can look up its own functions.
 * KSYMS_TOOL and KSYMS_DIR (the tool and this test's build directory)
 * come from tools/ksyms/build.mk.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ksym.h"
#include "tests/harness.h"

extern const uint64_t ksym_count;
extern const uint64_t ksym_addrs[];
extern const uint32_t ksym_name_offs[];
extern const char ksym_names[];
extern char __text_end[];

/* Fixtures: a global and a static function, an asm label, and data. */
__attribute__((noinline, used)) int fixture_global(int x)
{
	return x * 7 + 1;
}

__attribute__((noinline, used)) static int fixture_static(int x)
{
	return x * 11 + 3;
}

extern void fixture_label(void);
__asm__(".text\n"
	".globl fixture_label\n"
	"fixture_label:\n\tnop\n.Lfixture_local:\n\tnop\n\tret\n");

int fixture_data[4] = { 1, 2, 3, 4 };

/* Run ksyms with @args; capture its stderr+stdout into @out. */
static int run_ksyms(const char *args, char *out, size_t n)
{
	char cmd[1024];
	FILE *p;
	size_t got;
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", KSYMS_TOOL, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	got = fread(out, 1, n - 1, p);
	out[got] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *table_name(size_t i)
{
	return &ksym_names[ksym_name_offs[i]];
}

static size_t table_find(const char *name)
{
	for (size_t i = 0; i < ksym_count; i++) {
		if (!strcmp(table_name(i), name))
			return i;
	}
	return ksym_count;
}

TEST(search_empty)
{
	uint64_t a[1] = { 10 };

	CHECK_EQ(ksym_search(a, 0, 10), 0);
}

TEST(search_edges)
{
	uint64_t a[] = { 10, 20, 30, 40 };

	CHECK_EQ(ksym_search(a, 4, 9), 4);
	CHECK_EQ(ksym_search(a, 4, 10), 0);
	CHECK_EQ(ksym_search(a, 4, 19), 0);
	CHECK_EQ(ksym_search(a, 4, 20), 1);
	CHECK_EQ(ksym_search(a, 4, 35), 2);
	CHECK_EQ(ksym_search(a, 4, 40), 3);
	CHECK_EQ(ksym_search(a, 4, UINT64_MAX), 3);
}

TEST(search_every_size)
{
	uint64_t a[33];

	for (size_t n = 1; n <= 33; n++) {
		for (size_t i = 0; i < n; i++)
			a[i] = 100 + 8 * i;
		for (uint64_t x = 90; x < 100 + 8 * n + 8; x++) {
			size_t want = x < 100 ? n : MIN((x - 100) / 8, n - 1);

			CHECK_EQ(ksym_search(a, n, x), want);
		}
	}
}

TEST(table_sorted_and_clean)
{
	CHECK(ksym_count > 3);
	for (size_t i = 0; i < ksym_count; i++) {
		CHECK(table_name(i)[0] != '\0');
		CHECK(strncmp(table_name(i), ".L", 2) != 0);
		if (i)
			CHECK(ksym_addrs[i - 1] < ksym_addrs[i]);
	}
}

TEST(table_has_functions_and_labels)
{
	CHECK(table_find("fixture_global") < ksym_count);
	CHECK(table_find("fixture_static") < ksym_count);
	CHECK(table_find("fixture_label") < ksym_count);
	CHECK(table_find("main") < ksym_count);
}

TEST(table_skips_data)
{
	CHECK_EQ(table_find("fixture_data"), ksym_count);
	CHECK_EQ(table_find("ksym_count"), ksym_count);
}

TEST(lookup_own_functions)
{
	uintptr_t off = 99;
	const char *name;

	name = ksym_lookup((uintptr_t)fixture_global, &off);
	CHECK(name && !strcmp(name, "fixture_global"));
	CHECK_EQ(off, 0);
	name = ksym_lookup((uintptr_t)fixture_static + 3, &off);
	CHECK(name && !strcmp(name, "fixture_static"));
	CHECK_EQ(off, 3);
	/* The .L label inside fixture_label is not a symbol of its own. */
	name = ksym_lookup((uintptr_t)fixture_label + 1, &off);
	CHECK(name && !strcmp(name, "fixture_label"));
	CHECK_EQ(off, 1);
	CHECK(ksym_lookup((uintptr_t)fixture_global, NULL) != NULL);
}

TEST(lookup_outside_text)
{
	uintptr_t off = 0;

	CHECK(ksym_lookup((uintptr_t)__text_end, &off) == NULL);
	CHECK(ksym_lookup((uintptr_t)fixture_data, &off) == NULL);
	CHECK(ksym_lookup(ksym_addrs[0] - 1, &off) == NULL);
	CHECK(ksym_lookup(0, &off) == NULL);
}

TEST(format_known)
{
	char buf[64], want[64];
	int n = ksym_format(buf, sizeof(buf), (uintptr_t)fixture_global + 0x1a);

	snprintf(want, sizeof(want), "fixture_global+0x1a");
	CHECK(!strcmp(buf, want));
	CHECK_EQ(n, (int)strlen(want));
	ksym_format(buf, sizeof(buf), (uintptr_t)fixture_static);
	CHECK(!strcmp(buf, "fixture_static+0x0"));
}

TEST(format_unknown)
{
	char buf[64];

	CHECK_EQ(ksym_format(buf, sizeof(buf), 0x10), 4);
	CHECK(!strcmp(buf, "0x10"));
	ksym_format(buf, sizeof(buf), 0);
	CHECK(!strcmp(buf, "0x0"));
	ksym_format(buf, sizeof(buf), UINTPTR_MAX);
	CHECK(!strcmp(buf, "0xffffffffffffffff"));
}

TEST(format_truncates)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	CHECK_EQ(ksym_format(buf, 4, (uintptr_t)fixture_global), 3);
	CHECK(!strcmp(buf, "fix"));
	CHECK_EQ(buf[4], 'X');
	CHECK_EQ(ksym_format(buf, 1, (uintptr_t)fixture_global), 0);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(ksym_format(buf, 0, (uintptr_t)fixture_global), 0);
}

TEST(check_accepts_second_link)
{
	char out[4096];

	CHECK_EQ(run_ksyms("--check " KSYMS_DIR "/test_ksym "
			   KSYMS_DIR "/ksyms1.S", out, sizeof(out)), 0);
}

TEST(check_rejects_first_link)
{
	char out[4096];

	CHECK_EQ(run_ksyms("--check " KSYMS_DIR "/test_ksym.pass1 "
			   KSYMS_DIR "/ksyms1.S", out, sizeof(out)), 1);
	CHECK(strstr(out, "test_ksym.pass1") != NULL);
	CHECK(strstr(out, "embedded table has 0 symbols") != NULL);
}

TEST(check_rejects_stale_source)
{
	char out[4096];

	CHECK_EQ(run_ksyms("--check " KSYMS_DIR "/test_ksym "
			   KSYMS_DIR "/ksyms0.S", out, sizeof(out)), 1);
	CHECK(strstr(out, "ksyms0.S: differs") != NULL);
}

TEST(generate_is_deterministic)
{
	char out[4096];

	CHECK_EQ(run_ksyms(KSYMS_DIR "/test_ksym.pass1 -o "
			   KSYMS_DIR "/again.S", out, sizeof(out)), 0);
	/* Equal but for line 1, which names the input file. */
	CHECK_EQ(system("cd " KSYMS_DIR " && tail -n +2 again.S > a.body && "
			"tail -n +2 ksyms1.S > b.body && cmp -s a.body b.body"),
		 0);
}

TEST(bad_missing_file)
{
	char out[4096];

	CHECK_EQ(run_ksyms(KSYMS_DIR "/no-such.elf -o /dev/null", out,
			   sizeof(out)), 1);
	CHECK(strstr(out, "no-such.elf: No such file") != NULL);
}

TEST(bad_not_elf)
{
	char out[4096];

	CHECK_EQ(run_ksyms(KSYMS_DIR "/ksyms1.S -o /dev/null", out,
			   sizeof(out)), 1);
	CHECK(strstr(out, "ksyms1.S: not an ELF file") != NULL);
}

TEST(bad_truncated)
{
	static const long sizes[] = { 10, 64, 200, 4096 };
	char cmd[512], out[4096];

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		snprintf(cmd, sizeof(cmd), "head -c %ld " KSYMS_DIR
			 "/test_ksym > " KSYMS_DIR "/trunc.elf", sizes[i]);
		CHECK_EQ(system(cmd), 0);
		CHECK_EQ(run_ksyms(KSYMS_DIR "/trunc.elf -o /dev/null", out,
				   sizeof(out)), 1);
		CHECK(strstr(out, "trunc.elf: ") != NULL);
	}
}

TEST(bad_32bit)
{
	char out[4096];

	/* A copy of our own header with EI_CLASS patched to ELFCLASS32. */
	CHECK_EQ(system("head -c 4096 " KSYMS_DIR "/test_ksym > "
			KSYMS_DIR "/e32.elf"
			" && printf '\\001' | dd of=" KSYMS_DIR "/e32.elf bs=1"
			" seek=4 conv=notrunc status=none"), 0);
	CHECK_EQ(run_ksyms(KSYMS_DIR "/e32.elf -o /dev/null", out,
			   sizeof(out)), 1);
	CHECK(strstr(out, "e32.elf: ") != NULL);
}

TEST(bad_usage)
{
	char out[4096];

	CHECK_EQ(run_ksyms("", out, sizeof(out)), 2);
	CHECK(strstr(out, "usage:") != NULL);
	CHECK_EQ(run_ksyms("--empty " KSYMS_DIR "/ksyms1.S", out,
			   sizeof(out)), 2);
}

static const struct harness_test tests[] = {
	T(search_empty),
	T(search_edges),
	T(search_every_size),
	T(table_sorted_and_clean),
	T(table_has_functions_and_labels),
	T(table_skips_data),
	T(lookup_own_functions),
	T(lookup_outside_text),
	T(format_known),
	T(format_unknown),
	T(format_truncates),
	T(check_accepts_second_link),
	T(check_rejects_first_link),
	T(check_rejects_stale_source),
	T(generate_is_deterministic),
	T(bad_missing_file),
	T(bad_not_elf),
	T(bad_truncated),
	T(bad_32bit),
	T(bad_usage),
};

HARNESS_MAIN("ksyms", tests)
