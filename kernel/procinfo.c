/*
 * The kernel's side of /proc. NC_PROC_INFO copies out fixed-format
 * snapshots (include/loupe/procinfo.h) of the system, the CPUs and the
 * processes; the VFS server turns them into Linux's /proc text
 * (userland/vfs/procfs.c). The kernel formats nothing. Also here: what
 * an address space keeps of the exec that made it (struct exe_info).
 *
 * A process record is filled under proc_lock, which keeps the process,
 * its threads, its vm with vm->exe (exec swaps them under it, exit clears
 * p->vm under it) and p->files (file_table_release clears it under it)
 * from going away. Under proc_lock the fill takes vm->lock (vm_size,
 * vm_resident) and files->lock (the cwd): both come later in the lock
 * order and take nothing themselves. It never sleeps or allocates: the
 * record is a page allocated before, copied out after the lock is
 * dropped, one process per lock hold (the next is found from pid + 1).
 */
#include "procinfo.h"
#include "clock.h"
#include "cpu.h"
#include "file.h"
#include "kmalloc.h"
#include "pmm.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "vm.h"
#include <arch/tsc.h>
#include <arch/trap.h>
#include <arch/uaccess.h>
#include <loupe/procinfo.h>

#define PI_MAX_RECORDS	4096	/* one call's most; more is -EINVAL */

_Static_assert(sizeof(struct pi_proc) <= PAGE_SIZE, "a record fits a page");

/* argv's strings, each with its NUL, into out: len bytes, the last a NUL. */
static void procinfo_copy_argv(char *out, const char *const *argv, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; argv && argv[i] && n < len; i++) {
		size_t l = MIN(strlen(argv[i]) + 1, len - n);

		memcpy(out + n, argv[i], l);
		n += l;
	}
	if (len)
		out[len - 1] = '\0';	/* an argument cut short too */
}

/*
 * An exe_info for path (normalized against the caller's cwd when
 * relative) and argv (cut at PI_CMDLINE_MAX bytes); NULL without memory.
 */
struct exe_info *procinfo_exe_new(const char *path, const char *const *argv)
{
	char *abs = pmm_alloc_virt(0), *cwd = abs + PI_PATH_MAX;
	struct exe_info *e = NULL;
	size_t alen = 0;
	long plen;

	if (!abs)
		return NULL;
	strlcpy(cwd, "/", CWD_MAX);
	if (path[0] != '/' && current_thread()->proc)
		file_cwd(cwd);
	plen = file_normalize(cwd, path, abs, PI_PATH_MAX);
	if (plen < 0)
		plen = strlcpy(abs, "?", PI_PATH_MAX);	/* too long to keep */
	for (size_t i = 0; argv && argv[i] && alen < PI_CMDLINE_MAX; i++)
		alen += strlen(argv[i]) + 1;
	alen = MIN(alen, PI_CMDLINE_MAX);
	e = kmalloc(sizeof(*e) + plen + 1 + alen);
	if (e) {
		e->size = sizeof(*e) + plen + 1 + alen;
		e->path_len = plen;
		e->argv_len = alen;
		memcpy(e->data, abs, plen + 1);
		procinfo_copy_argv(e->data + plen + 1, argv, alen);
	}
	pmm_free_virt(abs, 0);
	return e;
}

/* fork: the child's copy (NULL for NULL, or without memory). */
struct exe_info *procinfo_exe_dup(const struct exe_info *e)
{
	struct exe_info *c = e ? kmalloc(e->size) : NULL;

	if (c)
		memcpy(c, e, e->size);
	return c;
}

/*
 * Whether t runs or waits to, or a server is working on its call: a
 * process reading /proc/self/stat is asleep in its call to the VFS while
 * the VFS asks, yet on Linux it reads as running. A call the server has
 * put aside (a console read waiting for a line) is sleep.
 */
static bool procinfo_running(struct thread *t)
{
	enum thread_state s = READ_ONCE(t->state);

	return s == THREAD_RUNNING || s == THREAD_READY || s == THREAD_WAKING ||
	       READ_ONCE(t->ipc.state) == IPC_HELD;
}

