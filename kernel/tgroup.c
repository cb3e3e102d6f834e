/*
 * Thread groups: the threads of one process, as Linux's CLONE_THREAD
 * makes them. clone() adds a thread that shares everything struct proc
 * holds (memory, capabilities, descriptors, cwd); exit_group, a fatal
 * signal or fault, and execve make the others leave; a thread's exit
 * zeroes and wakes its clear_child_tid word (pthread_join).
 *
 * proc_lock (proc.c) protects proc->threads, nthreads, group_status and
 * the transitions of proc->killed (readers test it without the lock).
 * Lock order: proc_lock -> wq->lock -> rq->lock.
 */
#include "proc.h"
#include "futex.h"
#include "sched.h"
#include <arch/uaccess.h>

#define CSIGNAL			0xff
#define CLONE_VM		0x100
#define CLONE_FS		0x200
#define CLONE_FILES		0x400
#define CLONE_SIGHAND		0x800
#define CLONE_THREAD		0x10000
#define CLONE_SYSVSEM		0x40000
#define CLONE_SETTLS		0x80000
#define CLONE_PARENT_SETTID	0x100000
#define CLONE_CHILD_CLEARTID	0x200000
#define CLONE_DETACHED		0x400000
#define CLONE_CHILD_SETTID	0x1000000

/* What a thread must share: struct proc is one unit. */
#define CLONE_THREAD_NEEDS	(CLONE_VM | CLONE_FS | CLONE_FILES | \
				 CLONE_SIGHAND | CLONE_THREAD)
#define CLONE_THREAD_OK		(CLONE_THREAD_NEEDS | CLONE_SYSVSEM | \
				 CLONE_SETTLS | CLONE_PARENT_SETTID | \
				 CLONE_CHILD_CLEARTID | CLONE_DETACHED | \
				 CLONE_CHILD_SETTID | CSIGNAL)

/*
 * clone(CLONE_THREAD...): a new thread of the caller's process starting
 * at tf (the caller's registers, its stack pointer already replaced)
 * with 0 in rax. Flags as musl's pthread_create passes them; any other
 * combination with CLONE_THREAD is -EINVAL. Returns the new thread id,
 * -EINVAL, -EPERM (TLS outside user space), -ENOMEM, or -EINTR when the
 * process is being killed.
 */
int proc_clone(const struct trap_frame *tf, uint64_t flags, uint64_t ptid,
	       uint64_t ctid, uint64_t tls)
{
	struct thread *me = current_thread(), *t;
	struct proc *p = me->proc;
	struct proc_entry *e;
	unsigned long f;
	int tid;

	if ((flags & CLONE_THREAD_NEEDS) != CLONE_THREAD_NEEDS ||
	    (flags & ~(uint64_t)CLONE_THREAD_OK))
		return -EINVAL;
	if ((flags & CLONE_SETTLS) && tls >= USER_TOP)
		return -EPERM;
	e = proc_entry_new(tf, flags & CLONE_SETTLS ? tls : me->fs_base);
	if (e)
		e->ss = (struct sig_stack){ 0 };	/* as Linux: not shared */
	t = e ? proc_thread_alloc(p, e) : NULL;
	if (!t) {
		if (e)
			proc_entry_free(e);
		return -ENOMEM;
	}
	t->tgid = me->tgid;
	t->clear_child_tid = flags & CLONE_CHILD_CLEARTID ? ctid : 0;
	f = spin_lock_irqsave(&proc_lock);
	if (p->killed) {
		spin_unlock_irqrestore(&proc_lock, f);
		thread_free_unlaunched(t);
		proc_entry_free(e);
		return -EINTR;
	}
	tid = t->ltid = proc_alloc_pid_locked();
	list_add_tail(&t->proc_link, &p->threads);
	p->nthreads++;
	spin_unlock_irqrestore(&proc_lock, f);
	/* As Linux, before the thread runs; a bad pointer is not an error. */
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user((void *)ptid, &tid, sizeof(tid));
	if (flags & CLONE_CHILD_SETTID)
		copy_to_user((void *)ctid, &tid, sizeof(tid));
	thread_launch(t);
	return tid;
}

/*
 * Send every thread of p but the caller out of its sleep (each sleep
 * that may last loops on its condition and tests killed) and, if it
 * runs on another CPU, out of user mode (the interrupt return path tests
 * killed). proc_lock held.
 */
static void proc_wake_others_locked(struct proc *p)
{
	struct thread *me = current_thread();
	struct list_head *q;

	list_for_each(q, &p->threads) {
		struct thread *t = list_entry(q, struct thread, proc_link);

		if (t == me)
			continue;
		sched_wakeup(t);
		sched_kick_thread(t);
	}
}

/*
 * Make every thread of p leave for exit, the process ending with wait4
 * status status, unless it is already dying (the first cause wins). An
 * execve waiting for the others gives way. proc_lock held.
 */
void proc_doom_locked(struct proc *p, int status)
{
	if (p->killed == PROC_DYING)
		return;
	p->group_status = status;
	p->killed = PROC_DYING;
	proc_wake_others_locked(p);
}

/*
 * execve's first step in a multi-threaded process: every other thread
 * leaves, and the caller waits until it is alone. Returns 0, or -EINTR
 * if the process is being killed (the caller then dies on its way out).
 */
int proc_dethread(void)
{
	struct proc *p = current_thread()->proc;
	unsigned long f = spin_lock_irqsave(&proc_lock);
	int err = 0;

	if (p->nthreads == 1) {
		spin_unlock_irqrestore(&proc_lock, f);
		return 0;
	}
	if (p->killed) {
		spin_unlock_irqrestore(&proc_lock, f);
		return -EINTR;
	}
	p->killed = PROC_EXECING;
	proc_wake_others_locked(p);
	spin_unlock_irqrestore(&proc_lock, f);
	wait_event(&p->thread_wq, READ_ONCE(p->nthreads) == 1 ||
		   READ_ONCE(p->killed) != PROC_EXECING);
	f = spin_lock_irqsave(&proc_lock);
	if (p->killed == PROC_EXECING)
		p->killed = 0;
	else
		err = -EINTR;
	spin_unlock_irqrestore(&proc_lock, f);
	return err;
}

/*
 * A thread leaving: zero its clear_child_tid word (CLONE_CHILD_CLEARTID,
 * set_tid_address) and wake one futex waiter there, which is how
 * pthread_join and musl's thread-list lock learn it is gone. A bad
 * address is ignored, as on Linux. Context: t is current and attached.
 */
void proc_clear_child_tid(struct thread *t)
{
	uint64_t a = t->clear_child_tid;
	int zero = 0;

	if (!a)
		return;
	t->clear_child_tid = 0;
	if (!copy_to_user((void *)a, &zero, sizeof(zero)))
		futex_wake(t->proc->vm, a, 1, ~0u);
}
