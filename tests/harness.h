/*
 * A tiny table-driven harness for host unit tests. A test file defines
 * its tests with TEST(name), lists them in a TESTS table, and calls
 * harness_main(). Each test prints "PASS: <name>" or "FAIL: <name>"; the
 * suite runner counts those lines. Exit status is non-zero on any failure.
 */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct harness_test {
	const char *name;
	void (*fn)(void);
};

static int harness_failed_now;

#define TEST(name) static void test_##name(void)
#define T(name) { #name, test_##name }

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", \
			__FILE__, __LINE__, #cond); \
		harness_failed_now = 1; \
		return; \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) { \
		fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", \
			__FILE__, __LINE__, #a, _a, #b, _b); \
		harness_failed_now = 1; \
		return; \
	} \
} while (0)

static inline int harness_main(const char *suite,
			       const struct harness_test *t, size_t n)
{
	int failed = 0;

	for (size_t i = 0; i < n; i++) {
		harness_failed_now = 0;
		t[i].fn();
		printf("%s: %s.%s\n", harness_failed_now ? "FAIL" : "PASS",
		       suite, t[i].name);
		fflush(stdout);
		failed += harness_failed_now;
	}
	return failed ? 1 : 0;
}

#define HARNESS_MAIN(suite, table) \
	int main(void) \
	{ \
		return harness_main(suite, table, \
				    sizeof(table) / sizeof(table[0])); \
	}

#endif
