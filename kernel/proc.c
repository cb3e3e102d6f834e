/*
 * Processes: an address space, threads running in user mode (the first
 * made here; more by clone, kernel/tgroup.c), a place in the process
 * tree, and an exit status for the parent's wait4. Programs come from
 * the VFS (or the initrd before it runs: image.c) and are static ELF64
 * executables or static PIEs (kernel/elf.c plans the load), or "#!"
 * scripts naming one.
 *
 * proc_lock protects the process tree: pids and thread ids, parent/
 * children links, process groups and sessions, states and exit statuses,
 * and each process's thread list and count. Lock order: proc_lock ->
 * wq->lock -> rq->lock.
 */
#include "proc.h"
#include "bootinfo.h"
#include "clock.h"
#include "elf.h"
#include "image.h"
#include "file.h"
#include "ioport.h"
#include "ipc.h"
#include "kmalloc.h"
#include "printk.h"
#include "procinfo.h"
#include "sched.h"
#include "string.h"
#include "vdso.h"
#include "vm.h"
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/trap.h>
#include <arch/tsc.h>
#include <arch/user.h>

#define PIE_BASE	0x0000555555554000UL	/* as Linux places PIEs */
#define STACK_IMAGE	(16 * 1024)		/* argv, envp, auxv at most */
#define SCRIPT_LINE	256			/* "#!" lines, as Linux reads them */
#define SCRIPT_DEPTH	4			/* scripts interpreting scripts */

struct spinlock proc_lock = SPINLOCK_INIT("proc");
struct list_head all_procs = LIST_HEAD_INIT(all_procs);
static int next_pid = 1;

static unsigned proc_prot(uint32_t elf_prot)
{
	return (elf_prot & ELF_PROT_R ? VM_READ : 0) |
	       (elf_prot & ELF_PROT_W ? VM_WRITE : 0) |
	       (elf_prot & ELF_PROT_X ? VM_EXEC : 0);
}

/* Map and fill every PT_LOAD of img from file into vm. */
static int proc_load_segments(struct vm *vm, const struct elf_image *img,
			      const uint8_t *file)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		vaddr_t lo = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
		vaddr_t hi = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
		int err = vm_map(vm, lo, hi - lo, proc_prot(s->prot) | VM_WRITE);

		if (!err)
			err = vm_copy_to(vm, s->vaddr, file + s->offset, s->filesz);
		if (err)
			return err;
	}
	/* Now drop the write permission the copy needed. */
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		vaddr_t lo = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
		vaddr_t hi = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);

		if (!(s->prot & ELF_PROT_W))
			vm_protect(vm, lo, hi - lo, proc_prot(s->prot));
	}
	return 0;
}

/* Build argv/envp/auxv at the top of the stack; returns the user sp. */
static int proc_setup_stack(struct vm *vm, const struct elf_image *img,
			    const char *path, const char *const *argv,
			    const char *const *envp, uint64_t *sp)
{
	static const char *const empty[] = { NULL };
	uint8_t random[16];
	struct elf_stack_args a = {
		.argv = argv ? argv : empty, .envp = envp ? envp : empty,
		.execfn = path, .random = random,
	};
	long vdso = vdso_map(vm);
	void *buf;
	int err;

	if (vdso < 0)
		return (int)vdso;
	a.vdso = (uint64_t)vdso;
	buf = kmalloc(STACK_IMAGE);
	if (!buf)
		return -ENOMEM;
	for (int i = 0; i < 16; i++)
		random[i] = (uint8_t)(rdtsc() >> (i % 8));
	err = vm_map(vm, VM_STACK_BOTTOM, VM_STACK_SIZE, VM_READ | VM_WRITE |
		     (img->exec_stack ? VM_EXEC : 0));
	if (!err)
		err = elf_stack_build(img, &a, buf, STACK_IMAGE, VM_USER_TOP, sp) ?
		      -E2BIG : 0;
	if (!err)
		err = vm_copy_to(vm, *sp, (uint8_t *)buf + STACK_IMAGE -
				 (VM_USER_TOP - *sp), VM_USER_TOP - *sp);
	kfree(buf);
	return err;
}

