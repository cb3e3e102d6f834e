/*
 * sysfuzz: throws random system calls at the kernel, Linux and native
 * alike, with arguments drawn from the values that break kernels: NULL,
 * unmapped, kernel and non-canonical pointers, buffers that end at an
 * unmapped page, read-only pages, huge and negative sizes, stale and
 * absurd descriptors and capability slots, and plain random words.
 *
 * The calls run in children of this process, a batch each (so a call
 * that kills or wedges its caller costs one batch, and the kill path is
 * exercised too): a child that does not finish its batch in time is
 * killed with SIGKILL, which also proves that whatever it is blocked in
 * can be interrupted. Every other batch runs in two threads taking turns
 * through its calls, so calls also race inside one process (its memory
 * map, descriptors and capabilities). The kernel must answer everything
 * with a result or an errno, or kill the caller; it may never panic. At
 * the end the parent checks that the system still works (a file round
 * trip through the VFS, a fork) and prints the init stage marker.
 *
 * The calls are a pure function of the seed: `sysfuzz -s SEED -n CALLS`
 * replays a run (the two-thread batches' interleaving aside). Options
 * also come from the kernel command line as fuzz=CALLS[:SEED] (init
 * passes it in the environment).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <loupe/native.h>
#include "user_stages.h"

#define BATCH		400	/* calls per child */
#define BATCH_MS	150	/* a child still running then is killed */
#define SCRATCH_PAGES	4
#define FUZZ_DIR	"/tmp/fz"
#define MAX(a, b)	((a) > (b) ? (a) : (b))

/*
 * Never called: they end or replace the fuzzing child, reach other
 * processes (signals, ptrace), make children that would fuzz on, or only
 * wait (pause: the IPC calls already show that a kill ends a wait).
 * Everything else, known to Loupe or not, is fair game.
 */
static const int fuzz_skip[] = {
	34, 56, 57, 58, 59, 60, 62, 80, 81, 101, 129, 169, 200, 231, 234, 246,
	297, 310, 311, 320, 322, 424, 434, 435, 438,
};

/* Calls whose first argument names a process: aimed at the child itself. */
static const int fuzz_self_pid[] = { 109, 141, 142, 144, 203, 251, 302 };

struct fuzz {
	uint64_t seed, rng;
	uint8_t *scratch;	/* SCRATCH_PAGES, then an unmapped page */
	uint8_t *rodata;	/* a read-only page */
	const char *paths[8];
	volatile unsigned long *progress; /* shared: the call each thread of
					   * a child is in, [0] and [1] */
};

struct fuzz_totals {
	unsigned long batches, stuck, faulted;
	unsigned short stuck_nr[64], faulted_nr[64];	/* the first ones */
};

