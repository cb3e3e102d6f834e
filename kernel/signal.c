/*
 * Signals: posting (kill, tkill, faults, SIGCHLD), the choice of what a
 * thread delivers, default actions, and the work a return to user mode
 * does when its process's user_work word is set (proc.h): die if
 * killed, else deliver signals through a frame (sigframe.c) and settle
 * an interrupted system call (restart it, or EINTR). The hot exit paths
 * reach signal_user_work() through a pointer (syscall.c).
 *
 * Locks: proc_lock (a process's thread list, to choose a thread) ->
 * p->sig.lock (handlers, pending sets, masks, sigwork) -> rq->lock (the
 * wakeup that sets a thread's flag). docs/signals.md has the protocol.
 */
#include "signal.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/sigframe.h>
#include <arch/trap.h>

/* Synchronous faults: delivered before anything else pending. */
#define SIG_SYNC	(SIG_BIT(SIGSEGV) | SIG_BIT(SIGBUS) | SIG_BIT(SIGILL) | \
			 SIG_BIT(SIGFPE) | SIG_BIT(SIGTRAP) | SIG_BIT(SIGSYS))
/* Default action "ignore" (SIGCONT's continuing is done as it is sent). */
#define SIG_DFL_IGNORE	(SIG_BIT(SIGCHLD) | SIG_BIT(SIGURG) | \
			 SIG_BIT(SIGWINCH) | SIG_BIT(SIGCONT))
/* Default action "stop the process" (signal_stop). */
#define SIG_STOP	(SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | \
			 SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))
/* Default action "terminate with a core": reported on the console. */
#define SIG_DFL_CORE	(SIG_SYNC | SIG_BIT(SIGQUIT) | SIG_BIT(SIGABRT) | \
			 SIG_BIT(SIGXCPU) | SIG_BIT(SIGXFSZ))

bool signal_pending(const struct thread *t)
{
	return READ_ONCE(t->proc->killed) || READ_ONCE(t->sig.flag);
}

void signal_proc_init(struct proc *p)
{
	spin_init(&p->sig.lock, "sig");
}

/* Whether p discards sig: SIG_IGN, or SIG_DFL whose action is to ignore. */
static bool signal_ignored(const struct proc *p, int sig)
{
	uint64_t h = p->sig.action[sig - 1].handler;

	return h == SIG_IGN || (h == SIG_DFL && (SIG_DFL_IGNORE & SIG_BIT(sig)));
}

/* The console's line for a default action that "dumps core". */
static void signal_report(const struct proc *p, int sig)
{
	if (SIG_DFL_CORE & SIG_BIT(sig))
		printk("loupe: %s (pid %d) killed by signal %d", p->name,
		       p->pid, sig);
}

/* Make t's process end with sig (a fatal default action). proc_lock held. */
static void signal_doom_locked(struct proc *p, int sig)
{
	if (p->killed != PROC_DYING)
		signal_report(p, sig);
	proc_doom_locked(p, sig);
}

/*
 * Tell t a signal may be deliverable: count and set its flag under its
 * rq->lock, wake it from any sleep (each that may last tests
 * signal_pending) and interrupt it if it runs on another CPU, so it
 * passes a return to user mode. sigwork is stored before the wakeup's
 * rq->lock and the kick, as proc_doom_locked() stores killed: the IPC
 * fast path relies on this order ("The partner's kill", ipc_fast.c).
 * sig.lock held.
 */
static void signal_notify_locked(struct proc *p, struct thread *t)
{
	if (!t->sig.flag)
		p->sigwork++;
	sched_wakeup_flag(t, &t->sig.flag);
	sched_kick_thread(t);
}

/*
 * Recompute the calling thread's flag: set while a pending signal is
 * not blocked. Only the thread clears its own flag, so a call that
 * returned ERESTARTSYS because of it always reaches signal_user_work().
 * sig.lock held.
 */
static void signal_recalc_locked(struct proc *p, struct thread *t)
{
	bool want = ((t->sig.pending | p->sig.pending) & ~t->sig.blocked) != 0;

	if (want && !t->sig.flag) {
		t->sig.flag = 1;
		p->sigwork++;
	} else if (!want && t->sig.flag) {
		t->sig.flag = 0;
		p->sigwork--;
	}
}

