/*
 * Deliberate kernel faults for panic_test= on the command line, each in a
 * named function so the panic report's backtrace can be checked for it:
 * null (NULL dereference), ud (invalid opcode), div0, stack (overflow
 * into the guard page), assert (an explicit panic()).
 */
#include "printk.h"
#include "sched.h"
#include "selftest.h"
#include "string.h"

static char panictest_what[16];

/* Through a volatile pointer: a literal NULL store is UB gcc deletes. */
__attribute__((noinline)) void panictest_null_deref(void)
{
	volatile int *volatile p = NULL;

	*p = 1;
}

__attribute__((noinline)) void panictest_invalid_opcode(void)
{
	__asm__ __volatile__("ud2");
}

__attribute__((noinline)) int panictest_divide(volatile int d)
{
	return 100 / d;
}

__attribute__((noinline)) int panictest_recurse(volatile int depth)
{
	volatile char pad[256];

	pad[0] = depth;
	if (depth > 1 << 20)	/* never: the guard page stops it far sooner */
		return 0;
	return panictest_recurse(depth + 1) + pad[0];
}

static void panictest_thread(void *unused)
{
	const char *w = panictest_what;

	printk("panic_test: %s", w);
	if (!strcmp(w, "null"))
		panictest_null_deref();
	else if (!strcmp(w, "ud"))
		panictest_invalid_opcode();
	else if (!strcmp(w, "div0"))
		panictest_divide(0);
	else if (!strcmp(w, "stack"))
		panictest_recurse(0);
	else if (!strcmp(w, "assert"))
		panic("panic_test: assertion requested");
	else
		printk("panic_test: unknown test '%s' (null, ud, div0, stack, assert)", w);
}

void panictest_start(const char *what)
{
	strlcpy(panictest_what, what, sizeof(panictest_what));
	if (!thread_create("panic_test", panictest_thread, NULL, -1))
		printk("panic_test: cannot create thread");
}