static uint64_t fuzz_next(struct fuzz *f)
{
	/* xorshift64*: deterministic for a seed, good enough to explore. */
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

static uint64_t fuzz_pick(struct fuzz *f, uint64_t n)
{
	return fuzz_next(f) % n;
}

static bool fuzz_in(const int *set, size_t n, int nr)
{
	for (size_t i = 0; i < n; i++) {
		if (set[i] == nr)
			return true;
	}
	return false;
}

/* A pointer: mostly ones that must fail, some that must work. */
static uint64_t fuzz_pointer(struct fuzz *f)
{
	static const uint64_t bad[] = {
		0, 0x1000, 0xffff800000000000ull, 0xffffffff80000000ull,
		0x0000800000000000ull, 0x8000000000000000ull, -8ull, -1ull,
		0x00007ffffffff000ull,
	};
	uint64_t end = (uint64_t)f->scratch + SCRATCH_PAGES * 4096;

	switch (fuzz_pick(f, 6)) {
	case 0:
		return bad[fuzz_pick(f, sizeof(bad) / sizeof(bad[0]))];
	case 1:
		return end - 1 - fuzz_pick(f, 64);	/* runs off the end */
	case 2:
		return (uint64_t)f->rodata + fuzz_pick(f, 4096);
	case 3:
		return (uint64_t)f->paths[fuzz_pick(f, 8)];
	default:
		return (uint64_t)f->scratch + fuzz_pick(f, SCRATCH_PAGES * 4096);
	}
}

/* One argument of any kind. */
static uint64_t fuzz_arg(struct fuzz *f)
{
	static const uint64_t sizes[] = {
		0, 1, 8, 64, 4095, 4096, 65536, 1ull << 31, 1ull << 32,
		-1ull, (uint64_t)INT32_MAX, (uint64_t)INT32_MIN,
	};

	switch (fuzz_pick(f, 8)) {
	case 0:
	case 1:
		return fuzz_pointer(f);
	case 2:
		return fuzz_pick(f, 12);			/* fds, slots */
	case 3:
		return sizes[fuzz_pick(f, sizeof(sizes) / sizeof(sizes[0]))];
	case 4:
		return 1ull << fuzz_pick(f, 64);		/* one flag */
	case 5:
		return fuzz_next(f) & fuzz_next(f);		/* sparse flags */
	case 6:
		return fuzz_pick(f, 70) - 5;			/* small, or < 0 */
	default:
		return fuzz_next(f);
	}
}

/* A call number: Linux's range mostly, the native calls often. */
static int fuzz_nr(struct fuzz *f)
{
	for (;;) {
		int nr;

		switch (fuzz_pick(f, 10)) {
		case 0:
			nr = NATIVE_SYS_BASE + fuzz_pick(f, NC_NR_CALLS + 2);
			break;
		case 1:
			nr = 424 + fuzz_pick(f, 30);
			break;
		case 2:
			nr = fuzz_next(f) & 0xfff;
			break;
		default:
			nr = fuzz_pick(f, 335);
		}
		if (!fuzz_in(fuzz_skip, sizeof(fuzz_skip) / sizeof(fuzz_skip[0]),
			     nr))
			return nr;
	}
}

/*
 * SYSCALL with every register the Linux or the native ABI may change
 * marked as changed: the native IPC calls may clobber more than Linux's.
 */
static long fuzz_syscall(long nr, const uint64_t a[6])
{
	register uint64_t r10 __asm__("r10") = a[3];
	register uint64_t r8 __asm__("r8") = a[4];
	register uint64_t r9 __asm__("r9") = a[5];
	uint64_t rdi = a[0], rsi = a[1], rdx = a[2];

	__asm__ __volatile__("syscall"
			     : "+a"(nr), "+D"(rdi), "+S"(rsi), "+d"(rdx),
			       "+r"(r10), "+r"(r8), "+r"(r9)
			     :
			     : "rcx", "r11", "memory");
	return nr;
}

/* Make a few objects and descriptors worth aiming at. */
static void fuzz_child_setup(void)
{
	int null = open("/dev/null", O_RDWR);
	uint64_t none[6] = { 0 };

	for (int slot = 0; slot < 64; slot++) {
		uint64_t a[6] = { (uint64_t)slot };

		fuzz_syscall(NATIVE_SYS_BASE + NC_CAP_DROP, a);
	}
	fuzz_syscall(NATIVE_SYS_BASE + NC_ENDPOINT_NEW, none);
	fuzz_syscall(NATIVE_SYS_BASE + NC_NOTIFY_NEW, none);
	none[2] = 8192;
	fuzz_syscall(NATIVE_SYS_BASE + NC_SHM_NEW, none);
	/* Nothing the calls write may reach the console. */
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	open(FUZZ_DIR "/f", O_RDWR | O_CREAT, 0644);
	open(FUZZ_DIR, O_RDONLY | O_DIRECTORY);
	open("/dev/zero", O_RDONLY);
	setpgid(0, 0);
}

/* Call @i of the run: a function of (seed, i) alone, so runs replay. */
static int fuzz_call_draw(struct fuzz *f, unsigned long i, uint64_t a[6])
{
	uint64_t z = f->seed + (i + 1) * 0x9e3779b97f4a7c15ull;
	int nr;

	/* splitmix64 of (seed, i) seeds the xorshift for this call. */
	z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ z >> 27) * 0x94d049bb133111ebull;
	f->rng = (z ^ z >> 31) | 1;
	nr = fuzz_nr(f);
	for (int k = 0; k < 6; k++)
		a[k] = fuzz_arg(f);
	if (fuzz_in(fuzz_self_pid,
		    sizeof(fuzz_self_pid) / sizeof(fuzz_self_pid[0]), nr))
		a[0] = 0;
	return nr;
}

/* One thread's share of a batch: calls first, first + step, ... < end. */
struct fuzz_share {
	struct fuzz f;			/* its own copy: the generator state */
	unsigned long first, end, step;
};

static void *fuzz_calls(void *arg)
{
	struct fuzz_share *sh = arg;

	for (unsigned long i = sh->first; i < sh->end; i += sh->step) {
		uint64_t a[6];
		int nr = fuzz_call_draw(&sh->f, i, a);

		*sh->f.progress = i;
		fuzz_syscall(nr, a);
	}
	return NULL;
}