/*
 * The thread a process-directed sig goes to: the caller if it is p's
 * and does not block it, else the first that does not; NULL if all do.
 * proc_lock and sig.lock held.
 */
static struct thread *signal_pick_locked(struct proc *p, int sig)
{
	struct thread *me = current_thread();
	struct list_head *q;

	if (me->proc == p && !(me->sig.blocked & SIG_BIT(sig)))
		return me;
	list_for_each(q, &p->threads) {
		struct thread *t = list_entry(q, struct thread, proc_link);

		if (!(t->sig.blocked & SIG_BIT(sig)))
			return t;
	}
	return NULL;
}

/* Find a thread for each process-directed signal in set. Both locks held. */
static void signal_retarget_locked(struct proc *p, uint64_t set)
{
	set &= p->sig.pending;
	while (set) {
		int sig = __builtin_ctzll(set) + 1;
		struct thread *t = signal_pick_locked(p, sig);

		set &= set - 1;
		if (t)
			signal_notify_locked(p, t);
	}
}

/* Drop the signals in set pending anywhere in p. sig.lock held. */
static void signal_discard_locked(struct proc *p, uint64_t set)
{
	struct list_head *q;

	p->sig.pending &= ~set;
	list_for_each(q, &p->threads)
		list_entry(q, struct thread, proc_link)->sig.pending &= ~set;
}

/*
 * Tell p's parent that p stopped or continued (code CLD_STOPPED or
 * CLD_CONTINUED, status the signal): SIGCHLD unless the parent asked
 * for none with SA_NOCLDSTOP, and a wakeup for a wait4 with WUNTRACED
 * or WCONTINUED. proc_lock held.
 */
static void signal_tell_parent_locked(struct proc *p, int code, int status)
{
	struct proc *parent = p->parent;
	struct sig_info info = { code, p->pid, (uint64_t)status };
	bool quiet;

	if (!parent)
		return;
	spin_lock(&parent->sig.lock);
	quiet = parent->sig.action[SIGCHLD - 1].flags & SA_NOCLDSTOP;
	spin_unlock(&parent->sig.lock);
	if (!quiet)
		signal_send_locked(parent, NULL, SIGCHLD, &info);
	wake_up(&parent->child_wq);
}

/*
 * SIGCONT is being sent to p: whatever its handler or mask, pending stop
 * signals go, and a stopped p runs again, its parent told, its threads
 * woken where they sleep in signal_stopped_wait(), each told of what
 * was sent to it meanwhile (signal_send_locked() leaves a stopped
 * process's signals pending and tells no thread). proc_lock held.
 */
static void signal_continue_locked(struct proc *p)
{
	bool stopped = p->stop_sig != 0;
	struct list_head *q;

	spin_lock(&p->sig.lock);
	signal_discard_locked(p, SIG_STOP);
	p->cont_seq++;
	p->stop_sig = 0;
	/* What was sent while stopped pends untold: tell its takers now. */
	list_for_each(q, &p->threads) {
		struct thread *t = list_entry(q, struct thread, proc_link);

		if ((t->sig.pending | p->sig.pending) & ~t->sig.blocked)
			signal_notify_locked(p, t);
		else if (stopped)
			sched_wakeup(t);
	}
	spin_unlock(&p->sig.lock);
	if (!stopped)
		return;
	p->wait_report = WAIT_CONTINUED;
	signal_tell_parent_locked(p, CLD_CONTINUED, SIGCONT);
}

/*
 * Post sig to thread t of p, or with t NULL to p itself (any thread not
 * blocking it takes it). SIGKILL, and a signal whose default action
 * terminates and that some thread does not block, end the process now;
 * an ignored signal nobody blocks is discarded; anything else pends and
 * the thread chosen is told (a stop signal's default action is taken
 * when it is delivered). SIGCONT continues a stopped p, and discards
 * pending stop signals, as it is sent; a stop signal discards a pending
 * SIGCONT. Standard signals do not queue: a second one while one pends
 * keeps the first one's info. proc_lock held.
 */
