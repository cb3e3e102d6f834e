/* Processes (proc.c). */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include "types.h"
#include "list.h"
#include "spinlock.h"
#include "wait.h"

struct vm;
struct thread;
struct trap_frame;
struct fpu_state;
struct cap_table;

enum proc_state { PROC_RUNNING, PROC_ZOMBIE };

struct proc {
	int pid;
	char name[16];
	struct vm *vm;			/* NULL once exited */
	struct thread *main;
	uint64_t entry, user_sp;	/* where the main thread starts */
	struct trap_frame *fork_tf;	/* fork: the child resumes here ... */
	struct fpu_state *fork_fpu;	/* ... with this FPU state */
	uint64_t fork_fs;		/* ... and FS base */
	volatile int killed;		/* a signal that terminates it, or 0 */
	volatile int nthreads;  /* live threads; the IPC fast path needs 1 (ipc_fast.c) */
	struct cap_table *caps;		/* its IPC capabilities (cap.c) */
	struct iomap *iomap;		/* ports it may use, or NULL (ioport.c);
					 * owned by its thread */
	struct fd_table *files;		/* descriptors and cwd (file.c) */
	struct wait_queue child_wq;	/* the parent's wait4 sleeps here */

	/* proc_lock protects: */
	struct proc *parent;		/* NULL for init and orphans of init */
	struct list_head children;	/* struct proc, by sibling */
	struct list_head sibling;
	struct list_head all_link;	/* all_procs */
	enum proc_state state;
	int exit_status;		/* wait4 format */
	int pgid;			/* process group (fork inherits) */
	int sid;			/* session (fork inherits) */
};

extern struct spinlock proc_lock;
extern struct list_head all_procs;

int proc_spawn(const char *path, const char *const *argv,
	       const char *const *envp, struct proc *parent);
__noreturn void proc_exit(int status);
int proc_wait(struct proc *me, int pid, int *status, bool nohang);
bool proc_has_zombie(struct proc *me, int pid);
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