/*
 * The state letter of a live process: 'T' stopped, 'R' if any thread is
 * running, else 'S'.
 */
static char procinfo_state_locked(struct proc *p)
{
	struct list_head *l;

	if (p->stop_sig)
		return 'T';
	list_for_each(l, &p->threads) {
		if (procinfo_running(list_entry(l, struct thread, proc_link)))
			return 'R';
	}
	return 'S';
}

/* What a live process's vm and descriptor table say. proc_lock held. */
static void procinfo_fill_mem_locked(struct proc *p, struct pi_proc *r)
{
	struct vm *vm = p->vm;
	unsigned long f;

	if (vm) {
		r->vsize = vm_size(vm);
		r->rss = vm_resident(vm);
	}
	if (vm && vm->exe) {
		strlcpy(r->exe, vm->exe->data, sizeof(r->exe));
		r->cmdline_len = vm->exe->argv_len;
		memcpy(r->cmdline, vm->exe->data + vm->exe->path_len + 1,
		       r->cmdline_len);
	}
	if (p->files) {
		f = spin_lock_irqsave(&p->files->lock);
		strlcpy(r->cwd, p->files->cwd, sizeof(r->cwd));
		spin_unlock_irqrestore(&p->files->lock, f);
	}
}

/* Fill r from p. proc_lock held; takes vm->lock and files->lock. */
static void procinfo_fill_locked(struct proc *p, struct pi_proc *r)
{
	struct list_head *l;

	memset(r, 0, sizeof(*r));
	r->pid = p->pid;
	r->ppid = p->parent ? p->parent->pid : 0;
	r->pgid = p->pgid;
	r->sid = p->sid;
	r->start_ns = p->start_ns;
	r->child_run_ns = tsc_to_ns(p->child_runtime);
	/* exec renames without proc_lock: a torn name stays NUL-ended. */
	memcpy(r->comm, p->name, PI_COMM_MAX - 1);
	r->run_ns = tsc_to_ns(proc_runtime_locked(p));	/* a zombie: no threads */
	if (p->state == PROC_ZOMBIE) {
		r->state = 'Z';
		return;
	}
	r->state = procinfo_state_locked(p);
	r->nthreads = p->nthreads;
	list_for_each(l, &p->threads) {
		struct thread *t = list_entry(l, struct thread, proc_link);

		if (t->ltid == p->pid)
			r->cpu = READ_ONCE(t->cpu);
	}
	procinfo_fill_mem_locked(p, r);
}

/* The first process with a pid >= pid (all_procs is in pid order). */
static struct proc *procinfo_next_locked(int pid)
{
	struct list_head *l;

	list_for_each(l, &all_procs) {
		struct proc *p = list_entry(l, struct proc, all_link);

		if (p->pid >= pid)
			return p;
	}
	return NULL;
}

/* PI_PROCS: up to count records from pid on, each under its own lock hold. */
static long procinfo_procs(struct pi_proc *ubuf, size_t count, int64_t pid)
{
	struct pi_proc *r = pmm_alloc_virt(0);
	size_t n = 0;
	long err = 0;

	if (!r)
		return -ENOMEM;
	pid = MAX(pid, 0);
	while (n < count && pid <= INT32_MAX) {
		unsigned long f = spin_lock_irqsave(&proc_lock);
		struct proc *p = procinfo_next_locked(pid);

		if (p)
			procinfo_fill_locked(p, r);
		spin_unlock_irqrestore(&proc_lock, f);
		if (!p)
			break;
		err = copy_to_user(ubuf + n, r, sizeof(*r));
		if (err)
			break;
		pid = r->pid + 1l;
		n++;
	}
	pmm_free_virt(r, 0);
	return err ? err : (long)n;
}

/*
 * PI_MAPS: process pid's regions from the first, up to count (a zombie
 * has none). Its vm is read under proc_lock, which exec's swap of p->vm
 * holds, and walked under vm->lock (lock order: proc_lock -> vm->lock).
 */