static struct vm *proc_load_at(const char *path, const char *const *argv,
				const char *const *envp, uint64_t *entry,
				uint64_t *sp, int *err, int depth);

/*
 * The interpreter and its optional argument from a script's first line,
 * "#!interpreter [argument]", split in @line. False if there is none.
 */
static bool proc_script_line(const struct image *file, char *line,
			     char **interp, char **arg)
{
	size_t n = MIN(file->size - 2, SCRIPT_LINE - 1);
	char *end;

	memcpy(line, (const char *)file->data + 2, n);
	line[n] = '\0';
	end = strchr(line, '\n');
	if (end)
		*end = '\0';
	/* As Linux: trailing blanks go, inner ones stay in the argument. */
	for (end = line + strlen(line); end > line &&
	     (end[-1] == ' ' || end[-1] == '\t'); end--)
		end[-1] = '\0';
	for (*interp = line; **interp == ' ' || **interp == '\t'; (*interp)++)
		;
	for (end = *interp; *end && *end != ' ' && *end != '\t'; end++)
		;
	*arg = NULL;
	if (*end) {
		*end++ = '\0';
		while (*end == ' ' || *end == '\t')
			end++;
		*arg = *end ? end : NULL;
	}
	return **interp != '\0';
}

/*
 * A script: run its interpreter with argv { interpreter, [argument,]
 * path, argv[1]... }, as Linux does. Interpreters may be scripts
 * themselves, SCRIPT_DEPTH deep (then ELOOP).
 */
static struct vm *proc_load_script(const struct image *file, const char *path,
				   const char *const *argv,
				   const char *const *envp, uint64_t *entry,
				   uint64_t *sp, int *err, int depth)
{
	char line[SCRIPT_LINE], *interp, *arg;
	const char **nargv;
	size_t argc = 0, n = 0;
	struct vm *vm;

	*err = depth >= SCRIPT_DEPTH ? -ELOOP : -ENOEXEC;
	if (depth >= SCRIPT_DEPTH || !proc_script_line(file, line, &interp, &arg))
		return NULL;
	while (argv[argc])
		argc++;
	*err = -ENOMEM;
	nargv = kmalloc((argc + 4) * sizeof(*nargv));
	if (!nargv)
		return NULL;
	nargv[n++] = interp;
	if (arg)
		nargv[n++] = arg;
	nargv[n++] = path;
	for (size_t i = 1; i < argc; i++)
		nargv[n++] = argv[i];
	nargv[n] = NULL;
	vm = proc_load_at(interp, nargv, envp, entry, sp, err, depth + 1);
	kfree(nargv);
	return vm;
}

/* A static ELF (or static PIE) image into a new address space. */
static struct vm *proc_load_elf(const struct image *file, const char *path,
				const char *const *argv,
				const char *const *envp, uint64_t *entry,
				uint64_t *sp, int *err)
{
	struct elf_image *img = kmalloc(sizeof(*img));
	struct vm *vm = NULL;

	*err = -ENOMEM;
	if (!img)
		return NULL;
	if ((*err = elf_plan(file->data, file->size, PIE_BASE, img)))
		*err = elf_errno(*err);
	else if (!(vm = vm_create()))
		*err = -ENOMEM;
	else if (!(*err = proc_load_segments(vm, img, file->data)))
		*err = proc_setup_stack(vm, img, path, argv, envp, sp);
	if (*err && vm) {
		vm_destroy(vm);
		vm = NULL;
	}
	if (vm) {
		vm->brk_start = vm->brk = img->hi;
		vm->image_lo = img->lo;
		vm->exe = procinfo_exe_new(path, argv);	/* none: /proc shows none */
		*entry = img->entry;
	}
	kfree(img);
	return vm;
}

/*
 * Load path (from the VFS, or the initrd before it runs: image.c) into a
 * new address space. Fills *entry and *sp for the first thread. Returns
 * the vm, or NULL with *err set.
 */
static struct vm *proc_load_at(const char *path, const char *const *argv,
				const char *const *envp, uint64_t *entry,
				uint64_t *sp, int *err, int depth)
{
	struct image file;
	struct vm *vm;

	*err = image_get(path, &file);
	if (*err)
		return NULL;
	if (file.size >= 2 && !memcmp(file.data, "#!", 2))
		vm = proc_load_script(&file, path, argv, envp, entry, sp, err,
				      depth);
	else
		vm = proc_load_elf(&file, path, argv, envp, entry, sp, err);
	image_put(&file);
	return vm;
}