/*
 * A child: calls [first, end), each announced in its thread's progress
 * slot; exit 0. With @threads 2 a second thread takes every other call,
 * so the kernel sees the calls race in one process (shared memory map,
 * descriptors and capabilities; the IPC fast path stays off).
 */
static void fuzz_child(struct fuzz *f, unsigned long first, unsigned long end,
		       int threads)
{
	struct fuzz_share sh[2] = {
		{ *f, first, end, threads },
		{ *f, first + 1, end, threads },
	};
	pthread_t t;

	fuzz_child_setup();
	sh[1].f.progress = f->progress + 1;
	if (threads == 2 && pthread_create(&t, NULL, fuzz_calls, &sh[1]))
		_exit(3);
	fuzz_calls(&sh[0]);
	if (threads == 2)
		pthread_join(t, NULL);
	_exit(0);
}

static void fuzz_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* @pid's wait status if it ends within @ms, else -1. */
static int fuzz_wait_ms(pid_t pid, int ms)
{
	int status;

	for (int t = 0; t < ms; t += 5) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		fuzz_sleep_ms(5);
	}
	return -1;
}

/* Say which call a child was in, and with what. */
static void fuzz_report(struct fuzz *f, unsigned long i, const char *what)
{
	uint64_t a[6];
	int nr = fuzz_call_draw(f, i, a);

	printf("sysfuzz: call %lu, nr %d (%#llx, %#llx, %#llx, %#llx, %#llx, "
	       "%#llx): %s\n", i, nr, (unsigned long long)a[0],
	       (unsigned long long)a[1], (unsigned long long)a[2],
	       (unsigned long long)a[3], (unsigned long long)a[4],
	       (unsigned long long)a[5], what);
}

/*
 * Wait for @pid for up to BATCH_MS, then kill it; its wait status, or -1
 * when even SIGKILL does not end it within two seconds (a kernel bug:
 * every wait must be interruptible by a kill).
 */
static int fuzz_reap(struct fuzz *f, pid_t pid, bool *stuck)
{
	int status = fuzz_wait_ms(pid, BATCH_MS);

	*stuck = status == -1;
	if (!*stuck)
		return status;
	kill(pid, SIGKILL);
	status = fuzz_wait_ms(pid, 2000);
	if (status == -1)
		fuzz_report(f, MAX(f->progress[0], f->progress[1]),
			    "the caller survives SIGKILL");
	return status;
}

/* Note the call that wedged or killed a child. */
static void fuzz_blame(struct fuzz *f, unsigned long i, unsigned long *count,
		       unsigned short *nrs)
{
	uint64_t a[6];

	if (*count < 64)
		nrs[*count] = fuzz_call_draw(f, i, a);
	(*count)++;
}

/*
 * Calls [*next, end) in a child. A child that wedges or dies resumes in
 * the next one after the call it was in; false if no child could be made
 * or reaped.
 */
static bool fuzz_batch(struct fuzz *f, unsigned long *next, unsigned long end,
		       struct fuzz_totals *t)
{
	unsigned long last;
	pid_t pid;
	bool stuck;
	int status;

	f->progress[0] = f->progress[1] = *next;
	pid = fork();
	if (pid < 0) {
		printf("sysfuzz: fork: %s\n", strerror(errno));
		return false;
	}
	if (pid == 0)
		fuzz_child(f, *next, end, t->batches % 2 + 1);
	status = fuzz_reap(f, pid, &stuck);
	if (status == -1)
		return false;
	t->batches++;
	if (!stuck && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		*next = end;
		return true;
	}
	/* The thread furthest on is blamed; calls the other skipped go. */
	last = MAX(f->progress[0], f->progress[1]);
	if (stuck)
		fuzz_blame(f, last, &t->stuck, t->stuck_nr);
	else
		fuzz_blame(f, last, &t->faulted, t->faulted_nr);
	*next = last + 1;
	return true;
}

static void fuzz_print_nrs(const char *what, unsigned long n,
			   const unsigned short *nrs)
{
	printf("sysfuzz: %lu %s", n, what);
	for (unsigned long i = 0; i < n && i < 64; i++)
		printf(" %u", nrs[i]);
	printf("%s\n", n > 64 ? " ..." : "");
}

