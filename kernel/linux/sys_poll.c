/*
 * poll, ppoll, select and pselect6: one wait over any mix of descriptors.
 * Each round asks every descriptor what is ready (poll_scan): a pipe
 * answers from the kernel's ring (pipe_poll), a served character device
 * from its server (FS_POLL, answered at once), anything else (regular
 * files, directories, /dev/null, the kernel console) is always ready.
 * With nothing ready the thread waits once on every queue a change can
 * come through (poll_wait): a pipe's wait queue, or the poll queue of a
 * server's endpoint, which the server pulses (NC_POLL_WAKE) when its
 * readiness may have changed and its death wakes too. Then it asks again.
 * docs/ipc.md ("Poll") has the design; docs/syscalls.md the calls.
 */
#include "linux.h"
#include "clock.h"
#include "file.h"
#include "kmalloc.h"
#include "pipe.h"
#include "pmm.h"
#include "signal.h"
#include "srv.h"
#include "string.h"
#include "sys_fs.h"
#include "wait.h"
#include <loupe/fsproto.h>

#define POLL_ALWAYS	(POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
#define POLL_FOREVER	UINT64_MAX	/* a timeout: none */
#define POLLIN_SET	(POLLIN | POLLRDNORM | 0x80 | POLLHUP | POLLERR)
#define POLLOUT_SET	(POLLOUT | POLLWRNORM | 0x200 | POLLERR)
#define POLLEX_SET	POLLPRI
#define NS		1000000000ull

struct pollfd {
	int fd;
	short events, revents;
};

/* One descriptor being polled. */
struct poll_entry {
	int fd;				/* < 0: ignored */
	unsigned events;		/* asked for */
	unsigned mask;			/* ready, as the file said */
	struct file *f;			/* during a round, or NULL */
	struct wait_queue *wq;		/* where a change is announced, or NULL */
	uint32_t gen;			/* served files: the pulse count asked at */
	struct waiter w;
};

struct poll_set {
	struct poll_entry *e;
	unsigned n;
	unsigned order;			/* of e's pages */
};

static int poll_set_alloc(struct poll_set *s, unsigned n)
{
	size_t size = MAX(n, 1u) * sizeof(struct poll_entry);

	s->order = pmm_order(size);
	s->e = pmm_alloc_virt(s->order);
	s->n = n;
	if (!s->e)
		return -ENOMEM;
	memset(s->e, 0, size);
	return 0;
}

static void poll_set_free(struct poll_set *s)
{
	pmm_free_virt(s->e, s->order);
}

/* A served device: its server's answer, or an error once it is gone. */
static unsigned poll_served(struct poll_entry *e)
{
	uint64_t out[3];
	long ret;

	e->wq = srv_poll_queue(e->f->reg, &e->gen);
	ret = sys_fs_call(e->f, FS_POLL, e->events, 0, out, NULL, 0);
	if (ret >= 0)
		return ret;
	e->wq = NULL;
	if (ret == -ENOSYS)		/* a server that never waits */
		return POLL_ALWAYS;
	if (ret == -ERESTARTSYS)	/* a signal or a kill: poll_wait
					 * says so */
		return 0;
	return POLLERR | POLLHUP;	/* a dead server, as a hung-up line */
}

static unsigned poll_file(struct poll_entry *e)
{
	struct file *f = e->f;

	e->wq = NULL;
	if (f->type == FILE_PIPE)
		return pipe_poll(f, &e->wq);
	if (f->type == FILE_SRV && (f->mode & S_IFMT) == S_IFCHR)
		return poll_served(e);
	return POLL_ALWAYS;
}

/*
 * One round: what is ready on every entry, holding a reference to each
 * file until poll_put(). Returns how many entries have events (POLLNVAL
 * for a descriptor that is not open).
 */
static int poll_scan(struct poll_set *s)
{
	int count = 0;

	for (unsigned i = 0; i < s->n; i++) {
		struct poll_entry *e = &s->e[i];

		e->mask = 0;
		e->wq = NULL;
		if (e->fd < 0)
			continue;
		e->f = file_get(e->fd);
		e->mask = e->f ? poll_file(e) : POLLNVAL;
		count += !!(e->mask & (e->events | POLLERR | POLLHUP | POLLNVAL));
	}
	return count;
}

