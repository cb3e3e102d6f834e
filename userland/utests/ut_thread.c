/*
 * utests: threads, through musl's own pthreads (clone, futex, exit,
 * set_tid_address as it uses them), so what passes here is what
 * unmodified musl and BusyBox programs get: create/join, mutexes,
 * condition variables and atomics across CPUs, TLS and FPU state per
 * thread, thread ids, whole-process deaths from any thread, munmap seen
 * by a thread on another CPU, and thousands of threads leaving no trace.
 */
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "loupe.h"
#include "utests.h"
#include "ut_tests.h"

/* <linux/futex.h>'s values (musl's headers do not carry them). */
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_WAIT_BITSET	9
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_WAIT_PRIVATE	(FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE	(FUTEX_WAKE | FUTEX_PRIVATE_FLAG)

#define NCOUNTERS	8	/* thread_counter: threads on 4 CPUs */
#define COUNT_EACH	20000
#define PINGPONGS	500
#define STRESS_THREADS	2000
#define STRESS_BATCH	8
#define SMALL_STACK	(16 * 1024)

static long futex(volatile int *uaddr, int op, int val, const void *ts,
		  volatile int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static void *ret_twice_plus_one(void *arg)
{
	return (void *)((long)arg * 2 + 1);
}

/* Run ret_twice_plus_one in n threads made with attr; all return right. */
static int join_some(pthread_attr_t *attr, int n)
{
	pthread_t t[8];

	for (long i = 0; i < n; i++)
		EXPECT(pthread_create(&t[i], attr, ret_twice_plus_one,
				      (void *)i) == 0);
	for (long i = 0; i < n; i++) {
		void *r;

		EXPECT(pthread_join(t[i], &r) == 0);
		EXPECT((long)r == i * 2 + 1);
	}
	return 0;
}

/*
 * pthread_create/join with musl's default (mmap'd) stack, a small one
 * it maps, and one the caller supplies; pthread_exit's value; a
 * detached thread.
 */
static void *exits_early(void *arg)
{
	pthread_exit((void *)((long)arg + 100));
	return NULL;
}

static void *detached_fn(void *arg)
{
	atomic_store((atomic_int *)arg, 1);
	return NULL;
}

int t_thread_join(void)
{
	static atomic_int ran;
	char *stack = malloc(SMALL_STACK);
	pthread_attr_t a;
	pthread_t t;
	void *r;

	EXPECT(stack != NULL);

	EXPECT(join_some(NULL, 8) == 0);
	EXPECT(pthread_attr_init(&a) == 0);
	EXPECT(pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN) == 0);
	EXPECT(join_some(&a, 4) == 0);
	EXPECT(pthread_attr_setstack(&a, stack, SMALL_STACK) == 0);
	EXPECT(join_some(&a, 1) == 0);
	EXPECT(pthread_create(&t, NULL, exits_early, (void *)5) == 0);
	EXPECT(pthread_join(t, &r) == 0 && (long)r == 105);
	EXPECT(pthread_attr_init(&a) == 0);
	EXPECT(pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) == 0);
	EXPECT(pthread_create(&t, &a, detached_fn, &ran) == 0);
	for (uint64_t t0 = ut_now_ns(); !atomic_load(&ran) &&
	     ut_now_ns() - t0 < 2000000000ULL;)
		sched_yield();
	EXPECT(atomic_load(&ran) == 1);
	return 0;
}

struct ids {
	pid_t pid, tid;
};

static atomic_int ids_go;

static void *ids_fn(void *arg)
{
	struct ids *id = arg;

	id->pid = getpid();
	id->tid = syscall(SYS_gettid);
	while (!atomic_load(&ids_go))
		sched_yield();
	return NULL;
}

/*
 * getpid is the process's in every thread; gettid differs per thread;
 * clone(CLONE_THREAD) without shared memory and handlers is EINVAL.
 */
