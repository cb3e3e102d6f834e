/*
 * Pipes: a 16 KiB ring in the kernel between two open files, the read
 * end and the write end. They live in the kernel, beside the descriptor
 * tables (kernel/file.c), rather than in a server: a pipe is a queue
 * between two processes that both already talk to the kernel, and a
 * server would add two IPC round trips to every read and write.
 *
 * Linux semantics: a read waits for data and returns what is there (up
 * to the count), or 0 once every write end is closed; a write waits for
 * room, and one of at most PIPE_BUF bytes is atomic (never interleaved
 * with another writer's); a write with no read end left raises SIGPIPE
 * (whose default action ends the writer) and fails with EPIPE.
 * O_NONBLOCK gives EAGAIN instead of waiting; a kill or a signal to take
 * ends a wait (ERESTARTSYS: EINTR, or a restart under SA_RESTART).
 *
 * pipe->lock protects the counters and the ring. It is held across the
 * user copies in and out of the ring: a fault there takes only vm->lock
 * and pmm_lock and never sleeps. Lock order: pipe->lock -> vm->lock ->
 * pmm_lock; wait-queue locks are taken after pipe->lock is dropped.
 */
#include "pipe.h"
#include "file.h"
#include "kmalloc.h"
#include "pmm.h"
#include "proc.h"
#include "sched.h"
#include "cpu.h"
#include "wait.h"
#include <arch/uaccess.h>

#define PIPE_ORDER	2			/* 4 pages */
#define PIPE_SIZE	(PAGE_SIZE << PIPE_ORDER)
#define PIPE_BUF	4096			/* atomic writes up to this */

struct pipe {
	struct spinlock lock;
	uint8_t *buf;			/* PIPE_SIZE bytes */
	uint64_t rpos, wpos;		/* bytes ever read / written */
	int readers, writers;		/* open files of each end */
	struct wait_queue rwait;	/* readers waiting for data */
	struct wait_queue wwait;	/* writers waiting for room */
};

/* Killed, or a signal to take: the wait ends (ERESTARTSYS). */
static bool pipe_killed(void)
{
	return signal_pending(current_thread());
}

/* Make a pipe and its two ends (flags: O_NONBLOCK). 0 or -ENOMEM. */
int pipe_create(unsigned flags, struct file **rd, struct file **wr)
{
	struct pipe *p = kzalloc(sizeof(*p));

	*rd = file_alloc(FILE_PIPE, O_RDONLY | flags);
	*wr = file_alloc(FILE_PIPE, O_WRONLY | flags);
	if (p)
		p->buf = pmm_alloc_virt(PIPE_ORDER);
	if (!p || !p->buf || !*rd || !*wr) {
		if (p && p->buf)
			pmm_free_virt(p->buf, PIPE_ORDER);
		kfree(p);
		kfree(*rd);
		kfree(*wr);
		return -ENOMEM;
	}
	spin_init(&p->lock, "pipe");
	wait_init(&p->rwait, "pipe-read");
	wait_init(&p->wwait, "pipe-write");
	p->readers = p->writers = 1;
	(*rd)->pipe = (*wr)->pipe = p;
	(*rd)->mode = (*wr)->mode = S_IFIFO | 0600;
	return 0;
}

/* The last reference to one end is gone: the other end may see EOF/EPIPE. */
void pipe_release(struct file *f)
{
	struct pipe *p = f->pipe;
	unsigned long fl = spin_lock_irqsave(&p->lock);
	bool last;

	if ((f->flags & O_ACCMODE) == O_RDONLY)
		p->readers--;
	else
		p->writers--;
	last = !p->readers && !p->writers;
	spin_unlock_irqrestore(&p->lock, fl);
	if (last) {
		pmm_free_virt(p->buf, PIPE_ORDER);
		kfree(p);
		return;
	}
	wake_up(&p->rwait);
	wake_up(&p->wwait);
}

/*
 * Move n bytes between the ring at byte count @pos and user memory
 * (two pieces when the ring wraps). Lock held. 0 or -EFAULT.
 */
