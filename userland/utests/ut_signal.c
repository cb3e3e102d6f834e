/*
 * Signals with handlers: the frame (arguments, siginfo, ucontext, the
 * registers and FPU state kept across a handler, rsp 8 mod 16), masks,
 * SA_RESETHAND / SA_NODEFER / SA_ONSTACK, sigsuspend, kill to self,
 * others and groups, SIGCHLD and its auto-reap, EINTR and SA_RESTART,
 * caught faults, forged sigreturn frames, EFAULT on every pointer, what
 * fork and execve keep, and job control's stop and continue. Each test says what abuse it attempts.
 */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>

#include "utests.h"
#include "ut_tests.h"

#define SIGSET_SIZE	8

static volatile int hits, depth, max_depth;
static volatile int got_sig, got_code, got_pid, got_status;
static volatile void *got_addr;
/* Written by asm: global, so the names are exactly these. */
volatile uint64_t ut_entry_rsp;
volatile int ut_entry_mxcsr, ut_entry_fcw, ut_spin_stop;

static void on_count(int sig)
{
	(void)sig;
	hits++;
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	got_sig = sig;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_status = si->si_status;
	got_addr = si->si_addr;
}

/* Install fn (an sa_sigaction when siginfo) for sig with flags. */
static int handle(int sig, void *fn, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = flags | SA_SIGINFO;
	return sigaction(sig, &sa, NULL);
}

static long raw_kill(int pid, int sig)
{
	return syscall(SYS_kill, pid, sig);
}

/*
 * The handler's entry, in asm: rsp as the kernel left it, then the C
 * handler with rdi, rsi, rdx untouched (a tail jump keeps the frame).
 */
void ut_sig_entry_c(int sig, siginfo_t *si, void *uc);
__asm__(".globl ut_sig_entry\n"
	"ut_sig_entry:\n"
	"	movq %rsp, ut_entry_rsp(%rip)\n"
	"	stmxcsr ut_entry_mxcsr(%rip)\n"
	"	fnstcw ut_entry_fcw(%rip)\n"
	"	jmp ut_sig_entry_c\n");
void ut_sig_entry(int, siginfo_t *, void *);

static volatile uint64_t uc_rip, uc_rsp;

void ut_sig_entry_c(int sig, siginfo_t *si, void *v)
{
	ucontext_t *uc = v;

	on_info(sig, si, v);
	uc_rip = uc->uc_mcontext.gregs[REG_RIP];
	uc_rsp = uc->uc_mcontext.gregs[REG_RSP];
	/* Scribble on the FPU: the frame must bring the caller's back. */
	__asm__ __volatile__("pxor %%xmm0, %%xmm0\n\tpxor %%xmm7, %%xmm7\n\t"
			     "pxor %%xmm15, %%xmm15" : : : "xmm0", "xmm7",
			     "xmm15");
	{
		unsigned m = 0x7f80;	/* round toward zero, all masked */

		__asm__ __volatile__("ldmxcsr %0" : : "m"(m));
	}
}

/*
 * Signal yourself with rax..r15 and xmm0/7/15 and MXCSR holding known
 * values (the handler scribbles on the FPU); every one comes back. 0 if
 * all did, else which did not.
 */
static int kill_self_keeps_regs(void)
{
	static struct {
		uint64_t x[3], out[3], r[6];
		unsigned mx_in, mx_out;
	} io = { { 0x0123456789abcdefULL, 0xfedcba9876543210ULL,
		   0x5a5a5a5aa5a5a5a5ULL }, { 0 }, { 0 }, 0x3f80, 0 };
	long pid = getpid();

	__asm__ __volatile__(
		"ldmxcsr 96(%[io])\n\t"	/* round down */
		"movq 0(%[io]), %%xmm0\n\tmovq 8(%[io]), %%xmm7\n\t"
		"movq 16(%[io]), %%xmm15\n\t"
		"movq $0x11111111, %%rbx\n\t"
		"movq $0x33333333, %%r13\n\tmovq $0x44444444, %%r14\n\t"
		"movq $0x55555555, %%r15\n\tmovq $0x66666666, %%r8\n\t"
		"movq $0x77777777, %%r9\n\tmovq $0x10101010, %%r10\n\t"
		"movl $62, %%eax\n\t"	/* kill(pid, SIGUSR1) */
		"syscall\n\t"
		"movq %%xmm0, 24(%[io])\n\tmovq %%xmm7, 32(%[io])\n\t"
		"movq %%xmm15, 40(%[io])\n\t"
		"stmxcsr 100(%[io])\n\t"
		"movq %%rbx, 48(%[io])\n\tmovq %%r13, 56(%[io])\n\t"
		"movq %%r14, 64(%[io])\n\tmovq %%r15, 72(%[io])\n\t"
		"movq %%r8, 80(%[io])\n\tmovq %%r10, 88(%[io])\n\t"
		: "+D"(pid)
		: [io] "r"(&io), "S"((long)SIGUSR1)
		: "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11",
		  "r13", "r14", "r15", "xmm0", "xmm7", "xmm15", "memory");
	if (memcmp(io.out, io.x, sizeof(io.x)))
		return 1;
	if (io.mx_out != io.mx_in)
		return 2;
	if (io.r[0] != 0x11111111 || io.r[1] != 0x33333333 ||
	    io.r[2] != 0x44444444 || io.r[3] != 0x55555555 ||
	    io.r[4] != 0x66666666 || io.r[5] != 0x10101010)
		return 3;
	if (pid != getpid())
		return 4;
	return 0;
}

