#!/usr/bin/env python3
"""End-to-end tests of the in-kernel GDB stub with the real gdb and lldb
binaries, under TCG with -smp 4 (the `gdb` step of `make test`).

Two boots. The first (gdbtest=1: see gdbstub/gdbtest.c for the target
threads) runs the debugger tests in order, ending with the fuzzer, LLDB and
a panic; the second group drives tools/gdb_session itself (parallel
sessions, run, attach/detach to a `make run`-style QEMU, gdb=wait, a
fault). Each test prints PASS: gdb.<name> or FAIL: gdb.<name>.
"""

import os
import random
import re
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tools", "gdb_session"))
sys.path.insert(0, HERE)
import session as S  # noqa: E402
import rawrsp  # noqa: E402

BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
ELF = os.path.join(BUILD, "kernel.elf")
IMAGE = os.path.join(BUILD, "loupe.bin")
TOOL = os.path.join(TOP, "tools", "gdb_session", "gdb_session")
THREADS_UP = "gdbtest: test threads started"
VERBOSE = os.environ.get("GDB_TEST_VERBOSE")
failures = 0


class Fail(Exception):
    pass


def check(cond, why):
    if not cond:
        raise Fail(why)


def report(name, fn, *args):
    global failures
    only = os.environ.get("GDB_TESTS")
    if only and name not in only.split(","):
        return
    t0 = time.monotonic()
    try:
        fn(*args)
        print("PASS: gdb.%s (%.1f s)" % (name, time.monotonic() - t0))
    except Exception as e:  # noqa: BLE001 - any error fails this test only
        failures += 1
        print("FAIL: gdb.%s: %s: %s" % (name, type(e).__name__, e))
    sys.stdout.flush()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def symbol(name):
    out = subprocess.run(["nm", ELF], capture_output=True, text=True).stdout
    m = re.search(r"^([0-9a-f]+) \w %s$" % re.escape(name), out, re.M)
    check(m, "no symbol %s in %s" % (name, ELF))
    return int(m.group(1), 16)


class Ctx:
    """One boot with a GDB attached over TCP (LLDB needs TCP)."""

    def __init__(self, sdir):
        os.makedirs(sdir, exist_ok=True)
        self.sdir = sdir
        self.port = free_port()
        self.addr = "127.0.0.1:%d" % self.port
        self.target = S.Target(IMAGE, sdir, smp=4, cmdline="gdbtest=1",
                               com2="tcp:%s,server=on,wait=off,nodelay=on" % self.addr)
        self.target.wait_console(THREADS_UP, 60, "the gdbtest threads")
        self.dbg = None

    def attach(self):
        self.dbg = S.Debugger(ELF, os.path.join(self.sdir, "gdb-mi-%d.log" %
                                                 time.monotonic_ns()))
        self.dbg.connect(self.addr)

    def detach(self):
        r = self.dbg.run("detach")
        self.dbg.close()
        self.dbg = None
        check(r["ok"], "detach failed: %s" % r["error"])

    def run(self, cmd, timeout=30, ok=True):
        r = self.dbg.run(cmd, timeout)
        if VERBOSE:
            print("(gdb) %s\n%s" % (cmd, r["output"]))
        if ok:
            check(r["ok"], "%r failed: %s" % (cmd, r["error"]))
        return r

    def threads(self):
        """{name: gdb thread number} from `info threads`."""
        out = self.run("info threads")["output"]
        return {m.group(2): int(m.group(1)) for m in re.finditer(
            r'^\*?\s+(\d+)\s+Thread \S+ "([^"]+)"', out, re.M)}

    def close(self):
        if self.dbg:
            self.dbg.close()
        self.target.stop()


# ---- group 1: the debugger ------------------------------------------------

def t_connect_regs(c):
    c.attach()
    out = c.run("info registers rip rsp eflags cs cr0 cr3 efer")["output"]
    check(re.search(r"rip\s+0xffffffff8", out), "rip not in kernel text")
    cr0 = int(re.search(r"cr0\s+(0x[0-9a-f]+)", out).group(1), 16)
    check(cr0 & 0x80000001 == 0x80000001, "cr0 %#x lacks PE|PG" % cr0)
    check("efer" in out, "no efer")


