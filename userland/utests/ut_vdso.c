/*
 * utests: the vDSO (kernel/vdso.c, kernel/vdso/vdso.c). Found the way
 * libc finds it (AT_SYSINFO_EHDR, then its dynamic symbols in version
 * LINUX_2.6), each entry called directly and through musl, and checked
 * against the system call: a time read one way is never later than one
 * read the other way after it. Its pages are not writable. The same
 * checks pass on Linux (userland/tests/test_native.py).
 */
#include <elf.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

#include "utests.h"
#include "ut_tests.h"

typedef int (*cgt_fn)(clockid_t, struct timespec *);
typedef int (*gtod_fn)(struct timeval *, void *);
typedef time_t (*time_fn)(time_t *);

static const Elf64_Ehdr *vdso_ehdr(void)
{
	return (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
}

/* Version index @ndx's name is @name (the image's Verdef chain). */
static bool vdso_version_is(const Elf64_Verdef *d, unsigned ndx,
			    const char *strs, const char *name)
{
	for (;;) {
		const Elf64_Verdaux *a = (const void *)((const char *)d +
							d->vd_aux);

		if (!(d->vd_flags & VER_FLG_BASE) && d->vd_ndx == (ndx & 0x7fff))
			return !strcmp(strs + a->vda_name, name);
		if (!d->vd_next)
			return false;
		d = (const void *)((const char *)d + d->vd_next);
	}
}

/* @name in version LINUX_2.6, as libc looks it up; NULL if absent. */
static void *vdso_sym(const char *name)
{
	const Elf64_Ehdr *eh = vdso_ehdr();
	const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	const Elf64_Sym *syms = NULL;
	const Elf64_Verdef *vd = NULL;
	const Elf64_Half *vs = NULL;
	const uint32_t *hash = NULL;
	const char *strs = NULL;
	uintptr_t base = 0;

	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD)
			base = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
		else if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const void *)((const char *)eh + ph[i].p_offset);
	}
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		const void *p = (const void *)(base + dyn->d_un.d_ptr);

		switch (dyn->d_tag) {
		case DT_STRTAB: strs = p; break;
		case DT_SYMTAB: syms = p; break;
		case DT_HASH: hash = p; break;
		case DT_VERSYM: vs = p; break;
		case DT_VERDEF: vd = p; break;
		}
	}
	if (!strs || !syms || !hash)
		return NULL;
	for (uint32_t i = 0; i < hash[1]; i++) {
		if (ELF64_ST_TYPE(syms[i].st_info) != STT_FUNC ||
		    !syms[i].st_shndx || strcmp(strs + syms[i].st_name, name))
			continue;
		if (vs && vd && !vdso_version_is(vd, vs[i], strs, "LINUX_2.6"))
			continue;
		return (void *)(base + syms[i].st_value);
	}
	return NULL;
}

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
}

/* The system call, then the vDSO, then the system call, on clock @clk. */
static int vdso_between(cgt_fn cgt, clockid_t clk)
{
	struct timespec a, b, c;

	for (int i = 0; i < 200; i++) {
		EXPECT(syscall(SYS_clock_gettime, clk, &a) == 0);
		EXPECT(cgt(clk, &b) == 0);
		EXPECT(syscall(SYS_clock_gettime, clk, &c) == 0);
		EXPECT(b.tv_nsec >= 0 && b.tv_nsec < 1000000000);
		EXPECT(ts_ns(&a) <= ts_ns(&b) && ts_ns(&b) <= ts_ns(&c));
		if (i % 50 == 0)
			sched_yield();		/* maybe onto another CPU */
	}
	return 0;
}

/* Found as libc finds it; agrees with the system calls on every clock. */
int t_vdso(void)
{
	static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC,
					    CLOCK_MONOTONIC_RAW,
					    CLOCK_BOOTTIME };
	const Elf64_Ehdr *eh = vdso_ehdr();
	cgt_fn cgt;
	gtod_fn gtod;
	time_fn tfn;
	struct timespec ts, s0, s1;
	struct timeval tv;
	time_t t, t0;

	EXPECT(eh && !memcmp(eh->e_ident, ELFMAG, SELFMAG));
	EXPECT(eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_type == ET_DYN);
	cgt = (cgt_fn)vdso_sym("__vdso_clock_gettime");
	gtod = (gtod_fn)vdso_sym("__vdso_gettimeofday");
	tfn = (time_fn)vdso_sym("__vdso_time");
	EXPECT(cgt && gtod && tfn);
	EXPECT(!vdso_sym("__vdso_no_such_call"));
	for (unsigned i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++)
		EXPECT(vdso_between(cgt, clocks[i]) == 0);
	/* Clocks it does not read itself: the system call's answer. */
	EXPECT(cgt(99, &ts) == -EINVAL);
	EXPECT(syscall(SYS_clock_gettime, CLOCK_REALTIME, &s0) == 0);
	EXPECT(gtod(&tv, NULL) == 0 && tfn(&t) == t);
	EXPECT(syscall(SYS_clock_gettime, CLOCK_REALTIME, &s1) == 0);
	EXPECT(tv.tv_sec >= s0.tv_sec && tv.tv_sec <= s1.tv_sec);
	EXPECT(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	EXPECT(t >= s0.tv_sec && t <= s1.tv_sec && tfn(NULL) >= t);
	/* Their system calls too. */
	EXPECT(syscall(SYS_gettimeofday, &tv, NULL) == 0);
	EXPECT(tv.tv_sec >= s1.tv_sec && tv.tv_usec < 1000000);
	EXPECT(syscall(SYS_time, &t0) == t0 && t0 >= tv.tv_sec);
	EXPECT(syscall(SYS_time, NULL) >= t0);
	/* musl's own calls go through it and agree. */
	t0 = time(NULL);
	EXPECT(clock_gettime(CLOCK_REALTIME, &ts) == 0 && ts.tv_sec >= t0);
	EXPECT(gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= ts.tv_sec);
	return 0;
}

static void vdso_write_image(void)
{
	*(volatile char *)vdso_ehdr() = 0;
}

static void vdso_write_code(void)
{
	*(volatile char *)vdso_sym("__vdso_clock_gettime") = (char)0xc3;
}

static void vdso_in_child(void)
{
	cgt_fn cgt = (cgt_fn)vdso_sym("__vdso_clock_gettime");
	struct timespec ts;

	_exit(cgt && cgt(CLOCK_MONOTONIC, &ts) == 0 ? 0 : 1);
}

/* Nobody writes it: a store faults, and so does making it writable. */
int t_vdso_protect(void)
{
	uintptr_t page = (uintptr_t)vdso_ehdr();
	struct timespec ts;

	EXPECT(ut_dies_with(vdso_write_image, SIGSEGV));
	EXPECT(ut_dies_with(vdso_write_code, SIGSEGV));
	if (ut_on_loupe) {
		/* Linux lets mprotect make a private copy; Loupe shares. */
		EXPECT(mprotect((void *)page, 4096, PROT_READ | PROT_WRITE) &&
		       errno == EACCES);
		EXPECT(mprotect((void *)(page - 4096), 4096,
				PROT_READ | PROT_WRITE) && errno == EACCES);
		EXPECT(ut_dies_with(vdso_write_image, SIGSEGV));
	}
	/* Still there and working, here and in a child (fork shares it). */
	EXPECT(ut_child_status(vdso_in_child) == 0);
	EXPECT(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return 0;
}