/* The system still works: a file written, read back and removed; a fork. */
static bool fuzz_system_ok(void)
{
	static const char msg[] = "still here";
	char buf[sizeof(msg)] = { 0 };
	int fd = open("/tmp/sysfuzz.check", O_RDWR | O_CREAT | O_TRUNC, 0644);
	int status;
	pid_t pid;

	if (fd < 0 || write(fd, msg, sizeof(msg)) != sizeof(msg) ||
	    pread(fd, buf, sizeof(buf), 0) != sizeof(buf) ||
	    memcmp(buf, msg, sizeof(msg)) || close(fd) ||
	    unlink("/tmp/sysfuzz.check")) {
		printf("sysfuzz: file round trip through the VFS failed\n");
		return false;
	}
	pid = fork();
	if (pid == 0)
		_exit(42);
	if (pid < 0 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 42) {
		printf("sysfuzz: fork and wait failed\n");
		return false;
	}
	return true;
}

/* Remove what the children made in FUZZ_DIR (one level, then the dir). */
static void fuzz_cleanup(void)
{
	static const char *const names[] = { "f", "a", "b" };
	char path[64];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), FUZZ_DIR "/%s", names[i]);
		unlink(path);
		rmdir(path);
	}
	rmdir(FUZZ_DIR);
}

/* A page shared with the children (native shared memory: fork shares it). */
static volatile unsigned long *fuzz_shared_page(void)
{
	uint64_t a[6] = { 0, 0, 4096 };
	long slot = fuzz_syscall(NATIVE_SYS_BASE + NC_SHM_NEW, a);
	long addr;

	a[0] = slot;
	a[2] = 1;
	addr = slot < 0 ? slot : fuzz_syscall(NATIVE_SYS_BASE + NC_SHM_MAP, a);
	if (addr < 0) {
		printf("sysfuzz: shared memory: error %ld\n", addr);
		return NULL;
	}
	return (volatile unsigned long *)addr;
}

static bool fuzz_init(struct fuzz *f, uint64_t seed)
{
	static const char *const paths[8] = {
		FUZZ_DIR "/f", FUZZ_DIR "/a", FUZZ_DIR "/b", FUZZ_DIR, "",
		"/nonexistent/x", ".", "/dev/null",
	};
	uint8_t *m = mmap(NULL, (SCRATCH_PAGES + 2) * 4096,
			  PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	if (m == MAP_FAILED) {
		printf("sysfuzz: mmap: %s\n", strerror(errno));
		return false;
	}
	f->seed = seed;
	f->progress = fuzz_shared_page();
	if (!f->progress)
		return false;
	f->scratch = m;
	f->rodata = m + (SCRATCH_PAGES + 1) * 4096;
	memset(m, 0x41, SCRATCH_PAGES * 4096);
	munmap(m + SCRATCH_PAGES * 4096, 4096);
	mprotect(f->rodata, 4096, PROT_READ);
	memcpy(f->paths, paths, sizeof(paths));
	mkdir(FUZZ_DIR, 0755);
	return true;
}

/* -n CALLS, -s SEED, or fuzz=CALLS[:SEED] in the environment. */
static void fuzz_options(int argc, char **argv, unsigned long *calls,
			 uint64_t *seed)
{
	const char *env = getenv("fuzz");
	int opt;

	if (env) {
		char *end;

		*calls = strtoul(env, &end, 0);
		if (*end == ':')
			*seed = strtoull(end + 1, NULL, 0);
	}
	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		if (opt == 'n')
			*calls = strtoul(optarg, NULL, 0);
		else if (opt == 's')
			*seed = strtoull(optarg, NULL, 0);
	}
}

int main(int argc, char **argv)
{
	unsigned long calls = 8000, next = 0, said = 0;
	uint64_t seed = 1;
	struct fuzz_totals t = { 0 };
	struct fuzz f;

	setvbuf(stdout, NULL, _IONBF, 0);
	fuzz_options(argc, argv, &calls, &seed);
	if (!fuzz_init(&f, seed))
		return 1;
	printf("sysfuzz: seed %llu, %lu calls\n", (unsigned long long)seed,
	       calls);
	while (next < calls) {
		unsigned long end = next + BATCH < calls ? next + BATCH : calls;

		if (next - next % 10000 > said) {
			said = next - next % 10000;
			printf("sysfuzz: call %lu\n", said);
		}
		if (!fuzz_batch(&f, &next, end, &t))
			return 1;
	}
	fuzz_cleanup();
	printf("sysfuzz: %lu calls in %lu children\n", calls, t.batches);
	fuzz_print_nrs("calls blocked until killed:", t.stuck, t.stuck_nr);
	fuzz_print_nrs("calls killed their caller:", t.faulted, t.faulted_nr);
	if (!fuzz_system_ok())
		return 1;
	printf("%s\n", USTAGE_SYSFUZZ);
	return 0;
}