def t_mem_pattern(c):
    addr = symbol("gdbtest_buf")
    data = bytes(random.Random(7).randrange(256) for _ in range(4096))
    c.run("-data-write-memory-bytes %#x %s" % (addr, data.hex()))
    r = c.run("-data-read-memory-bytes %#x 4096" % addr)
    got = "".join(m["contents"] for m in r["records"][-1]["results"]["memory"])
    check(bytes.fromhex(got) == data, "4 KiB pattern read back differs")
    out = c.run("x/2xg %#x" % addr)["output"]
    check("0x%016x" % int.from_bytes(data[:8], "little") in out,
          "x/xg disagrees with the pattern: %s" % out)


def vma_elf():
    """kernel.elf with each section's LMA set to its VMA: compare-sections
    reads at the LMA, and the kernel runs (and is mapped) at the VMA."""
    out = os.path.join(BUILD, "gdbtest", "kernel-vma.elf")
    hdr = subprocess.run(["objdump", "-h", ELF], capture_output=True,
                         text=True).stdout
    m = re.search(r"\.text\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)", hdr)
    delta = (int(m.group(1), 16) - int(m.group(2), 16)) & (2**64 - 1)
    subprocess.run(["objcopy", "--change-section-lma", "*+%#x" % delta, ELF,
                    out], check=True, capture_output=True)
    return out


def compare_sections(c):
    c.run("file " + vma_elf())
    try:
        return c.run("compare-sections -r", 60)["output"]
    finally:
        c.run("file " + ELF)


def t_compare_sections(c):
    out = compare_sections(c)
    check("matched" in out and "MIS-MATCHED" not in out, out[-400:])


def t_info_threads(c):
    names = c.threads()
    want = ["idle/0", "idle/1", "idle/2", "idle/3", "reaper", "gdbt-busy",
            "gdbt-sleep", "gdbt-cli"]
    check(all(n in names for n in want), "missing in info threads: %s"
          % sorted(set(want) - set(names)))
    tasks = c.run("loupe-tasks")["output"]
    kernel = set(re.findall(r"^0x[0-9a-f]+\s+\d+\s+(\S+)", tasks, re.M))
    check(kernel == set(names), "info threads %s != kernel list %s" %
          (sorted(names), sorted(kernel)))


def t_monitor(c):
    out = c.run("monitor tasks")["output"]
    check("gdbt-busy" in out and "sleeping" in out, out)
    out = c.run("monitor cpus")["output"]
    check(len(re.findall(r"^\d+\s+\d+\s+(master|parked)", out, re.M)) == 4,
          "not 4 stopped CPUs: %s" % out)
    out = c.run("monitor stages")["output"]
    check(re.search(r"gdb\.ready\s+passed", out), "gdb.ready not passed")
    check("boot: kernel self-tests done" in c.run("monitor dmesg")["output"],
          "dmesg tail lacks boot.done")
    check("not available" in c.run("monitor trace")["output"], "trace")
    out = c.run("monitor frobnicate")["output"]
    check("unknown command" in out, "unknown command: %r" % out)
    check("help" in c.run("monitor help")["output"], "session broken")
    check("of" in c.run("loupe-stages")["output"], "loupe-stages")
    check("boot: kernel" in c.run("loupe-dmesg 4096")["output"],
          "loupe-dmesg")


def t_sleeping_bt(c):
    n = c.threads()["gdbt-sleep"]
    c.run("thread %d" % n)
    bt = c.run("bt")["output"]
    check("gdbtest_nap" in bt and "sched_sleep_ticks" in bt, bt)
    regs = c.run("info registers rax rbx rip")["output"]
    check(re.search(r"rax\s+<unavailable>", regs), "rax invented: " + regs)
    check(re.search(r"rbx\s+0x", regs), "rbx missing: " + regs)


def stop_of(r):
    check(r["stopped"], "no stop: %s" % r["output"])
    return r["stopped"]


def t_break_bt(c):
    c.run("break gdbtest_tick")
    st = stop_of(c.run("continue"))
    check(st.get("reason") == "breakpoint-hit", "reason %s" % st)
    bt = c.run("bt")["output"]
    check(re.search(r"#0 .*gdbtest_tick", bt) and "gdbtest_busy" in bt, bt)
    c.run("delete")


