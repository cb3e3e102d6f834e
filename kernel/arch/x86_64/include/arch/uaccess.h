/*
 * Kernel access to user memory (uaccess.S): range-checked, fault-safe
 * copies. Every pointer a user program passes goes through these.
 */
#ifndef ARCH_UACCESS_H
#define ARCH_UACCESS_H

#include "types.h"

#define USER_TOP 0x00007ffffffff000UL

extern bool uaccess_smap;
long uaccess_copy(void *dst, const void *src, size_t n);
long uaccess_strncpy(char *dst, const char *src, size_t max);

/* Is [p, p+n) entirely in user space (and not wrapping)? */
static inline bool uaccess_ok(uintptr_t p, size_t n)
{
	return p < USER_TOP && n <= USER_TOP - p;
}

/* Returns 0 or -EFAULT. */
static inline long copy_from_user(void *dst, const void *usrc, size_t n)
{
	if (!uaccess_ok((uintptr_t)usrc, n))
		return -EFAULT;
	return uaccess_copy(dst, usrc, n);
}

static inline long copy_to_user(void *udst, const void *src, size_t n)
{
	if (!uaccess_ok((uintptr_t)udst, n))
		return -EFAULT;
	return uaccess_copy(udst, src, n);
}

/*
 * Copy a NUL-terminated string of at most max-1 characters into dst.
 * Returns its length, -ENAMETOOLONG if longer, or -EFAULT.
 */
static inline long strncpy_from_user(char *dst, const char *usrc, size_t max)
{
	size_t n = max;
	long len;

	if ((uintptr_t)usrc >= USER_TOP)
		return -EFAULT;
	if (n > USER_TOP - (uintptr_t)usrc)
		n = USER_TOP - (uintptr_t)usrc;
	len = uaccess_strncpy(dst, usrc, n);
	if (len < 0)
		return len;
	if ((size_t)len >= max)
		return -ENAMETOOLONG;
	if ((size_t)len == n)
		return -EFAULT;		/* ran into the end of user space */
	return len;
}

#endif