/*
 * The handler gets sig, siginfo (SI_USER, our pid; SI_TKILL for tkill)
 * and a ucontext whose rip is just after our SYSCALL; it starts with rsp
 * 8 mod 16, a fresh FPU (MXCSR 0x1f80, FCW 0x37f) and everything the
 * interrupted code held comes back after it.
 */
int t_sig_handler(void)
{
	EXPECT(handle(SIGUSR1, ut_sig_entry, 0) == 0);
	EXPECT(kill_self_keeps_regs() == 0);
	EXPECT(hits == 1 && got_sig == SIGUSR1 && got_code == SI_USER);
	EXPECT(got_pid == getpid());
	EXPECT(ut_entry_rsp % 16 == 8);
	EXPECT(ut_entry_mxcsr == 0x1f80 && (ut_entry_fcw & 0xffff) == 0x37f);
	EXPECT(uc_rip != 0 && *(uint16_t *)(uintptr_t)(uc_rip - 2) == 0x050f);
	EXPECT(uc_rsp > ut_entry_rsp + 128);	/* the red zone was skipped */
	EXPECT(syscall(SYS_tkill, syscall(SYS_gettid), SIGUSR1) == 0);
	EXPECT(hits == 2 && got_code == SI_TKILL && got_pid == getpid());
	/* Signal 0 and out of range. */
	EXPECT(raw_kill(getpid(), 0) == 0 && hits == 2);
	EXPECT(UT_ERRNO(SYS_kill, getpid(), 65) == EINVAL);
	return 0;
}

static volatile uint64_t spin_hits;

static void on_spin(int sig)
{
	(void)sig;
	spin_hits++;
	getppid();		/* a system call: rcx and r11 change */
	__asm__ __volatile__("xorl %%eax, %%eax\n\txorl %%ecx, %%ecx\n\t"
			     "xorl %%edx, %%edx\n\txorl %%esi, %%esi\n\t"
			     "xorl %%edi, %%edi\n\txorl %%r8d, %%r8d\n\t"
			     "xorl %%r9d, %%r9d\n\txorl %%r10d, %%r10d\n\t"
			     "xorl %%r11d, %%r11d\n\tpxor %%xmm1, %%xmm1"
			     : : : "rax", "rcx", "rdx", "rsi", "rdi", "r8",
			       "r9", "r10", "r11", "xmm1", "memory");
	if (spin_hits >= 20)
		ut_spin_stop = 1;
}

/*
 * Spin with every general register (rcx and r11 too, which SYSRET would
 * clobber) and xmm1 holding a constant until spin_stop; 0 if all held.
 */
int ut_sig_spin(void);
__asm__(".globl ut_sig_spin\n"
	"ut_sig_spin:\n"
	"	pushq %rbx\n	pushq %rbp\n	pushq %r12\n	pushq %r13\n"
	"	pushq %r14\n	pushq %r15\n"
	"	movq $0x1111, %rax\n	movq $0x2222, %rbx\n"
	"	movq $0x3333, %rcx\n	movq $0x4444, %rdx\n"
	"	movq $0x5555, %rsi\n	movq $0x6666, %rdi\n"
	"	movq $0x7777, %r8\n	movq $0x8888, %r9\n"
	"	movq $0x9999, %r10\n	movq $0xaaaa, %r11\n"
	"	movq $0xbbbb, %r12\n	movq $0xcccc, %r13\n"
	"	movq $0xdddd, %r14\n	movq $0xeeee, %r15\n"
	"	movq %r15, %xmm1\n"
	"1:	cmpl $0, ut_spin_stop(%rip)\n"
	"	je 1b\n"
	"	movq %xmm1, %rbp\n	cmpq $0xeeee, %rbp\n	jne 2f\n"
	"	cmpq $0x1111, %rax\n	jne 2f\n	cmpq $0x2222, %rbx\n	jne 2f\n"
	"	cmpq $0x3333, %rcx\n	jne 2f\n	cmpq $0x4444, %rdx\n	jne 2f\n"
	"	cmpq $0x5555, %rsi\n	jne 2f\n	cmpq $0x6666, %rdi\n	jne 2f\n"
	"	cmpq $0x7777, %r8\n	jne 2f\n	cmpq $0x8888, %r9\n	jne 2f\n"
	"	cmpq $0x9999, %r10\n	jne 2f\n	cmpq $0xaaaa, %r11\n	jne 2f\n"
	"	cmpq $0xbbbb, %r12\n	jne 2f\n	cmpq $0xcccc, %r13\n	jne 2f\n"
	"	cmpq $0xdddd, %r14\n	jne 2f\n	cmpq $0xeeee, %r15\n	jne 2f\n"
	"	xorl %eax, %eax\n	jmp 3f\n"
	"2:	movl $1, %eax\n"
	"3:	popq %r15\n	popq %r14\n	popq %r13\n	popq %r12\n"
	"	popq %rbp\n	popq %rbx\n	ret\n");

/*
 * Signals that land in the middle of user code (an interrupt, not a
 * system call) from another process, 20 of them: every register of the
 * spinning code survives each handler and its sigreturn.
 */
int t_sig_regs_async(void)
{
	pid_t c, me = getpid();
	int status;

	EXPECT(handle(SIGUSR1, on_spin, 0) == 0);
	fflush(stdout);
	c = fork();
	EXPECT(c >= 0);
	if (c == 0) {
		for (int i = 0; i < 400 && !kill(me, 0); i++) {
			raw_kill(me, SIGUSR1);
			usleep(2000);
		}
		_exit(0);
	}
	EXPECT(ut_sig_spin() == 0);
	EXPECT(spin_hits >= 20);
	kill(c, SIGKILL);
	EXPECT(waitpid(c, &status, 0) == c);
	return 0;
}