def t_hbreak(c):
    c.run("hbreak gdbtest_loop")
    st = stop_of(c.run("continue"))
    check(st.get("frame", {}).get("func") == "gdbtest_loop", str(st))
    c.run("delete")
    st = stop_of(c.run("continue", ok=False) if False else c.run("stepi"))
    check(st.get("frame", {}).get("func") == "gdbtest_loop", "after hbreak")


def t_watch_other_cpu(c):
    c.run("thread %d" % c.threads()["idle/0"])
    c.run("watch gdbtest_counter")
    st = stop_of(c.run("continue"))
    check(st.get("reason") == "watchpoint-trigger", "reason: %s" % st)
    check(st.get("core") == "1", "core %s, not CPU 1" % st.get("core"))
    cur = c.run("info threads")["output"]
    check(re.search(r'^\*\s+\d+\s+Thread \S+ "gdbt-busy"', cur, re.M),
          "current thread is not gdbt-busy: " + cur)
    c.run("delete")


def t_stepi_1000(c):
    c.run("break gdbtest_loop")
    stop_of(c.run("continue"))
    c.run("delete")
    c.run("set $stepcheck_count = 1000")
    out = c.run("source %s" % os.path.join(HERE, "gdb_stepcheck.py"),
                240)["output"]
    check("STEPCHECK OK 1000" in out, out[-300:])


def t_ctrl_c_cli(c):
    for attempt in range(5):
        c.dbg.run("continue", wait=False)
        rec = c.dbg.run("interrupt", 20)
        st = stop_of(rec)
        check(st.get("signal-name") == "SIGINT", "not SIGINT: %s" % st)
        c.run("thread %d" % c.threads()["gdbt-cli"])
        bt = c.run("bt")["output"]
        if "gdbtest_cli_spin" in bt:
            flags = c.run("info registers eflags")["output"]
            check("IF" not in flags, "gdbt-cli had interrupts on: " + flags)
            return
    raise Fail("gdbt-cli never caught in its interrupts-off spin: " + bt)


def t_detach_reattach(c):
    c.run("break gdbtest_tick")
    c.run("hbreak gdbtest_loop")
    c.run("watch gdbtest_counter")
    c.run("set breakpoint always-inserted on")
    c.detach()
    c.attach()
    out = compare_sections(c)
    check("MIS-MATCHED" not in out, "text still patched after detach")
    dr7 = c.run("info registers dr7")["output"]
    m = re.search(r"dr7\s+(0x[0-9a-f]+)", dr7)
    check(m and int(m.group(1), 16) & 0xff == 0, "breakpoints left in DR7: "
          + dr7)
    c.dbg.run("continue", wait=False)
    time.sleep(0.3)  # let it run: a stale breakpoint would stop it here
    st = stop_of(c.dbg.run("interrupt", 20))
    check(st.get("signal-name") == "SIGINT", "stopped by %s" % st)
    c.detach()


def read_counter(conn):
    addr = symbol("gdbtest_counter")
    return int.from_bytes(bytes.fromhex(conn.cmd(b"m%x,8" % addr)
                                        .decode()), "little")


def fuzz_packets(n, rng):
    """@n packets that must never execute: bad checksums, truncations,
    oversize, bad escapes, noise (no '$' or '#' in the noise)."""
    cmds = [b"m", b"M", b"X", b"g", b"G", b"p", b"P", b"Z0,", b"z1,", b"c",
            b"s", b"vCont;", b"qRcmd,", b"qXfer:threads:read::", b"H", b"T",
            b"D", b"k", b"qSupported:", b"?", b""]
    noise = bytes(b for b in range(256) if b not in b"$#")
    for i in range(n):
        body = rng.choice(cmds) + bytes(rng.choice(b"0123456789abcdef,:;}*")
                                        for _ in range(rng.randrange(40)))
        kind = i % 6
        if kind == 0:
            yield b"$" + body + b"#%02x" % ((rawrsp.checksum(body) + 1) & 0xff)
        elif kind == 1:
            yield b"$" + body
        elif kind == 2:
            yield bytes(rng.choice(noise) for _ in range(rng.randrange(1, 30)))
        elif kind == 3:
            yield b"$" + body + b"}#" + b"%02x" % rng.randrange(256) + b"-+"
        elif kind == 4:
            yield b"$" + body + b"#" + bytes(rng.choice(b"zZ-g") for _ in "xx")
        elif i % 1000 == 5:
            big = b"m" * (0x4000 + rng.randrange(1, 2000))
            yield b"$" + big + b"#%02x" % ((rawrsp.checksum(big) + 1) & 0xff)
        else:
            yield b"$" + body[:rng.randrange(1 + len(body))] + b"\x03"


