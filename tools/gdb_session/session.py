"""Sessions: a Loupe in QEMU with COM2 on a socket, and a GDB attached.

A Target boots (or finds) Loupe; a Debugger is GDB in MI mode attached to
the in-kernel stub through COM2. `gdb_session start`/`attach` runs a small
server (serve()) that owns both and answers one JSON request per line on a
Unix control socket in the session's state directory; `cmd`, `status`,
`stop` and `detach` are its clients. Every wait has a deadline; only the
pids a session started are ever signalled.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tools", "qemu"))
import loupe_qemu  # noqa: E402
import gdbmi  # noqa: E402
from gdbmi import GdbMI, MIError  # noqa: E402

STUB_READY = "gdb: stub ready on COM2"
BOOT_DONE = "boot: kernel self-tests done"
GDB_SCRIPT = os.path.join(HERE, "loupe_gdb.py")


class SessionError(Exception):
    pass


def state_root(build):
    """Where session directories live: $XDG_RUNTIME_DIR or the build dir."""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isdir(xdg):
        return os.path.join(xdg, "loupe-gdb")
    return os.path.join(os.path.abspath(build), "gdb_session")


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def end_pid(pid, timeout=5.0):
    """SIGTERM, then SIGKILL after @timeout, one pid we started."""
    if not pid or not pid_alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.02)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def wait_for_file_text(path, text, timeout, proc=None, what=None):
    """Poll @path until it contains @text; SessionError at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path, errors="replace") as f:
                data = f.read()
            if text in data:
                return data
            if "PANIC" in data:
                raise SessionError("the kernel panicked while booting; see "
                                   "%s" % path)
        except FileNotFoundError:
            pass
        if proc is not None and proc.poll() is not None:
            raise SessionError("QEMU exited (status %s) before %r appeared;"
                               " see %s" % (proc.returncode, text, path))
        time.sleep(0.02)
    raise SessionError("timed out after %.0f s waiting for %s (%r on the "
                       "console, %s)" % (timeout, what or "the kernel",
                                         text, path))


def find_running_socket(build):
    """The COM2 socket of the newest live `make run` (loupe-com2-PID.sock)."""
    found = []
    for name in os.listdir(build) if os.path.isdir(build) else []:
        if name.startswith("loupe-com2-") and name.endswith(".sock"):
            pid = name[len("loupe-com2-"):-len(".sock")]
            path = os.path.join(build, name)
            if pid.isdigit() and pid_alive(int(pid)):
                found.append((os.path.getmtime(path), path))
    if not found:
        raise SessionError("no running Loupe found: start one with `make "
                           "run` (it prints 'loupe-qemu: COM2 on ...'), or "
                           "pass --socket PATH")
    return max(found)[1]


class Target:
    """Loupe in QEMU: COM1 to a log file, COM2 on a Unix socket."""

    def __init__(self, image, sdir, smp=4, cmdline="", accel="tcg",
                 com2=None, extra=()):
        self.log = os.path.join(sdir, "console.log")
        self.sock = os.path.join(sdir, "com2.sock")
        for stale in (self.sock, self.log):
            if os.path.exists(stale):
                os.unlink(stale)
        com2 = com2 or "unix:%s,server=on,wait=off" % self.sock
        argv = loupe_qemu.qemu_argv(image, smp=smp, accel=accel,
                                    cmdline=cmdline, serial="file:" +
                                    self.log, com2=com2, extra=extra)
        self.qlog = open(os.path.join(sdir, "qemu.log"), "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.qlog, stderr=self.qlog,
                                     start_new_session=True)
        self.pid = self.proc.pid

    def wait_console(self, text, timeout=60, what=None):
        return wait_for_file_text(self.log, text, timeout, self.proc, what)

    def stop(self):
        end_pid(self.pid)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass


