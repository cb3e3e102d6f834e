/*
 * The vDSO: code the kernel maps into every process (kernel/vdso.c), so
 * that reading the clocks costs a function call, not a system call.
 * Linux's x86_64 interface: __vdso_clock_gettime, __vdso_gettimeofday
 * and __vdso_time in version LINUX_2.6, found by libc through
 * AT_SYSINFO_EHDR (musl's clock_gettime, time and gettimeofday all go
 * through the first). Time comes from the TSC and the data page the
 * kernel mapped just below this image (loupe/vvar.h), with the formula
 * the kernel's clock_gettime uses. Anything else, or a clock the page
 * cannot give, is the system call itself, made from here: a caller
 * never has to fall back.
 *
 * Built position-independent with no libc and no dynamic relocations
 * (kernel/vdso/build.mk checks): it runs wherever it is mapped.
 */
#include <stddef.h>
#include <stdint.h>
#include <loupe/vvar.h>

#define NS_PER_SEC	1000000000ULL
#define SYS_gettimeofday 96
#define SYS_time	201
#define SYS_clock_gettime 228

struct vdso_timespec {
	int64_t tv_sec, tv_nsec;
};

struct vdso_timeval {
	int64_t tv_sec, tv_usec;
};

struct vdso_timezone {
	int tz_minuteswest, tz_dsttime;
};

/* The data page, one page below this image (vdso.lds). */
extern const volatile struct loupe_vvar vdso_vvar
	__attribute__((visibility("hidden")));

static long vdso_syscall2(long nr, long a0, long a1)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a0), "S"(a1)
			     : "rcx", "r11", "memory");
	return ret;
}

/* Nanoseconds on clock @clk into *@ns; false for a clock the page lacks. */
static int vdso_read(int clk, uint64_t *ns)
{
	const volatile struct loupe_vvar *v = &vdso_vvar;

	if (!v->mult)
		return 0;
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = v->boot_unix_ns +
		      vvar_monotonic_ns(v, __builtin_ia32_rdtsc());
		return 1;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = vvar_monotonic_ns(v, __builtin_ia32_rdtsc());
		return 1;
	}
	return 0;
}

int __vdso_clock_gettime(int clk, struct vdso_timespec *ts)
{
	uint64_t ns;

	if (!vdso_read(clk, &ns))
		return (int)vdso_syscall2(SYS_clock_gettime, clk, (long)ts);
	ts->tv_sec = (int64_t)(ns / NS_PER_SEC);
	ts->tv_nsec = (int64_t)(ns % NS_PER_SEC);
	return 0;
}

int __vdso_gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz)
{
	uint64_t ns;

	if (!vdso_read(CLOCK_REALTIME, &ns))
		return (int)vdso_syscall2(SYS_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		tv->tv_sec = (int64_t)(ns / NS_PER_SEC);
		tv->tv_usec = (int64_t)(ns % NS_PER_SEC / 1000);
	}
	if (tz)
		*tz = (struct vdso_timezone){ 0, 0 };	/* UTC, as Linux */
	return 0;
}

int64_t __vdso_time(int64_t *t)
{
	uint64_t ns;
	int64_t s;

	if (!vdso_read(CLOCK_REALTIME, &ns))
		return vdso_syscall2(SYS_time, (long)t, 0);
	s = (int64_t)(ns / NS_PER_SEC);
	if (t)
		*t = s;
	return s;
}

/* The plain names too, as Linux's vDSO has them. */
int clock_gettime(int, struct vdso_timespec *)
	__attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct vdso_timeval *, struct vdso_timezone *)
	__attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