def t_fuzz(c):
    conn = rawrsp.Conn(("127.0.0.1", c.port))
    stop = threading.Event()
    got = [0]

    def drain():
        conn.s.settimeout(0.2)
        while not stop.is_set():
            try:
                got[0] += len(conn.s.recv(65536))
            except socket.timeout:
                pass
            except OSError:
                return

    rd = threading.Thread(target=drain, daemon=True)
    rd.start()
    rng = random.Random(1234)
    count = 0
    batch = b""
    for p in fuzz_packets(10000, rng):
        batch += p
        count += 1
        if len(batch) > 4096:
            conn.send(batch)
            batch = b""
    conn.send(batch + b"$")     # a cut-off packet, then a real one
    sent = time.monotonic()
    stop.set()
    rd.join()
    conn.drain()
    check(count >= 10000, "only %d packets" % count)
    # Still answering: a clean request after all that (the stub may still
    # be working through the flood: its UART takes ~14 bytes at a time).
    conn.send(b"+")
    reply = conn.cmd(b"?", 120)
    print("  fuzz: answered %.1f s after the last byte" %
          (time.monotonic() - sent))
    check(reply.startswith(b"T") or reply.startswith(b"S"), "? -> %r" % reply)
    before = read_counter(conn)
    check(conn.cmd(b"D") == b"OK", "detach refused")
    conn.close()
    # And the kernel still runs: gdbt-busy keeps counting.
    time.sleep(0.2)
    conn = rawrsp.Conn(("127.0.0.1", c.port))
    reply = conn.cmd(b"?", 20)     # its '$' breaks in; '?' asks why
    check(reply.startswith(b"T"), "no stop reply: %r" % reply)
    after = read_counter(conn)
    conn.cmd(b"D")
    conn.close()
    check(after > before, "kernel stopped running (%d -> %d)" % (before, after))
    print("  fuzz: %d malformed packets sent to a running kernel" % count)


def t_lldb(c):
    addr = symbol("gdbtest_buf")
    r = subprocess.run(
        ["lldb", "-b", "-o", "gdb-remote %s" % c.addr,
         "-o", "register read rip rsp",
         "-o", "memory read --format x --size 1 --count 16 %#x" % addr,
         "-o", "breakpoint set --name gdbtest_tick", "-o", "continue",
         "-o", "breakpoint delete --force", "-o", "process detach", ELF],
        capture_output=True, text=True, timeout=120, cwd=TOP)
    out = r.stdout
    if VERBOSE:
        print(out)
    check(re.search(r"rip = 0xffffffff8", out), "no rip: " + out[-800:])
    check(re.search(r"%#x: (0x[0-9a-f]{2}\s+){8}" % addr, out),
          "no memory: " + out[-800:])
    check("stop reason = breakpoint 1" in out, "no breakpoint stop")
    check("gdbtest_tick" in out and "detached" in out, "no detach")


def t_panic(c):
    c.attach()
    c.run("set var gdbtest_action = 1")
    r = c.run("continue")
    st = stop_of(r)
    check(st.get("signal-name") == "SIGABRT", "not SIGABRT: %s" % st)
    check("PANIC: gdbtest: panic requested" in r["output"],
          "panic text not sent to GDB: %r" % r["output"][-300:])
    bt = c.run("bt")["output"]
    check("panic" in bt and "gdbtest_busy" in bt, bt)