static long procinfo_maps(struct pi_map *ubuf, size_t count, int64_t pid)
{
	unsigned order = pmm_order(count * sizeof(struct pi_map));
	struct pi_map *r = pmm_alloc_virt(order);
	struct proc *p;
	unsigned long f;
	long n = -ESRCH;

	if (!r)
		return -ENOMEM;
	f = spin_lock_irqsave(&proc_lock);
	p = pid > 0 && pid <= INT32_MAX ? proc_find_locked((int)pid) : NULL;
	if (p)
		n = p->vm ? (long)vm_regions(p->vm, r, count) : 0;
	spin_unlock_irqrestore(&proc_lock, f);
	if (n > 0 && copy_to_user(ubuf, r, n * sizeof(*r)))
		n = -EFAULT;
	pmm_free_virt(r, order);
	return n;
}

/* PI_SYSTEM: the counts come from one pass over the processes. */
static long procinfo_system(struct pi_system *ubuf)
{
	struct pi_system s = {
		.uptime_ns = clock_monotonic_ns(),
		.total_pages = pmm_total_count(),
		.free_pages = pmm_free_count(),
		.tsc_hz = tsc_hz,
		.page_size = PAGE_SIZE,
	};
	struct list_head *l, *m;
	unsigned long f;

	s.boot_time = (clock_realtime_ns() - s.uptime_ns) / 1000000000;
	sched_load_avg(s.loadavg, 11);
	for (unsigned i = 0; i < ncpus; i++)
		s.ncpus += READ_ONCE(cpus[i].online);
	f = spin_lock_irqsave(&proc_lock);
	s.last_pid = proc_last_pid_locked();
	s.forks = s.last_pid;
	list_for_each(l, &all_procs) {
		struct proc *p = list_entry(l, struct proc, all_link);

		s.nprocs++;
		list_for_each(m, &p->threads) {
			s.nthreads++;
			s.nrunning += procinfo_running(list_entry(m,
						struct thread, proc_link));
		}
	}
	spin_unlock_irqrestore(&proc_lock, f);
	return copy_to_user(ubuf, &s, sizeof(s)) ? -EFAULT : 1;
}

/* PI_CPUS: the online CPUs with an id >= first. */
static long procinfo_cpus(struct pi_cpu *ubuf, size_t count, uint64_t first)
{
	uint64_t now = clock_monotonic_ns();
	size_t n = 0;

	for (uint64_t i = first; i < ncpus && n < count; i++) {
		struct cpu *c = &cpus[i];
		struct pi_cpu r = { .id = c->id, .apic_id = c->apic_id };

		if (!READ_ONCE(c->online))
			continue;
		r.idle_ns = MIN(tsc_to_ns(READ_ONCE(c->idle_tsc)), now);
		r.busy_ns = now - r.idle_ns;
		r.irqs = READ_ONCE(c->irqs);
		if (copy_to_user(ubuf + n, &r, sizeof(r)))
			return -EFAULT;
		n++;
	}
	return n;
}

/*
 * NC_PROC_INFO(kind, buf, count, arg): rdi, rdx, r10, r8. Returns the
 * records written, -EFAULT, -EINVAL or -ENOMEM.
 */
long procinfo_syscall(unsigned call, struct trap_frame *tf)
{
	uint64_t kind = tf->rdi, buf = tf->rdx, count = tf->r10, arg = tf->r8;
	static const size_t size[] = {
		[PI_SYSTEM] = sizeof(struct pi_system),
		[PI_CPUS] = sizeof(struct pi_cpu),
		[PI_PROCS] = sizeof(struct pi_proc),
		[PI_MAPS] = sizeof(struct pi_map),
	};

	(void)call;
	if (kind >= ARRAY_SIZE(size) || count > PI_MAX_RECORDS)
		return -EINVAL;
	if (!count)
		return 0;
	if (!uaccess_ok(buf, count * size[kind]))
		return -EFAULT;
	switch (kind) {
	case PI_SYSTEM:
		return procinfo_system((struct pi_system *)buf);
	case PI_CPUS:
		return procinfo_cpus((struct pi_cpu *)buf, count, arg);
	case PI_MAPS:
		return procinfo_maps((struct pi_map *)buf, count, arg);
	default:
		return procinfo_procs((struct pi_proc *)buf, count, arg);
	}
}