void signal_send_locked(struct proc *p, struct thread *t, int sig,
			const struct sig_info *info)
{
	uint64_t bit = SIG_BIT(sig);
	struct thread *to;
	bool doom = false;

	if (sig <= 0 || sig > NSIG || p->state == PROC_ZOMBIE ||
	    p->killed == PROC_DYING)
		return;
	if (sig == SIGKILL) {
		proc_doom_locked(p, sig);
		return;
	}
	if (sig == SIGCONT)
		signal_continue_locked(p);
	spin_lock(&p->sig.lock);
	if (bit & SIG_STOP)
		signal_discard_locked(p, SIG_BIT(SIGCONT));
	to = t ? (t->sig.blocked & bit ? NULL : t) : signal_pick_locked(p, sig);
	if (to && signal_ignored(p, sig))
		goto out;
	if (p->stop_sig)
		to = NULL;		/* stopped: it waits for SIGCONT */
	if (to && p->sig.action[sig - 1].handler == SIG_DFL &&
	    !(bit & SIG_STOP)) {
		doom = true;
		goto out;
	}
	if (t) {
		if (!(t->sig.pending & bit))
			t->sig.info[sig - 1] = *info;
		t->sig.pending |= bit;
	} else {
		if (!(p->sig.pending & bit))
			p->sig.info[sig - 1] = *info;
		p->sig.pending |= bit;
	}
	if (to)
		signal_notify_locked(p, to);
out:
	spin_unlock(&p->sig.lock);
	if (doom)
		signal_doom_locked(p, sig);
}

/*
 * A user fault raised sig: if the calling thread has a handler for it
 * and does not block it, the fault is queued for delivery on the way out
 * (true); otherwise (false) the caller kills the process, as Linux does
 * for a blocked or ignored fault signal.
 */
bool signal_fault(int sig, int code, uint64_t addr)
{
	struct thread *me = current_thread();
	struct proc *p = me->proc;
	unsigned long f = spin_lock_irqsave(&p->sig.lock);
	uint64_t h = p->sig.action[sig - 1].handler;
	bool ok = h != SIG_DFL && h != SIG_IGN &&
		  !(me->sig.blocked & SIG_BIT(sig));

	if (ok) {
		me->sig.pending |= SIG_BIT(sig);
		me->sig.info[sig - 1] = (struct sig_info){ code, 0, addr };
		signal_recalc_locked(p, me);
	}
	spin_unlock_irqrestore(&p->sig.lock, f);
	return ok;
}

/*
 * A thread leaves: its flag stops counting, and the process-directed
 * signals it might have taken go to another thread. proc_lock held.
 */
void signal_thread_exit_locked(struct proc *p, struct thread *t)
{
	spin_lock(&p->sig.lock);
	if (t->sig.flag) {
		t->sig.flag = 0;
		p->sigwork--;
	}
	t->sig.blocked = ~0ULL;		/* never chosen again */
	signal_retarget_locked(p, ~0ULL);
	spin_unlock(&p->sig.lock);
}

/* Whether parent's children are reaped at once (SIGCHLD ignored). proc_lock held. */
bool signal_child_autoreap_locked(struct proc *parent)
{
	const struct k_sigaction *ka = &parent->sig.action[SIGCHLD - 1];
	bool reap;

	spin_lock(&parent->sig.lock);
	reap = ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT);
	spin_unlock(&parent->sig.lock);
	return reap;
}

/* fork: the child has the parent's handlers (the mask: proc_entry). */
void signal_fork(struct proc *child, struct proc *parent)
{
	unsigned long f = spin_lock_irqsave(&parent->sig.lock);

	memcpy(child->sig.action, parent->sig.action, sizeof(child->sig.action));
	spin_unlock_irqrestore(&parent->sig.lock, f);
}

/*
 * execve: handled signals go back to SIG_DFL (the handlers are gone with
 * the old image), ignored ones stay ignored; the mask and pending
 * signals stay; the alternate stack is gone. t is alone in p.
 */
void signal_exec(struct proc *p, struct thread *t)
{
	unsigned long f = spin_lock_irqsave(&p->sig.lock);

	for (int i = 0; i < NSIG; i++) {
		if (p->sig.action[i].handler != SIG_IGN)
			p->sig.action[i] = (struct k_sigaction){ SIG_DFL, 0, 0, 0 };
	}
	t->sig.ss = (struct sig_stack){ 0 };
	spin_unlock_irqrestore(&p->sig.lock, f);
}