def group_debugger():
    c = Ctx(os.path.join(BUILD, "gdbtest", "debugger"))
    try:
        for name, fn in [("connect_regs", t_connect_regs),
                         ("mem_pattern_4k", t_mem_pattern),
                         ("compare_sections", t_compare_sections),
                         ("info_threads", t_info_threads),
                         ("monitor", t_monitor),
                         ("sleeping_task_bt", t_sleeping_bt),
                         ("break_bt", t_break_bt), ("hbreak", t_hbreak),
                         ("watch_other_cpu", t_watch_other_cpu),
                         ("stepi_1000", t_stepi_1000),
                         ("ctrl_c_irqs_off", t_ctrl_c_cli),
                         ("detach_reattach", t_detach_reattach),
                         ("fuzz_10000", t_fuzz), ("lldb", t_lldb),
                         ("panic", t_panic)]:
            report(name, fn, c)
    finally:
        c.close()


# ---- group 2: tools/gdb_session ------------------------------------------

def tool(*args, timeout=120):
    r = subprocess.run([sys.executable, TOOL, "--build", BUILD] + list(args),
                       capture_output=True, text=True, timeout=timeout)
    if VERBOSE:
        print("$ gdb_session %s\n%s%s" % (" ".join(args), r.stdout, r.stderr))
    return r


def t_sessions():
    pids = []
    try:
        t_sessions_in(pids)
    finally:
        for name in ("ta", "tb"):   # a failed check leaves none running
            tool("stop", "--name", name)
    check(not any(S.pid_alive(p) for p in pids), "processes left: %s" %
          [p for p in pids if S.pid_alive(p)])


def t_sessions_in(pids):
    for name in ("ta", "tb"):
        r = tool("start", "--name", name, "--smp", "2")
        check(r.returncode == 0, "start %s: %s" % (name, r.stderr))
        pids += [int(p) for p in re.findall(r"pid (\d+)", r.stdout)]
    for name in ("ta", "tb"):
        r = tool("cmd", "--name", name, "--json", "info threads")
        check(r.returncode == 0 and '"ok": true' in r.stdout, r.stderr)
        check("idle/1" in r.stdout, "no threads in %s" % name)
        r = tool("status", "--name", name)
        check("target stopped" in r.stdout, r.stdout)
    r = tool("cmd", "--name", "ta", "loupe-tasks")
    check("reaper" in r.stdout, r.stdout + r.stderr)
    for name in ("ta", "tb"):
        check(tool("stop", "--name", name).returncode == 0, "stop")
    check(len(pids) == 4, "pids %s" % pids)


def t_run_oneshot():
    r = tool("run", "--name", "tr", "--cmdline", "gdbtest=1", "--break",
             "gdbtest_tick", "--cmd", "bt", "--cmd", "monitor cpus")
    check(r.returncode == 0, r.stdout[-500:] + r.stderr[-500:])
    check("gdbtest_busy" in r.stdout and "master" in r.stdout, r.stdout)


def t_attach_detach():
    sdir = os.path.join(BUILD, "gdbtest", "attach")
    os.makedirs(sdir, exist_ok=True)
    log = open(os.path.join(sdir, "make-run.log"), "w")
    # What `make run` does, with the terminal replaced by a pipe.
    p = subprocess.Popen([sys.executable, os.path.join(TOP, "tools", "qemu",
                                                       "loupe-qemu"),
                          "--image", IMAGE, "--build", sdir, "--smp", "4",
                          "--cmdline", "gdbtest=1"],
                         stdin=subprocess.PIPE, stdout=log, stderr=log,
                         start_new_session=True)
    try:
        S.wait_for_file_text(log.name, THREADS_UP, 60, p, "make run")
        t0 = time.monotonic()
        r = tool("attach", "--name", "tatt", "--build", sdir, "--elf", ELF)
        check(r.returncode == 0, r.stderr)
        print("  attach to prompt: %.2f s" % (time.monotonic() - t0))
        r = tool("cmd", "--name", "tatt", "--build", sdir, "monitor tasks")
        check("gdbt-busy" in r.stdout, r.stdout + r.stderr)
        r = tool("detach", "--name", "tatt", "--build", sdir)
        check(r.returncode == 0 and "keeps running" in r.stdout, r.stderr)
        check(p.poll() is None, "QEMU ended on detach")
        r = tool("attach", "--name", "tatt", "--build", sdir, "--elf", ELF)
        check(r.returncode == 0, "re-attach: " + r.stderr)
        check(tool("detach", "--name", "tatt", "--build",
                   sdir).returncode == 0, "second detach")
    finally:
        S.end_pid(p.pid)
        p.wait(10)
        log.close()


