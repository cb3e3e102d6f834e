/*
 * CPU-local primitives for the trace ring: a clock and read-modify-write
 * operations that are atomic against interrupts on the same CPU but not
 * against other CPUs (Linux's local_t). Only the ring's owner writes with
 * them; remote readers only load. Under ThreadSanitizer, or off x86-64,
 * they fall back to relaxed __atomic builtins so the tools can see them.
 */
#ifndef TRACE_LOCAL_H
#define TRACE_LOCAL_H

#include <stdbool.h>
#include <stdint.h>

#if defined(__SANITIZE_THREAD__)
#define LOCAL_USE_ATOMICS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LOCAL_USE_ATOMICS 1
#endif
#endif
#if !defined(LOCAL_USE_ATOMICS) && !defined(__x86_64__)
#define LOCAL_USE_ATOMICS 1
#endif
#ifndef LOCAL_USE_ATOMICS
#define LOCAL_USE_ATOMICS 0
#endif

/* A word of ring memory, which is read and written as several types. */
typedef uint64_t __attribute__((__may_alias__)) local_word_t;

/* The time stamp counter: the trace clock on the kernel and the host. */
static inline uint64_t local_clock(void)
{
	return __builtin_ia32_rdtsc();
}

/*
 * If *p == *old, store new and return true; else load *p into *old and
 * return false. One instruction without a lock prefix: an interrupt lands
 * before or after it, never inside. The memory clobber keeps the compiler
 * from moving the caller's record stores across the reservation.
 */
static inline bool local_try_cmpxchg(uint64_t *p, uint64_t *old, uint64_t new)
{
#if LOCAL_USE_ATOMICS
	return __atomic_compare_exchange_n(p, old, new, false,
					   __ATOMIC_RELAXED, __ATOMIC_RELAXED);
#else
	bool ok;

	__asm__ __volatile__("cmpxchgq %[new], %[mem]"
			     : "=@ccz"(ok), [mem] "+m"(*p), "+a"(*old)
			     : [new] "r"(new)
			     : "memory");
	return ok;
#endif
}

/* ++*p, atomic against interrupts on this CPU. */
static inline void local_inc(uint64_t *p)
{
#if LOCAL_USE_ATOMICS
	__atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
#else
	__asm__ __volatile__("incq %0" : "+m"(*p));
#endif
}

#endif