static void poll_put(struct poll_set *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		if (s->e[i].f)
			file_put(s->e[i].f);
		s->e[i].f = NULL;
	}
}

/* Whether an entry may have changed since the scan: scan again. */
static bool poll_changed(struct poll_set *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct poll_entry *e = &s->e[i];
		struct wait_queue *wq;

		if (!e->wq)
			continue;
		if (e->f->type == FILE_PIPE &&
		    (pipe_poll(e->f, &wq) & (e->events | POLLERR | POLLHUP)))
			return true;
		if (e->f->type == FILE_SRV && srv_poll_changed(e->f->reg, e->gen))
			return true;
	}
	return false;
}

/*
 * The check every blocking call makes: a signal to take, or a kill
 * (signal_pending()). A poller asleep is woken by either
 * (signal_notify_locked(), proc_doom_locked()).
 */
static bool poll_interrupted(void)
{
	return signal_pending(current_thread());
}

static uint64_t poll_ticks(uint64_t deadline, uint64_t now)
{
	if (deadline == POLL_FOREVER)
		return 0;
	return clock_ticks(deadline - now);
}

/*
 * Wait until an entry of s may have changed, the deadline (monotonic ns;
 * POLL_FOREVER: none) passes or the process is interrupted. The one place
 * poll, ppoll, select and pselect6 block. Returns 0 or -EINTR.
 */