def t_gdb_wait():
    sdir = os.path.join(BUILD, "gdbtest", "wait")
    os.makedirs(sdir, exist_ok=True)
    t = S.Target(IMAGE, sdir, smp=4, cmdline="gdb=wait")
    dbg = None
    try:
        t.wait_console("gdb: waiting for GDB", 30, "gdb=wait")
        dbg = S.Debugger(ELF, os.path.join(sdir, "gdb-mi.log"))
        dbg.connect(t.sock)
        bt = dbg.run("bt")["output"]
        check("kmain" in bt, "not stopped in kmain: " + bt)
        out = dbg.run("info threads")["output"]
        check('"kinit"' in out, "kinit not listed before it runs: " + out)
        dbg.run("continue", wait=False)
        t.wait_console(S.BOOT_DONE, 60, "the boot after gdb=wait")
        dbg.run("interrupt", 20)
        dbg.run("detach")
    finally:
        if dbg:
            dbg.close()
        t.stop()


def t_fault():
    sdir = os.path.join(BUILD, "gdbtest", "fault")
    os.makedirs(sdir, exist_ok=True)
    t = S.Target(IMAGE, sdir, smp=4, cmdline="gdbtest=1")
    dbg = None
    try:
        t.wait_console(THREADS_UP, 60)
        dbg = S.Debugger(ELF, os.path.join(sdir, "gdb-mi.log"))
        dbg.connect(t.sock)
        dbg.run("set var gdbtest_action = 2")
        st = stop_of(dbg.run("continue"))
        check(st.get("signal-name") == "SIGSEGV", "not SIGSEGV: %s" % st)
        check("gdbtest_act" in dbg.run("bt")["output"], "fault not in bt")
        st = stop_of(dbg.run("continue"))
        check(st.get("signal-name") == "SIGABRT", "then not SIGABRT: %s" % st)
    finally:
        if dbg:
            dbg.close()
        t.stop()


def t_user_breakins():
    """Break in again and again while every CPU runs user code (8 FPU
    spinners): the CPUs rounded up in user mode must come back to it with
    their registers whole, so the self-tests pass and nothing dies."""
    sdir = os.path.join(BUILD, "gdbtest", "user")
    os.makedirs(sdir, exist_ok=True)
    t = S.Target(IMAGE, sdir, smp=4,
                 cmdline="utests=fpu_preempt,sse_regs urepeat=6")
    dbg = None
    try:
        t.wait_console("init: utests run 2 of 6", 90, "the user tests")
        dbg = S.Debugger(ELF, os.path.join(sdir, "gdb-mi.log"))
        dbg.connect(t.sock)
        for _ in range(12):
            dbg.run("continue", wait=False)
            time.sleep(0.15)
            dbg.run("interrupt", 20)
        dbg.run("detach")
        t.wait_console("init: the chosen self-tests passed", 120,
                       "the user tests after the break-ins")
        out = open(t.log, errors="replace").read()
        check("killed by signal" not in out and "PANIC" not in out,
              "a process or the kernel died: " + out[-800:])
    finally:
        if dbg:
            dbg.close()
        t.stop()


def group_tool():
    for name, fn in [("tool_parallel_sessions", t_sessions),
                     ("tool_run_oneshot", t_run_oneshot),
                     ("tool_attach_detach", t_attach_detach),
                     ("gdb_wait", t_gdb_wait),
                     ("fault_sigsegv", t_fault),
                     ("user_breakins", t_user_breakins)]:
        report(name, fn)


def main():
    for p in (ELF, IMAGE):
        if not os.path.exists(p):
            print("FAIL: gdb.setup: %s missing (run make)" % p)
            return 1
    group_debugger()
    group_tool()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
