"""Boot Loupe in QEMU and check the boot-stage markers on its console.

The engine behind boot-stages/run (`make boot-stages`) and tools/qemu/bench.
Three parts: StageMatcher (pure: console lines in, stage events out),
Console (one QEMU process, its COM1 read line by line with deadlines, killed
by pid when done) and run_once() (one boot, judged). QEMU is started
directly, never through a shell, and dies with this process.
"""

import collections
import ctypes
import os
import select
import shlex
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools", "qemu"))
import loupe_qemu      # noqa: E402
import stage_catalog   # noqa: E402

STAGE_CMDLINE = "stages=exit panic=exit"
TAIL_LINES = 40
PANIC_WORD = "PANIC"
PANIC_DRAIN_S = 3.0     # keep reading this long after a panic: the report
EXIT_WAIT_S = 10.0      # after the last stage, for isa-debug-exit
EOF_WAIT_S = 5.0        # console closed: for QEMU's exit status

STAGE, FAIL, PANIC = "stage", "fail", "panic"
LINE, TIMEOUT, EOF = "line", "timeout", "eof"


class StageMatcher:
    """Match console lines against the expected stages, strictly in order.

    feed() returns (STAGE, stage) when the next expected marker arrives,
    (PANIC, reason) on a panic line, (FAIL, reason) on a catalog marker out
    of order, and None for console noise.
    """

    def __init__(self, stages, smp):
        self.smp = smp
        self.expect = stage_catalog.expected(stages, smp)
        self.next = 0
        self.by_marker = {st.marker: st for st in stages}
        self.pos = {st.id: i for i, st in enumerate(self.expect)}

    def done(self):
        return self.next == len(self.expect)

    def missing(self):
        """The stage waited for, or None once all are reached."""
        return None if self.done() else self.expect[self.next]

    def feed(self, line):
        text = line.rstrip("\r")
        if PANIC_WORD in text:
            return (PANIC, 'kernel panic: "%s"' % printable(text.strip()))
        st = self.by_marker.get(text)
        if st is None:
            return None
        if not self.done() and st is self.expect[self.next]:
            self.next += 1
            return (STAGE, st)
        return (FAIL, self._out_of_order(st))

    def _out_of_order(self, st):
        if st.id not in self.pos:
            return ("marker of %s (needs %d CPUs) seen with smp=%d" %
                    (st.id, st.min_cpus, self.smp))
        if self.pos[st.id] < self.next:
            return "marker of %s repeated" % st.id
        return "marker of later stage %s seen first" % st.id


