"""Boot Loupe with tracing, capture its rings live, convert to Perfetto.

Shared by `make trace` (trace-run), the end-to-end and flood tests
(trace-test) and the tracing benchmarks (trace-bench). QEMU's guest RAM is
a shared file (loupe_qemu.memory_backend_args); tracecap maps it and
consumes the rings while the guest runs; trace2perfetto converts.
Every wait has a timeout; only the processes started here are ended.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "qemu"))
sys.path.insert(0, os.path.join(ROOT, "tools", "trace2perfetto"))
import loupe_qemu      # noqa: E402
import pftrace_check   # noqa: E402

CATALOG = os.path.join(ROOT, "boot-stages", "stages.catalog")
FLOOD_RE = re.compile(r"traceflood: step (\d+) cpu (\d+) rate (\w+) "
                      r"produced (\d+)(?: lost (\d+))?")
STAT_CPU_RE = re.compile(r"stat: cpu (\d+) written (\d+) lost (\d+) "
                         r"captured (\d+) gaps (\d+)")
STAT_MARK_RE = re.compile(r"stat: marker step (\d+) cpu (\d+) captured (\d+)")
STAT_TYPE_RE = re.compile(r"stat: type (\d+) captured (\d+)")
TRACE_IPC_REPLY_RECV = 26       # trace/record.h
TRACE_IPC_REPLY_WAKE_RECV = 27


class Paths:
    """Where a build keeps the kernel, the tools and a run's files."""

    def __init__(self, build, name="trace"):
        self.build = build
        self.image = os.path.join(build, "loupe.bin")
        self.elf = os.path.join(build, "kernel.elf")
        self.tracecap = os.path.join(build, "tools", "tracecap", "tracecap")
        self.t2p = os.path.join(build, "tools", "trace2perfetto",
                                "trace2perfetto")
        self.log = os.path.join(build, "%s-console.log" % name)
        self.capture = os.path.join(build, "%s.cap" % name)


def mem_file_path():
    """A fresh path for the guest-RAM file, in RAM (/dev/shm) if we can."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    return os.path.join(base, "loupe-trace-%d.ram" % os.getpid())


def _end(proc, sig=signal.SIGTERM, wait=5.0):
    """End @proc (which we started) by pid; kill it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, sig)
        proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


class Run:
    """What one traced boot produced."""

    def __init__(self):
        self.qemu_status = None
        self.timed_out = False
        self.tracecap_status = None
        self.tracecap_out = ""
        self.console = ""
        self.wall_s = 0.0


