#!/usr/bin/env python3
"""trace2perfetto end-to-end tests: golden, bad-input and structure checks.

Builds small captures with mkcapture (C, sharing trace/record.h), converts
them with the real trace2perfetto binary, decodes the result with
`protoc --decode` against perfetto_subset.proto, and checks it. Each case
prints "PASS: t2p.<name>" or "FAIL: t2p.<name>"; exit status 1 on failure.

  run_tests.py --bin BUILT_T2P --mkcapture BUILT_MKCAPTURE [--update]

--update rewrites the golden files from the current output.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pftrace_check import (Failure, catalog_ids, check_boot_order,  # noqa
                           check_chains, check_names, check_nesting,
                           check_no_unknown, decode, field, fields,
                           packets)

HERE = os.path.dirname(os.path.abspath(__file__))
T2P_DIR = os.path.dirname(HERE)
GOLDEN = os.path.join(HERE, "golden")
CATALOG = os.path.join(HERE, "stages.catalog")
TIMEOUT = 60

OFFSET_RE = re.compile(r"offset (\d+):")


def run(cmd, stdin=None):
    return subprocess.run(cmd, input=stdin, capture_output=True,
                          timeout=TIMEOUT)


class Ctx:
    def __init__(self, args, tmp):
        self.bin = args.bin
        self.mkcapture = args.mkcapture
        self.update = args.update
        self.tmp = tmp

    def path(self, name):
        return os.path.join(self.tmp, name)

    def capture(self, scenario):
        """Write scenario's capture; returns (path, mkcapture's stdout)."""
        out = self.path(scenario + ".cap")
        p = run([self.mkcapture, scenario, out])
        if p.returncode:
            raise Failure("mkcapture %s: %s" % (scenario, p.stderr.decode()))
        return out, p.stdout.decode()

    def convert(self, cap, *extra):
        out = cap + ".pftrace"
        p = run([self.bin, cap, "-o", out, "--stages", CATALOG] +
                list(extra))
        return p, out

    def decode(self, pftrace):
        return decode(pftrace)

    def converted(self, scenario, *extra):
        """Convert scenario successfully; returns the decoded text."""
        cap, _ = self.capture(scenario)
        p, out = self.convert(cap, *extra)
        if p.returncode:
            raise Failure("trace2perfetto exit %d: %s" %
                          (p.returncode, p.stderr.decode()))
        return self.decode(out)


def check_golden(ctx, name, text):
    path = os.path.join(GOLDEN, name + ".txt")
    if ctx.update:
        with open(path, "w") as f:
            f.write(text)
        return
    with open(path) as f:
        want = f.read()
    if text != want:
        got = ctx.path(name + ".got.txt")
        with open(got, "w") as f:
            f.write(text)
        raise Failure("output differs from %s (got %s; diff them, or "
                      "rerun with --update if the change is intended)"
                      % (path, got))


def check_error(ctx, cap, want_offset, *extra):
    p, out = ctx.convert(cap, *extra)
    err = p.stderr.decode()
    if p.returncode != 1:
        raise Failure("exit %d, want 1 (stderr: %s)" % (p.returncode, err))
    m = OFFSET_RE.search(err)
    if not m:
        raise Failure("error names no offset: %r" % err)
    if want_offset is not None and int(m.group(1)) != want_offset:
        raise Failure("error names offset %s, want %d: %r" %
                      (m.group(1), want_offset, err))
    if os.path.exists(out):
        raise Failure("a failed conversion left %s behind" % out)


def layout(ctx):
    """basic's capture and its chunk offsets, as mkcapture reports them."""
    cap, out = ctx.capture("layout")
    chunks = [tuple(int(x) for x in line.split()[1:])
              for line in out.splitlines() if line.startswith("chunk ")]
    if len(chunks) < 3:
        raise Failure("layout: too few chunks: %r" % out)
    return cap, chunks


def truncated(ctx, cap, cut, name):
    with open(cap, "rb") as f:
        data = f.read()
    path = ctx.path("%s.cap" % name)
    with open(path, "wb") as f:
        f.write(data[:cut])
    return path


# ---- the cases -----------------------------------------------------------

def t_golden_basic(ctx):
    text = ctx.converted("basic")
    check_golden(ctx, "basic", text)


def t_golden_lost(ctx):
    check_golden(ctx, "lost", ctx.converted("lost"))


def t_no_unknown_fields(ctx):
    for scenario in ("basic", "lost"):
        check_no_unknown(ctx.converted(scenario))


def t_switch_chains(ctx):
    for scenario in ("basic", "lost"):
        check_chains(ctx.converted(scenario))


def t_threads_named(ctx):
    for scenario in ("basic", "lost"):
        check_names(ctx.converted(scenario))