int t_thread_ids(void)
{
	struct ids id[4];
	pthread_t t[4];
	pid_t me = getpid();

	EXPECT(syscall(SYS_gettid) == me);
	/* A thread shares memory and signal handlers or it is refused. */
	EXPECT(UT_ERRNO(SYS_clone, CLONE_THREAD, 0, 0, 0, 0) == EINVAL);
	EXPECT(UT_ERRNO(SYS_clone, CLONE_THREAD | CLONE_SIGHAND, 0, 0, 0, 0) ==
	       EINVAL);
	memset(id, 0, sizeof(id));
	for (int i = 0; i < 4; i++)
		EXPECT(pthread_create(&t[i], NULL, ids_fn, &id[i]) == 0);
	for (int i = 0; i < 4; i++) {
		while (!__atomic_load_n(&id[i].tid, __ATOMIC_ACQUIRE))
			sched_yield();
		/* A live thread's id names it (and its process) to kill. */
		EXPECT(kill(id[i].tid, 0) == 0);
		EXPECT(syscall(SYS_tgkill, me, id[i].tid, 0) == 0);
	}
	atomic_store(&ids_go, 1);
	for (int i = 0; i < 4; i++) {
		EXPECT(pthread_join(t[i], NULL) == 0);
		EXPECT(id[i].pid == me);
		EXPECT(id[i].tid > 0 && id[i].tid != me);
		for (int j = 0; j < i; j++)
			EXPECT(id[i].tid != id[j].tid);
	}
	return 0;
}

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long locked_count;
static atomic_long atomic_count;

static void *count_fn(void *arg)
{
	(void)arg;
	for (int i = 0; i < COUNT_EACH; i++) {
		pthread_mutex_lock(&count_lock);
		locked_count++;
		pthread_mutex_unlock(&count_lock);
		atomic_fetch_add(&atomic_count, 1);
	}
	return NULL;
}

/* 8 threads on 4 CPUs: a mutex-protected and an atomic counter are exact. */
int t_thread_counter(void)
{
	pthread_t t[NCOUNTERS];

	for (int i = 0; i < NCOUNTERS; i++)
		EXPECT(pthread_create(&t[i], NULL, count_fn, NULL) == 0);
	for (int i = 0; i < NCOUNTERS; i++)
		EXPECT(pthread_join(t[i], NULL) == 0);
	EXPECT(locked_count == (long)NCOUNTERS * COUNT_EACH);
	EXPECT(atomic_load(&atomic_count) == (long)NCOUNTERS * COUNT_EACH);
	return 0;
}

static pthread_mutex_t pp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pp_cond = PTHREAD_COND_INITIALIZER;
static int pp_turn, pp_rounds;

/* Wait for my turn (0 or 1), then hand it over; PINGPONGS times. */
static void *pingpong_fn(void *arg)
{
	int me = (int)(long)arg;

	pthread_mutex_lock(&pp_lock);
	for (int i = 0; i < PINGPONGS; i++) {
		while (pp_turn != me)
			pthread_cond_wait(&pp_cond, &pp_lock);
		pp_turn = !me;
		pp_rounds++;
		pthread_cond_broadcast(&pp_cond);
	}
	pthread_mutex_unlock(&pp_lock);
	return NULL;
}

/* Two threads hand a turn back and forth through a condition variable. */
int t_thread_condvar(void)
{
	pthread_t a, b;

	EXPECT(pthread_create(&a, NULL, pingpong_fn, (void *)0) == 0);
	EXPECT(pthread_create(&b, NULL, pingpong_fn, (void *)1) == 0);
	EXPECT(pthread_join(a, NULL) == 0 && pthread_join(b, NULL) == 0);
	EXPECT(pp_rounds == 2 * PINGPONGS);
	return 0;
}

static volatile int fword;

static void *futex_waker(void *arg)
{
	(void)arg;
	while (futex(&fword, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == 0)
		sched_yield();
	return NULL;
}

/*
 * Raw futex: a timed wait times out after its time, a changed word is
 * EAGAIN, a wake reaches a waiter on another thread, bad addresses are
 * EFAULT, misaligned EINVAL, unknown operations ENOSYS.
 */
int t_thread_futex(void)
{
	struct timespec ts = { 0, 50000000 };
	volatile int *bad[] = {
		UT_UNMAPPED, UT_KERNEL_DIRECT, UT_KERNEL_TEXT, UT_NONCANON,
	};
	uint64_t t0 = ut_now_ns();
	pthread_t t;

	EXPECT(futex(&fword, FUTEX_WAIT, 0, &ts, NULL, 0) == -1 &&
	       errno == ETIMEDOUT);
	EXPECT(ut_now_ns() - t0 >= 50000000);
	EXPECT(futex(&fword, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0) == -1 &&
	       errno == EAGAIN);
	EXPECT(futex(&fword, FUTEX_WAKE, 1, NULL, NULL, 0) == 0);
	EXPECT(pthread_create(&t, NULL, futex_waker, NULL) == 0);
	EXPECT(futex(&fword, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) == 0);
	EXPECT(pthread_join(t, NULL) == 0);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT(futex(bad[i], FUTEX_WAIT, 0, &ts, NULL, 0) == -1 &&
		       errno == EFAULT);
	}
	EXPECT(futex(UT_KERNEL_DIRECT, FUTEX_WAKE, 1, NULL, NULL, 0) == -1 &&
	       errno == EFAULT);
	EXPECT(futex(&fword, FUTEX_WAIT, 0, UT_KERNEL_DIRECT, NULL, 0) == -1 &&
	       errno == EFAULT);
	EXPECT(futex((volatile int *)((char *)&fword + 1), FUTEX_WAIT, 0, &ts,
		     NULL, 0) == -1 && errno == EINVAL);
	EXPECT(futex(&fword, FUTEX_WAIT_BITSET, 0, &ts, NULL, 0) == -1 &&
	       errno == EINVAL);	/* bitset 0 */
	EXPECT(futex(&fword, 99, 0, NULL, NULL, 0) == -1 && errno == ENOSYS);
	return 0;
}