static struct vm *proc_load(const char *path, const char *const *argv,
			    const char *const *envp, uint64_t *entry,
			    uint64_t *sp, int *err)
{
	return proc_load_at(path, argv, envp, entry, sp, err, 0);
}

/*
 * The first thing a user thread does: take its FPU state and address
 * space, then drop to user mode: at the ELF entry (a new process), or
 * where the creator's fork() or clone() returns, with 0 in rax.
 */
static void proc_thread_start(void *arg)
{
	struct proc_entry *e = arg;
	struct thread *me = current_thread();
	struct proc *p = me->proc;
	struct trap_frame tf;

	ipc_thread_init(me);
	user_attach(me, p->vm->pml4, e->fpu);
	tf = e->tf;
	me->fs_base = e->fs;
	if (!e->resume) {
		kfree(e);
		user_enter(me, p->entry, p->user_sp);
	}
	kfree(e);
	if (READ_ONCE(p->user_work)) {
		/* Killed, or a signal chose it: its registers must be live
		 * for the frame, and what the handler starts with is kept. */
		irq_disable();
		user_fpu_load(me->fpu);
		signal_user_work(&tf);
		user_fpu_save(me->fpu);
	}
	user_resume(me, &tf);
}

/*
 * How a new thread enters user mode: at *tf with FS base fs and (a copy
 * of) the caller's FPU registers, signal mask and alternate stack, or
 * with tf NULL at the process's entry with the initial FPU state and no
 * signal blocked. NULL when out of memory.
 */
struct proc_entry *proc_entry_new(const struct trap_frame *tf, uint64_t fs)
{
	struct proc_entry *e = kzalloc(sizeof(*e));

	if (!e)
		return NULL;
	e->fpu = user_fpu_alloc();
	if (!e->fpu) {
		kfree(e);
		return NULL;
	}
	if (tf) {
		e->resume = true;
		e->tf = *tf;
		e->tf.rax = 0;
		e->fs = fs;
		e->sig_blocked = current_thread()->sig.blocked;
		e->ss = current_thread()->sig.ss;
		__asm__ __volatile__("fxsave64 %0" : "=m"(*e->fpu));
	}
	return e;
}

/* Drop an entry whose thread never started. */
void proc_entry_free(struct proc_entry *e)
{
	kfree(e->fpu);
	kfree(e);
}

/* A user thread of p that will start at e, not launched yet; or NULL. */
struct thread *proc_thread_alloc(struct proc *p, struct proc_entry *e)
{
	struct thread *t = thread_alloc(p->name, proc_thread_start, e, -1);

	if (t) {
		t->proc = p;
		t->sig.blocked = e->sig_blocked;	/* before posters see t */
		t->sig.ss = e->ss;
	}
	return t;
}

/* A new pid or thread id. proc_lock held. */
int proc_alloc_pid_locked(void)
{
	return next_pid++;
}

/* The newest pid or thread id handed out (0: none yet). proc_lock held. */
int proc_last_pid_locked(void)
{
	return next_pid - 1;
}

/* Free a process that never ran (any part may be missing). */
static void proc_free(struct proc *p)
{
	if (p->vm)
		vm_destroy(p->vm);
	cap_table_release(p);
	ioport_release(p);
	file_table_release(p);
	kfree(p);
}

/*
 * Enter p into the tree under parent and start its first thread at e.
 * Returns the pid, or -ENOMEM (p and e are freed).
 */
static int proc_start(struct proc *p, struct proc *parent,
		      struct proc_entry *e)
{
	struct thread *t = proc_thread_alloc(p, e);
	unsigned long f;

