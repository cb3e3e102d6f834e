/* Pipes (pipe.c): a ring in the kernel between a read and a write end. */
#ifndef KERNEL_PIPE_H
#define KERNEL_PIPE_H

#include "types.h"

struct file;
struct wait_queue;

int pipe_create(unsigned flags, struct file **rd, struct file **wr);
void pipe_release(struct file *f);
long pipe_read(struct file *f, char *ubuf, size_t n);
long pipe_write(struct file *f, const char *ubuf, size_t n);
size_t pipe_unread(struct file *f);
unsigned pipe_poll(struct file *f, struct wait_queue **wq);

#endif