def t_slices_nest(ctx):
    for scenario in ("basic", "lost"):
        check_nesting(ctx.converted(scenario))


def t_lost_in_stats(ctx):
    text = ctx.converted("lost")
    end = [s for p in packets(text) for s in fields(p, "ftrace_stats")
           if field(s, "phase") == "END_OF_TRACE"]
    if not end:
        raise Failure("no END_OF_TRACE ftrace_stats")
    overrun = {int(field(c, "cpu")): int(field(c, "overrun", 0))
               for c in fields(end[0], "cpu_stats")}
    if overrun.get(0) != 5:
        raise Failure("CPU 0 overrun %r, want the 5 lost" % overrun.get(0))
    bundles = [b for p in packets(text) for b in fields(p, "ftrace_events")]
    if not any(field(b, "lost_events") == "true" for b in bundles):
        raise Failure("no bundle has lost_events set")


def t_syscall_names(ctx):
    text = ctx.converted("basic")
    names = {field(field(p, "track_event"), "name") for p in packets(text)
             if field(p, "track_event") is not None}
    for want in ("read", "mmap", "exit_group"):
        if want not in names:
            raise Failure("no slice named %r" % want)


def t_ipc_flows(ctx):
    """The call's flow ends on the serve slice, whose flow ends on reply."""
    text = ctx.converted("basic")
    started, ended = {}, {}
    for p in packets(text):
        te = field(p, "track_event")
        if te is None:
            continue
        for f in fields(te, "flow_ids"):
            started[f] = field(te, "name")
        for f in fields(te, "terminating_flow_ids"):
            ended[f] = field(te, "name")
    hops = {(started[f], ended.get(f)) for f in started}
    for hop in (("ipc call ep7", "ipc serve ep7"),
                ("ipc serve ep7", "ipc reply ep7")):
        if hop not in hops:
            raise Failure("no flow %s -> %s (flows: %r)" % (hop + (hops,)))


def t_symbolize(ctx):
    """--kernel names an exception's rip from the ELF's symbols."""
    text = ctx.converted("basic")
    rip = [v for p in packets(text) for te in fields(p, "track_event")
           for a in fields(te, "debug_annotations")
           if field(a, "name") == "rip" for v in [field(a, "string_value")]
           if v.startswith("0xffffffff")]
    if not rip:
        raise Failure("no kernel rip in the basic trace")
    addr = int(rip[0], 16)
    src, elf = ctx.path("sym.S"), ctx.path("sym.elf")
    with open(src, "w") as f:
        f.write(".text\n.globl t2p_fault_here\n"
                ".type t2p_fault_here,@function\nt2p_fault_here:\n"
                ".skip 0x40\n.size t2p_fault_here, 0x40\n")
    p = run(["gcc", "-nostdlib", "-static", "-Wl,-e,t2p_fault_here",
             "-Wl,-Ttext=%#x" % (addr - 0x14), "-o", elf, src])
    if p.returncode:
        raise Failure("cannot link a test ELF: %s" % p.stderr.decode())
    text = ctx.converted("basic", "--kernel", elf)
    if '"t2p_fault_here+0x14"' not in text:
        raise Failure("rip not symbolized as t2p_fault_here+0x14")


def t_bad_magic(ctx):
    cap, out = ctx.capture("bad-magic")
    check_error(ctx, cap, int(out))


def t_bad_record_uncommitted(ctx):
    cap, out = ctx.capture("bad-record")
    check_error(ctx, cap, int(out))


def t_bad_record_seq(ctx):
    cap, out = ctx.capture("bad-seq")
    check_error(ctx, cap, int(out))


def t_bad_record_size(ctx):
    cap, out = ctx.capture("bad-size")
    check_error(ctx, cap, int(out))


def t_bad_chunk_magic(ctx):
    cap, out = ctx.capture("bad-chunk")
    check_error(ctx, cap, int(out))