	if (!t) {
		proc_entry_free(e);
		proc_free(p);
		return -ENOMEM;
	}
	list_init(&p->children);
	list_init(&p->threads);
	signal_proc_init(p);
	wait_init(&p->child_wq, "wait4");
	wait_init(&p->thread_wq, "execve");
	f = spin_lock_irqsave(&proc_lock);
	p->pid = t->ltid = proc_alloc_pid_locked();
	p->parent = parent;
	p->pgid = parent ? parent->pgid : p->pid;
	p->sid = parent ? parent->sid : p->pid;
	p->state = PROC_RUNNING;
	p->start_ns = clock_monotonic_ns();
	list_add_tail(&t->proc_link, &p->threads);
	p->nthreads = 1;
	if (parent)
		list_add_tail(&p->sibling, &parent->children);
	list_add_tail(&p->all_link, &all_procs);
	spin_unlock_irqrestore(&proc_lock, f);
	thread_launch(t);
	return p->pid;
}

int proc_spawn(const char *path, const char *const *argv,
	       const char *const *envp, struct proc *parent)
{
	struct proc *p = kzalloc(sizeof(*p));
	struct proc_entry *e;
	int err;

	if (!p)
		return -ENOMEM;
	err = cap_table_init(p);
	if (!err && !parent)
		err = cap_boot_init(p);
	if (!err)
		err = parent ? file_table_copy(p, parent) :
		      file_table_init(p, true);
	if (!err)
		p->vm = proc_load(path, argv, envp, &p->entry, &p->user_sp, &err);
	if (!p->vm) {
		proc_free(p);
		return err;
	}
	strlcpy(p->name, proc_basename(path), sizeof(p->name));
	e = proc_entry_new(NULL, 0);
	if (!e) {
		proc_free(p);
		return -ENOMEM;
	}
	return proc_start(p, parent, e);
}

/*
 * fork: a child with a copy of the caller's memory, FPU state and
 * registers (tf), returning 0 in the child. Only the calling thread is
 * copied, as on Linux. Returns the child's pid.
 */
int proc_fork(const struct trap_frame *tf)
{
	struct thread *me = current_thread();
	struct proc *parent = me->proc, *c = kzalloc(sizeof(*c));
	struct proc_entry *e;

	if (!c)
		return -ENOMEM;
	e = proc_entry_new(tf, me->fs_base);
	c->vm = e && !cap_table_copy(c, parent) &&
		!ioport_fork(c, parent) && !file_table_copy(c, parent) ?
		vm_clone(parent->vm) : NULL;
	if (!c->vm) {
		if (e)
			proc_entry_free(e);
		proc_free(c);
		return -ENOMEM;
	}
	strlcpy(c->name, parent->name, sizeof(c->name));
	signal_fork(c, parent);
	return proc_start(c, parent, e);
}

/*
 * execve from the initrd: replace the caller's memory with path's image
 * and restart its thread there. The process's other threads leave first
 * (proc_dethread); the caller's thread id becomes the pid, as on Linux.
 * On error (the image does not load) the caller is untouched.
 */
int proc_exec(const char *path, const char *const *argv,
	      const char *const *envp)
{
	struct thread *me = current_thread();
	struct proc *p = me->proc;
	struct trap_frame *tf = (struct trap_frame *)me->kstack_top - 1;
	struct vm *old = p->vm, *vm;
	uint64_t entry, sp;
	unsigned long f;
	int err;

	vm = proc_load(path, argv, envp, &entry, &sp, &err);
	if (!vm)
		return err;
	err = proc_dethread();
	if (err) {
		vm_destroy(vm);
		return err;
	}
	me->ltid = p->pid;
	me->clear_child_tid = 0;
	f = spin_lock_irqsave(&proc_lock);	/* /proc reads p->vm under it */
	p->vm = vm;
	spin_unlock_irqrestore(&proc_lock, f);
	user_attach(me, vm->pml4, me->fpu);
	vm_destroy(old);
	file_table_exec(p);
	signal_exec(p, me);
	strlcpy(p->name, proc_basename(path), sizeof(p->name));
	thread_set_name(me, p->name);
	user_reset(me, tf, entry, sp);
	return 0;
}

/*
 * The caller's process is killed (or another thread execs): its thread
 * leaves. The last one out gives the process group_status. Cold.
 */
__coldexit void proc_die(void)
{
	irq_enable();
	proc_thread_exit(0);
}

