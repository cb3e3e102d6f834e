/*
 * POSIX signals (signal.c): handlers per process, a mask and thread-
 * directed pending signals per thread, process-directed ones per process;
 * delivery on every return to user mode (signal_user_work), the frame in
 * the arch part (sigframe.c). docs/signals.md has the whole design.
 */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H

#include "types.h"
#include "spinlock.h"

#define NSIG		64
#define SIG_BIT(s)	(1ULL << ((s) - 1))

#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGSEGV		11
#define SIGPIPE		13
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGURG		23
#define SIGXCPU		24
#define SIGXFSZ		25
#define SIGWINCH	28
#define SIGSYS		31

#define SIG_DFL		0
#define SIG_IGN		1

/* sa_flags, as Linux x86_64 numbers them. */
#define SA_NOCLDSTOP	0x00000001
#define SA_NOCLDWAIT	0x00000002
#define SA_SIGINFO	0x00000004
#define SA_RESTORER	0x04000000
#define SA_ONSTACK	0x08000000
#define SA_RESTART	0x10000000
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000

/* si_code values Loupe produces. */
#define SI_USER		0
#define SI_KERNEL	0x80
#define SI_TKILL	(-6)
#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_STOPPED	5
#define CLD_CONTINUED	6

/* wait4 statuses of a stopped and of a continued child. */
#define WAIT_STOPPED(sig)	((sig) << 8 | 0x7f)
#define WAIT_CONTINUED		0xffff

/* rt_sigprocmask's how. */
#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

/* sigaltstack's ss_flags. */
#define SS_ONSTACK	1
#define SS_DISABLE	2
#define MINSIGSTKSZ	2048

/* Never caught, blocked or ignored. */
#define SIG_UNBLOCKABLE	(SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))

/* rt_sigaction's struct, as the x86_64 system call takes it (32 bytes). */
struct k_sigaction {
	uint64_t handler;		/* SIG_DFL, SIG_IGN or a function */
	uint64_t flags;
	uint64_t restorer;		/* SA_RESTORER: the handler returns here */
	uint64_t mask;			/* blocked while the handler runs */
};
_Static_assert(sizeof(struct k_sigaction) == 32, "rt_sigaction ABI");

/* What the kernel keeps of a pending signal's siginfo. */
struct sig_info {
	int32_t code;			/* si_code */
	int32_t pid;			/* sender, or the child for SIGCHLD */
	uint64_t val;			/* si_addr (faults) or si_status (SIGCHLD) */
};

/* Linux's signal sets are 8 bytes: the sigsetsize the calls accept. */
#define SIGSET_SIZE	8

/* stack_t as sigaltstack and the signal frame (uc_stack) hold it. */
struct stack64 {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};
_Static_assert(sizeof(struct stack64) == 24, "stack_t");

/* An alternate signal stack (sigaltstack). */
struct sig_stack {
	uint64_t sp;
	uint64_t size;
	int flags;			/* SS_DISABLE, or 0 */
};

/* Per process, shared by its threads (CLONE_SIGHAND). */
struct sig_proc {
	/*
	 * lock protects everything here and each thread's struct sig_thread
	 * but its own fields below; proc->sigwork. Lock order: proc_lock ->
	 * sig.lock -> wq->lock -> rq->lock.
	 */
	struct spinlock lock;
	struct k_sigaction action[NSIG];
	uint64_t pending;		/* process-directed (kill) */
	struct sig_info info[NSIG];
};

/* Per thread. */
struct sig_thread {
	/* proc->sig.lock protects (the thread itself writes blocked): */
	uint64_t blocked;
	uint64_t pending;		/* thread-directed (tkill, faults) */
	struct sig_info info[NSIG];
	/*
	 * A signal may be deliverable to this thread: set by a poster under
	 * the thread's rq->lock (sched_wakeup_flag, so a sched_sleep_flag()
	 * cannot miss it) with sig.lock held; cleared only by the thread
	 * itself, under sig.lock. Each set flag counts in proc->sigwork.
	 */
	volatile int flag;
	/* Owned by the thread: */
	uint64_t saved_mask;		/* rt_sigsuspend's caller's mask */
	bool restore_mask;		/* saved_mask goes back on the way out */
	struct sig_stack ss;		/* sigaltstack */
};

struct proc;
struct thread;
struct trap_frame;

/* Whether a blocking call of t must end: its process is killed, or a
 * signal may be deliverable to it. Tested by every sleep that may last. */
bool signal_pending(const struct thread *t);

void signal_proc_init(struct proc *p);
void signal_fork(struct proc *child, struct proc *parent);
void signal_exec(struct proc *p, struct thread *t);
void signal_thread_exit_locked(struct proc *p, struct thread *t);
void signal_send_locked(struct proc *p, struct thread *t, int sig,
			const struct sig_info *info);
bool signal_fault(int sig, int code, uint64_t addr);
long signal_tty_background(int sig);
bool signal_child_autoreap_locked(struct proc *parent);
void signal_user_work(struct trap_frame *tf);
/* = signal_user_work, called by the hot exit paths (syscall.c). */
extern void (*syscall_user_work)(struct trap_frame *tf);
__noreturn void signal_return(struct trap_frame *tf);
__noreturn void signal_sigreturn(struct trap_frame *tf);
void signal_wait(void);

/* The system calls' bodies (kernel/linux/sys_signal.c copies in and out). */
int signal_action(int sig, const struct k_sigaction *act,
		  struct k_sigaction *old);
void signal_mask(int how, const uint64_t *set, uint64_t *old);
uint64_t signal_pending_set(void);
void signal_suspend(uint64_t mask);
void signal_mask_begin(uint64_t mask);
void signal_mask_end(bool interrupted);
int signal_altstack(const struct sig_stack *ss, struct sig_stack *old,
		    uint64_t sp);
bool signal_on_altstack(const struct thread *t, uint64_t sp);
int signal_altstack_flags(const struct thread *t, uint64_t sp);

#endif
