/*
 * Host test of the generated syscall tables (build/gen/syscall_table.c
 * and loupe_syscall_names.h): every Linux number from <asm/unistd_64.h>
 * finds its name, nothing is dispatched yet, and gaps have no name.
 */
#include <asm/unistd_64.h>

#include "tests/harness.h"
#include "syscall_table.h"
#include "loupe_syscall_names.h"

long sys_ni_syscall(SYSCALL_ARGS)
{
	return -38;
}

TEST(names_by_linux_number)
{
	CHECK(!strcmp(syscall_names[__NR_read], "read"));
	CHECK(!strcmp(syscall_names[__NR_write], "write"));
	CHECK(!strcmp(syscall_names[__NR_exit_group], "exit_group"));
	CHECK(!strcmp(syscall_names[__NR_arch_prctl], "arch_prctl"));
	CHECK(!strcmp(syscall_names[__NR_getdents64], "getdents64"));
	CHECK(!strcmp(syscall_names[__NR_prlimit64], "prlimit64"));
	CHECK(!strcmp(syscall_names[__NR_set_mempolicy_home_node],
		      "set_mempolicy_home_node"));
}

TEST(nr_macros_match_linux)
{
	CHECK_EQ(NR_read, __NR_read);
	CHECK_EQ(NR_fork, __NR_fork);
	CHECK_EQ(NR_execve, __NR_execve);
	CHECK_EQ(NR_rt_sigreturn, __NR_rt_sigreturn);
	CHECK_EQ(NR_clock_gettime, __NR_clock_gettime);
	CHECK_EQ(SYSCALL_NR, __NR_set_mempolicy_home_node + 1);
}

TEST(gaps_have_no_name)
{
	/* 335..423 are unused on x86_64 (the 32-bit-time gap). */
	CHECK(syscall_names[335] == NULL);
	CHECK(syscall_names[423] == NULL);
	CHECK(syscall_names[424] != NULL);
}

/*
 * Every slot dispatches to sys_ni_syscall or to its own handler (the
 * generated host stubs return their number); gaps never dispatch.
 */
TEST(dispatch_matches_table)
{
	for (int i = 0; i < SYSCALL_NR; i++) {
		if (syscall_fns[i] == sys_ni_syscall)
			continue;
		CHECK(syscall_names[i] != NULL);
		CHECK_EQ(syscall_fns[i](0, 0, 0, 0, 0, 0), i);
	}
	CHECK_EQ(syscall_fns[__NR_getpid](0, 0, 0, 0, 0, 0), __NR_getpid);
	CHECK(syscall_fns[335] == sys_ni_syscall);
}

TEST(tool_names_agree)
{
	CHECK_EQ(sizeof(loupe_syscall_names) / sizeof(loupe_syscall_names[0]),
		 SYSCALL_NR);
	for (int i = 0; i < SYSCALL_NR; i++) {
		CHECK((loupe_syscall_names[i] == NULL) ==
		      (syscall_names[i] == NULL));
		CHECK(!loupe_syscall_names[i] ||
		      !strcmp(loupe_syscall_names[i], syscall_names[i]));
	}
}

static const struct harness_test tests[] = {
	T(names_by_linux_number),
	T(nr_macros_match_linux),
	T(gaps_have_no_name),
	T(dispatch_matches_table),
	T(tool_names_agree),
};

HARNESS_MAIN("syscall_table", tests)
