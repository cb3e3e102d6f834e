/*
 * utests: the CPU as user space sees it. Stack alignment, TLS through
 * FS, FPU and SSE state that must survive preemption by other processes,
 * and every way a user instruction can fault: each must kill only the
 * faulting process, with the signal Linux would send.
 */
#include <fenv.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "loupe.h"
#include "utests.h"
#include "ut_tests.h"

#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define FPU_PROCS	8	/* two per rounding mode */
#define FPU_ITERS	40000
#define SSE_SPINS	20000000L

/* The loader left %rsp 16-byte aligned, so aligned locals are honoured. */
int t_stack_align(void)
{
	long aligned __attribute__((aligned(16)));

	EXPECT(((uintptr_t)&aligned & 15) == 0);
	return 0;
}

static __thread int tls_int = 42;
static __thread char tls_bss[4096];

/* The TLS pattern the child leaves and its own child must inherit. */
static void tls_grandchild(void)
{
	if (tls_int != 7 || tls_bss[4095] != 'z')
		_exit(1);
}

/*
 * __thread data starts from PT_TLS (found through AT_PHDR), lives at FS,
 * and fork copies it; FS cannot be pointed at the kernel.
 */
int t_tls(void)
{
	unsigned long fs = 0;

	for (int i = 0; i < 4096; i++)
		EXPECT(tls_bss[i] == 0);
	EXPECT(tls_int == 42);
	EXPECT(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs) == 0);
	EXPECT(fs == (unsigned long)pthread_self());
	EXPECT(UT_ERRNO(SYS_arch_prctl, ARCH_SET_FS, UT_KERNEL_TEXT) == EPERM);
	EXPECT(UT_ERRNO(SYS_arch_prctl, 0x9999, &fs) == EINVAL);
	tls_int = 7;
	tls_bss[4095] = 'z';
	EXPECT(ut_child_status(tls_grandchild) == 0);
	EXPECT(tls_int == 7);
	return 0;
}

static const int fpu_modes[] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD,
				 FE_TOWARDZERO };

/* Enough x87 and SSE arithmetic that rounding decides the last bits. */
static void fpu_work(int mode, double *d_out, long double *ld_out)
{
	volatile double seed = 1.0;
	double d = seed;
	long double ld = seed;

	fesetround(mode);
	for (int i = 0; i < FPU_ITERS; i++) {
		d = d * 1.0000001 + 1.0 / 3.0;
		ld = ld * 1.0000001L + 1.0L / 3.0L;
		if (d > 1e6)
			d /= 7.0;
		if (ld > 1e6L)
			ld /= 7.0L;
	}
	*d_out = d;
	*ld_out = ld;
}

/*
 * Abuse: several processes on every CPU doing x87 and SSE math, each in
 * its own rounding mode; a context switch that loses or mixes FPU state
 * (registers, control word, MXCSR) changes some result's last bits.
 */