def t_truncated(ctx):
    """Cut in the file header, a chunk header, a payload, before END."""
    cap, chunks = layout(ctx)
    size = os.path.getsize(cap)
    hdr_end = chunks[0][0]
    second, second_len = chunks[1]
    cases = [
        (hdr_end // 2, hdr_end // 2),               # file header: at the cut
        (second + 8, second),                       # chunk header: its start
        (second + 40 + second_len // 2,             # payload: payload start
         second + (chunks[2][0] - second - second_len)),
        (chunks[-1][0], chunks[-1][0]),              # END chunk missing
        (size - 1, chunks[-1][0]),                  # END chunk cut
        (0, 0),
    ]
    for i, (cut, want) in enumerate(cases):
        path = truncated(ctx, cap, cut, "cut%d" % i)
        try:
            check_error(ctx, path, want)
        except Failure as e:
            raise Failure("cut at %d: %s" % (cut, e))


def t_partial_bad_record(ctx):
    cap, out = ctx.capture("bad-record")
    p, pf = ctx.convert(cap, "--partial")
    err = p.stderr.decode()
    if p.returncode or "warning" not in err or \
            ("offset %d:" % int(out)) not in err:
        raise Failure("exit %d, stderr %r" % (p.returncode, err))
    check_no_unknown(ctx.decode(pf))


def t_partial_truncated(ctx):
    cap, chunks = layout(ctx)
    path = truncated(ctx, cap, chunks[2][0] + 50, "partial_cut")
    p, pf = ctx.convert(path, "--partial")
    if p.returncode or "warning" not in p.stderr.decode():
        raise Failure("exit %d, stderr %r" % (p.returncode, p.stderr))
    text = ctx.decode(pf)
    check_no_unknown(text)
    check_chains(text)


def t_dropped_pads(ctx):
    """A capture without PADs converts exactly like one with them."""
    with_pads = ctx.converted("pads")
    without = ctx.converted("nopads")
    if "capture gap" in without or with_pads != without:
        raise Failure("dropping PADs changed the output")
    check_chains(without)


def t_boot_order(ctx):
    check_boot_order(ctx.converted("basic"), catalog_ids(CATALOG))


def t_checker_cli(ctx):
    """pftrace_check.py, as `make trace` would run it, passes basic."""
    cap, _ = ctx.capture("basic")
    p, out = ctx.convert(cap)
    p = run([sys.executable, os.path.join(T2P_DIR, "pftrace_check.py"), out,
             "--stages", CATALOG, "--cpus", "2"])
    lines = p.stdout.decode().splitlines()
    if p.returncode or len(lines) != 6 or \
            not all(ln.startswith("PASS: ") for ln in lines):
        raise Failure("exit %d: %r %r" % (p.returncode, lines, p.stderr))


def t_write_error(ctx):
    """A full disk fails with exit 1 and never unlinks a device."""
    if not os.path.exists("/dev/full"):
        return
    cap, _ = ctx.capture("basic")
    p = run([ctx.bin, cap, "-o", "/dev/full", "--stages", CATALOG])
    if p.returncode != 1 or not os.path.exists("/dev/full"):
        raise Failure("exit %d, /dev/full exists: %s" %
                      (p.returncode, os.path.exists("/dev/full")))


def t_bad_catalog(ctx):
    """A malformed --stages catalog is an error naming its line."""
    bad = ctx.path("bad.catalog")
    with open(bad, "w") as f:
        f.write("# comment\n\nonly | two fields\n")
    cap, _ = ctx.capture("basic")
    p = run([ctx.bin, cap, "-o", cap + ".pftrace", "--stages", bad])
    err = p.stderr.decode()
    if p.returncode != 1 or "line 3" not in err:
        raise Failure("exit %d, stderr %r" % (p.returncode, err))


CASES = [
    ("golden_basic", t_golden_basic),
    ("golden_lost", t_golden_lost),
    ("no_unknown_fields", t_no_unknown_fields),
    ("switch_chains", t_switch_chains),
    ("threads_named", t_threads_named),
    ("slices_nest", t_slices_nest),
    ("lost_in_stats", t_lost_in_stats),
    ("syscall_names", t_syscall_names),
    ("ipc_flows", t_ipc_flows),
    ("symbolize", t_symbolize),
    ("bad_magic", t_bad_magic),
    ("bad_record_uncommitted", t_bad_record_uncommitted),
    ("bad_record_seq", t_bad_record_seq),
    ("bad_record_size", t_bad_record_size),
    ("bad_chunk_magic", t_bad_chunk_magic),
    ("truncated", t_truncated),
    ("partial_bad_record", t_partial_bad_record),
    ("partial_truncated", t_partial_truncated),
    ("dropped_pads", t_dropped_pads),
    ("boot_order", t_boot_order),
    ("checker_cli", t_checker_cli),
    ("bad_catalog", t_bad_catalog),
    ("write_error", t_write_error),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--mkcapture", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("only", nargs="*", help="run only these cases")
    args = ap.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="t2p-test-") as tmp:
        ctx = Ctx(args, tmp)
        for name, fn in CASES:
            if args.only and name not in args.only:
                continue
            try:
                fn(ctx)
                print("PASS: t2p.%s" % name, flush=True)
            except (Failure, subprocess.TimeoutExpired, OSError) as e:
                print("t2p.%s: %s" % (name, e), file=sys.stderr)
                print("FAIL: t2p.%s" % name, flush=True)
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