/*
 * Masks: a blocked signal pends (rt_sigpending shows it) and runs when
 * unblocked, before sigprocmask returns; SIGKILL and SIGSTOP can be
 * neither blocked nor caught; a set size other than 8 is EINVAL.
 */
int t_sig_mask(void)
{
	sigset_t set, old;
	uint64_t raw = ~0ULL, got = 0;
	struct sigaction sa = { .sa_handler = on_count };

	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	EXPECT(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	EXPECT(raw_kill(getpid(), SIGUSR1) == 0 && hits == 0);
	EXPECT(sigpending(&old) == 0 && sigismember(&old, SIGUSR1));
	EXPECT(raw_kill(getpid(), SIGUSR1) == 0);	/* does not queue */
	EXPECT(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0 && hits == 1);
	EXPECT(sigpending(&old) == 0 && !sigismember(&old, SIGUSR1));
	/* Block everything: KILL and STOP stay unblocked. */
	EXPECT(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &raw, NULL,
		       SIGSET_SIZE) == 0);
	EXPECT(syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &got,
		       SIGSET_SIZE) == 0);
	EXPECT(got == (~0ULL & ~((1ULL << (SIGKILL - 1)) |
				  (1ULL << (SIGSTOP - 1)))));
	raw = 0;
	EXPECT(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &raw, NULL,
		       SIGSET_SIZE) == 0);
	EXPECT(UT_ERRNO(SYS_rt_sigprocmask, 99, &raw, NULL, SIGSET_SIZE) ==
	       EINVAL);
	EXPECT(UT_ERRNO(SYS_rt_sigprocmask, SIG_BLOCK, &raw, NULL, 4) == EINVAL);
	EXPECT(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL);
	EXPECT(sigaction(SIGSTOP, &sa, NULL) == -1 && errno == EINVAL);
	EXPECT(sigaction(SIGKILL, NULL, &sa) == 0);
	EXPECT(sigaction(0, &sa, NULL) == -1 && errno == EINVAL);
	EXPECT(sigaction(65, &sa, NULL) == -1 && errno == EINVAL);
	EXPECT(UT_ERRNO(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 16) == EINVAL);
	return 0;
}

static void on_nested(int sig)
{
	hits++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (hits == 1)
		raw_kill(getpid(), sig);	/* again, from inside */
	depth--;
}

/*
 * SA_RESETHAND: the handler runs once and the action is SIG_DFL after;
 * SA_NODEFER: the signal is not blocked in its handler (it nests), and
 * without it the second one waits for the first handler to return.
 */
