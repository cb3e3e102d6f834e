/*
 * The signal frame on the user stack, as Linux x86_64 lays it out
 * (sigframe.c): write one for a handler, read one back for rt_sigreturn.
 */
#ifndef ARCH_SIGFRAME_H
#define ARCH_SIGFRAME_H

#include "types.h"

struct trap_frame;
struct thread;
struct k_sigaction;
struct sig_info;
struct sig_stack;

int sigframe_setup(struct trap_frame *tf, int sig, const struct k_sigaction *ka,
		   const struct sig_info *info, uint64_t mask, struct thread *t);
int sigframe_restore(struct trap_frame *tf, uint64_t *mask,
		     struct sig_stack *ss);
__noreturn void sigframe_leave(struct trap_frame *tf);

#endif