def printable(text):
    """@text with control characters escaped, safe to print to a terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _die_with_parent():
    # In the child, before exec: if the runner dies, even by SIGKILL, the
    # kernel sends QEMU SIGKILL, so no QEMU is ever orphaned.
    PR_SET_PDEATHSIG = 1
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


class Console:
    """One QEMU process with COM1 on its stdout, read as whole lines.

    Lines are timestamped in ms since just before QEMU started. The raw
    console bytes go to @log_path. Use as a context manager: leaving it
    kills QEMU (by pid) if it is still running.
    """

    def __init__(self, argv, log_path, tail=TAIL_LINES):
        self.argv = argv
        self.log_path = log_path
        self.tail = collections.deque(maxlen=tail)
        self.stderr = b""
        self.status = None
        self._buf = b""
        self._pending = collections.deque()
        self._eof = False
        self._err_eof = False
        self.proc = None
        self.log = None

    def __enter__(self):
        os.makedirs(os.path.dirname(self.log_path) or ".", exist_ok=True)
        self.log = open(self.log_path, "wb")
        self.t0 = time.monotonic()
        try:
            self.proc = subprocess.Popen(self.argv,
                                         stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE,
                                         preexec_fn=_die_with_parent)
        except OSError:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            try:
                self.status = self.proc.wait(timeout=EOF_WAIT_S)
            except subprocess.TimeoutExpired:
                pass
            self.proc.stdout.close()
            self.proc.stderr.close()
        if self.log is not None:
            self.log.close()
            self.log = None

    def ms(self):
        return int((time.monotonic() - self.t0) * 1000)

    def _read(self, fd):
        try:
            return os.read(fd, 65536)
        except OSError:
            return b""

    def _take(self, data):
        self.log.write(data)
        self.log.flush()
        self._buf += data
        *lines, self._buf = self._buf.split(b"\n")
        now = self.ms()
        for raw in lines:
            self._push(now, raw)

    def _push(self, now, raw):
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        self._pending.append((now, text))

    def _pump(self, timeout):
        """Wait up to @timeout s for output; read whatever arrived."""
        out, err = self.proc.stdout.fileno(), self.proc.stderr.fileno()
        fds = [out] if self._err_eof else [out, err]
        ready, _, _ = select.select(fds, [], [], max(0.0, timeout))
        if err in ready:
            self._take_stderr()
        if out not in ready:
            return
        data = self._read(out)
        if data:
            self._take(data)
            return
        self._eof = True
        if self._buf:
            self._push(self.ms(), self._buf)
            self._buf = b""

    def _take_stderr(self):
        data = self._read(self.proc.stderr.fileno())
        self.stderr = (self.stderr + data)[-65536:]
        self._err_eof = not data

    def next_event(self, deadline):
        """(LINE, ms, text), (TIMEOUT,) at @deadline, or (EOF, status)."""
        while not self._pending:
            if self._eof:
                return (EOF, self._wait_exit())
            left = deadline - time.monotonic()
            if left <= 0:
                return (TIMEOUT,)
            self._pump(left)
        now, text = self._pending.popleft()
        # The tail ends at the line being judged, not at what was read ahead.
        self.tail.append(text)
        return (LINE, now, text)

    def _wait_exit(self):
        try:
            self.status = self.proc.wait(timeout=EOF_WAIT_S)
        except subprocess.TimeoutExpired:
            self.status = None
        self._drain_stderr()
        return self.status

    def partial(self):
        """Console text after the last newline (a line still being written)."""
        return self._buf.decode("utf-8", errors="replace")

    def _drain_stderr(self):
        # QEMU has exited; its stderr ends at once unless a child holds it.
        fd = self.proc.stderr.fileno()
        while not self._err_eof and select.select([fd], [], [], 0.5)[0]:
            self._take_stderr()


class Result:
    """The outcome of one boot; reason is None when it passed."""

    def __init__(self, n):
        self.n = n
        self.reached = []       # (stage, ms since QEMU start)
        self.reason = None
        self.failed_stage = None
        self.ms = None

    @property
    def passed(self):
        return self.reason is None

    def fail(self, stage, reason):
        self.failed_stage, self.reason = stage, reason

    def index(self):
        """1-based catalog position of the failure, among expected stages."""
        return min(len(self.reached) + 1, self.n)

    def last_line(self, smp, accel):
        if self.passed:
            return ("boot-stages: PASSED %d/%d stages in %d ms "
                    "(smp=%d, accel=%s)" % (self.n, self.n, self.ms, smp,
                                            accel))
        return ("boot-stages: FAILED at %d/%d %s: %s" %
                (self.index(), self.n, self.failed_stage.id, self.reason))


class Options:
    """What one boot needs; run_once() reads nothing else."""

    def __init__(self, image="build/loupe.bin", smp=4, accel="tcg",
                 timeout=120.0, stall=60.0, build="build", cmdline="",
                 extra=(), icount=False, log_path=None, qemu=None,
                 exit_wait=EXIT_WAIT_S):
        self.image, self.smp, self.accel = image, smp, accel
        self.timeout, self.stall = timeout, stall
        self.build, self.cmdline, self.extra = build, cmdline, list(extra)
        self.icount, self.qemu = icount, qemu
        self.exit_wait = exit_wait
        self.log_path = log_path or os.path.join(
            build, "boot-stages-smp%d.log" % smp)

    def argv(self):
        cmdline = " ".join(filter(None, [STAGE_CMDLINE, self.cmdline]))
        return loupe_qemu.qemu_argv(self.image, smp=self.smp,
                                    accel=self.accel, cmdline=cmdline,
                                    serial="stdio", extra=self.extra,
                                    icount=self.icount, qemu=self.qemu)


def _progress(res, st, ms):
    width = len(str(res.n))
    return "  [%*d/%d] %7d ms  %-18s %s" % (width, len(res.reached), res.n,
                                             ms, st.id, st.marker)


def _drain(con, seconds, on_line):
    """Read on for up to @seconds, until QEMU exits: the panic report."""
    deadline = time.monotonic() + seconds
    while True:
        ev = con.next_event(deadline)
        if ev[0] != LINE:
            return
        on_line(ev[1], ev[2])


def _await_stages(con, matcher, res, opt, say, on_line):
    """Read until every expected stage is reached or the boot fails."""
    start = time.monotonic()
    last = start
    while not matcher.done():
        total = start + opt.timeout
        deadline = min(total, last + opt.stall)
        ev = con.next_event(deadline)
        want = matcher.missing()
        if ev[0] == TIMEOUT:
            what = ("no new stage for %g s" % opt.stall if deadline < total
                    else "timeout after %g s" % opt.timeout)
            return res.fail(want, '%s waiting for "%s"' % (what, want.marker))
        if ev[0] == EOF:
            return res.fail(want, "%s before this stage" %
                            _exit_words(ev[1], con))
        on_line(ev[1], ev[2])
        verdict = matcher.feed(ev[2])
        if verdict is None:
            continue
        if verdict[0] != STAGE:
            if verdict[0] == PANIC:
                _drain(con, PANIC_DRAIN_S, on_line)
            return res.fail(want, verdict[1])
        res.reached.append((verdict[1], ev[1]))
        res.ms = ev[1]
        last = time.monotonic()
        say(_progress(res, verdict[1], ev[1]))


def _await_exit(con, matcher, res, opt, on_line):
    """After the last stage: QEMU must end through isa-debug-exit code 0."""
    last = res.reached[-1][0]
    deadline = time.monotonic() + opt.exit_wait
    while True:
        ev = con.next_event(deadline)
        if ev[0] == TIMEOUT:
            return res.fail(last, "after the last stage: QEMU did not exit "
                            "through isa-debug-exit within %g s" %
                            opt.exit_wait)
        if ev[0] == EOF:
            break
        on_line(ev[1], ev[2])
        verdict = matcher.feed(ev[2])
        if verdict is not None:
            if verdict[0] == PANIC:
                _drain(con, PANIC_DRAIN_S, on_line)
            return res.fail(last, "after the last stage: " + verdict[1])
    if ev[1] != loupe_qemu.EXIT_SUCCESS:
        res.fail(last, "after the last stage: " + _exit_words(ev[1], con))


def _exit_words(status, con):
    if status is None:
        words = "console closed but QEMU did not exit"
    elif status == loupe_qemu.EXIT_SUCCESS:
        words = "QEMU exited with status 1 (an error, or isa-debug-exit 0)"
    else:
        words = loupe_qemu.exit_meaning(status)
    err = con.stderr.decode("utf-8", "replace").strip().splitlines()
    return words + (": " + printable(err[-1].strip()) if err else "")


def _report_failure(con, res, say):
    say("boot-stages: last %d console lines (%s):" %
        (len(con.tail), con.log_path))
    for line in con.tail:
        say("  | " + printable(line))
    if con.partial():
        say("  | %s   <- no newline yet" % printable(con.partial()))
    err = con.stderr.decode("utf-8", "replace").strip()
    if err:
        say("boot-stages: QEMU stderr:")
        for line in err.splitlines()[-10:]:
            say("  ! " + printable(line))
    st = res.failed_stage
    if res.index() > len(res.reached):
        say('boot-stages: missing stage %s (%d/%d): "%s"' %
            (st.id, res.index(), res.n, st.marker))
    else:
        say("boot-stages: every stage was reached; the failure came after "
            "%s" % st.id)
    say("  meaning: " + st.meaning)
    say("  hint:    " + st.hint)


def run_once(stages, opt, say=print, on_line=None):
    """Boot once and judge the console against @stages. Returns a Result.

    @say prints the runner's own lines (progress, failure report); @on_line
    (ms, text) sees every console line (benchmarks collect from it).
    """
    matcher = StageMatcher(stages, opt.smp)
    res = Result(len(matcher.expect))
    on_line = on_line or (lambda ms, text: None)
    if not os.path.isfile(opt.image):
        res.fail(matcher.missing(), "no kernel image at %s (run `make`)" %
                 opt.image)
        return res
    try:
        with Console(opt.argv(), opt.log_path) as con:
            _await_stages(con, matcher, res, opt, say, on_line)
            if res.passed:
                _await_exit(con, matcher, res, opt, on_line)
            if not res.passed:
                _report_failure(con, res, say)
    except OSError as e:
        res.fail(matcher.missing() or stages[-1],
                 "cannot run QEMU: %s (install it: sh tools/deps.sh)" % e)
    return res


def parse_args(argv):
    import argparse
    ap = argparse.ArgumentParser(
        prog="boot-stages/run",
        description="Boot Loupe in QEMU and check every boot stage in "
        "catalog order (make boot-stages SMP=k ACCEL=tcg|kvm REPEAT=n).")
    ap.add_argument("--smp", type=int, default=4, help="guest CPUs (4)")
    ap.add_argument("--accel", default="tcg", choices=loupe_qemu.ACCELS)
    ap.add_argument("--repeat", type=int, default=1,
                    help="boot this many times, stop at the first failure")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds for a whole boot (120)")
    ap.add_argument("--stall", type=float, default=60.0,
                    help="seconds without a new stage (60)")
    ap.add_argument("--exit-wait", type=float, default=EXIT_WAIT_S,
                    help="seconds after the last stage for QEMU to exit "
                    "(%g)" % EXIT_WAIT_S)
    ap.add_argument("--image", default="build/loupe.bin")
    ap.add_argument("--build", default="build",
                    help="where the console log goes")
    ap.add_argument("--catalog", default=stage_catalog.CATALOG_PATH)
    ap.add_argument("--cmdline", default="",
                    help="more kernel options after '%s'" % STAGE_CMDLINE)
    ap.add_argument("--qemu", default=None,
                    help="QEMU binary (default $LOUPE_QEMU or PATH); tests "
                    "put a fake here")
    ap.add_argument("--qemu-arg", action="append", default=[],
                    metavar="ARG", help="one more QEMU argument")
    args = ap.parse_args(argv)
    if args.smp < 1 or args.repeat < 1:
        ap.error("--smp and --repeat must be at least 1")
    return args


def _on_signal(signum, frame):
    # SIGTERM (make killed, CI timeout): unwind so Console kills QEMU.
    raise SystemExit(128 + signum)


def main(argv):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    try:
        stages = stage_catalog.load(args.catalog)
    except (OSError, stage_catalog.CatalogError) as e:
        print("boot-stages: bad catalog: %s" % e)
        return 2
    opt = Options(image=args.image, smp=args.smp, accel=args.accel,
                  timeout=args.timeout, stall=args.stall, build=args.build,
                  cmdline=args.cmdline, extra=args.qemu_arg, qemu=args.qemu,
                  exit_wait=args.exit_wait)
    say = lambda text: print(text, flush=True)  # noqa: E731
    say("boot-stages: %s" % shlex.join(opt.argv()))
    for run in range(1, args.repeat + 1):
        if args.repeat > 1:
            say("boot-stages: run %d/%d" % (run, args.repeat))
        res = run_once(stages, opt, say=say)
        say(res.last_line(args.smp, args.accel))
        if not res.passed:
            return 1
    return 0