static __thread long tls_value = 7;

/*
 * Own TLS copy and own MXCSR rounding mode, kept across yields; 1/3 in
 * that mode rounds up only in mode 2 (toward +inf).
 */
static void *tls_fpu_fn(void *arg)
{
	long me = (long)arg;
	unsigned mode = (unsigned)me & 3, mx = 0x1f80 | mode << 13, got;
	uint64_t want = mode == 2 ? 0x3fd5555555555556ULL : 0x3fd5555555555555ULL;
	volatile double x = 1.0;

	if (tls_value != 7)
		return (void *)1;
	tls_value = me;
	__asm__ __volatile__("ldmxcsr %0" : : "m"(mx));
	for (int i = 0; i < 2000; i++) {
		double third = x / 3.0;
		uint64_t bits;

		if (i % 50 == 0)
			sched_yield();
		__asm__ __volatile__("stmxcsr %0" : "=m"(got));
		memcpy(&bits, &third, sizeof(bits));
		if ((got & ~0x3fu) != mx || tls_value != me || bits != want)
			return (void *)2;
	}
	return NULL;
}

/* __thread data and the SSE control state are per thread. */
int t_thread_tls_fpu(void)
{
	pthread_t t[8];

	for (long i = 0; i < 8; i++)
		EXPECT(pthread_create(&t[i], NULL, tls_fpu_fn,
				      (void *)(i + 10)) == 0);
	for (int i = 0; i < 8; i++) {
		void *r;

		EXPECT(pthread_join(t[i], &r) == 0);
		EXPECT(r == NULL);
	}
	EXPECT(tls_value == 7);
	return 0;
}

static volatile int never;

static void *spin_fn(void *arg)
{
	(void)arg;
	for (;;)
		__asm__ __volatile__("" ::: "memory");
	return NULL;
}

static void *sleep_fn(void *arg)
{
	struct timespec ts = { 100, 0 };

	(void)arg;
	nanosleep(&ts, NULL);
	return NULL;
}