/* The next signal t may take (faults first), removed; 0 if none. sig.lock held. */
static int signal_dequeue_locked(struct proc *p, struct thread *t,
				 struct sig_info *info)
{
	uint64_t own = t->sig.pending & ~t->sig.blocked;
	uint64_t shared = p->sig.pending & ~t->sig.blocked;
	int sig;

	if (own) {
		sig = __builtin_ctzll(own & SIG_SYNC ? own & SIG_SYNC : own) + 1;
		t->sig.pending &= ~SIG_BIT(sig);
		*info = t->sig.info[sig - 1];
	} else if (shared) {
		sig = __builtin_ctzll(shared) + 1;
		p->sig.pending &= ~SIG_BIT(sig);
		*info = p->sig.info[sig - 1];
	} else {
		return 0;
	}
	return sig;
}

/*
 * A system call a signal interrupted returned -ERESTARTSYS or
 * -ERESTARTNOHAND (never seen by user space): with a handler about to
 * run (ka) it becomes EINTR, unless SA_RESTART asks for ERESTARTSYS to
 * restart; without one it restarts: rax gets the call number back (the
 * frame's error slot, syscall.S) and rip goes back over SYSCALL.
 */
static void signal_settle_syscall(struct trap_frame *tf,
				  const struct k_sigaction *ka)
{
	long r = (long)tf->rax;

	if (tf->vector != VEC_SYSCALL || (long)tf->error < 0)
		return;
	if (r != -ERESTARTSYS && r != -ERESTARTNOHAND)
		return;
	if (ka && (r == -ERESTARTNOHAND || !(ka->flags & SA_RESTART))) {
		tf->rax = -EINTR;
		return;
	}
	tf->rax = tf->error;
	tf->rip -= 2;			/* the SYSCALL instruction */
}

/* A frame could not be written or read back: SIGSEGV, as Linux's force_sigsegv. */
static __noreturn void signal_bad_frame(const struct trap_frame *tf,
					const char *what)
{
	struct proc *p = current_thread()->proc;

	printk("loupe: %s (pid %d) killed by signal %d: %s at 0x%lx, ip 0x%lx",
	       p->name, p->pid, SIGSEGV, what, tf->rsp, tf->rip);
	proc_exit(SIGSEGV);
}

/*
 * Sleep while p is stopped: until a SIGCONT (signal_continue_locked) or a
 * kill wakes the thread with the condition changed. Another signal's
 * wakeup finds it still stopped and it sleeps again.
 */
static void signal_stopped_wait(struct proc *p)
{
	sched_sleep_as(THREAD_STOPPED,
		       !READ_ONCE(p->stop_sig) || READ_ONCE(p->killed));
}

/*
 * Stop signal sig's default action, taken by the calling thread of p: the
 * whole process stops (unless a SIGCONT came since the signal was
 * dequeued, cont_seq then, or p is dying), its parent is told, and each
 * other thread is sent through signal_user_work(), where it waits too.
 * Returns once p is continued (or killed). SIGTSTP, SIGTTIN and SIGTTOU
 * do nothing to an orphaned process group, as POSIX says (its members
 * have no job-control shell to continue them); SIGSTOP always stops.
 */
static void signal_stop(struct proc *p, int sig, uint32_t cont_seq)
{
	unsigned long f = spin_lock_irqsave(&proc_lock);
	struct thread *me = current_thread();
	struct list_head *q;

	if (sig != SIGSTOP && proc_pgrp_orphaned_locked(p->pgid)) {
		spin_unlock_irqrestore(&proc_lock, f);
		return;			/* nobody could continue it */
	}
	if (!p->killed && !p->stop_sig && p->cont_seq == cont_seq) {
		p->stop_sig = sig;
		p->wait_report = WAIT_STOPPED(sig);
		signal_tell_parent_locked(p, CLD_STOPPED, sig);
		spin_lock(&p->sig.lock);
		list_for_each(q, &p->threads) {
			struct thread *t = list_entry(q, struct thread,
						      proc_link);

			if (t != me)
				signal_notify_locked(p, t);
		}
		spin_unlock(&p->sig.lock);
	}
	spin_unlock_irqrestore(&proc_lock, f);
	signal_stopped_wait(p);
}