static int poll_wait(struct poll_set *s, uint64_t deadline)
{
	uint64_t now = clock_monotonic_ns();
	unsigned long f;
	bool sleep;

	if (deadline != POLL_FOREVER && now >= deadline)
		return 0;
	for (unsigned i = 0; i < s->n; i++) {
		if (s->e[i].wq)
			wait_add(s->e[i].wq, &s->e[i].w);
	}
	f = sched_sleep_prepare(poll_ticks(deadline, now));
	/* Full: SLEEPING before the tests' loads; pairs with the wakers'
	 * locks (wake_up's wq->lock, proc_kill's rq->lock). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sleep = !poll_changed(s) && !poll_interrupted();
	sched_sleep_finish(f, sleep);
	for (unsigned i = 0; i < s->n; i++) {
		if (s->e[i].wq)
			wait_finish(s->e[i].wq, &s->e[i].w);
	}
	return poll_interrupted() ? -EINTR : 0;
}

/*
 * Scan until something is ready, the timeout (ns from now; 0: one scan;
 * POLL_FOREVER) passes or the process is interrupted. Returns the count
 * of ready entries (their masks in e[].mask), 0 on timeout, or -EINTR.
 * *left: the time left (ns), for the calls that report it.
 */
static int poll_run(struct poll_set *s, uint64_t timeout, uint64_t *left)
{
	uint64_t now = clock_monotonic_ns(), deadline = POLL_FOREVER;
	int count, err;

	if (timeout != POLL_FOREVER)
		deadline = now + MIN(timeout, (uint64_t)1 << 62);
	for (;;) {
		count = poll_scan(s);
		now = clock_monotonic_ns();
		if (count || (deadline != POLL_FOREVER && now >= deadline))
			break;
		err = poll_wait(s, deadline);
		poll_put(s);
		if (err)
			return err;
	}
	poll_put(s);
	*left = deadline == POLL_FOREVER || now >= deadline ? 0 : deadline - now;
	return count;
}

/* poll and ppoll: the user's array in, revents out. */
static long poll_fds(struct pollfd *ufds, unsigned long nfds, uint64_t timeout,
		     uint64_t *left)
{
	struct poll_set s;
	struct pollfd p;
	long ret;

	if (nfds > FD_MAX)
		return -EINVAL;
	if (!uaccess_ok((uintptr_t)ufds, nfds * sizeof(p)))
		return -EFAULT;
	if (poll_set_alloc(&s, nfds))
		return -ENOMEM;
	for (unsigned i = 0; i < nfds; i++) {
		if (copy_from_user(&p, ufds + i, sizeof(p))) {
			poll_set_free(&s);
			return -EFAULT;
		}
		s.e[i].fd = p.fd;
		s.e[i].events = (unsigned short)p.events;
	}
	ret = poll_run(&s, timeout, left);
	for (unsigned i = 0; ret >= 0 && i < nfds; i++) {
		struct poll_entry *e = &s.e[i];
		short rev = e->mask & (e->events | POLLERR | POLLHUP | POLLNVAL);

		if (copy_to_user(&ufds[i].revents, &rev, sizeof(rev)))
			ret = -EFAULT;
	}
	poll_set_free(&s);
	return ret;
}

long sys_poll(SYSCALL_ARGS)
{
	int ms = (int)a2;
	uint64_t left;

	return poll_fds((struct pollfd *)a0, a1,
			ms < 0 ? POLL_FOREVER : (uint64_t)ms * 1000000, &left);
}

/* A timespec timeout in ns (NULL: POLL_FOREVER), or -EFAULT/-EINVAL. */
static long poll_timespec(const void *uts, uint64_t *ns)
{
	*ns = POLL_FOREVER;
	return uts ? clock_timespec_in(uts, ns) : 0;
}

/* Linux writes the time left back; a failed write is not an error. */
static void poll_timespec_left(void *uts, uint64_t left)
{
	if (uts)
		clock_timespec_out(uts, left);
}

/*
 * ppoll's and pselect6's signal mask (@umask, NULL: none): in place for
 * the wait, as rt_sigsuspend's (signal_mask_begin()). Returns 0 or
 * -EFAULT.
 */
static long poll_mask_begin(const void *umask)
{
	uint64_t mask;

	if (!umask)
		return 0;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	signal_mask_begin(mask);
	return 0;
}

static void poll_mask_end(const void *umask, long ret)
{
	if (umask)
		signal_mask_end(ret == -EINTR);
}

/* ppoll(fds, nfds, timeout, sigmask, sigsetsize). */
long sys_ppoll(SYSCALL_ARGS)
{
	uint64_t timeout, left;
	long ret;

	if (a3 && a4 != SIGSET_SIZE)
		return -EINVAL;
	ret = poll_timespec((void *)a2, &timeout);
	if (ret)
		return ret;
	ret = poll_mask_begin((void *)a3);
	if (ret)
		return ret;
	ret = poll_fds((struct pollfd *)a0, a1, timeout, &left);
	poll_mask_end((void *)a3, ret);
	if (ret >= 0)
		poll_timespec_left((void *)a2, left);
	return ret;
}

/* select's three sets, as words of bits. */
struct poll_fdsets {
	uint64_t in[FD_MAX / 64], out[FD_MAX / 64], ex[FD_MAX / 64];
};

static bool poll_bit(const uint64_t *set, int fd)
{
	return set[fd / 64] >> (fd % 64) & 1;
}

static long poll_fdset_in(uint64_t *set, const void *uset, size_t bytes)
{
	memset(set, 0, FD_MAX / 8);
	return uset && copy_from_user(set, uset, bytes) ? -EFAULT : 0;
}

/* The entries select asks about, or -EBADF for a set bit naming no file. */
static long poll_select_entries(struct poll_set *s, struct poll_fdsets *fs,
				int nfds)
{
	unsigned n = 0;

	for (int fd = 0; fd < nfds; fd++) {
		unsigned ev = (poll_bit(fs->in, fd) ? POLLIN_SET : 0) |
			      (poll_bit(fs->out, fd) ? POLLOUT_SET : 0) |
			      (poll_bit(fs->ex, fd) ? POLLEX_SET : 0);
		struct file *f;

		if (!ev)
			continue;
		f = file_get(fd);
		if (!f)
			return -EBADF;
		file_put(f);
		s->e[n].fd = fd;
		s->e[n++].events = ev;
	}
	s->n = n;
	return 0;
}

/* The sets select returns, and the count of bits in them. */
static int poll_select_result(struct poll_set *s, struct poll_fdsets *fs)
{
	int count = 0;

	memset(fs, 0, sizeof(*fs));
	for (unsigned i = 0; i < s->n; i++) {
		struct poll_entry *e = &s->e[i];
		int fd = e->fd;
		uint64_t bit = 1ull << (fd % 64);

		if ((e->events & POLLIN) && (e->mask & POLLIN_SET)) {
			fs->in[fd / 64] |= bit;
			count++;
		}
		if ((e->events & POLLOUT) && (e->mask & POLLOUT_SET)) {
			fs->out[fd / 64] |= bit;
			count++;
		}
		if ((e->events & POLLPRI) && (e->mask & POLLEX_SET)) {
			fs->ex[fd / 64] |= bit;
			count++;
		}
	}
	return count;
}

/*
 * select and pselect6 on poll's machinery: nfds beyond the descriptor
 * limit is cut to it (as Linux cuts it to the table's size).
 */
static long poll_select(long nfds, uint64_t *uin, uint64_t *uout,
			uint64_t *uex, uint64_t timeout, uint64_t *left)
{
	struct poll_fdsets *fs;
	struct poll_set s;
	size_t bytes;
	long ret;

	if (nfds < 0 || (int)nfds != nfds)
		return -EINVAL;
	nfds = MIN(nfds, FD_MAX);
	bytes = (nfds + 63) / 64 * 8;
	if (poll_set_alloc(&s, nfds))
		return -ENOMEM;
	fs = kmalloc(sizeof(*fs));
	ret = fs ? 0 : -ENOMEM;
	if (!ret && (poll_fdset_in(fs->in, uin, bytes) ||
		     poll_fdset_in(fs->out, uout, bytes) ||
		     poll_fdset_in(fs->ex, uex, bytes)))
		ret = -EFAULT;
	if (!ret)
		ret = poll_select_entries(&s, fs, nfds);
	if (!ret)
		ret = poll_run(&s, timeout, left);
	if (ret >= 0) {
		ret = poll_select_result(&s, fs);
		if ((uin && copy_to_user(uin, fs->in, bytes)) ||
		    (uout && copy_to_user(uout, fs->out, bytes)) ||
		    (uex && copy_to_user(uex, fs->ex, bytes)))
			ret = -EFAULT;
	}
	kfree(fs);
	poll_set_free(&s);
	return ret;
}

struct timeval64 {
	int64_t sec, usec;
};

long sys_select(SYSCALL_ARGS)
{
	struct timeval64 tv;
	uint64_t timeout = POLL_FOREVER, left;
	long ret;

	if (a4) {
		if (copy_from_user(&tv, (void *)a4, sizeof(tv)))
			return -EFAULT;
		if (tv.sec < 0 || tv.usec < 0 || tv.usec >= 1000000)
			return -EINVAL;
		timeout = (uint64_t)MIN(tv.sec, (int64_t)1 << 32) * NS +
			  tv.usec * 1000;
	}
	ret = poll_select(a0, (uint64_t *)a1, (uint64_t *)a2, (uint64_t *)a3,
			  timeout, &left);
	if (ret >= 0 && a4) {
		tv.sec = left / NS;
		tv.usec = left % NS / 1000;
		copy_to_user((void *)a4, &tv, sizeof(tv));
	}
	return ret;
}

/*
 * pselect6(nfds, in, out, ex, timeout, sig): sig points at { mask
 * pointer, mask size }, the mask applied as ppoll's.
 */
long sys_pselect6(SYSCALL_ARGS)
{
	struct {
		uint64_t mask, size;
	} sig;
	uint64_t timeout, left;
	long ret;

	if (a5 && copy_from_user(&sig, (void *)a5, sizeof(sig)))
		return -EFAULT;
	if (a5 && sig.mask && sig.size != SIGSET_SIZE)
		return -EINVAL;
	ret = poll_timespec((void *)a4, &timeout);
	if (ret)
		return ret;
	if (!a5)
		sig.mask = 0;
	ret = poll_mask_begin((void *)sig.mask);
	if (ret)
		return ret;
	ret = poll_select(a0, (uint64_t *)a1, (uint64_t *)a2, (uint64_t *)a3,
			  timeout, &left);
	poll_mask_end((void *)sig.mask, ret);
	if (ret >= 0)
		poll_timespec_left((void *)a4, left);
	return ret;
}