static void *futex_wait_fn(void *arg)
{
	(void)arg;
	futex(&never, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

/* On Loupe: wait in an IPC receive nobody will answer. */
static void *ipc_recv_fn(void *arg)
{
	struct ipc_msg m = { 0 };
	uint64_t badge;

	ipc_recv((uint64_t)(long)arg, &m, &badge);
	return NULL;
}

/* On Loupe: an IPC call queued on an endpoint nobody receives from. */
static void *ipc_call_fn(void *arg)
{
	struct ipc_msg m = { .tag = ipc_tag(1, 0) };

	ipc_call((uint64_t)(long)arg, &m);
	return NULL;
}

/*
 * Start two spinners, a sleeper, a futex waiter and, on Loupe, a thread
 * blocked in an IPC receive and one in an IPC call; 0 on success.
 */
static int start_busy_threads(void)
{
	pthread_t t;
	long ep, ep2;

	if (pthread_create(&t, NULL, spin_fn, NULL) ||
	    pthread_create(&t, NULL, sleep_fn, NULL) ||
	    pthread_create(&t, NULL, futex_wait_fn, NULL) ||
	    pthread_create(&t, NULL, spin_fn, NULL))
		return -1;
	if (!ut_on_loupe)
		return 0;
	ep = ipc_endpoint_new();
	ep2 = ipc_endpoint_new();
	if (ep < 0 || ep2 < 0)
		return -1;
	return pthread_create(&t, NULL, ipc_recv_fn, (void *)ep) ||
	       pthread_create(&t, NULL, ipc_call_fn, (void *)ep2);
}

static void *exit_group_fn(void *arg)
{
	struct timespec ts = { 0, 20000000 };

	(void)arg;
	nanosleep(&ts, NULL);
	syscall(SYS_exit_group, 42);
	return NULL;
}

static void exit_group_child(void)
{
	pthread_t t;
	struct timespec ts = { 10, 0 };

	if (start_busy_threads() ||
	    pthread_create(&t, NULL, exit_group_fn, NULL))
		_exit(1);
	nanosleep(&ts, NULL);
	_exit(2);
}

/*
 * exit_group from a non-main thread while others spin, sleep and wait
 * on a futex ends them all at once: the parent's wait4 sees 42, soon.
 */
int t_thread_exit_group(void)
{
	uint64_t t0 = ut_now_ns();
	int status = ut_child_status(exit_group_child);

	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 42);
	EXPECT(ut_now_ns() - t0 < 5000000000ULL);
	return 0;
}

static void *segv_fn(void *arg)
{
	struct timespec ts = { 0, 20000000 };

	(void)arg;
	nanosleep(&ts, NULL);
	*(volatile int *)UT_UNMAPPED = 1;
	return NULL;
}

static void segv_child(void)
{
	pthread_t t;
	struct timespec ts = { 10, 0 };

	if (start_busy_threads() || pthread_create(&t, NULL, segv_fn, NULL))
		_exit(1);
	nanosleep(&ts, NULL);
	_exit(2);
}

/* A SIGSEGV in one thread kills the whole process (and only it). */
int t_thread_segv(void)
{
	EXPECT(ut_dies_with(segv_child, SIGSEGV));
	return 0;
}

static void kill_child(void)
{
	struct timespec ts = { 100, 0 };

	if (start_busy_threads())
		_exit(1);
	nanosleep(&ts, NULL);
	_exit(2);
}

/*
 * kill() of a process whose threads spin, sleep and wait on futexes ends
 * them all; tkill/tgkill reach a thread's process; bad ids are refused.
 */
int t_thread_kill(void)
{
	struct timespec ts = { 0, 50000000 };
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		kill_child();
	EXPECT(pid > 0);
	nanosleep(&ts, NULL);
	EXPECT(kill(pid, SIGTERM) == 0);
	EXPECT(waitpid(pid, &status, 0) == pid);
	EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	pid = fork();
	if (pid == 0)
		kill_child();
	EXPECT(pid > 0);
	nanosleep(&ts, NULL);
	EXPECT(syscall(SYS_tgkill, pid + 1, pid, 0) == -1 && errno == ESRCH);
	EXPECT(syscall(SYS_tgkill, pid, pid, SIGKILL) == 0);
	EXPECT(waitpid(pid, &status, 0) == pid);
	EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT(syscall(SYS_tkill, 0, SIGKILL) == -1 && errno == EINVAL);
	EXPECT(syscall(SYS_tkill, syscall(SYS_gettid), 0) == 0);
	return 0;
}

static volatile char *toucher_page;
static atomic_long touches;

static void *toucher_fn(void *arg)
{
	(void)arg;
	for (;;) {
		(void)toucher_page[0];
		atomic_fetch_add(&touches, 1);
	}
	return NULL;
}

/*
 * A thread reads a page in a loop (its CPU caches the translation);
 * another unmaps it: the reader's next access must fault (SIGSEGV). If
 * its TLB kept the page, it would read on and the child exits 3.
 */
static void munmap_child(void)
{
	struct timespec ts = { 0, 10000000 };
	pthread_t t;
	long seen;

	toucher_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (toucher_page == MAP_FAILED)
		_exit(1);
	toucher_page[0] = 1;
	if (pthread_create(&t, NULL, toucher_fn, NULL))
		_exit(1);
	while (atomic_load(&touches) < 10000)
		sched_yield();
	if (munmap((void *)toucher_page, 4096))
		_exit(2);
	seen = atomic_load(&touches);
	for (int i = 0; i < 300; i++) {
		nanosleep(&ts, NULL);
		if (atomic_load(&touches) > seen + 1)
			_exit(3);	/* reads went on after munmap */
	}
	_exit(4);
}

int t_thread_munmap(void)
{
	EXPECT(ut_dies_with(munmap_child, SIGSEGV));
	return 0;
}

static void *exec_fn(void *arg)
{
	char path[512];
	char *argv[] = { "uhelper", "exit", "33", NULL };

	(void)arg;
	snprintf(path, sizeof(path), "%s/uhelper", ut_bindir);
	execve(path, argv, NULL);
	_exit(99);
}

static void exec_child(void)
{
	struct timespec ts = { 10, 0 };
	pthread_t t;

	if (start_busy_threads() || pthread_create(&t, NULL, exec_fn, NULL))
		_exit(1);
	nanosleep(&ts, NULL);
	_exit(2);
}

static void *forked_thread_fn(void *arg)
{
	return (void *)(long)(getpid() == *(pid_t *)arg);
}

static void *fork_fn(void *arg)
{
	pid_t child, parent = getpid();
	int status;

	(void)arg;
	fflush(stdout);
	child = fork();
	if (child == 0) {
		pid_t me = getpid();
		pthread_t t;
		void *r;

		/* Only this thread came along; threads work in the child. */
		if (me == parent || syscall(SYS_gettid) != me ||
		    pthread_create(&t, NULL, forked_thread_fn, &me) ||
		    pthread_join(t, &r) || r != (void *)1)
			_exit(1);
		_exit(0);
	}
	if (child < 0 || waitpid(child, &status, 0) != child)
		return (void *)1;
	return (void *)(long)!(WIFEXITED(status) && !WEXITSTATUS(status));
}

/*
 * execve from a thread while others spin, sleep and wait: they are gone
 * and the new image runs (its exit code reaches the parent); fork from
 * a thread copies only that thread.
 */
int t_thread_exec_fork(void)
{
	int status = ut_child_status(exec_child);
	pthread_t t;
	void *r;

	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 33);
	EXPECT(start_busy_threads() == 0);
	EXPECT(pthread_create(&t, NULL, fork_fn, NULL) == 0);
	EXPECT(pthread_join(t, &r) == 0 && r == NULL);
	return 0;
}