/* Post sig to process t from the caller (kill's siginfo). proc_lock held. */
static void proc_signal_locked(struct proc *t, int sig)
{
	struct sig_info info = { SI_USER, current_thread()->proc->pid, 0 };

	signal_send_locked(t, NULL, sig, &info);
}

/*
 * Signal every live process in group pgid (0: the caller's; -1: every
 * process but init and the caller). Returns 0, or -ESRCH if none matched.
 * proc_lock held.
 */
static int proc_kill_group_locked(int pgid, int sig)
{
	struct proc *me = current_thread()->proc;
	struct list_head *q;
	int found = 0;

	list_for_each(q, &all_procs) {
		struct proc *t = list_entry(q, struct proc, all_link);

		if (t->state == PROC_ZOMBIE)
			continue;
		if (pgid == -1 ? t->pid == 1 || t == me : t->pgid != pgid)
			continue;
		proc_signal_locked(t, sig);
		found = 1;
	}
	return found ? 0 : -ESRCH;
}

/* The live thread with Linux thread id tid (of process tgid, -1: any). Locked. */
static struct thread *proc_thread_of_tid_locked(int tgid, int tid)
{
	struct list_head *q, *r;

	list_for_each(q, &all_procs) {
		struct proc *p = list_entry(q, struct proc, all_link);

		if (p->state == PROC_ZOMBIE || (tgid != -1 && p->pid != tgid))
			continue;
		list_for_each(r, &p->threads) {
			struct thread *t = list_entry(r, struct thread, proc_link);

			if (t->ltid == tid)
				return t;
		}
	}
	return NULL;
}

static struct proc *proc_of_tid_locked(int tgid, int tid)
{
	struct thread *t = proc_thread_of_tid_locked(tgid, tid);

	return t ? t->proc : NULL;
}

/*
 * kill: sig 0 checks; anything else is posted to the target process
 * (signal.c: a handler runs, a default action ignores or terminates, an
 * ignored signal is discarded). pid > 0 names a process (or, as on
 * Linux, the process of the thread with that id), 0 the
 * caller's process group, -1 every process but init and the caller, and
 * -pgid a process group. Returns 0, -ESRCH or -EINVAL.
 */
int proc_kill(int pid, int sig)
{
	struct proc *me = current_thread()->proc, *t = NULL;
	unsigned long f;
	int err = 0;

	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (pid < -0x7fffffff)
		return -ESRCH;	/* -pid would overflow */
	f = spin_lock_irqsave(&proc_lock);
	if (pid <= 0) {
		err = proc_kill_group_locked(pid == 0 ? me->pgid :
					     pid == -1 ? -1 : -pid, sig);
	} else {
		t = proc_find_locked(pid);
		if (t && t->state == PROC_ZOMBIE)
			t = NULL;
		if (!t)		/* a thread's id names its process, as on Linux */
			t = proc_of_tid_locked(-1, pid);
		if (t)
			proc_signal_locked(t, sig);
		else
			err = -ESRCH;
	}
	spin_unlock_irqrestore(&proc_lock, f);
	if (!err && me->killed == PROC_DYING)
		proc_die();
	return err;
}

/*
 * tkill(tid, sig) (tgid -1) and tgkill(tgid, tid, sig): the signal is
 * posted to that thread (its handler runs there; a default action acts
 * on the whole process, as on Linux). Returns 0, -EINVAL or -ESRCH.
 */
int proc_tkill(int tgid, int tid, int sig)
{
	struct proc *me = current_thread()->proc;
	struct sig_info info = { SI_TKILL, me->pid, 0 };
	struct thread *t;
	unsigned long f;

	if (sig < 0 || sig > 64 || tid <= 0 || (tgid <= 0 && tgid != -1))
		return -EINVAL;
	f = spin_lock_irqsave(&proc_lock);
	t = proc_thread_of_tid_locked(tgid, tid);
	if (t && sig)
		signal_send_locked(t->proc, t, sig, &info);
	spin_unlock_irqrestore(&proc_lock, f);
	if (!t)
		return -ESRCH;
	if (me->killed == PROC_DYING)
		proc_die();
	return 0;
}

/* A live process by pid (0: the caller), or NULL. proc_lock held. */
static struct proc *proc_live_locked(int pid)
{
	struct proc *p = pid ? proc_find_locked(pid) : current_thread()->proc;

