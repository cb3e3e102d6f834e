/*
 * Basic kernel types. Freestanding: only the compiler's own headers.
 * Shared by kernel code and by the pure-logic files that host tests build.
 */
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;	/* a physical address */
typedef uintptr_t vaddr_t;	/* a virtual address */

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)		((a) < (b) ? (a) : (b))
#define MAX(a, b)		((a) > (b) ? (a) : (b))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

#define __packed	__attribute__((packed))
#define __aligned(n)	__attribute__((aligned(n)))
#define __noreturn	__attribute__((noreturn))
#define __unused	__attribute__((unused))
#define __section(s)	__attribute__((section(s)))
/* Boot-only code and data; kept for now (no freeing of init memory). */
#define __init		__attribute__((cold))
/*
 * A deliberate cold exit (panic and its kin). The hot-path checker stops
 * its walk at functions placed here: they end the machine, not the path.
 */
#define __coldexit	__attribute__((cold, noinline, section(".text.coldexit")))

#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define barrier()		__asm__ __volatile__("" ::: "memory")

#define EPERM	1
#define ENOENT	2
#define ESRCH	3
#define EINTR	4
#define EIO	5
#define ENXIO	6
#define E2BIG	7
#define ENOEXEC	8
#define EBADF	9
#define ECHILD	10
#define EAGAIN	11
#define ENOMEM	12
#define EACCES	13
#define EFAULT	14
#define EBUSY	16
#define EEXIST	17
#define ENODEV	19
#define ENOTDIR	20
#define EISDIR	21
#define EINVAL	22
#define ENFILE	23
#define EMFILE	24
#define ENOTTY	25
#define ENOSPC	28
#define ESPIPE	29
#define EROFS	30
#define EPIPE	32
#define ERANGE	34
#define ENAMETOOLONG 36
#define ENOSYS	38
#define ENOTEMPTY 39
#define ELOOP	40
#define ETIMEDOUT 110
/*
 * Kernel-internal results of a blocking call a signal interrupted; they
 * never reach user space: on the way out signal.c turns them into a
 * restart of the call or EINTR (docs/signals.md).
 */
#define ERESTARTSYS	512	/* restart if no handler, or SA_RESTART */
#define ERESTARTNOHAND	514	/* restart only if no handler ran */

#endif
