/*
 * L4-style IPC (ipc.c, cap.c): synchronous endpoints carrying a tag and
 * four words in registers, notifications (a word of bits), and the
 * per-process capability table that names them. The user-space view of
 * the same calls is userland/lib/ipc.h; docs/ipc.md explains both.
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include "types.h"
#include "list.h"
#include "spinlock.h"
#include "wait.h"

#include <loupe/native.h>	/* call numbers, cap types and rights */

#define IPC_WORDS	4
#define CAP_SLOTS	64

struct ipc_msg {
	uint64_t tag;
	uint64_t w[IPC_WORDS];
};

struct cap {
	enum cap_type type;
	void *obj;			/* the object (NULL for IOPORT, IRQ, SRVCTL) */
	uint64_t badge;			/* what a receiver learns of the sender;
					 * IOPORT: base | count << 16;
					 * IRQ: first line | count << 16 */
	unsigned rights;
};

struct cap_table {
	struct spinlock lock;		/* protects slot[] */
	struct cap slot[CAP_SLOTS];
};

/* An endpoint (ipc.c; here for the fast path, ipc_fast.c). */
struct endpoint {
	struct spinlock lock;
	/* lock protects: */
	struct list_head senders;	/* struct ipc_wait: callers, unreceived */
	struct list_head receivers;	/* struct ipc_wait: waiting receivers */
	bool dead;			/* no receive capability left */
	/* atomic: */
	int refs;			/* capabilities naming it */
	int recv_refs;			/* of which carry CAP_RECV */
	/* constant: */
	uint32_t id;			/* names it in trace records */
	/*
	 * poll (kernel/linux/sys_poll.c): the server pulses poll_gen
	 * (atomic) with NC_POLL_WAKE when the readiness of what it serves
	 * may have changed, and the endpoint's death wakes pollq too.
	 */
	uint32_t poll_gen;
	struct wait_queue pollq;	/* pollers of files it serves */
};

/* Where a caller's call is (ipc_wait.state), which decides if kill ends it. */
enum ipc_call_state {
	IPC_IDLE,		/* not in a call */
	IPC_QUEUED,		/* on ep->senders: abandoned on kill (-EINTR) */
	IPC_HELD,		/* a server thread holds it: waits for the reply */
	IPC_SAVED,		/* in a reply object: abandoned on kill (-EINTR) */
};

struct notify;
struct reply;

/*
 * A thread's IPC state. Fields are handed between caller and server under
 * the endpoint's lock (QUEUED -> HELD) or the reply object's lock (SAVED);
 * done flags are set last, under the owner's rq->lock, which its sleep
 * tests them under (sched_sleep_until, sched_wakeup_store).
 */
struct ipc_wait {
	struct list_head link;		/* in an endpoint's senders/receivers */
	struct ipc_msg msg;		/* outgoing, then incoming */
	uint64_t badge;			/* of the sender, for a receiver */
	struct thread *caller;		/* server: whom to reply to */
	volatile int got_call;		/* receiver: a call arrived */
	volatile int got_reply;		/* caller: the reply (or error) arrived */
	volatile int state;		/* caller: enum ipc_call_state */
	long ret;			/* caller: 0 or -EPIPE */
	struct endpoint *ep;		/* caller: the endpoint called */
	struct reply *reply;		/* caller: set once saved (a reference) */
	struct notify *bound;		/* owned: the bound notification (a ref) */
	bool fast;			/* in a user call or receive with nothing
					 * on its kernel stack above the trap
					 * frame: asleep (under rq->lock) it may
					 * be resumed there (ipc_fast.c) */
};

struct proc;
struct thread;

void ipc_thread_init(struct thread *t);
void ipc_thread_exit(struct thread *t);
struct trap_frame;
long ipc_syscall(unsigned call, struct trap_frame *tf);

int cap_table_init(struct proc *p);
int cap_table_copy(struct proc *child, struct proc *parent);
void cap_table_release(struct proc *p);
int cap_lookup(struct proc *p, uint64_t slot, enum cap_type type,
	       unsigned rights, struct cap *out);
int cap_peek(struct proc *p, uint64_t slot, enum cap_type type,
	     unsigned rights, struct cap *out);
int cap_install(struct proc *p, const struct cap *c);
int cap_drop(struct proc *p, uint64_t slot);
void cap_get(const struct cap *c);
void cap_put(const struct cap *c);
int cap_boot_init(struct proc *p);

/* The object kinds cap.c counts references of, and the calls on them. */
void ipc_object_get(const struct cap *c);
void ipc_object_put(const struct cap *c);
struct shm;
void shm_get(struct shm *s);
void shm_put(struct shm *s);
struct shm *shm_initrd(void);
long shm_syscall(unsigned call, struct trap_frame *tf);
long srv_syscall(unsigned call, struct trap_frame *tf);
long ioport_syscall(unsigned call, struct trap_frame *tf);
long irqline_syscall(unsigned call, struct trap_frame *tf);
long procinfo_syscall(unsigned call, struct trap_frame *tf);
void ipc_notify_signal(void *n, uint64_t bits);

/* A call from kernel code on the current thread (the file calls). */
struct endpoint;
long ipc_call_kernel(struct endpoint *ep, struct ipc_msg *m, uint64_t badge);
void ipc_poll_wake(struct endpoint *ep);

/* The fast path (ipc_fast.c) and the slow-path body it hands over to. */
extern bool ipc_fast_enabled;
void ipc_fast_init(void);
uint64_t ipc_fast_count(void);
long ipc_resume(unsigned call, struct endpoint *ep, struct trap_frame *tf);

#endif
