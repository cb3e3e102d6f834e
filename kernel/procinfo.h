/*
 * The kernel's side of /proc (procinfo.c): NC_PROC_INFO's snapshots, and
 * what an address space remembers of the exec that made it.
 */
#ifndef KERNEL_PROCINFO_H
#define KERNEL_PROCINFO_H

#include "types.h"

struct trap_frame;

/*
 * What a program was started with, for /proc/<pid>/cmdline and exe: kept
 * by its address space (vm->exe), as Linux's mm keeps arg_start and
 * exe_file, so fork copies it and exec replaces it with the vm.
 */
struct exe_info {
	uint32_t size;			/* of the whole allocation */
	uint32_t argv_len;		/* bytes of argv, each NUL-terminated */
	uint32_t path_len;		/* argv starts at data + path_len + 1 */
	char data[];			/* the path, its NUL, then argv */
};

struct exe_info *procinfo_exe_new(const char *path, const char *const *argv);
struct exe_info *procinfo_exe_dup(const struct exe_info *e);
long procinfo_syscall(unsigned call, struct trap_frame *tf);

#endif
