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

/* Half a word of ring memory. */
typedef uint32_t __attribute__((__may_alias__)) local_half_t;

/* The time stamp counter: the trace clock on the kernel and the host. */
static inline uint64_t local_clock(void)
{
	return __builtin_ia32_rdtsc();
}

/*
 * Read the clock once *@h (a word just loaded) is in hand, and give *@h
 * back in %rax, where local_try_cmpxchg() wants it: rdtsc, then one xchg
 * instead of a move out of the way and a move back. Returns the clock's
 * low half and puts its high half in *@hi: a record stores the halves with
 * two stores, cheaper than joining them.
 */
static inline uint32_t local_clock_after(uint64_t *h, uint32_t *hi)
{
#if LOCAL_USE_ATOMICS
	uint64_t t = __builtin_ia32_rdtsc();

	(void)h;	/* already where the builtin cmpxchg wants it */
	*hi = (uint32_t)(t >> 32);
	return (uint32_t)t;
#else
	uint64_t x = *h, a;
	uint32_t d;

	__asm__ __volatile__("rdtsc\n\txchgq %%rax, %[x]"
			     : "=&a"(a), "=&d"(d), [x] "+r"(x));
	*h = a;
	*hi = d;
	return (uint32_t)x;
#endif
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

/*
 * Store the 16-byte-aligned pair p[0] = a, p[1] = b in one instruction, so
 * an interrupt sees both old or both new: cmpxchg16b without a lock prefix,
 * retried until the compare matches. Under the atomic fallback, two relaxed
 * stores: nothing there nests between them (the tests' nesting hook runs at
 * fixed points of the record path, not here).
 */
static inline void local_store2(uint64_t *p, uint64_t a, uint64_t b)
{
#if LOCAL_USE_ATOMICS
	__atomic_store_n(&p[0], a, __ATOMIC_RELAXED);
	__atomic_store_n(&p[1], b, __ATOMIC_RELAXED);
#else
	uint64_t old_a = p[0], old_b = p[1];
	bool ok;

	do {
		__asm__ __volatile__("cmpxchg16b %[mem]"
				     : "=@ccz"(ok),
				       [mem] "+m"(*(unsigned __int128 *)p),
				       "+a"(old_a), "+d"(old_b)
				     : "b"(a), "c"(b)
				     : "memory");
	} while (!ok);
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