/*
 * A terminal answered the calling thread's request with FS_TTY_BACKGROUND
 * (a read: @sig is SIGTTIN) or FS_TTY_BACKGROUND_OUT (a write under
 * TOSTOP, or a change of its settings: SIGTTOU; include/loupe/fsproto.h).
 * As Linux's tty (__tty_check_change): a thread that ignores or blocks
 * @sig gets -EIO for a read and 0 for the rest (go ahead: the caller makes
 * the request again with FS_F_TTY_ANYWAY); else a member of an orphaned
 * process group (nobody could continue it) gets -EIO; else @sig goes to
 * its group and -ERESTARTSYS makes the call again once the signal is
 * handled (by default: a stop until SIGCONT, by which time the group may
 * own the terminal).
 */
long signal_tty_background(int sig)
{
	struct thread *me = current_thread();
	struct proc *p = me->proc;
	unsigned long f = spin_lock_irqsave(&proc_lock);
	int pgid = p->pgid;
	bool ignored, orphaned;

	spin_lock(&p->sig.lock);
	ignored = p->sig.action[sig - 1].handler == SIG_IGN ||
		  (me->sig.blocked & SIG_BIT(sig));
	spin_unlock(&p->sig.lock);
	orphaned = proc_pgrp_orphaned_locked(pgid);
	spin_unlock_irqrestore(&proc_lock, f);
	if (ignored)
		return sig == SIGTTIN ? -EIO : 0;
	if (orphaned)
		return -EIO;
	proc_kill(-pgid, sig);
	return -ERESTARTSYS;
}

/* A default action that terminates, taken at delivery (it was blocked). */
static __noreturn void signal_die(struct proc *p, int sig)
{
	signal_report(p, sig);
	proc_exit(sig);
}

/*
 * Take one signal for the calling thread and act on it: ignore it, die
 * of it, or run its handler (the frame on the user stack, the handler's
 * mask blocked). Then settle an interrupted system call.
 */
static void signal_deliver(struct trap_frame *tf)
{
	struct thread *me = current_thread();
	struct proc *p = me->proc;
	struct k_sigaction ka = { 0 };
	struct sig_info info;
	uint64_t oldmask;
	unsigned long f = spin_lock_irqsave(&p->sig.lock);
	uint32_t cont_seq = p->cont_seq;
	int sig;

	while ((sig = signal_dequeue_locked(p, me, &info)) &&
	       signal_ignored(p, sig))
		;
	if (sig)
		ka = p->sig.action[sig - 1];
	oldmask = me->sig.restore_mask ? me->sig.saved_mask : me->sig.blocked;
	if (sig && ka.handler != SIG_DFL) {
		if (ka.flags & SA_RESETHAND)
			p->sig.action[sig - 1].handler = SIG_DFL;
		me->sig.blocked |= (ka.mask | (ka.flags & SA_NODEFER ? 0 :
						SIG_BIT(sig))) & ~SIG_UNBLOCKABLE;
	} else if (me->sig.restore_mask) {
		me->sig.blocked = me->sig.saved_mask;
	}
	me->sig.restore_mask = false;
	signal_recalc_locked(p, me);
	spin_unlock_irqrestore(&p->sig.lock, f);
	if (sig && ka.handler == SIG_DFL && (SIG_STOP & SIG_BIT(sig))) {
		signal_stop(p, sig, cont_seq);
		sig = 0;		/* no handler ran: a call restarts */
	} else if (sig && ka.handler == SIG_DFL) {
		signal_die(p, sig);
	}
	signal_settle_syscall(tf, sig ? &ka : NULL);
	if (sig && sigframe_setup(tf, sig, &ka, &info, oldmask, me))
		signal_bad_frame(tf, "bad signal frame");
}

/*
 * The work of a return to user mode whose process has user_work set
 * (syscall.c, intr.c, ipc_fast.c call it through syscall_user_work with
 * interrupts off, and it returns with them off): wait while the process
 * is stopped, die if killed, deliver every signal the thread may take,
 * settle an interrupted call, honour a reschedule; again until the
 * thread has nothing left. Another thread's
 * signal (sigwork counts threads) costs this one a pass that finds none.
 */
