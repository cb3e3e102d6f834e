#!/usr/bin/env python3
"""Panic reports, end to end: boot Loupe with panic_test=<kind> and check
that the report names the fault, the CPU and thread, prints registers and a
backtrace symbolized down to the faulting function, and that QEMU is ended
with the panic code (panic=exit). Prints PASS:/FAIL: lines for tests/run."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tools", "qemu"))
import loupe_qemu  # noqa: E402

# kind: (lines that must all appear in the report, in order)
CASES = {
    "null": ["PANIC: page fault (vector 14) at panictest_null_deref+0x",
             "PANIC: on CPU ", "thread 'panic_test'",
             "CR2 0000000000000000",
             "Backtrace:", "panictest_null_deref+0x", "panictest_thread+0x",
             "PANIC: end of report"],
    "stack": ["PANIC: double fault (vector 8) at ",
              "PANIC: kernel stack overflow (CR2 in a guard page)",
              "Backtrace:", "panictest_recurse+0x", "PANIC: end of report"],
    "ud": ["PANIC: invalid opcode (vector 6) at panictest_invalid_opcode+0x",
           "Backtrace:", "panictest_invalid_opcode+0x", "panictest_thread+0x",
           "PANIC: end of report"],
    "div0": ["PANIC: divide error (vector 0) at panictest_divide+0x",
             "Backtrace:", "panictest_divide+0x", "PANIC: end of report"],
    "assert": ["PANIC: panic_test: assertion requested",
               "Backtrace:", "panictest_thread+0x", "PANIC: end of report"],
}


def boot(image, kind, smp):
    argv = loupe_qemu.qemu_argv(image, smp=smp,
                                cmdline="panic=exit panic_test=" + kind)
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=60)
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode("latin-1")
    return p.returncode, p.stdout.decode("latin-1")


def check(kind, status, out, want):
    """Return a failure reason, or None."""
    if status != loupe_qemu.EXIT_PANIC:
        return "QEMU exit status %r, expected %d (panic)" % (
            status, loupe_qemu.EXIT_PANIC)
    pos = 0
    for w in want:
        i = out.find(w, pos)
        if i < 0:
            return "missing %r (in order)" % w
        pos = i + len(w)
    return None


def main():
    image = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        TOP, "build", "loupe.bin")
    failed = 0
    for kind, want in CASES.items():
        status, out = boot(image, kind, smp=2)
        why = check(kind, status, out, want)
        if why:
            failed += 1
            print("FAIL: panic.%s: %s" % (kind, why))
            print("\n".join("  | " + l for l in out.splitlines()[-30:]))
        else:
            print("PASS: panic.%s" % kind)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