static void *stress_fn(void *arg)
{
	return arg;
}

/* Create and join STRESS_THREADS threads, STRESS_BATCH at a time. */
static void stress_child(void)
{
	for (long n = 0; n < STRESS_THREADS; n += STRESS_BATCH) {
		pthread_t t[STRESS_BATCH];

		for (long i = 0; i < STRESS_BATCH; i++) {
			if (pthread_create(&t[i], NULL, stress_fn,
					   (void *)(n + i)))
				_exit(1);
		}
		for (long i = 0; i < STRESS_BATCH; i++) {
			void *r;

			if (pthread_join(t[i], &r) || (long)r != n + i)
				_exit(2);
		}
	}
	_exit(0);
}

/*
 * Thousands of threads created and joined, 8 at a time, in a child: each
 * returns its own value, and free memory ends exactly where it started.
 * A run may take pages for good that are not a leak (page tables of
 * kernel-stack slots first used, a slab page pinned by a long-lived
 * neighbour), so up to 4 runs: one must lose nothing. A leak of even 16
 * bytes a thread costs every run 8 pages.
 */
int t_thread_stress(void)
{
	long before = ut_settled_free_pages(), after = -1;

	for (int run = 0; run < 4 && after != before; run++) {
		int status = ut_child_status(stress_child);

		EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		if (run)
			before = after;
		after = ut_settled_free_pages();
		if (!ut_on_loupe)
			return 0;
		if (after != before)
			printf("utest: thread_stress: run %d: %ld free "
			       "pages before, %ld after\n", run, before, after);
	}
	EXPECT(after == before);
	return 0;
}

static atomic_int ioport_go;

static void *wait_go_fn(void *arg)
{
	(void)arg;
	while (!atomic_load(&ioport_go))
		sched_yield();
	return NULL;
}

/* In a thread: the port the process enabled works (0 if it did). */
static void *outb_post_fn(void *arg)
{
	(void)arg;
	__asm__ __volatile__("mov $0x80, %%dx\n\tmov $0x42, %%al\n\t"
			     "outb %%al, %%dx" ::: "eax", "edx");
	return NULL;
}

/*
 * I/O ports and threads: enabling ports is refused (EBUSY) while the
 * process has a second thread (siblings load the bitmap unlocked); once
 * alone it works, and a thread made after that may use the port.
 */
int t_thread_ioport(void)
{
	const char *s = getenv("LOUPE_TESTIO");
	long slot = s ? strtol(s, NULL, 10) : -1;
	pthread_t t;

	if (!ut_on_loupe)
		return UT_SKIP;
	EXPECT(slot >= 0);
	EXPECT(pthread_create(&t, NULL, wait_go_fn, NULL) == 0);
	EXPECT(ioport_enable(slot) == -EBUSY);
	atomic_store(&ioport_go, 1);
	EXPECT(pthread_join(t, NULL) == 0);
	EXPECT(ioport_enable(slot) == 0);
	EXPECT(pthread_create(&t, NULL, outb_post_fn, NULL) == 0);
	EXPECT(pthread_join(t, NULL) == 0);
	return 0;
}
