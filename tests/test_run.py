#!/usr/bin/env python3
"""Host tests for tests/run, the `make test` suite runner.

Parses suite text, checks the counting rules, and runs small throw-away
suites end to end (final line, exit status, timeouts, leftover processes).
Each test prints "PASS: suite_runner.<name>" or "FAIL: ..." for tests/run.
"""

import importlib.machinery
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

sys.dont_write_bytecode = True   # keep the tree free of __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "run")
TMP = tempfile.mkdtemp(prefix="loupe-suite-test-")
TESTS = []


def load_run():
    loader = importlib.machinery.SourceFileLoader("tests_run", RUN)
    spec = importlib.util.spec_from_loader("tests_run", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


R = load_run()


def test(fn):
    TESTS.append(fn)
    return fn


def suite(text, *args):
    """Run tests/run on suite @text; (status, output lines)."""
    path = os.path.join(TMP, "suite")
    with open(path, "w") as f:
        f.write(text)
    p = subprocess.run([sys.executable, RUN, path] + list(args),
                       capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL, cwd=TMP)
    return p.returncode, p.stdout.splitlines()


@test
def parse_steps():
    steps = R.parse_suite("# c\n\na: echo x\nb [7s]: make -s check\n"
                          "host: @host-tests\n", ["build/t1", "t2"], 300)
    assert steps == [("a", "echo x", 300), ("b", "make -s check", 7.0),
                     ("host:build/t1", "build/t1", 300),
                     ("host:t2", "./t2", 300)], steps


@test
def parse_errors():
    for text, words in (("no colon here\n", "line 1"),
                        ("a: x\na: y\n", "duplicate step names: a"),
                        ("a [x]: y\n", "line 1")):
        try:
            R.parse_suite(text, [])
        except R.SuiteError as e:
            assert words in str(e), (text, str(e))
            continue
        raise AssertionError("accepted %r" % text)


@test
def tally_rules():
    t = R.Tally()
    t.add_step("quiet-ok", [], [], 0, False)
    t.add_step("units", ["a", "b"], ["c"], 1, False)
    t.add_step("crash", ["a"], [], 139, False)
    t.add_step("hang", [], [], -15, True)
    t.add_step("lying", [], ["d"], 0, False)
    assert t.passed == 1 + 2 + 1, t.passed
    assert t.failed == ["c", "crash (exit status 139)", "hang (timed out)",
                        "d"], t.failed
    assert t.summary() == "4 passed, 4 failed"


@test
def run_all_green():
    rc, lines = suite("one: echo hi\n"
                      "two: printf 'PASS: x.a\\nPASS: x.b\\n'\n")
    assert rc == 0 and lines[-1] == "3 passed, 0 failed", lines


@test
def run_counts_failures_and_ends_with_summary():
    rc, lines = suite("ok: true\n"
                      "units: printf 'PASS: x.a\\nFAIL: x.b\\n'; exit 1\n"
                      "crash: echo boom >&2; exit 2\n"
                      "host: @host-tests\n", "--host-tests", "/bin/false")
    assert rc == 1
    assert lines[-1] == "2 passed, 3 failed", lines[-6:]
    assert "boom" in lines                      # stderr is streamed too
    assert "failed: crash (exit status 2)" in lines
    assert "failed: host:/bin/false (exit status 1)" in lines
    assert not [ln for ln in lines if re.match(r"\d+ passed", ln)][:-1]


@test
def run_timeout_kills_step():
    marker = os.path.join(TMP, "late")
    t0 = time.monotonic()
    rc, lines = suite("slow [1s]: sleep 20; touch %s\nafter: true\n" %
                      marker)
    assert time.monotonic() - t0 < 15
    assert rc == 1 and lines[-1] == "1 passed, 1 failed", lines
    assert "failed: slow (timed out)" in lines
    time.sleep(0.2)
    assert not os.path.exists(marker)


@test
def run_ends_leftover_processes():
    pidfile = os.path.join(TMP, "bg.pid")
    rc, lines = suite("bg: (sleep 60 & echo $! > %s); echo started\n" %
                      pidfile)
    assert rc == 0 and lines[-1] == "1 passed, 0 failed", lines
    with open(pidfile) as f:
        pid = int(f.read())
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        with open("/proc/%d/stat" % pid) as f:
            if f.read().split(") ")[1][0] == "Z":
                return
        time.sleep(0.1)
    raise AssertionError("background process %d survived its step" % pid)


@test
def run_strips_jobserver():
    old = os.environ.get("MAKEFLAGS")
    os.environ["MAKEFLAGS"] = "s -j2 --jobserver-auth=3,4 -- V=1"
    try:
        assert R.step_env()["MAKEFLAGS"] == "s -- V=1"
    finally:
        if old is None:
            del os.environ["MAKEFLAGS"]
        else:
            os.environ["MAKEFLAGS"] = old


@test
def run_bad_suite_file():
    rc, lines = suite("what is this\n")
    assert rc == 1 and lines[-1] == "0 passed, 1 failed", lines


@test
def real_suite_parses():
    with open(os.path.join(HERE, "suite")) as f:
        steps = R.parse_suite(f.read(), ["build/x"])
    names = [s[0] for s in steps]
    for want in ("host:build/x", "check", "boot-stages-smp1",
                 "boot-stages-smp4"):
        assert want in names, names


def main():
    failed = 0
    try:
        for fn in TESTS:
            try:
                fn()
                print("PASS: suite_runner.%s" % fn.__name__, flush=True)
            except Exception:
                traceback.print_exc(file=sys.stdout)
                print("FAIL: suite_runner.%s" % fn.__name__, flush=True)
                failed += 1
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
