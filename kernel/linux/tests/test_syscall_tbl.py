#!/usr/bin/env python3
"""Host test: kernel/linux/syscall.tbl against Linux's asm/unistd_64.h (every
number, both ways), and against what the notes and issue 5 need. Prints
PASS:/FAIL: lines.
"""

import argparse
import importlib.util
import os
import re
import sys

UNISTD = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
SUITE = "syscall_tbl"

# ../shared/notes/busybox-musl.md: what a BusyBox session calls.
BUSYBOX = """read write open close stat fstat lstat poll lseek mmap munmap brk
rt_sigaction rt_sigprocmask rt_sigreturn ioctl readv writev access pipe dup2
nanosleep getpid clone fork vfork execve wait4 kill uname fcntl ftruncate
getcwd chdir rename mkdir rmdir link unlink symlink readlink chmod fchmod chown
fchown lchown umask sysinfo times getuid geteuid getgid getegid getgroups
syslog setpgid getppid getpgid rt_sigsuspend statfs arch_prctl sync mount
umount2 gettid tkill getdents64 set_tid_address clock_gettime exit_group
utimensat pipe2 prlimit64""".split()

# Issue 5's process, memory and file calls.
ISSUE5 = """getpid getppid gettid exit exit_group wait4 kill clock_gettime
nanosleep uname set_tid_address getrandom prlimit64 open close read write
readv writev lseek fstat stat lstat getdents64 ioctl dup dup2 fcntl getcwd
chdir access mkdir unlink brk mmap munmap mprotect arch_prctl""".split()


def load_gen():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "gen_syscalls.py")
    spec = importlib.util.spec_from_file_location("gen_syscalls", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def linux_numbers():
    nrs = {}
    with open(UNISTD) as f:
        for line in f:
            m = re.match(r"#define __NR_(\w+)\s+(\d+)", line)
            if m:
                nrs[m.group(1)] = int(m.group(2))
    return nrs


def t_numbers_match(calls, gen):
    linux = linux_numbers()
    for c in calls:
        assert c.name in linux, "%s: not a Linux x86_64 syscall" % c.name
        assert linux[c.name] == c.nr, "%s: %d, Linux says %d" % (
            c.name, c.nr, linux[c.name])


def t_table_complete(calls, gen):
    names = {c.name for c in calls}
    missing = sorted(set(linux_numbers()) - names)
    assert not missing, "not in the table: %s" % " ".join(missing)


def t_busybox_planned(calls, gen):
    by = {c.name: c for c in calls}
    for n in BUSYBOX + ISSUE5:
        assert n in by, "%s missing" % n
        assert by[n].status != "enosys", "%s is enosys" % n


def t_areas_named(calls, gen):
    for c in calls:
        if c.status != "enosys":
            assert re.match(r"sys_[a-z]+\.c\Z", c.where), (c.name, c.where)


def t_parser_rejects(calls, gen):
    bad = ["0 read sys_read planned", "x read sys_read planned sys_fs.c",
           "0 read sys_write planned sys_fs.c", "0 read sys_read maybe sys_fs.c",
           "0 read sys_read enosys sys_fs.c", "0 read sys_read planned -",
           "0 read sys_read planned sys_fs.c\n0 read sys_read planned sys_fs.c",
           "# only a comment"]
    for text in bad:
        try:
            gen.parse(text)
        except gen.TblError:
            continue
        raise AssertionError("accepted %r" % text)


def t_generated_c(calls, gen):
    impl = [c for c in calls if c.status == "implemented"]
    table = gen.gen_table(calls, "syscall_table.h")
    header = gen.gen_header(calls)
    assert table.startswith("/* Generated") and header.startswith("/* Gen")
    assert table.count("] = sys_") == max(c.nr for c in calls) + 1
    assert table.count("] = sys_ni_syscall,") == \
        max(c.nr for c in calls) + 1 - len(impl)
    assert "#define NR_exit_group 231\n" in header


TESTS = [t_numbers_match, t_table_complete, t_busybox_planned,
         t_areas_named, t_parser_rejects, t_generated_c]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tbl", required=True)
    a = ap.parse_args()
    gen = load_gen()
    with open(a.tbl) as f:
        calls = gen.parse(f.read())
    failed = 0
    for t in TESTS:
        try:
            t(calls, gen)
            print("PASS: %s.%s" % (SUITE, t.__name__[2:]))
        except Exception as e:  # noqa: BLE001 - report any failure
            print("FAIL: %s.%s: %s" % (SUITE, t.__name__[2:], e))
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