int t_sig_flags(void)
{
	struct sigaction sa = { .sa_handler = on_count,
				.sa_flags = SA_RESETHAND };

	EXPECT(sigaction(SIGUSR2, &sa, NULL) == 0);
	EXPECT(raw_kill(getpid(), SIGUSR2) == 0 && hits == 1);
	EXPECT(sigaction(SIGUSR2, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL);
	hits = 0;
	sa = (struct sigaction){ .sa_handler = on_nested };
	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	EXPECT(raw_kill(getpid(), SIGUSR1) == 0);
	EXPECT(hits == 2 && max_depth == 1);
	hits = max_depth = 0;
	sa.sa_flags = SA_NODEFER;
	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	EXPECT(raw_kill(getpid(), SIGUSR1) == 0);
	EXPECT(hits == 2 && max_depth == 2);
	return 0;
}

static char *alt;
static volatile int on_alt, alt_flags, alt_eperm;

static void on_altstack(int sig)
{
	char here;
	stack_t ss = { .ss_sp = alt, .ss_size = 65536 }, cur;

	(void)sig;
	hits++;
	on_alt = &here >= alt && &here < alt + 65536;
	if (!sigaltstack(NULL, &cur))
		alt_flags = cur.ss_flags;
	alt_eperm = sigaltstack(&ss, NULL) == -1 && errno == EPERM;
}

/*
 * sigaltstack: an SA_ONSTACK handler runs on the alternate stack, which
 * then says SS_ONSTACK and cannot be changed (EPERM); a handler without
 * SA_ONSTACK stays on the normal stack; too small is ENOMEM, bad flags
 * EINVAL; SS_DISABLE turns it off.
 */
int t_sig_altstack(void)
{
	stack_t ss = { 0 }, old;
	struct sigaction sa = { .sa_handler = on_altstack,
				.sa_flags = SA_ONSTACK };

	alt = malloc(65536);
	EXPECT(alt);
	EXPECT(sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE);
	ss.ss_sp = alt;
	ss.ss_size = 1024;
	EXPECT(sigaltstack(&ss, NULL) == -1 && errno == ENOMEM);
	ss.ss_size = 65536;
	ss.ss_flags = 0x40;
	EXPECT(sigaltstack(&ss, NULL) == -1 && errno == EINVAL);
	ss.ss_flags = 0;
	EXPECT(sigaltstack(&ss, NULL) == 0);
	EXPECT(sigaltstack(NULL, &old) == 0 && old.ss_flags == 0 &&
	       old.ss_sp == alt && old.ss_size == 65536);
	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	EXPECT(raw_kill(getpid(), SIGUSR1) == 0 && hits == 1);
	EXPECT(on_alt && alt_flags == SS_ONSTACK && alt_eperm);
	sa.sa_flags = 0;
	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	EXPECT(raw_kill(getpid(), SIGUSR1) == 0 && hits == 2 && !on_alt);
	ss.ss_flags = SS_DISABLE;
	EXPECT(sigaltstack(&ss, NULL) == 0);
	EXPECT(sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE);
	return 0;
}

/*
 * sigsuspend: a blocked pending signal runs at once under the suspend
 * mask and the call fails with EINTR, the old mask back; a signal from
 * another process ends a real wait; pause likewise.
 */
int t_sig_suspend(void)
{
	struct sigaction sa = { .sa_handler = on_count };
	sigset_t set, none, now;
	pid_t c, me = getpid();

	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigemptyset(&none);
	EXPECT(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	EXPECT(raw_kill(me, SIGUSR1) == 0 && hits == 0);
	EXPECT(sigsuspend(&none) == -1 && errno == EINTR && hits == 1);
	EXPECT(sigprocmask(SIG_BLOCK, NULL, &now) == 0 &&
	       sigismember(&now, SIGUSR1));
	c = ut_later(30, me, SIGUSR1, -1);
	EXPECT(c >= 0);
	EXPECT(sigsuspend(&none) == -1 && errno == EINTR && hits == 2);
	EXPECT(waitpid(c, NULL, 0) == c);
	EXPECT(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	c = ut_later(30, me, SIGUSR1, -1);
	EXPECT(c >= 0);
	EXPECT(pause() == -1 && errno == EINTR && hits == 3);
	EXPECT(waitpid(c, NULL, 0) == c);
	return 0;
}

static void on_usr_exit(int sig)
{
	_exit(sig);
}

/* A child that waits for sig and exits with it. */
static pid_t waiter(int sig, int *ready)
{
	pid_t c;

	fflush(stdout);
	c = fork();
	if (c == 0) {
		struct sigaction sa = { .sa_handler = on_usr_exit };

		sigaction(sig, &sa, NULL);
		close(ready[0]);
		write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	return c;
}

static int exit_code(pid_t c)
{
	int status;

	if (waitpid(c, &status, 0) != c || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * kill to another process runs its handler; kill(0) reaches the whole
 * process group, ourselves included, and kill(-pgid) a group we are
 * not in; ESRCH for nobody.
 */
int t_sig_kill(void)
{
	int ready[2];
	char b;
	pid_t a, g1, g2;
	struct sigaction sa = { .sa_handler = on_count };

	EXPECT(pipe(ready) == 0);
	a = waiter(SIGUSR1, ready);
	EXPECT(a > 0 && read(ready[0], &b, 1) == 1);
	EXPECT(raw_kill(a, SIGUSR1) == 0 && exit_code(a) == SIGUSR1);
	/* Our own group: a new one, so kill(0) hits only us and children. */
	EXPECT(setpgid(0, 0) == 0);
	EXPECT(sigaction(SIGUSR2, &sa, NULL) == 0);
	g1 = waiter(SIGUSR2, ready);
	EXPECT(g1 > 0 && read(ready[0], &b, 1) == 1);
	EXPECT(raw_kill(0, SIGUSR2) == 0 && hits == 1);
	EXPECT(exit_code(g1) == SIGUSR2);
	g2 = waiter(SIGUSR2, ready);
	EXPECT(g2 > 0 && read(ready[0], &b, 1) == 1);
	EXPECT(setpgid(g2, g2) == 0);
	EXPECT(raw_kill(-g2, SIGUSR2) == 0 && exit_code(g2) == SIGUSR2);
	EXPECT(hits == 1);
	EXPECT(UT_ERRNO(SYS_kill, -g2, SIGUSR2) == ESRCH);
	return 0;
}

/*
 * SIGCHLD reaches the parent with CLD_EXITED, the child's pid and code
 * (and CLD_KILLED with the signal); with SIGCHLD ignored children are
 * reaped at once and wait4 gives ECHILD.
 */
int t_sig_chld(void)
{
	sigset_t set, none;
	pid_t c;
	int status;

	EXPECT(handle(SIGCHLD, on_info, 0) == 0);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigemptyset(&none);
	EXPECT(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	fflush(stdout);
	c = fork();
	if (c == 0)
		_exit(7);
	EXPECT(c > 0);
	EXPECT(sigsuspend(&none) == -1 && errno == EINTR);
	EXPECT(hits == 1 && got_sig == SIGCHLD && got_code == CLD_EXITED);
	EXPECT(got_pid == c && got_status == 7);
	EXPECT(waitpid(c, &status, 0) == c && WEXITSTATUS(status) == 7);
	c = fork();
	if (c == 0)
		for (;;)
			pause();
	EXPECT(c > 0 && kill(c, SIGTERM) == 0);
	EXPECT(sigsuspend(&none) == -1 && errno == EINTR);
	EXPECT(hits == 2 && got_code == CLD_KILLED && got_status == SIGTERM);
	EXPECT(waitpid(c, &status, 0) == c && WTERMSIG(status) == SIGTERM);
	/* Ignored: no zombie to wait for. */
	EXPECT(signal(SIGCHLD, SIG_IGN) != SIG_ERR);
	c = fork();
	if (c == 0)
		_exit(3);
	EXPECT(c > 0);
	EXPECT(waitpid(c, &status, 0) == -1 && errno == ECHILD);
	EXPECT(kill(c, 0) == -1 && errno == ESRCH);
	return 0;
}

/*
 * EINTR and SA_RESTART: a pipe read, wait4 and nanosleep interrupted by
 * a handler without SA_RESTART fail with EINTR (nanosleep writes the
 * time left); with SA_RESTART the read and wait4 go on and finish,
 * nanosleep still fails, as on Linux.
 */
int t_sig_eintr(void)
{
	struct sigaction sa = { .sa_handler = on_count };
	struct timespec req = { 5, 0 }, rem = { 0, 0 };
	int fd[2], status;
	pid_t me = getpid(), c;
	char b;

	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	EXPECT(pipe(fd) == 0);
	c = ut_later(30, me, SIGUSR1, -1);
	EXPECT(read(fd[0], &b, 1) == -1 && errno == EINTR && hits == 1);
	EXPECT(waitpid(c, &status, 0) == c);
	c = ut_later(30, me, SIGUSR1, -1);
	EXPECT(nanosleep(&req, &rem) == -1 && errno == EINTR && hits == 2);
	EXPECT(rem.tv_sec >= 3 && rem.tv_sec <= 5);
	EXPECT(waitpid(c, &status, 0) == c);
	c = ut_later(30, me, SIGUSR1, fd[1]);
	EXPECT(waitpid(c, &status, 0) == -1 && errno == EINTR && hits == 3);
	EXPECT(waitpid(c, &status, 0) == c);
	EXPECT(read(fd[0], &b, 1) == 1);
	sa.sa_flags = SA_RESTART;
	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	c = ut_later(30, me, SIGUSR1, fd[1]);
	EXPECT(read(fd[0], &b, 1) == 1 && b == 'x' && hits == 4);
	EXPECT(waitpid(c, &status, 0) == c);
	c = ut_later(30, me, SIGUSR1, fd[1]);
	EXPECT(waitpid(c, &status, 0) == c && hits == 5);
	EXPECT(read(fd[0], &b, 1) == 1);
	c = ut_later(30, me, SIGUSR1, -1);
	req.tv_sec = 5;
	EXPECT(nanosleep(&req, NULL) == -1 && errno == EINTR && hits == 6);
	EXPECT(waitpid(c, &status, 0) == c);
	/* An ignored signal interrupts nothing. */
	EXPECT(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
	c = ut_later(30, me, SIGUSR2, fd[1]);
	EXPECT(read(fd[0], &b, 1) == 1 && hits == 6);
	EXPECT(waitpid(c, &status, 0) == c);
	return 0;
}

static sigjmp_buf jump;
static char *fix_page;

static void on_segv_jump(int sig, siginfo_t *si, void *uc)
{
	on_info(sig, si, uc);
	siglongjmp(jump, 1);
}

static void on_segv_fix(int sig, siginfo_t *si, void *uc)
{
	on_info(sig, si, uc);
	mprotect(fix_page, 4096, PROT_READ | PROT_WRITE);
}

static void segv_blocked(void)
{
	sigset_t set;

	handle(SIGSEGV, on_segv_jump, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	sigprocmask(SIG_BLOCK, &set, NULL);
	*(volatile int *)UT_UNMAPPED = 1;
}

static void segv_bad_stack(void)
{
	handle(SIGSEGV, on_segv_jump, 0);
	__asm__ __volatile__("movq $0x1000, %%rsp\n\tmovl $0, (%%rsp)"
			     : : : "memory");
}

/*
 * Faults to a handler: a write to an unmapped address reaches a SIGSEGV
 * handler with si_addr and SEGV_MAPERR, which siglongjmps out; a write
 * to a read-only page (SEGV_ACCERR) is fixed by the handler (mprotect)
 * and retried; ud2 gives SIGILL. A fault while SIGSEGV is blocked, or
 * one whose frame cannot be written (rsp on an unmapped page), kills.
 */
int t_sig_fault(void)
{
	EXPECT(handle(SIGSEGV, on_segv_jump, 0) == 0);
	if (!sigsetjmp(jump, 1))
		*(volatile int *)0x1234 = 1;
	EXPECT(hits == 1 && got_sig == SIGSEGV && got_code == SEGV_MAPERR);
	EXPECT(got_addr == (void *)0x1234);
	if (!sigsetjmp(jump, 1))
		*(volatile int *)UT_KERNEL_TEXT = 1;
	EXPECT(hits == 2 && got_sig == SIGSEGV);
	fix_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	EXPECT(fix_page != MAP_FAILED);
	EXPECT(handle(SIGSEGV, on_segv_fix, 0) == 0);
	*(volatile char *)fix_page = 5;
	EXPECT(hits == 3 && got_code == SEGV_ACCERR && fix_page[0] == 5);
	EXPECT(got_addr == fix_page);
	EXPECT(handle(SIGILL, on_segv_jump, 0) == 0);
	if (!sigsetjmp(jump, 1))
		__asm__ __volatile__("ud2");
	EXPECT(hits == 4 && got_sig == SIGILL);
	EXPECT(ut_dies_with(segv_blocked, SIGSEGV));
	EXPECT(ut_dies_with(segv_bad_stack, SIGSEGV));
	return 0;
}

static volatile int forge;

/* Corrupt the frame the kernel will restore, as forge says. */
static void on_forge(int sig, siginfo_t *si, void *v)
{
	ucontext_t *uc = v;

	(void)sig;
	(void)si;
	switch (forge) {
	case 0:
		uc->uc_mcontext.gregs[REG_CSGSFS] =
			(uc->uc_mcontext.gregs[REG_CSGSFS] & ~0xffffULL) | 0x08;
		break;
	case 1:
		uc->uc_mcontext.gregs[REG_RIP] = 0x0000800000000000ULL;
		break;
	case 2:
		uc->uc_mcontext.fpregs->mxcsr = 0xffffffff;
		break;
	case 3:	/* IOPL 3, IF off, NT, VM: all must be dropped */
		uc->uc_mcontext.gregs[REG_EFL] =
			(uc->uc_mcontext.gregs[REG_EFL] | 0x3000 | 0x4000 |
			 0x20000) & ~0x200ULL;
		break;
	case 4:
		uc->uc_mcontext.gregs[REG_RIP] = 0xffff800000000000ULL;
		break;
	}
}

static void forged(void)
{
	unsigned long fl;

	handle(SIGUSR1, on_forge, 0);
	raw_kill(getpid(), SIGUSR1);
	if (forge != 3)
		_exit(0);		/* the forged frame was accepted */
	__asm__ __volatile__("pushfq\n\tpopq %0" : "=r"(fl));
	if ((fl & 0x3000) || !(fl & 0x200) || (fl & 0x24000))
		_exit(1);
	__asm__ __volatile__("cli");	/* IOPL 0: #GP, SIGSEGV */
	_exit(0);
}

static void sigreturn_garbage(void)
{
	__asm__ __volatile__("movq $0x1000, %%rsp\n\tmovl $15, %%eax\n\t"
			     "syscall" : : : "memory");
}

static void sigreturn_kernel_stack(void)
{
	__asm__ __volatile__("movabs $0xffff800000100000, %%rsp\n\t"
			     "movl $15, %%eax\n\tsyscall" : : : "memory");
}

/*
 * Abuse: rt_sigreturn of a frame forged in the handler: a kernel CS, a
 * non-canonical rip, a kernel rip, reserved MXCSR bits each kill with
 * SIGSEGV (never a kernel fault); forged RFLAGS (IOPL 3, IF off, NT, VM)
 * are cleaned, so cli still faults; sigreturn with no frame at all
 * (unmapped or kernel stack) kills too.
 */
int t_sig_sigreturn(void)
{
	for (forge = 0; forge <= 4; forge++)
		EXPECT(ut_dies_with(forged, SIGSEGV));
	EXPECT(ut_dies_with(sigreturn_garbage, SIGSEGV));
	EXPECT(ut_dies_with(sigreturn_kernel_stack, SIGSEGV));
	return 0;
}

/* Every pointer of the new calls: kernel, unmapped, non-canonical. */
int t_sig_efault(void)
{
	uint64_t set = 0;
	struct sigaction sa;

	EXPECT(sigaction(SIGUSR1, NULL, &sa) == 0);
	for (int i = 0; i < ut_nbad_ptrs; i++) {
		void *bad = ut_bad_ptrs[i];

		EXPECT(UT_ERRNO(SYS_rt_sigaction, SIGUSR1, bad, NULL,
				SIGSET_SIZE) == EFAULT);
		EXPECT(UT_ERRNO(SYS_rt_sigaction, SIGUSR1, NULL, bad,
				SIGSET_SIZE) == EFAULT);
		EXPECT(UT_ERRNO(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL,
				SIGSET_SIZE) == EFAULT);
		EXPECT(UT_ERRNO(SYS_rt_sigprocmask, SIG_BLOCK, &set, bad,
				SIGSET_SIZE) == EFAULT);
		EXPECT(UT_ERRNO(SYS_rt_sigpending, bad, SIGSET_SIZE) == EFAULT);
		EXPECT(UT_ERRNO(SYS_rt_sigsuspend, bad, SIGSET_SIZE) == EFAULT);
		EXPECT(UT_ERRNO(SYS_sigaltstack, bad, NULL) == EFAULT);
		EXPECT(UT_ERRNO(SYS_sigaltstack, NULL, bad) == EFAULT);
		EXPECT(UT_ERRNO(SYS_nanosleep, bad, NULL) == EFAULT);
	}
	EXPECT(sigaction(SIGUSR1, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL);
	return 0;
}

/*
 * fork keeps handlers, ignored signals, the mask and the alternate
 * stack, and starts with nothing pending; execve resets handlers to
 * SIG_DFL but keeps SIG_IGN, the mask and what pends, and drops the
 * alternate stack (uhelper sig checks the exec side).
 */
int t_sig_fork_exec(void)
{
	struct sigaction sa = { .sa_handler = on_count };
	stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536 };
	char *argv[] = { "uhelper", "sig", NULL }, *envp[] = { NULL };
	sigset_t set;
	pid_t c;
	int status;

	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	EXPECT(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
	EXPECT(sigaltstack(&ss, NULL) == 0);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	EXPECT(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	EXPECT(raw_kill(getpid(), SIGHUP) == 0);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		struct sigaction got;
		stack_t cur;

		sigaction(SIGUSR1, NULL, &got);
		if (got.sa_handler != on_count)
			_exit(1);
		sigaction(SIGUSR2, NULL, &got);
		if (got.sa_handler != SIG_IGN)
			_exit(2);
		sigprocmask(SIG_BLOCK, NULL, &set);
		if (!sigismember(&set, SIGHUP))
			_exit(3);
		sigpending(&set);
		if (sigismember(&set, SIGHUP))
			_exit(4);
		if (sigaltstack(NULL, &cur) || cur.ss_sp != ss.ss_sp ||
		    cur.ss_flags)
			_exit(5);
		raw_kill(getpid(), SIGUSR1);
		_exit(hits == 1 ? 0 : 6);
	}
	EXPECT(c > 0 && waitpid(c, &status, 0) == c);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The exec side, in a child with HUP pending (fork cleared it). */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		char path[512];

		snprintf(path, sizeof(path), "%s/uhelper", ut_bindir);
		raw_kill(getpid(), SIGHUP);
		execve(path, argv, envp);
		_exit(127);
	}
	EXPECT(c > 0 && waitpid(c, &status, 0) == c);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		printf("utest: uhelper sig: status 0x%x\n", status);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

/*
 * A child that writes a byte to fd every 5 ms (its heartbeat) with
 * SIGTSTP, SIGTTIN and SIGTTOU at their defaults, in a process group of
 * its own, as a shell makes a job: its parent, here, is in another
 * group of the session, so the group is not orphaned (the terminal's
 * stop signals would do nothing to it).
 */
static pid_t beater(int fd)
{
	pid_t c;

	fflush(stdout);
	c = fork();
	if (c == 0) {
		struct timespec ts = { 0, 5000000 };

		setpgid(0, 0);		/* a job: its parent is outside */
		signal(SIGTSTP, SIG_DFL);
		signal(SIGTTIN, SIG_DFL);
		signal(SIGTTOU, SIG_DFL);
		for (;;) {
			write(fd, "b", 1);
			nanosleep(&ts, NULL);
		}
	}
	return c;
}

static void *beat_thread(void *arg)
{
	struct timespec ts = { 0, 5000000 };

	for (;;) {
		write((int)(intptr_t)arg, "t", 1);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* beater() with a second thread beating beside the first. */
static pid_t beater2(int fd)
{
	pid_t c;

	fflush(stdout);
	c = fork();
	if (c == 0) {
		pthread_t t;

		setpgid(0, 0);
		if (pthread_create(&t, NULL, beat_thread, (void *)(intptr_t)fd))
			_exit(1);
		beat_thread((void *)(intptr_t)fd);
	}
	return c;
}

/* Bytes waiting in the non-blocking pipe fd, drained. */
static int drain(int fd)
{
	char buf[256];
	int n = 0;
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		n += (int)r;
	return n;
}

static void ms_sleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The heartbeat on fd goes (true), within 5 s. */
static bool beating(int fd)
{
	for (int i = 0; i < 500; i++) {
		if (drain(fd) > 0)
			return true;
		ms_sleep(10);
	}
	return false;
}

/*
 * The heartbeat on fd falls silent within 5 s (a thread may take a
 * moment to reach its stop) and stays so for 60 ms.
 */
static bool silent(int fd)
{
	for (int i = 0; i < 80; i++) {
		drain(fd);
		ms_sleep(60);
		if (drain(fd) == 0)
			return true;
	}
	return false;
}

/* Whether /proc/<pid>/stat's state is @want ('T' stopped); true off Loupe. */
static bool stat_state_is(pid_t pid, char want)
{
	char path[64], buf[512], *p;
	FILE *f;
	bool ok;

	if (!ut_on_loupe)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
	     p[1] == ' ' && p[2] == want;
	fclose(f);
	return ok;
}

/*
 * Each stop signal at its default stops the whole child: wait4 with
 * WUNTRACED says so once (WIFSTOPPED, the signal), /proc says 'T', and
 * it runs no more (its heartbeat stops) until SIGCONT, which wait4 with
 * WCONTINUED reports once; wait4 without those options reports neither.
 * A stopped child dies of SIGKILL, and of SIGTERM once continued.
 */
int t_sig_stop(void)
{
	static const int stops[] = { SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU };
	int fds[2], status;
	pid_t c;

	EXPECT(pipe(fds) == 0);
	EXPECT(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0);
	c = beater(fds[1]);
	EXPECT(c > 0);
	for (unsigned i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		EXPECT(beating(fds[0]));		/* it runs */
		EXPECT(kill(c, stops[i]) == 0);
		EXPECT(waitpid(c, &status, WUNTRACED) == c);
		EXPECT(WIFSTOPPED(status) && WSTOPSIG(status) == stops[i]);
		EXPECT(waitpid(c, &status, WUNTRACED | WNOHANG) == 0);
		EXPECT(stat_state_is(c, 'T'));
		drain(fds[0]);
		ms_sleep(60);
		EXPECT(drain(fds[0]) == 0);		/* stopped: silent */
		EXPECT(kill(c, SIGCONT) == 0);
		EXPECT(waitpid(c, &status, WCONTINUED) == c &&
		       WIFCONTINUED(status));
		EXPECT(waitpid(c, &status, WCONTINUED | WNOHANG) == 0);
	}
	/* Unasked, a stop and a continue are not reported. */
	EXPECT(kill(c, SIGSTOP) == 0);
	ms_sleep(30);
	EXPECT(waitpid(c, &status, WNOHANG) == 0);
	EXPECT(kill(c, SIGCONT) == 0);
	EXPECT(waitpid(c, &status, WNOHANG) == 0);
	/* Stopped, SIGKILL still ends it. */
	EXPECT(kill(c, SIGSTOP) == 0);
	EXPECT(waitpid(c, &status, WUNTRACED) == c && WIFSTOPPED(status));
	EXPECT(kill(c, SIGKILL) == 0);
	EXPECT(waitpid(c, &status, 0) == c && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGKILL);
	/* Two threads: the whole process stops, and goes on. */
	c = beater2(fds[1]);
	EXPECT(c > 0 && beating(fds[0]));
	EXPECT(kill(c, SIGSTOP) == 0);
	EXPECT(waitpid(c, &status, WUNTRACED) == c && WIFSTOPPED(status));
	EXPECT(silent(fds[0]));
	EXPECT(kill(c, SIGCONT) == 0);
	EXPECT(beating(fds[0]));
	EXPECT(kill(c, SIGKILL) == 0 && waitpid(c, &status, 0) == c);
	/* Stopped, SIGTERM pends; SIGCONT lets it act. */
	c = beater(fds[1]);
	EXPECT(c > 0 && kill(c, SIGSTOP) == 0);
	EXPECT(waitpid(c, &status, WUNTRACED) == c && WIFSTOPPED(status));
	EXPECT(kill(c, SIGTERM) == 0);
	ms_sleep(30);
	EXPECT(waitpid(c, &status, WNOHANG) == 0);
	EXPECT(kill(c, SIGCONT) == 0);
	EXPECT(waitpid(c, &status, 0) == c && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGTERM);
	close(fds[0]);
	close(fds[1]);
	return 0;
}

static volatile int tstp_hits;

static void on_tstp(int sig)
{
	(void)sig;
	tstp_hits++;
}

/*
 * A child blocked in a pipe read that a stop interrupts: it reads on.
 * It says 'r' once SIGTSTP is at its default (the caller's may be
 * SIG_IGN, as under a shell), then reads.
 */
static void stop_reader(int in, int out)
{
	char b = 0;
	ssize_t r;

	setpgid(0, 0);
	signal(SIGTSTP, SIG_DFL);
	write(out, "r", 1);
	r = read(in, &b, 1);
	write(out, r == 1 ? &b : "!", 1);
	_exit(0);
}

/*
 * SIGCHLD tells the parent CLD_STOPPED and CLD_CONTINUED (unless it set
 * SA_NOCLDSTOP); a read the stop interrupted is restarted, not failed
 * with EINTR; a handled SIGTSTP runs its handler and stops nothing; an
 * ignored one is discarded; SIGCONT discards a pending stop signal; in
 * an orphaned group (a new session) SIGTSTP stops nothing, SIGSTOP does.
 */
int t_sig_stop_chld(void)
{
	int in[2], out[2], status;
	sigset_t set, none;
	char b;
	pid_t c;

	EXPECT(pipe(in) == 0 && pipe(out) == 0);
	EXPECT(handle(SIGCHLD, on_info, 0) == 0);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigemptyset(&none);
	EXPECT(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	hits = 0;
	fflush(stdout);
	c = fork();
	if (c == 0)
		stop_reader(in[0], out[1]);
	EXPECT(c > 0 && read(out[0], &b, 1) == 1 && b == 'r');
	ms_sleep(20);				/* let it block in read */
	EXPECT(kill(c, SIGTSTP) == 0);
	EXPECT(sigsuspend(&none) == -1 && errno == EINTR);
	EXPECT(got_sig == SIGCHLD && got_code == CLD_STOPPED);
	EXPECT(got_pid == c && got_status == SIGTSTP);
	EXPECT(waitpid(c, &status, WUNTRACED) == c && WIFSTOPPED(status));
	EXPECT(kill(c, SIGCONT) == 0);
	EXPECT(sigsuspend(&none) == -1 && errno == EINTR);
	EXPECT(got_code == CLD_CONTINUED && got_status == SIGCONT);
	EXPECT(write(in[1], "x", 1) == 1);
	EXPECT(read(out[0], &b, 1) == 1 && b == 'x');	/* read went on */
	EXPECT(waitpid(c, &status, 0) == c && WIFEXITED(status));
	/* SA_NOCLDSTOP: no SIGCHLD for a stop; the exit still signals. */
	EXPECT(handle(SIGCHLD, on_info, SA_NOCLDSTOP) == 0);
	hits = 0;
	c = fork();
	if (c == 0)
		stop_reader(in[0], out[1]);
	EXPECT(c > 0 && read(out[0], &b, 1) == 1 && b == 'r');
	EXPECT(kill(c, SIGSTOP) == 0);
	EXPECT(waitpid(c, &status, WUNTRACED) == c && WIFSTOPPED(status));
	EXPECT(kill(c, SIGCONT) == 0);
	EXPECT(write(in[1], "y", 1) == 1);
	EXPECT(read(out[0], &b, 1) == 1 && b == 'y');
	EXPECT(waitpid(c, &status, 0) == c);
	EXPECT(sigsuspend(&none) == -1 && errno == EINTR);
	EXPECT(hits == 1 && got_code == CLD_EXITED);
	EXPECT(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	signal(SIGCHLD, SIG_DFL);
	/* Handled: the handler runs, nothing stops. Ignored: nothing. */
	EXPECT(signal(SIGTSTP, on_tstp) != SIG_ERR);
	EXPECT(raise(SIGTSTP) == 0 && tstp_hits == 1);
	EXPECT(signal(SIGTSTP, SIG_IGN) != SIG_ERR);
	EXPECT(raise(SIGTSTP) == 0 && tstp_hits == 1);
	/* Blocked stop signals pend; SIGCONT throws them away. */
	EXPECT(signal(SIGTSTP, SIG_DFL) != SIG_ERR);
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	EXPECT(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	EXPECT(raise(SIGTSTP) == 0);
	EXPECT(sigpending(&none) == 0 && sigismember(&none, SIGTSTP));
	EXPECT(raise(SIGCONT) == 0);
	EXPECT(sigpending(&none) == 0 && !sigismember(&none, SIGTSTP));
	EXPECT(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	signal(SIGTSTP, SIG_IGN);
	/* Orphaned: a child alone in a session of its own. */
	EXPECT(fcntl(out[0], F_SETFL, O_NONBLOCK) == 0);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		struct timespec ts = { 0, 5000000 };

		setsid();
		signal(SIGTSTP, SIG_DFL);
		for (;;) {
			write(out[1], "o", 1);
			nanosleep(&ts, NULL);
		}
	}
	EXPECT(c > 0 && beating(out[0]));
	EXPECT(kill(c, SIGTSTP) == 0);
	ms_sleep(50);
	EXPECT(waitpid(c, &status, WUNTRACED | WNOHANG) == 0);
	EXPECT(beating(out[0]));
	EXPECT(kill(c, SIGSTOP) == 0);
	EXPECT(waitpid(c, &status, WUNTRACED) == c && WIFSTOPPED(status) &&
	       WSTOPSIG(status) == SIGSTOP);
	EXPECT(kill(c, SIGKILL) == 0 && waitpid(c, &status, 0) == c);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
	return 0;
}