	return p && p->state != PROC_ZOMBIE ? p : NULL;
}

/* Whether a live process of session sid (any, with sid 0) leads or is in group pgid. */
static bool proc_group_exists_locked(int pgid, int sid)
{
	struct list_head *q;

	list_for_each(q, &all_procs) {
		struct proc *t = list_entry(q, struct proc, all_link);

		if (t->state != PROC_ZOMBIE && t->pgid == pgid &&
		    (!sid || t->sid == sid))
			return true;
	}
	return false;
}

/*
 * Whether process group pgid is orphaned (POSIX): no live member has a
 * parent in another group of the same session, so no shell there can
 * continue it. Its members ignore the terminal's stop signals (signal.c).
 * proc_lock held.
 */
bool proc_pgrp_orphaned_locked(int pgid)
{
	struct list_head *q;

	list_for_each(q, &all_procs) {
		struct proc *t = list_entry(q, struct proc, all_link);
		struct proc *up = t->parent;

		if (t->state == PROC_ZOMBIE || t->pgid != pgid)
			continue;
		if (up && up->pgid != pgid && up->sid == t->sid)
			return false;
	}
	return true;
}

/*
 * setpgid(pid, pgid) as Linux: pid (0: the caller) is the caller or one
 * of its children in its session, not a session leader; pgid (0: pid) is
 * pid itself or an existing group of the caller's session. Returns 0,
 * -EINVAL, -ESRCH or -EPERM.
 */
int proc_setpgid(int pid, int pgid)
{
	struct proc *me = current_thread()->proc, *t;
	unsigned long f;
	int err = 0;

	if (pid < 0 || pgid < 0)
		return -EINVAL;
	f = spin_lock_irqsave(&proc_lock);
	t = proc_live_locked(pid);
	if (!t || (t != me && t->parent != me))
		err = -ESRCH;
	else if (t->sid == t->pid || t->sid != me->sid)
		err = -EPERM;
	else if (pgid && pgid != t->pid &&
		 !proc_group_exists_locked(pgid, me->sid))
		err = -EPERM;
	else
		t->pgid = pgid ? pgid : t->pid;
	spin_unlock_irqrestore(&proc_lock, f);
	return err;
}

/*
 * getpgid(pid) or, with session, getsid(pid): pid's (0: the caller's)
 * process group or session, or -ESRCH.
 */
int proc_group_of(int pid, bool session)
{
	unsigned long f;
	struct proc *t;
	int ret;

	if (pid < 0)
		return -ESRCH;
	f = spin_lock_irqsave(&proc_lock);
	t = proc_live_locked(pid);
	ret = !t ? -ESRCH : session ? t->sid : t->pgid;
	spin_unlock_irqrestore(&proc_lock, f);
	return ret;
}

/*
 * setsid: the caller leads a new session and a new group, both numbered
 * by its pid. Returns that, or -EPERM if a group with that number exists
 * (the caller leads one already).
 */
int proc_setsid(void)
{
	struct proc *me = current_thread()->proc;
	unsigned long f = spin_lock_irqsave(&proc_lock);
	int ret = me->pid;

	if (proc_group_exists_locked(me->pid, 0))
		ret = -EPERM;
	else
		me->pgid = me->sid = me->pid;
	spin_unlock_irqrestore(&proc_lock, f);
	return ret;
}

/* Give p's children to init (or orphan them if p is init). proc_lock held. */
static void proc_reparent(struct proc *p)
{
	struct proc *init = proc_find_locked(1);
	struct list_head *q, *n;

	list_for_each_safe(q, n, &p->children) {
		struct proc *c = list_entry(q, struct proc, sibling);

		list_del(&c->sibling);
		c->parent = init != p ? init : NULL;
		if (c->parent)
			list_add_tail(&c->sibling, &init->children);
	}
	if (init && init != p)
		wake_up(&init->child_wq);
}

/*
 * Tell p's parent that p exited with wait4 status: SIGCHLD (CLD_EXITED
 * or CLD_KILLED), and a wakeup for its wait4. If the parent ignores
 * SIGCHLD (SIG_IGN or SA_NOCLDWAIT) p is reaped now, as POSIX says: it
 * leaves the tree and true tells the caller to free it. proc_lock held.
 */
