#!/usr/bin/env python3
"""Check a Perfetto trace made by trace2perfetto, through protoc's decoding.

  pftrace_check.py TRACE.pftrace [--stages CATALOG] [--cpus N]

Decodes TRACE with `protoc --decode` against perfetto_subset.proto and
checks what a Loupe kernel timeline must satisfy: no field the schema does
not name, each CPU's sched_switch events chain, every switched task is
named, TrackEvent slices and IRQs nest, and (with --stages) the Boot track
shows stages in catalog order; with --cpus, every CPU has switches. Prints
"PASS: t2p.check.<name>" / "FAIL: t2p.check.<name>" per check and exits 1
on any failure. The end-to-end test (`make trace`) can run it as is; the
functions are shared with tests/run_tests.py.
"""

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = "perfetto_subset.proto"
TIMEOUT = 120

# protoc prints a field the schema does not name as its bare number.
UNKNOWN_RE = re.compile(r"^\s*\d+\s*(:|\{)")


class Failure(Exception):
    """A check failed; the message says which and why."""


def decode(pftrace):
    """The protoc text decoding of the trace file at @pftrace."""
    with open(pftrace, "rb") as f:
        data = f.read()
    p = subprocess.run(["protoc", "--decode=perfetto.protos.Trace", "-I",
                        HERE, PROTO], input=data, capture_output=True,
                       timeout=TIMEOUT)
    if p.returncode:
        raise Failure("protoc --decode failed: %s" % p.stderr.decode())
    return p.stdout.decode()


def parse_text(text):
    """protoc text format -> nested lists of (name, value-or-children)."""
    root = []
    stack = [root]
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line == "}":
            stack.pop()
        elif line.endswith("{"):
            node = []
            stack[-1].append((line[:-1].strip(), node))
            stack.append(node)
        else:
            name, _, value = line.partition(":")
            value = value.strip()
            if value.startswith('"'):
                value = value[1:-1]
            stack[-1].append((name.strip(), value))
    return root


def fields(node, name):
    return [v for k, v in node if k == name]


def field(node, name, default=None):
    vals = fields(node, name)
    return vals[0] if vals else default


def packets(text):
    return fields(parse_text(text), "packet")


def ftrace_events(text):
    """Yield (cpu, event) for every ftrace event."""
    for pkt in packets(text):
        for bundle in fields(pkt, "ftrace_events"):
            cpu = int(field(bundle, "cpu"))
            for ev in fields(bundle, "event"):
                yield cpu, ev


def check_no_unknown(text):
    for n, line in enumerate(text.splitlines(), 1):
        if UNKNOWN_RE.match(line):
            raise Failure("unknown field on decoded line %d: %r" %
                          (n, line.strip()))


def check_chains(text):
    """Each CPU's switches chain: prev_pid is the previous next_pid."""
    per_cpu = {}
    for cpu, ev in ftrace_events(text):
        sw = field(ev, "sched_switch")
        if sw is not None:
            per_cpu.setdefault(cpu, []).append(
                (int(field(ev, "timestamp")), int(field(sw, "prev_pid")),
                 int(field(sw, "next_pid"))))
    if not per_cpu:
        raise Failure("no sched_switch events")
    for cpu, sws in per_cpu.items():
        sws.sort(key=lambda s: s[0])
        for (t0, _, nxt), (t1, prev, _) in zip(sws, sws[1:]):
            if prev != nxt:
                raise Failure("CPU %d: switch at %d has prev_pid %d, the "
                              "one at %d switched to %d" %
                              (cpu, t1, prev, t0, nxt))


def check_names(text):
    """Every pid a switch names is a named thread in the process tree."""
    named = set()
    for pkt in packets(text):
        for tree in fields(pkt, "process_tree"):
            for th in fields(tree, "threads"):
                if field(th, "name"):
                    named.add(int(field(th, "tid")))
    for _, ev in ftrace_events(text):
        sw = field(ev, "sched_switch")
        for key in ("prev_pid", "next_pid") if sw is not None else ():
            pid = int(field(sw, key))
            if pid and pid not in named:
                raise Failure("pid %d is switched but never named" % pid)


def check_nesting(text):
    """TrackEvent slices nest per track; ftrace IRQs nest per CPU."""
    evs = []
    for i, pkt in enumerate(packets(text)):
        te = field(pkt, "track_event")
        if te is not None and field(te, "type") in ("TYPE_SLICE_BEGIN",
                                                     "TYPE_SLICE_END"):
            evs.append((int(field(pkt, "timestamp")), i,
                        field(te, "track_uuid"), field(te, "type")))
    depth = {}
    for ts, _, track, kind in sorted(evs):
        depth[track] = depth.get(track, 0) + (1 if kind.endswith("BEGIN")
                                              else -1)
        if depth[track] < 0:
            raise Failure("track %s: slice end at %d without a begin" %
                          (track, ts))
    irq = {}
    for cpu, ev in sorted(ftrace_events(text),
                          key=lambda e: int(field(e[1], "timestamp"))):
        if field(ev, "irq_handler_entry") is not None:
            irq.setdefault(cpu, []).append(
                field(field(ev, "irq_handler_entry"), "irq"))
        elif field(ev, "irq_handler_exit") is not None:
            want = field(field(ev, "irq_handler_exit"), "irq")
            if not irq.get(cpu) or irq[cpu].pop() != want:
                raise Failure("CPU %d: irq %s exits out of order" %
                              (cpu, want))


