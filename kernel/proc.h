/* Processes (proc.c). */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include "types.h"
#include "list.h"
#include "spinlock.h"
#include "wait.h"
#include "signal.h"
#include <arch/trap.h>

struct vm;
struct thread;
struct trap_frame;
struct fpu_state;
struct cap_table;

enum proc_state { PROC_RUNNING, PROC_ZOMBIE };

/* proc->killed: why every thread (but an execve's caller) must leave. */
#define PROC_DYING	1	/* exit_group or a fatal signal: group_status */
#define PROC_EXECING	2	/* execve: its caller waits for the others */

/*
 * A process: an address space, capabilities, descriptors and a place in
 * the process tree, shared by its threads (struct thread, on threads).
 * Threads of one process share everything here; each has its own
 * registers, FPU state, TLS pointer and kernel stack.
 */
struct proc {
	int pid;			/* also the tgid of its threads */
	char name[16];
	struct vm *vm;			/* NULL once exited; set under proc_lock
					 * (exec, exit): /proc reads it there */
	uint64_t entry, user_sp;	/* where the first thread starts */
	/*
	 * The IPC fast path reads all three in one compare (ipc_fast.c):
	 * ipc_fast_key is 1 for "one thread, not killed, no signal to look
	 * at". The ways back to user mode test killed and sigwork in one
	 * word, user_work (syscall.c, intr.c, ipc_fast.c).
	 */
	union {
		struct {
			volatile int nthreads;	/* live threads; proc_lock */
			union {
				struct {
					/* PROC_DYING, PROC_EXECING or 0;
					 * changed under proc_lock */
					volatile uint16_t killed;
					/* threads whose sig.flag is set;
					 * sig.lock (signal.h) */
					volatile uint16_t sigwork;
				};
				volatile int user_work;
			};
		};
		uint64_t ipc_fast_key;		/* read once a check */
	};
	struct sig_proc sig;		/* handlers, shared pending (signal.c) */
	struct cap_table *caps;		/* its IPC capabilities (cap.c) */
	struct iomap *iomap;		/* ports it may use, or NULL (ioport.c);
					 * changed only while single-threaded */
	struct fd_table *files;		/* descriptors and cwd (file.c) */
	struct wait_queue child_wq;	/* the parent's wait4 sleeps here */
	struct wait_queue thread_wq;	/* execve waits here for the others */

	/* proc_lock protects: */
	struct list_head threads;	/* struct thread, by proc_link */
	/* nthreads, above, beside killed */
	int group_status;		/* wait4 status once PROC_DYING */
	struct proc *parent;		/* NULL for init and orphans of init */
	struct list_head children;	/* struct proc, by sibling */
	struct list_head sibling;
	struct list_head all_link;	/* all_procs */
	enum proc_state state;
	int exit_status;		/* wait4 format */
	int pgid;			/* process group (fork inherits) */
	uint64_t gone_runtime;		/* TSC ticks run by its exited threads */
	uint64_t child_runtime;		/* ... by its reaped children, theirs
					 * included (times' cutime) */
	int sid;			/* session (fork inherits) */
	uint64_t start_ns;		/* monotonic clock at fork (/proc) */
	/*
	 * Job control (signal.c): the stop signal while the process is
	 * stopped, else 0; what wait4 has yet to report to the parent
	 * (WAIT_STOPPED or WAIT_CONTINUED, once), else 0; and SIGCONTs
	 * received (also under sig.lock), so a stop taken before one came
	 * never stays.
	 */
	int stop_sig;
	int wait_report;
	uint32_t cont_seq;
};

/* How a new user thread enters user mode (proc_thread_start). */
struct proc_entry {
	struct fpu_state *fpu;		/* its FPU state, handed over */
	bool resume;			/* at tf with FS base fs (fork, clone); */
	uint64_t fs;			/* else at the process's entry */
	uint64_t sig_blocked;		/* its signal mask and altstack */
	struct sig_stack ss;
	struct trap_frame tf;
};

extern struct spinlock proc_lock;
extern struct list_head all_procs;

uint64_t proc_runtime_locked(struct proc *p);
void proc_cpu_time(struct proc *p, uint64_t *self_ns, uint64_t *child_ns);
int proc_spawn(const char *path, const char *const *argv,
	       const char *const *envp, struct proc *parent);
__noreturn void proc_exit(int status);
__noreturn void proc_thread_exit(int status);
int proc_tkill(int tgid, int tid, int sig);
struct proc_entry *proc_entry_new(const struct trap_frame *tf, uint64_t fs);
void proc_entry_free(struct proc_entry *e);
struct thread *proc_thread_alloc(struct proc *p, struct proc_entry *e);
int proc_alloc_pid_locked(void);
int proc_last_pid_locked(void);

/* Thread groups (tgroup.c): */
int proc_clone(const struct trap_frame *tf, uint64_t flags, uint64_t ptid,
	       uint64_t ctid, uint64_t tls);
void proc_doom_locked(struct proc *p, int status);
int proc_dethread(void);
void proc_clear_child_tid(struct thread *t);
/* wait4's options, as Linux numbers them. */
#define WNOHANG		1
#define WUNTRACED	2
#define WCONTINUED	8

int proc_wait(struct proc *me, int pid, int *status, int options);
bool proc_pgrp_orphaned_locked(int pgid);
bool proc_wait_ready(struct proc *me, int pid, int options);
struct proc *proc_find_locked(int pid);
const char *proc_basename(const char *path);
void proc_init_exited(int status);
int proc_fork(const struct trap_frame *tf);
int proc_exec(const char *path, const char *const *argv,
	      const char *const *envp);
__noreturn void proc_die(void);
int proc_kill(int pid, int sig);
int proc_setpgid(int pid, int pgid);
int proc_group_of(int pid, bool session);
int proc_setsid(void);

#endif