static bool proc_notify_parent_locked(struct proc *p, int status)
{
	struct proc *parent = p->parent;
	struct sig_info info = { status & 0x7f ? CLD_KILLED : CLD_EXITED,
				 p->pid,
				 status & 0x7f ? status & 0x7f : status >> 8 };
	bool reap = signal_child_autoreap_locked(parent);

	if (reap) {
		list_del(&p->sibling);
		list_del(&p->all_link);
	}
	signal_send_locked(parent, NULL, SIGCHLD, &info);
	wake_up(&parent->child_wq);
	return reap;
}

/*
 * The last thread of p has left user space for good: free what the
 * threads shared, make p a zombie with a wait4 status (exit code << 8,
 * or the signal number) for the parent to collect, and exit. Its memory
 * is freed now (no CPU has it loaded: every thread detached first).
 */
static __noreturn void proc_exit_last(struct thread *me, struct proc *p,
				      int status)
{
	struct vm *vm = p->vm;
	bool is_init = p->pid == 1, reaped = false;
	unsigned long f;

	cap_table_release(p);
	file_table_release(p);	/* after the caps: a server's own endpoint is dead */
	ioport_release(p);
	me->proc = NULL;
	f = spin_lock_irqsave(&proc_lock);
	p->vm = NULL;
	p->exit_status = status;
	p->state = PROC_ZOMBIE;
	proc_reparent(p);
	if (p->parent)
		reaped = proc_notify_parent_locked(p, status);
	/* From here the parent may reap and free p at any time. */
	spin_unlock_irqrestore(&proc_lock, f);
	if (reaped)
		kfree(p);
	vm_destroy(vm);
	if (is_init)
		proc_init_exited(status);
	thread_exit();
}

/*
 * exit: the calling thread ends (its clear_child_tid word is zeroed and
 * woken for pthread_join). The last thread out ends the process, with
 * status, or the group's status if the process was killed or called
 * exit_group. Context: a user thread; no return.
 */
__noreturn void proc_thread_exit(int status)
{
	struct thread *me = current_thread();
	struct proc *p = me->proc;
	unsigned long f;
	bool last;

	proc_clear_child_tid(me);
	ipc_thread_exit(me);
	/* Off the address space before the count drops: the last may free it. */
	kfree(user_attach(me, 0, NULL));
	f = spin_lock_irqsave(&proc_lock);
	signal_thread_exit_locked(p, me);
	list_del(&me->proc_link);
	p->gone_runtime += me->runtime + (rdtsc() - me->switched_in);
	last = --p->nthreads == 0;
	if (last && p->killed == PROC_DYING)
		status = p->group_status;
	if (!last)
		wake_up(&p->thread_wq);	/* under the lock: p lives */
	spin_unlock_irqrestore(&proc_lock, f);
	if (last)
		proc_exit_last(me, p, status);
	me->proc = NULL;
	thread_exit();
}

/*
 * exit_group, or a fatal signal or fault: every thread of the calling
 * process ends and the process exits with wait4 status status.
 */
__noreturn void proc_exit(int status)
{
	struct proc *p = current_thread()->proc;
	unsigned long f = spin_lock_irqsave(&proc_lock);

	proc_doom_locked(p, status);
	spin_unlock_irqrestore(&proc_lock, f);
	proc_thread_exit(status);
}

struct proc *proc_find_locked(int pid)
{
	struct list_head *q;

	list_for_each(q, &all_procs) {
		struct proc *p = list_entry(q, struct proc, all_link);

		if (p->pid == pid)
			return p;
	}
	return NULL;
}

/*
 * Whether child c is one wait4(pid) of parent waits for: pid itself, any
 * child (-1), one in parent's group (0) or in group -pid (< -1).
 * proc_lock held.
 */
static bool proc_wait_match(const struct proc *parent, const struct proc *c,
			    int pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == -1)
		return true;
	return c->pgid == (pid ? -pid : parent->pgid);
}