void signal_user_work(struct trap_frame *tf)
{
	struct thread *me = current_thread();
	struct proc *p = me->proc;

	do {
		irq_enable();
		if (READ_ONCE(p->stop_sig))
			signal_stopped_wait(p);	/* another thread stopped p */
		if (READ_ONCE(p->killed))
			proc_die();
		signal_deliver(tf);
		irq_disable();
		if (this_cpu()->need_resched)
			sched_preempt();
	} while (READ_ONCE(p->killed) || READ_ONCE(me->sig.flag) ||
		 READ_ONCE(p->stop_sig));
}

/*
 * rt_sigreturn's way out: it restored every register, rcx and r11
 * included, which SYSRET would clobber, so the exit work is done here
 * and the thread leaves by IRET.
 */
__noreturn void signal_return(struct trap_frame *tf)
{
	struct proc *p = current_thread()->proc;

	irq_disable();
	if (this_cpu()->need_resched)
		sched_preempt();
	if (READ_ONCE(p->user_work))
		signal_user_work(tf);
	sigframe_leave(tf);
}

/* rt_sigreturn: restore the interrupted context from the frame at rsp - 8. */
__noreturn void signal_sigreturn(struct trap_frame *tf)
{
	struct sig_stack ss;
	uint64_t mask, old;

	if (sigframe_restore(tf, &mask, &ss))
		signal_bad_frame(tf, "bad sigreturn frame");
	signal_mask(SIG_SETMASK, &mask, &old);
	signal_altstack(&ss, NULL, tf->rsp);	/* as Linux: errors ignored */
	signal_return(tf);
}

/*
 * rt_sigaction's body: sig's action into *old, *act installed (not for
 * SIGKILL and SIGSTOP). Making a signal ignored discards it wherever it
 * pends. Returns 0 or -EINVAL.
 */
int signal_action(int sig, const struct k_sigaction *act,
		  struct k_sigaction *old)
{
	struct proc *p = current_thread()->proc;
	struct list_head *q;
	unsigned long f;

	if (sig < 1 || sig > NSIG || (act && (SIG_BIT(sig) & SIG_UNBLOCKABLE)))
		return -EINVAL;
	f = spin_lock_irqsave(&proc_lock);
	spin_lock(&p->sig.lock);
	if (old)
		*old = p->sig.action[sig - 1];
	if (act) {
		p->sig.action[sig - 1] = *act;
		p->sig.action[sig - 1].mask &= ~SIG_UNBLOCKABLE;
	}
	if (act && signal_ignored(p, sig)) {
		p->sig.pending &= ~SIG_BIT(sig);
		list_for_each(q, &p->threads)
			list_entry(q, struct thread, proc_link)->sig.pending &=
				~SIG_BIT(sig);
	}
	spin_unlock(&p->sig.lock);
	spin_unlock_irqrestore(&proc_lock, f);
	return 0;
}

/*
 * rt_sigprocmask's body: the caller's mask into *old, then changed by
 * how (SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK; checked by the caller) with
 * *set unless set is NULL. Process-directed signals it now blocks go to
 * another thread.
 */
void signal_mask(int how, const uint64_t *set, uint64_t *old)
{
	struct thread *me = current_thread();
	struct proc *p = me->proc;
	unsigned long f = spin_lock_irqsave(&p->sig.lock);
	uint64_t now = me->sig.blocked, newly;

	*old = now;
	if (set) {
		if (how == SIG_BLOCK)
			now |= *set;
		else if (how == SIG_UNBLOCK)
			now &= ~*set;
		else
			now = *set;
		me->sig.blocked = now & ~SIG_UNBLOCKABLE;
		signal_recalc_locked(p, me);
	}
	newly = me->sig.blocked & ~*old & p->sig.pending;
	spin_unlock_irqrestore(&p->sig.lock, f);
	if (!newly)
		return;
	f = spin_lock_irqsave(&proc_lock);
	spin_lock(&p->sig.lock);
	signal_retarget_locked(p, newly);
	spin_unlock(&p->sig.lock);
	spin_unlock_irqrestore(&proc_lock, f);
}