class Debugger:
    """GDB (MI) with kernel.elf and the loupe-* commands loaded."""

    def __init__(self, elf, log_path=None, gdb="gdb"):
        self.log = open(log_path, "w") if log_path else None
        self.mi = GdbMI([gdb, "-nx", "-q", "--interpreter=mi3", elf],
                        cwd=TOP, log=self.log)
        self.pid = self.mi.pid
        self.mi.wait_result(self.mi.send("-gdb-set mi-async on"), 30,
                            "gdb to start")
        for c in ("-gdb-set pagination off", "-gdb-set confirm off",
                  "-gdb-set width 0", "set remotetimeout 10",
                  "source " + GDB_SCRIPT):
            r = self.mi.execute(c, 30)
            if not r["ok"]:
                raise SessionError("gdb setup %r failed: %s" % (c, r["error"]))

    def connect(self, where, timeout=30):
        """target remote; the stub breaks in on the first packet."""
        r = self.mi.execute("-target-select remote " + where, timeout,
                            wait_stop=False)
        if not r["ok"]:
            raise SessionError("cannot connect GDB to %s: %s" %
                               (where, r["error"]))
        self.mi.state = "stopped"
        return r

    def run(self, command, timeout=30, wait=True):
        """Run @command; `interrupt` also waits for the stop it causes."""
        if command.strip() in ("interrupt", "-exec-interrupt"):
            self.mi.send("-exec-interrupt")
            recs = self.mi.wait_stopped(timeout, "the target to stop after "
                                        "an interrupt")
            st = recs[-1]["results"]
            return {"ok": True, "cls": "stopped", "error": None,
                    "stopped": st, "records": recs,
                    "output": gdbmi.describe_stop(st)}
        return self.mi.execute(command, timeout, wait_stop=wait)

    def close(self):
        self.mi.close()
        if self.log:
            self.log.close()


# ---- the server behind start/attach -------------------------------------

def _write_state(sdir, state):
    tmp = os.path.join(sdir, "state.json.tmp")
    with open(tmp, "w") as f:
        json.dump(state, f)
    os.replace(tmp, os.path.join(sdir, "state.json"))


def read_state(sdir):
    try:
        with open(os.path.join(sdir, "state.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _handle(dbg, req, state):
    verb = req.get("verb")
    if verb == "cmd":
        if req.get("interrupt"):
            req["command"] = "interrupt"
        r = dbg.run(req["command"], req.get("timeout", 30),
                    req.get("wait", True))
        r.pop("records")
        return r
    if verb == "status":
        dbg.mi.drain()
        return {"ok": True, "state": dbg.mi.state, "session": state,
                "last_stop": dbg.mi.last_stop}
    return {"ok": False, "error": "unknown request %r" % verb}


def serve(sdir, state, target, dbg):
    """Answer requests on control.sock until stop/detach."""
    path = os.path.join(sdir, "control.sock")
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    state.update(server_pid=os.getpid(), control=path, ready=True)
    _write_state(sdir, state)
    try:
        while True:
            conn, _ = srv.accept()
            with conn:
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                try:
                    req = json.loads(data or b"{}")
                except ValueError:
                    req = {}
                verb = req.get("verb")
                if verb in ("stop", "detach"):
                    out = _finish(dbg, target, verb)
                    conn.sendall((json.dumps(out) + "\n").encode())
                    return
                try:
                    out = _handle(dbg, req, state)
                except MIError as e:
                    out = {"ok": False, "error": str(e)}
                conn.sendall((json.dumps(out) + "\n").encode())
    finally:
        srv.close()
        for f in ("control.sock", "state.json"):
            try:
                os.unlink(os.path.join(sdir, f))
            except OSError:
                pass


def _finish(dbg, target, verb):
    out = {"ok": True, "output": ""}
    try:
        if verb == "detach" or target is None:
            if dbg.mi.state == "running":
                dbg.mi.send("-exec-interrupt")
                dbg.mi.wait_stopped(10)
            r = dbg.run("detach", 10)
            out = {"ok": r["ok"], "output": r["output"], "error": r["error"]}
    except MIError as e:
        out = {"ok": False, "error": str(e)}
    dbg.close()
    if target is not None:
        target.stop()
    return out


def request(sdir, req, timeout):
    """Send one request to the session server and return its answer."""
    state = read_state(sdir)
    if not state or not state.get("ready"):
        raise SessionError("no session in %s (run `gdb_session start` or "
                           "`attach` first)" % sdir)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout + 10)
    try:
        s.connect(state["control"])
        s.sendall((json.dumps(req) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (OSError, socket.timeout) as e:
        raise SessionError("session server (pid %s) did not answer: %s" %
                           (state.get("server_pid"), e))
    finally:
        s.close()
    if not data:
        raise SessionError("session server closed the connection")
    return json.loads(data)