/*
 * A child of parent matching pid (proc_wait_match) with something for
 * wait4: a zombie, or with WUNTRACED a stop not yet reported, or with
 * WCONTINUED a continue not yet reported; NULL if none. *any: some child
 * matches. proc_lock held.
 */
static struct proc *proc_wait_child(struct proc *parent, int pid,
				    int options, bool *any)
{
	struct list_head *q;

	*any = false;
	list_for_each(q, &parent->children) {
		struct proc *c = list_entry(q, struct proc, sibling);
		int r = c->wait_report;

		if (!proc_wait_match(parent, c, pid))
			continue;
		*any = true;
		if (c->state == PROC_ZOMBIE ||
		    ((options & WUNTRACED) && r && r != WAIT_CONTINUED) ||
		    ((options & WCONTINUED) && r == WAIT_CONTINUED))
			return c;
	}
	return NULL;
}

/*
 * Wait for a child (pid; -1 any; 0 or -pgrp one in a group) to exit,
 * or with WUNTRACED and WCONTINUED to stop or continue; collect its
 * status (a stop or continue is reported once and leaves the child be).
 * Returns its pid, 0 with WNOHANG and none ready, -ECHILD, or
 * -ERESTARTSYS (killed, or a signal to take).
 */
int proc_wait(struct proc *me, int pid, int *status, int options)
{
	struct proc *c = NULL;
	unsigned long f;
	bool any, reap = false;

	for (;;) {
		f = spin_lock_irqsave(&proc_lock);
		c = proc_wait_child(me, pid, options, &any);
		if (c && c->state == PROC_ZOMBIE) {
			reap = true;
			list_del(&c->sibling);
			list_del(&c->all_link);
			me->child_runtime += c->gone_runtime + c->child_runtime;
		} else if (c) {
			*status = c->wait_report;
			c->wait_report = 0;
			pid = c->pid;
		}
		spin_unlock_irqrestore(&proc_lock, f);
		if (c || !any || (options & WNOHANG))
			break;
		if (signal_pending(current_thread()))
			return -ERESTARTSYS;
		wait_event(&me->child_wq, proc_wait_ready(me, pid, options) ||
			   signal_pending(current_thread()));
	}
	if (!c)
		return any ? 0 : -ECHILD;
	if (!reap)
		return pid;
	pid = c->pid;
	*status = c->exit_status;
	kfree(c);
	return pid;
}

/*
 * TSC ticks p's threads ran, live and exited, but for the slices running
 * now (a thread's runtime counts up to its last switch). proc_lock held.
 */
uint64_t proc_runtime_locked(struct proc *p)
{
	uint64_t tsc = p->gone_runtime;
	struct list_head *l;

	list_for_each(l, &p->threads)
		tsc += READ_ONCE(list_entry(l, struct thread,
					    proc_link)->runtime);
	return tsc;
}

/*
 * CPU time of p's threads, live and exited (self_ns), and of its reaped
 * children (child_ns), for times(). There is no split between user and
 * system time. Context: a thread of p.
 */
void proc_cpu_time(struct proc *p, uint64_t *self_ns, uint64_t *child_ns)
{
	struct thread *me = current_thread();
	unsigned long f = spin_lock_irqsave(&proc_lock);
	uint64_t tsc = proc_runtime_locked(p);

	tsc += rdtsc() - me->switched_in;	/* this slice */
	*child_ns = tsc_to_ns(p->child_runtime);
	spin_unlock_irqrestore(&proc_lock, f);
	*self_ns = tsc_to_ns(tsc);
}

/* Whether proc_wait(me, pid, options) has an answer now (or no child). */
bool proc_wait_ready(struct proc *me, int pid, int options)
{
	unsigned long f = spin_lock_irqsave(&proc_lock);
	bool any, found = proc_wait_child(me, pid, options, &any) != NULL;

	spin_unlock_irqrestore(&proc_lock, f);
	return found || !any;
}

const char *proc_basename(const char *path)
{
	const char *b = path;

	for (; *path; path++) {
		if (*path == '/' && path[1])
			b = path + 1;
	}
	return b;
}

/* As Linux: PID 1 must never exit; when it does, the system is over. */
void proc_init_exited(int status)
{
	panic("init exited (wait status 0x%x)", status);
}