/* rt_sigpending's body: the signals pending for the caller and blocked. */
uint64_t signal_pending_set(void)
{
	struct thread *me = current_thread();
	struct proc *p = me->proc;
	unsigned long f = spin_lock_irqsave(&p->sig.lock);
	uint64_t set = (me->sig.pending | p->sig.pending) & me->sig.blocked;

	spin_unlock_irqrestore(&p->sig.lock, f);
	return set;
}

/*
 * Sleep until a signal may be deliverable or the process is killed
 * (pause, rt_sigsuspend). The flag is tested under the rq->lock its
 * poster sets it under; the tick timeout only bounds a kill's race
 * (killed is stored without that lock).
 */
void signal_wait(void)
{
	struct thread *me = current_thread();

	while (!signal_pending(me))
		sched_sleep_flag(&me->sig.flag, HZ);
}

/*
 * rt_sigsuspend's body: wait with mask in place of the caller's mask,
 * which comes back once a handler's frame holds it (or at once if none
 * runs: the call restarts).
 */
void signal_suspend(uint64_t mask)
{
	signal_mask_begin(mask);
	signal_wait();
}

/*
 * Put mask in place of the caller's for a wait (rt_sigsuspend, ppoll,
 * pselect6). The caller's comes back with the frame of the handler that
 * ends the wait (signal_deliver()), or at signal_mask_end().
 */
void signal_mask_begin(uint64_t mask)
{
	struct thread *me = current_thread();
	struct proc *p = me->proc;
	unsigned long f = spin_lock_irqsave(&p->sig.lock);

	me->sig.saved_mask = me->sig.blocked;
	me->sig.restore_mask = true;
	me->sig.blocked = mask & ~SIG_UNBLOCKABLE;
	signal_recalc_locked(p, me);
	spin_unlock_irqrestore(&p->sig.lock, f);
}

/*
 * The wait after signal_mask_begin() is over. Not interrupted: the
 * caller's mask back now (a signal it blocks stays pending). Interrupted:
 * it comes back once the handler's frame holds it, as Linux does.
 */
void signal_mask_end(bool interrupted)
{
	struct thread *me = current_thread();
	struct proc *p = me->proc;
	unsigned long f;

	if (interrupted)
		return;
	f = spin_lock_irqsave(&p->sig.lock);
	if (me->sig.restore_mask) {
		me->sig.blocked = me->sig.saved_mask;
		me->sig.restore_mask = false;
		signal_recalc_locked(p, me);
	}
	spin_unlock_irqrestore(&p->sig.lock, f);
}

/* Whether sp is on t's alternate stack (as Linux: its top counts). */
bool signal_on_altstack(const struct thread *t, uint64_t sp)
{
	return t->sig.ss.size && sp > t->sig.ss.sp &&
	       sp - t->sig.ss.sp <= t->sig.ss.size;
}

/* stack_t's flags for t's alternate stack, t running on sp. */
int signal_altstack_flags(const struct thread *t, uint64_t sp)
{
	if (!t->sig.ss.size)
		return SS_DISABLE;
	return signal_on_altstack(t, sp) ? SS_ONSTACK : 0;
}

/*
 * sigaltstack's body, the caller running on stack pointer sp: the
 * current stack into *old (flags SS_DISABLE, SS_ONSTACK or 0), then *ss
 * installed. Returns 0, -EPERM (on the stack now), -EINVAL (flags) or
 * -ENOMEM (smaller than MINSIGSTKSZ).
 */
int signal_altstack(const struct sig_stack *ss, struct sig_stack *old,
		    uint64_t sp)
{
	struct thread *me = current_thread();
	bool on = signal_on_altstack(me, sp);

	if (old) {
		*old = me->sig.ss;
		old->flags = signal_altstack_flags(me, sp);
	}
	if (!ss)
		return 0;
	if (on)
		return -EPERM;
	if (ss->flags == SS_DISABLE) {
		me->sig.ss = (struct sig_stack){ 0 };
		return 0;
	}
	if (ss->flags != 0 && ss->flags != SS_ONSTACK)
		return -EINVAL;
	if (ss->size < MINSIGSTKSZ)
		return -ENOMEM;
	me->sig.ss = (struct sig_stack){ ss->sp, ss->size, 0 };
	return 0;
}
