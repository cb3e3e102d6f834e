#!/usr/bin/env python3
"""Generate the syscall dispatch table from kernel/linux/syscall.tbl.

    gen_syscalls.py --tbl kernel/linux/syscall.tbl --header out.h
    gen_syscalls.py --tbl ... --table out.c     (the kernel's tables)
    gen_syscalls.py --tbl ... --stubs out.c     (handler stand-ins for host tests)
    gen_syscalls.py --tbl ... --names out.h     (names for host tools)

Every number below SYSCALL_NR gets a slot: implemented calls point at
their handler, everything else at sys_ni_syscall (which returns -ENOSYS
and counts). The standard library only, so host tools may import parse().
"""

import argparse
import os
import sys

STATUSES = ("implemented", "planned", "enosys")
BANNER = ("/* Generated from kernel/linux/syscall.tbl by "
          "kernel/linux/gen_syscalls.py; do not edit. */\n")


class TblError(ValueError):
    """A malformed table; the message names the line."""


class Syscall:
    def __init__(self, nr, name, entry, status, where):
        self.nr, self.name, self.entry = nr, name, entry
        self.status, self.where = status, where


def parse_line(lineno, line):
    f = line.split()
    if len(f) != 5:
        raise TblError("line %d: want 5 fields, got %d" % (lineno, len(f)))
    nr, name, entry, status, where = f
    if not nr.isdigit():
        raise TblError("line %d: bad number %r" % (lineno, nr))
    if entry != "sys_" + name:
        raise TblError("line %d: entry %r is not sys_%s" %
                       (lineno, entry, name))
    if status not in STATUSES:
        raise TblError("line %d: bad status %r" % (lineno, status))
    if (where == "-") != (status == "enosys"):
        raise TblError("line %d: file must be - exactly when enosys" % lineno)
    return Syscall(int(nr), name, entry, status, where)


def parse(text):
    """Syscalls from table text, in table order; numbers and names unique."""
    calls, nrs, names = [], set(), set()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        sc = parse_line(lineno, line)
        if sc.nr in nrs or sc.name in names:
            raise TblError("line %d: duplicate %d %s" %
                           (lineno, sc.nr, sc.name))
        nrs.add(sc.nr)
        names.add(sc.name)
        calls.append(sc)
    if not calls:
        raise TblError("empty table")
    return calls


def gen_header(calls):
    nr_max = max(c.nr for c in calls) + 1
    out = [BANNER, "#ifndef GEN_SYSCALL_TABLE_H\n#define GEN_SYSCALL_TABLE_H\n",
           "\n#define SYSCALL_NR %d\t/* one past the highest number */\n"
           % nr_max,
           "\n/* Every handler's parameter list: the six argument registers"
           "\n * rdi, rsi, rdx, r10, r8, r9 in order. */\n"
           "#define SYSCALL_ARGS unsigned long a0, unsigned long a1, "
           "unsigned long a2, \\\n\tunsigned long a3, unsigned long a4, "
           "unsigned long a5\n\n"]
    out += ["#define NR_%s %d\n" % (c.name, c.nr)
            for c in sorted(calls, key=lambda c: c.nr)]
    out.append("\nlong sys_ni_syscall(SYSCALL_ARGS);\n")
    out += ["long %s(SYSCALL_ARGS);\n" % c.entry
            for c in calls if c.status == "implemented"]
    out.append("\nextern long (*const syscall_fns[SYSCALL_NR])(SYSCALL_ARGS);\n"
               "extern const char *const syscall_names[SYSCALL_NR];\n"
               "\n#endif\n")
    return "".join(out)


def gen_table(calls, header_name):
    impl = {c.nr: c.entry for c in calls if c.status == "implemented"}
    nr_max = max(c.nr for c in calls) + 1
    out = [BANNER, '#include "%s"\n\n' % header_name,
           "/* Unlisted numbers and unimplemented calls: -ENOSYS. */\n",
           "long (*const syscall_fns[SYSCALL_NR])(SYSCALL_ARGS) = {\n"]
    out += ["\t[%d] = %s,\n" % (nr, impl.get(nr, "sys_ni_syscall"))
            for nr in range(nr_max)]
    out.append("};\n\nconst char *const syscall_names[SYSCALL_NR] = {\n")
    out += ['\t[%d] = "%s",\n' % (c.nr, c.name)
            for c in sorted(calls, key=lambda c: c.nr)]
    out.append("};\n")
    return "".join(out)


def gen_names(calls):
    out = [BANNER, "#ifndef GEN_LOUPE_SYSCALL_NAMES_H\n#define GEN_LOUPE_SYSCALL_NAMES_H\n",
           "\n/* Linux x86_64 syscall names by number; NULL in the gaps. */\n",
           "static const char *const loupe_syscall_names[] = {\n"]
    out += ['\t[%d] = "%s",\n' % (c.nr, c.name)
            for c in sorted(calls, key=lambda c: c.nr)]
    out.append("};\n\n#endif\n")
    return "".join(out)


def gen_stubs(calls):
    """Host-test stand-ins: each implemented handler returns its number."""
    out = [BANNER, '#include "syscall_table.h"\n\n']
    out += ["long %s(SYSCALL_ARGS)\n{\n\treturn %d;\n}\n\n" % (c.entry, c.nr)
            for c in sorted(calls, key=lambda c: c.nr)
            if c.status == "implemented"]
    return "".join(out)


def write(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tbl", required=True)
    ap.add_argument("--header")
    ap.add_argument("--table")
    ap.add_argument("--names")
    ap.add_argument("--stubs")
    a = ap.parse_args(argv)
    try:
        with open(a.tbl) as f:
            calls = parse(f.read())
    except (OSError, TblError) as e:
        print("gen_syscalls: %s: %s" % (a.tbl, e), file=sys.stderr)
        return 1
    if a.header:
        write(a.header, gen_header(calls))
    if a.table:
        write(a.table, gen_table(calls, "syscall_table.h"))
    if a.names:
        write(a.names, gen_names(calls))
    if a.stubs:
        write(a.stubs, gen_stubs(calls))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