def boot_and_capture(paths, smp=4, accel="tcg", cmdline="", timeout=180.0,
                     icount=False, say=print, initrd="auto", extra=()):
    """Boot with @cmdline, capture live into paths.capture until QEMU ends.

    @initrd and @extra as for loupe_qemu.qemu_argv()."""
    run = Run()
    mem = mem_file_path()
    if os.path.exists(mem):
        os.unlink(mem)
    if "utests=" not in cmdline:
        # Trace boots test the trace: init's user-space self-tests only
        # lengthen them (and are covered by make boot-stages).
        cmdline = (cmdline + " utests=off").strip()
    argv = loupe_qemu.qemu_argv(paths.image, smp=smp, accel=accel,
                                cmdline=cmdline, serial="file:" + paths.log,
                                mem_path=mem, icount=icount, initrd=initrd,
                                extra=extra)
    say("trace: booting smp=%d cmdline=%r, console %s" %
        (smp, cmdline, paths.log))
    t0 = time.monotonic()
    qemu = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    cap = subprocess.Popen([paths.tracecap, "--kernel", paths.elf, "--mem",
                            mem, "-o", paths.capture, "--pid",
                            str(qemu.pid)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
    try:
        run.qemu_status = qemu.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        run.timed_out = True
        _end(qemu)
        run.qemu_status = qemu.returncode
    run.wall_s = time.monotonic() - t0
    if cap.poll() is None:
        os.kill(cap.pid, signal.SIGUSR1)    # the guest is gone: drain all
    try:
        out, _ = cap.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        _end(cap, signal.SIGKILL)
        out, _ = cap.communicate()
    run.tracecap_status = cap.returncode
    run.tracecap_out = out.decode(errors="replace")
    err = qemu.stderr.read().decode(errors="replace")
    qemu.stderr.close()
    if os.path.exists(mem):
        os.unlink(mem)
    try:
        with open(paths.log, errors="replace") as f:
            run.console = f.read()
    except OSError:
        run.console = ""
    if err.strip():
        say("trace: QEMU said: %s" % err.strip())
    return run


def convert(paths, out, say=print):
    """trace2perfetto the capture into @out; returns (status, its stderr)."""
    p = subprocess.run([paths.t2p, paths.capture, "-o", out, "--kernel",
                        paths.elf, "--stages", CATALOG],
                       capture_output=True, timeout=300)
    return p.returncode, (p.stdout + p.stderr).decode(errors="replace")


def pftrace_checks(pftrace, ncpus, user=False):
    """[(name, error or None)] from pftrace_check's checks on @pftrace."""
    try:
        text = pftrace_check.decode(pftrace)
    except (pftrace_check.Failure, OSError,
            subprocess.TimeoutExpired) as e:
        return [("decode", str(e))]
    ids = pftrace_check.catalog_ids(CATALOG)
    checks = [("no_unknown_fields", pftrace_check.check_no_unknown),
              ("switch_chains", pftrace_check.check_chains),
              ("threads_named", pftrace_check.check_names),
              ("slices_nest", pftrace_check.check_nesting),
              ("boot_order",
               lambda t: pftrace_check.check_boot_order(t, ids)),
              ("cpus", lambda t: pftrace_check.check_cpus(t, ncpus)),
              ("user_events", pftrace_check.check_user)]
    if user:
        checks.append(("ipc_flows", pftrace_check.check_ipc))
        checks.append(("stopped_state", pftrace_check.check_stopped))
    res = [("decode", None)]
    for name, fn in checks:
        try:
            fn(text)
            res.append((name, None))
        except pftrace_check.Failure as e:
            res.append((name, str(e)))
    return res


def _stat_text(paths):
    """What tracecap --stat prints for paths.capture."""
    p = subprocess.run([paths.tracecap, "--stat", paths.capture],
                       capture_output=True, timeout=120)
    return p.stdout.decode()


def capture_types(paths):
    """tracecap --stat: {record type: records captured, all CPUs}."""
    return {int(m.group(1)): int(m.group(2))
            for m in STAT_TYPE_RE.finditer(_stat_text(paths))}


def capture_stat(paths):
    """tracecap --stat: ({cpu: (written, lost, captured, gaps)},
    {(step, cpu): markers captured})."""
    text = _stat_text(paths)
    cpus = {int(m.group(1)): tuple(int(m.group(i)) for i in range(2, 6))
            for m in STAT_CPU_RE.finditer(text)}
    marks = {(int(m.group(1)), int(m.group(2))): int(m.group(3))
             for m in STAT_MARK_RE.finditer(text)}
    return cpus, marks


def flood_produced(console):
    """{(step, cpu): (rate or None, produced, lost or None)} from the log."""
    res = {}
    for m in FLOOD_RE.finditer(console):
        rate = None if m.group(3) == "max" else int(m.group(3))
        lost = int(m.group(5)) if m.group(5) is not None else None
        res[(int(m.group(1)), int(m.group(2)))] = (rate, int(m.group(4)),
                                                   lost)
    return res


def flood_steps(produced, marks):
    """Per paced step: (total rate/s, produced, captured) over all CPUs."""
    steps = {}
    for (step, cpu), (rate, prod, lost) in produced.items():
        if rate is None:
            continue
        tot = steps.setdefault(step, [0, 0, 0])
        tot[0] += rate
        tot[1] += prod
        tot[2] += marks.get((step, cpu), 0)
    return [tuple(steps[s]) for s in sorted(steps)]