int t_fpu_preempt(void)
{
	double want_d[4];
	long double want_ld[4];
	pid_t pids[FPU_PROCS];
	int bad = 0;

	for (int m = 0; m < 4; m++)
		fpu_work(fpu_modes[m], &want_d[m], &want_ld[m]);
	fesetround(FE_TONEAREST);
	for (int i = 0; i < FPU_PROCS; i++) {
		pids[i] = fork();
		EXPECT(pids[i] >= 0);
		if (pids[i] == 0) {
			double d;
			long double ld;
			int m = i % 4;

			fpu_work(fpu_modes[m], &d, &ld);
			_exit(!(d == want_d[m] && ld == want_ld[m] &&
				fegetround() == fpu_modes[m]));
		}
	}
	for (int i = 0; i < FPU_PROCS; i++) {
		int status;

		EXPECT(waitpid(pids[i], &status, 0) == pids[i]);
		bad += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	EXPECT(bad == 0);
	return 0;
}

/* Load xmm0-15 from @in, spin (being preempted), store them to @out. */
static void sse_hold(const uint64_t *in, uint64_t *out, long spins)
{
	__asm__ __volatile__(
		"movdqu 0(%1), %%xmm0\n\tmovdqu 16(%1), %%xmm1\n\t"
		"movdqu 32(%1), %%xmm2\n\tmovdqu 48(%1), %%xmm3\n\t"
		"movdqu 64(%1), %%xmm4\n\tmovdqu 80(%1), %%xmm5\n\t"
		"movdqu 96(%1), %%xmm6\n\tmovdqu 112(%1), %%xmm7\n\t"
		"movdqu 128(%1), %%xmm8\n\tmovdqu 144(%1), %%xmm9\n\t"
		"movdqu 160(%1), %%xmm10\n\tmovdqu 176(%1), %%xmm11\n\t"
		"movdqu 192(%1), %%xmm12\n\tmovdqu 208(%1), %%xmm13\n\t"
		"movdqu 224(%1), %%xmm14\n\tmovdqu 240(%1), %%xmm15\n"
		"1:\tdec %0\n\tjnz 1b\n\t"
		"movdqu %%xmm0, 0(%2)\n\tmovdqu %%xmm1, 16(%2)\n\t"
		"movdqu %%xmm2, 32(%2)\n\tmovdqu %%xmm3, 48(%2)\n\t"
		"movdqu %%xmm4, 64(%2)\n\tmovdqu %%xmm5, 80(%2)\n\t"
		"movdqu %%xmm6, 96(%2)\n\tmovdqu %%xmm7, 112(%2)\n\t"
		"movdqu %%xmm8, 128(%2)\n\tmovdqu %%xmm9, 144(%2)\n\t"
		"movdqu %%xmm10, 160(%2)\n\tmovdqu %%xmm11, 176(%2)\n\t"
		"movdqu %%xmm12, 192(%2)\n\tmovdqu %%xmm13, 208(%2)\n\t"
		"movdqu %%xmm14, 224(%2)\n\tmovdqu %%xmm15, 240(%2)\n"
		: "+r"(spins)
		: "r"(in), "r"(out)
		: "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
		  "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
		  "xmm12", "xmm13", "xmm14", "xmm15");
}

/* One process's xmm pattern held across its whole time slice and more. */
static int sse_child(int id)
{
	uint64_t in[32], out[32];

	for (int i = 0; i < 32; i++)
		in[i] = 0x0101010101010101ULL * (uint64_t)(id * 32 + i + 1);
	sse_hold(in, out, SSE_SPINS);
	for (int i = 0; i < 32; i++) {
		if (in[i] != out[i])
			return 1;
	}
	return 0;
}

/* Abuse: every xmm register live across preemption in 8 processes. */
int t_sse_regs(void)
{
	pid_t pids[FPU_PROCS];
	int bad = 0;

	for (int i = 0; i < FPU_PROCS; i++) {
		pids[i] = fork();
		EXPECT(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(sse_child(i));
	}
	for (int i = 0; i < FPU_PROCS; i++) {
		int status;

		EXPECT(waitpid(pids[i], &status, 0) == pids[i]);
		bad += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	EXPECT(bad == 0);
	return 0;
}

/* The empty asm hides the address from the compiler's bounds checks. */
static void read_at(void *p)
{
	__asm__("" : "+r"(p));
	(void)*(volatile char *)p;
}

static void write_at(void *p)
{
	__asm__("" : "+r"(p));
	*(volatile char *)p = 1;
}

static void null_read(void) { read_at(NULL); }
static void null_write(void) { write_at((void *)8); }

/* Abuse: read and write the NULL page. */
int t_segv_null(void)
{
	EXPECT(ut_dies_with(null_read, SIGSEGV));
	EXPECT(ut_dies_with(null_write, SIGSEGV));
	return 0;
}

static void kdirect_read(void) { read_at(UT_KERNEL_DIRECT); }
static void ktext_write(void) { write_at(UT_KERNEL_TEXT); }
static void ktop_read(void) { read_at((void *)-8ULL); }

/* Abuse: user-mode access to the kernel's direct map, text and top page. */
int t_segv_kernel(void)
{
	EXPECT(ut_dies_with(kdirect_read, SIGSEGV));
	EXPECT(ut_dies_with(ktext_write, SIGSEGV));
	EXPECT(ut_dies_with(ktop_read, SIGSEGV));
	return 0;
}

static void noncanon_read(void) { read_at(UT_NONCANON); }
static void noncanon_write(void) { write_at(UT_NONCANON_HIGH); }

/* Abuse: non-canonical addresses (a #GP, not a #PF). */
int t_segv_noncanon(void)
{
	EXPECT(ut_dies_with(noncanon_read, SIGSEGV));
	EXPECT(ut_dies_with(noncanon_write, SIGSEGV));
	return 0;
}

static void jump_to(void *p)
{
	((void (*)(void))p)();
}

static void jump_null(void) { jump_to(NULL); }
static void jump_kernel(void) { jump_to(UT_KERNEL_TEXT); }
static void jump_noncanon(void) { jump_to(UT_NONCANON); }

/* Abuse: call NULL, kernel text and a non-canonical address. */
int t_segv_jump(void)
{
	EXPECT(ut_dies_with(jump_null, SIGSEGV));
	EXPECT(ut_dies_with(jump_kernel, SIGSEGV));
	EXPECT(ut_dies_with(jump_noncanon, SIGSEGV));
	return 0;
}

/* 4 KB a frame; the bound is far beyond any stack. */
static int recurse(volatile char *prev, long depth)
{
	volatile char frame[4096];

	if (depth > (1L << 40))
		return 0;
	frame[0] = prev ? prev[0] + 1 : 0;
	return recurse(frame, depth + 1) + frame[1];
}

static void overflow(void) { recurse(NULL, 0); }

/* Abuse: unbounded recursion runs off the 8 MB stack into nothing. */
int t_stack_overflow(void)
{
	struct rlimit r;

	if (!getrlimit(RLIMIT_STACK, &r) && r.rlim_cur == RLIM_INFINITY &&
	    !ut_on_loupe)
		return UT_SKIP;
	EXPECT(ut_dies_with(overflow, SIGSEGV));
	return 0;
}

static void do_ud2(void) { __asm__ __volatile__("ud2"); }

/* Abuse: an undefined opcode. */
int t_sigill(void)
{
	EXPECT(ut_dies_with(do_ud2, SIGILL));
	return 0;
}

static void div_zero(void)
{
	volatile int a = 1, b = 0;

	a /= b;
}

static void div_overflow(void)
{
	volatile long a = INT64_MIN, b = -1;

	a /= b;
}

/* Abuse: integer divide by zero, and the one quotient that overflows. */
int t_sigfpe(void)
{
	EXPECT(ut_dies_with(div_zero, SIGFPE));
	EXPECT(ut_dies_with(div_overflow, SIGFPE));
	return 0;
}

static void do_int3(void) { __asm__ __volatile__("int3"); }

/* Abuse: a breakpoint with no debugger attached. */
int t_sigtrap(void)
{
	EXPECT(ut_dies_with(do_int3, SIGTRAP));
	return 0;
}

static void do_hlt(void) { __asm__ __volatile__("hlt"); }
static void do_cli(void) { __asm__ __volatile__("cli"); }
static void do_inb(void) { __asm__ __volatile__("inb $0x80, %%al" ::: "eax"); }
static void do_outb(void)
{
	/* COM1's data port: user space must not own the console UART. */
	__asm__ __volatile__("mov $0x3f8, %%dx\n\tmov $0x21, %%al\n\t"
			     "outb %%al, %%dx" ::: "eax", "edx");
}
static void do_rdmsr(void)
{
	__asm__ __volatile__("mov $0x10, %%ecx\n\trdmsr" ::: "eax", "ecx",
			     "edx");
}
static void do_movcr3(void)
{
	__asm__ __volatile__("xor %%eax, %%eax\n\tmov %%rax, %%cr3" ::: "eax");
}
static void do_lidt(void)
{
	static const char zero[10];

	__asm__ __volatile__("lidt %0" : : "m"(zero));
}

/* Abuse: privileged instructions and port I/O from ring 3 (#GP). */
int t_privileged(void)
{
	static void (*const ops[])(void) = {
		do_hlt, do_cli, do_inb, do_outb, do_rdmsr, do_movcr3, do_lidt,
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		EXPECT(ut_dies_with(ops[i], SIGSEGV));
	return 0;
}

/* The I/O-port capability init lent us for this test (port 0x80), or -1. */
static long ioport_test_slot(void)
{
	const char *s = getenv("LOUPE_TESTIO");

	return s ? strtol(s, NULL, 10) : -1;
}

static void do_outb_post(void)
{
	__asm__ __volatile__("mov $0x80, %%dx\n\tmov $0x42, %%al\n\t"
			     "outb %%al, %%dx" ::: "eax", "edx");
}

static void do_inb_81(void) { __asm__ __volatile__("inb $0x81, %%al" ::: "eax"); }

/* With the ports enabled: 0x80 works, its neighbour and COM1 still fault. */
static void ioport_enabled_child(void)
{
	if (ioport_enable(ioport_test_slot()))
		_exit(2);
	do_outb_post();
	if (!ut_dies_with(do_inb_81, SIGSEGV) || !ut_dies_with(do_outb, SIGSEGV))
		_exit(3);
	_exit(0);
}

/*
 * Abuse: carve grants outside the capability's range (EINVAL), enable a
 * range that is not an I/O-port capability; then check that only a
 * process that enabled its grant may use the port, and only that port.
 */
int t_ioport(void)
{
	long slot = ioport_test_slot(), sub;
	int status;

	if (!ut_on_loupe)
		return UT_SKIP;
	EXPECT(slot >= 0);
	EXPECT(ioport_grant(slot, 0x81, 1) == -EINVAL);
	EXPECT(ioport_grant(slot, 0x7f, 2) == -EINVAL);
	EXPECT(ioport_grant(slot, 0x80, 0) == -EINVAL);
	EXPECT(ioport_grant(slot, 0x80, 0x10000) == -EINVAL);
	EXPECT(ioport_enable(60) == -EBADF);
	sub = ioport_grant(slot, 0x80, 1);
	EXPECT(sub >= 0);
	EXPECT(ipc_cap_drop(sub) == 0);
	EXPECT(ut_dies_with(do_outb_post, SIGSEGV));
	status = ut_child_status(ioport_enabled_child);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT(ut_dies_with(do_outb_post, SIGSEGV));	/* still not ours */
	return 0;
}