static long pipe_copy(struct pipe *p, uint64_t pos, char *ubuf, size_t n,
		      bool to_ring)
{
	size_t at = pos % PIPE_SIZE, first = MIN(n, PIPE_SIZE - at);
	long bad;

	if (to_ring)
		bad = copy_from_user(p->buf + at, ubuf, first) ||
		      copy_from_user(p->buf, ubuf + first, n - first);
	else
		bad = copy_to_user(ubuf, p->buf + at, first) ||
		      copy_to_user(ubuf + first, p->buf, n - first);
	return bad ? -EFAULT : 0;
}

/* Bytes waiting in the pipe behind read end @f (FIONREAD, fstat). */
size_t pipe_unread(struct file *f)
{
	struct pipe *p = f->pipe;

	return READ_ONCE(p->wpos) - READ_ONCE(p->rpos);
}

long pipe_read(struct file *f, char *ubuf, size_t n)
{
	struct pipe *p = f->pipe;

	for (;;) {
		unsigned long fl = spin_lock_irqsave(&p->lock);
		size_t c = MIN(n, p->wpos - p->rpos);
		bool eof = !p->writers;
		long err = 0;

		if (c && !(err = pipe_copy(p, p->rpos, ubuf, c, false)))
			p->rpos += c;
		spin_unlock_irqrestore(&p->lock, fl);
		if (c) {
			wake_up(&p->wwait);
			return err ? err : (long)c;
		}
		if (eof)
			return 0;
		if (READ_ONCE(f->flags) & O_NONBLOCK)
			return -EAGAIN;
		wait_event(&p->rwait, READ_ONCE(p->wpos) != READ_ONCE(p->rpos) ||
				      !READ_ONCE(p->writers) || pipe_killed());
		if (pipe_killed())
			return -ERESTARTSYS;
	}
}

/* Room for a piece of a write of @left bytes, @done already written. */
static size_t pipe_room(struct pipe *p, size_t left, size_t done)
{
	size_t room = PIPE_SIZE - (p->wpos - p->rpos);

	/* A write of at most PIPE_BUF goes in whole or waits. */
	if (!done && left <= PIPE_BUF && room < left)
		return 0;
	return MIN(room, left);
}

/*
 * No reader: SIGPIPE to the writing thread (its default action ends the
 * process), then EPIPE.
 */
static long pipe_broken(size_t done)
{
	struct thread *me = current_thread();

	proc_tkill(me->proc->pid, me->ltid, SIGPIPE);
	return done ? (long)done : -EPIPE;
}

long pipe_write(struct file *f, const char *ubuf, size_t n)
{
	struct pipe *p = f->pipe;
	size_t done = 0;

	while (done < n) {
		unsigned long fl = spin_lock_irqsave(&p->lock);
		size_t c = pipe_room(p, n - done, done);
		bool broken = !p->readers;
		long err = 0;

		if (!broken && c &&
		    !(err = pipe_copy(p, p->wpos, (char *)ubuf + done, c, true))) {
			p->wpos += c;
			done += c;
		}
		spin_unlock_irqrestore(&p->lock, fl);
		if (broken)
			return pipe_broken(done);
		if (c) {
			wake_up(&p->rwait);
			if (err)
				return done ? (long)done : err;
			continue;
		}
		if (READ_ONCE(f->flags) & O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		wait_event(&p->wwait, pipe_room(p, n - done, done) ||
				      !READ_ONCE(p->readers) || pipe_killed());
		if (pipe_killed())
			return done ? (long)done : -ERESTARTSYS;
	}
	return done;
}

/*
 * poll's view of pipe end f, read without the lock (a poller re-checks
 * after joining *wq, the queue a change is announced on): the read end
 * is readable with bytes queued and hung up once no writer is left; the
 * write end is writable with room for PIPE_BUF bytes, an error once no
 * reader is left. As Linux's pipe_poll.
 */
unsigned pipe_poll(struct file *f, struct wait_queue **wq)
{
	struct pipe *p = f->pipe;
	uint64_t queued = READ_ONCE(p->wpos) - READ_ONCE(p->rpos);
	unsigned mask = 0;

	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		*wq = &p->rwait;
		if (queued)
			mask |= POLLIN | POLLRDNORM;
		if (!READ_ONCE(p->writers))
			mask |= POLLHUP;
	} else {
		*wq = &p->wwait;
		if (PIPE_SIZE - queued >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (!READ_ONCE(p->readers))
			mask |= POLLERR;
	}
	return mask;
}