def check_user(text):
    """User space shows: system calls as slices with their names, page
    faults as instants (init's start-up makes both)."""
    names = set()
    for pkt in packets(text):
        te = field(pkt, "track_event")
        if te is not None and field(te, "name"):
            names.add(field(te, "name").strip('"'))
    for want in ("writev", "wait4", "page fault"):
        if want not in names:
            raise Failure("no %r event in the trace (have %d names: %s)" %
                          (want, len(names), ", ".join(sorted(names)[:20])))


def check_stopped(text):
    """A process stopped by a job-control signal is switched out as
    stopped (prev_state T, 4 in Linux 4.4's layout), not as sleeping."""
    for _, ev in ftrace_events(text):
        sw = field(ev, "sched_switch")
        if sw is not None and int(field(sw, "prev_state", 0)) == 4:
            return
    raise Failure("no sched_switch with prev_state T (stopped)")


def check_ipc(text):
    """IPC shows as slices, a call and its serving joined by a flow: the
    caller's slice starts a flow that the server's slice ends."""
    starts, ends, names = set(), set(), set()
    for pkt in packets(text):
        te = field(pkt, "track_event")
        if te is None:
            continue
        name = (field(te, "name") or "").strip('"')
        names.add(name.split(" ep")[0])
        if name.startswith("ipc call"):
            starts.update(fields(te, "flow_ids"))
        elif name.startswith("ipc serve"):
            ends.update(fields(te, "terminating_flow_ids") +
                        fields(te, "flow_ids"))
    for want in ("ipc call", "ipc serve", "execve"):
        if want not in names:
            raise Failure("no %r event in the trace" % want)
    if not starts & ends:
        raise Failure("no IPC call's flow reaches a server (%d calls with "
                      "flows, %d serve slices with flows)" %
                      (len(starts), len(ends)))


def catalog_ids(path):
    """Stage ids in catalog order (boot-stages/stages.catalog format)."""
    ids = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                ids.append(line.split("|")[0].strip())
    return ids


def check_boot_order(text, stage_ids):
    """Boot slices exist and begin in catalog order."""
    boot = [field(field(p, "track_descriptor"), "uuid")
            for p in packets(text)
            if field(p, "track_descriptor") is not None and
            field(field(p, "track_descriptor"), "name") == "Boot"]
    if not boot:
        raise Failure("no Boot track")
    seen = []
    for p in packets(text):
        te = field(p, "track_event")
        if te is not None and field(te, "track_uuid") == boot[0] and \
                field(te, "type") == "TYPE_SLICE_BEGIN":
            seen.append((int(field(p, "timestamp")), field(te, "name")))
    names = [n for _, n in sorted(seen, key=lambda s: s[0])]
    order = [stage_ids.index(n) for n in names if n in stage_ids]
    if not names:
        raise Failure("the Boot track has no stages")
    if order != sorted(order):
        raise Failure("boot stages out of catalog order: %s" % names)


def check_cpus(text, ncpus):
    """Every CPU below @ncpus has a sched_switch."""
    have = {cpu for cpu, ev in ftrace_events(text)
            if field(ev, "sched_switch") is not None}
    missing = sorted(set(range(ncpus)) - have)
    if missing:
        raise Failure("no sched_switch on CPUs %s" % missing)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trace")
    ap.add_argument("--stages", help="check Boot stage order against it")
    ap.add_argument("--cpus", type=int, help="expect switches on N CPUs")
    args = ap.parse_args()
    try:
        text = decode(args.trace)
    except (Failure, OSError, subprocess.TimeoutExpired) as e:
        print("t2p.check.decode: %s" % e, file=sys.stderr)
        print("FAIL: t2p.check.decode")
        return 1
    checks = [("no_unknown_fields", lambda: check_no_unknown(text)),
              ("switch_chains", lambda: check_chains(text)),
              ("threads_named", lambda: check_names(text)),
              ("slices_nest", lambda: check_nesting(text))]
    if args.stages:
        ids = catalog_ids(args.stages)
        checks.append(("boot_order", lambda: check_boot_order(text, ids)))
    if args.cpus:
        checks.append(("cpus", lambda: check_cpus(text, args.cpus)))
    failed = 0
    for name, fn in checks:
        try:
            fn()
            print("PASS: t2p.check.%s" % name)
        except Failure as e:
            print("t2p.check.%s: %s" % (name, e), file=sys.stderr)
            print("FAIL: t2p.check.%s" % name)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
