/*
 * Shared by the utests files: the EXPECT macro, raw system calls that
 * return an errno (musl's wrappers may touch a bad pointer themselves),
 * and helpers that run a function in a child and report how it ended.
 */
#ifndef USERLAND_UTESTS_H
#define USERLAND_UTESTS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A failed expectation: say where, and fail the test. */
#define EXPECT(cond) do { \
	if (!(cond)) { \
		printf("utest: FAIL at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		return 1; \
	} \
} while (0)

/* A test's exit status: not applicable here (never on Loupe). */
#define UT_SKIP	77

/* Addresses no user pointer may name. */
#define UT_KERNEL_DIRECT	((void *)0xffff800000000000ULL)
#define UT_KERNEL_TEXT		((void *)0xffffffff80000000ULL)
#define UT_NONCANON		((void *)0x0000800000000000ULL)
#define UT_NONCANON_HIGH	((void *)0x8000000000000000ULL)
#define UT_UNMAPPED		((void *)0x1000)

/* The pointers every pointer-taking call must refuse with EFAULT. */
extern void *const ut_bad_ptrs[];
extern const int ut_nbad_ptrs;

/* True when running on Loupe (uname sysname), false natively on Linux. */
extern bool ut_on_loupe;

/* The directory utests was run from ("/bin" in the guest). */
extern char ut_bindir[];

/* A raw system call's errno: 0 if it returned >= 0. */
#define UT_ERRNO(...) (syscall(__VA_ARGS__) < 0 ? errno : 0)

/* Run fn in a child; return its wait status (or -1 if fork failed). */
int ut_child_status(void (*fn)(void));

/* Run fn in a child; true if it was killed by signal sig. */
bool ut_dies_with(void (*fn)(void), int sig);

/* fork + execve bindir/prog with argv; the wait status, or -1. */
int ut_exec_status(const char *prog, char *const argv[], char *const envp[]);

/* Free pages as the kernel counts them (sysinfo freeram * mem_unit / 4K). */
long ut_free_pages(void);

/*
 * Free pages once they stop changing: exited threads' stacks and zombies
 * adopted by init are freed a little later, by others.
 */
long ut_settled_free_pages(void);

/* Monotonic time in nanoseconds. */
uint64_t ut_now_ns(void);

/*
 * A child that, after ms, sends sig to pid, then (fd >= 0) after ms more
 * writes a byte to fd; its pid, or -1.
 */
pid_t ut_later(int ms, pid_t pid, int sig, int fd);

#endif
