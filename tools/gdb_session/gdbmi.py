"""GDB/MI: parse MI output records and drive one GDB process.

Pure parsing (parse_record, parse_value) takes text and returns data; the
GdbMI class owns one `gdb --interpreter=mi3` child and reads its output
with os.read and its own line splitting (buffered readline plus select
deadlocks). Every wait has a deadline and fails with a clear message.
"""

import os
import select
import subprocess
import time


class MIError(Exception):
    """GDB misbehaved or did not answer in time."""


def parse_cstring(s, i):
    """Parse the C string starting at s[i] == '"'; return (text, next)."""
    out = []
    i += 1
    esc = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\",
           "e": "\x1b", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
    while i < len(s):
        c = s[i]
        if c == '"':
            return "".join(out), i + 1
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n in "01234567":
                j = i + 1
                while j < len(s) and j < i + 4 and s[j] in "01234567":
                    j += 1
                out.append(chr(int(s[i + 1:j], 8)))
                i = j
                continue
            out.append(esc.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    raise ValueError("unterminated C string")


def parse_value(s, i=0):
    """Parse an MI value (const, tuple or list) at s[i]; return (v, next)."""
    if s[i] == '"':
        return parse_cstring(s, i)
    if s[i] in "{[":
        close = "}" if s[i] == "{" else "]"
        i += 1
        items, named = [], {}
        while i < len(s) and s[i] != close:
            if s[i] in '"{[':
                v, i = parse_value(s, i)
                items.append(v)
            else:
                eq = s.index("=", i)
                name = s[i:eq]
                v, i = parse_value(s, eq + 1)
                named.setdefault(name, v)
                items.append((name, v))
            if i < len(s) and s[i] == ",":
                i += 1
        if close == "}":
            return named, i + 1
        # A list of name=value pairs (e.g. bkpt=...) keeps the values.
        return [v[1] if isinstance(v, tuple) else v for v in items], i + 1
    raise ValueError("bad MI value at %d: %r" % (i, s[i:i + 20]))


def parse_results(s):
    """`a=1,b={...}` -> dict."""
    out = {}
    i = 0
    while i < len(s):
        eq = s.index("=", i)
        name = s[i:eq]
        v, i = parse_value(s, eq + 1)
        out.setdefault(name, v)
        if i < len(s) and s[i] == ",":
            i += 1
    return out


def parse_record(line):
    """One MI output line -> dict with kind, token, cls, results or text.

    kind is one of '^' (result), '*' '+' '=' (async), '~' '@' '&'
    (streams), '(gdb)' (prompt) or '' (anything else, e.g. target noise).
    """
    if line.strip() == "(gdb)":
        return {"kind": "(gdb)"}
    j = 0
    while j < len(line) and line[j].isdigit():
        j += 1
    token = int(line[:j]) if j else None
    if j >= len(line):
        return {"kind": "", "text": line}
    kind = line[j]
    if kind in "~@&":
        try:
            text, _ = parse_cstring(line, j + 1)
        except (ValueError, IndexError):
            text = line[j + 1:]
        return {"kind": kind, "token": token, "text": text}
    if kind in "^*+=":
        rest = line[j + 1:]
        cls, _, body = rest.partition(",")
        try:
            results = parse_results(body) if body else {}
        except (ValueError, IndexError):
            results = {"raw": body}
        return {"kind": kind, "token": token, "cls": cls, "results": results}
    return {"kind": "", "text": line}


# CLI run-control commands sent as their MI forms: those run in the
# background under mi-async, so GDB keeps reading commands (an interrupt)
# while the target runs. A CLI `continue` would block GDB until the stop.
RUN_CONTROL = {"c": "-exec-continue", "continue": "-exec-continue",
               "si": "-exec-step-instruction",
               "stepi": "-exec-step-instruction",
               "ni": "-exec-next-instruction",
               "nexti": "-exec-next-instruction", "s": "-exec-step",
               "step": "-exec-step", "n": "-exec-next", "next": "-exec-next",
               "finish": "-exec-finish", "interrupt": "-exec-interrupt"}


def run_control(command):
    words = command.split()
    if words and words[0] in RUN_CONTROL and len(words) <= 2:
        return RUN_CONTROL[words[0]] + "".join(" " + w for w in words[1:])
    return command


def describe_stop(st):
    """One line for a *stopped record, like GDB's CLI prints."""
    fr = st.get("frame", {})
    where = fr.get("func", fr.get("addr", "?"))
    if fr.get("file"):
        where += " (%s:%s)" % (fr["file"], fr.get("line", "?"))
    why = st.get("reason", "stopped")
    if st.get("signal-name"):
        why += " " + st["signal-name"]
    if st.get("bkptno"):
        why += " %s" % st["bkptno"]
    wpt = st.get("wpt") or st.get("hw-awpt") or st.get("hw-rwpt")
    if isinstance(wpt, dict):
        why += " %s" % wpt.get("exp", "")
    return "Thread %s (core %s) %s at %s %s\n" % (
        st.get("thread-id", "?"), st.get("core", "?"), why,
        fr.get("addr", ""), where)


def mi_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class GdbMI:
    """One GDB child in MI mode. Not thread-safe."""

    def __init__(self, argv, cwd=None, log=None):
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.pid = self.proc.pid
        self.buf = b""
        self.token = 0
        self.pending = []       # records read but not yet consumed
        self.state = "unknown"  # "running" or "stopped"
        self.last_stop = None
        self.log = log

    def _lines(self, deadline, what):
        """Yield output lines until the caller stops; MIError at deadline."""
        fd = self.proc.stdout.fileno()
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                text = line.decode("utf-8", "replace").rstrip("\r")
                if self.log:
                    self.log.write(text + "\n")
                    self.log.flush()
                yield text
            left = deadline - time.monotonic()
            if left <= 0:
                raise MIError("timed out after waiting for %s" % what)
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise MIError("gdb exited (status %s) while waiting for %s"
                              % (self.proc.poll(), what))
            self.buf += chunk

    def _note(self, rec):
        if rec["kind"] == "*" and rec["cls"] == "running":
            self.state = "running"
        elif rec["kind"] == "*" and rec["cls"] == "stopped":
            self.state = "stopped"
            self.last_stop = rec["results"]

    def send(self, command):
        """Send one command; returns its token."""
        self.token += 1
        command = run_control(command)
        if not command.startswith("-"):
            command = "-interpreter-exec console " + mi_quote(command)
        if self.log:
            self.log.write("<- %d%s\n" % (self.token, command))
        self.proc.stdin.write(("%d%s\n" % (self.token, command)).encode())
        self.proc.stdin.flush()
        return self.token

    def wait_result(self, token, timeout, what):
        """Records up to the result record of @token (that one last)."""
        deadline = time.monotonic() + timeout
        out = []
        for line in self._lines(deadline, what):
            rec = parse_record(line)
            self._note(rec)
            out.append(rec)
            if rec["kind"] == "^" and rec.get("token") == token:
                return out

    def wait_stopped(self, timeout, what="the target to stop"):
        """Records up to a *stopped (immediately if already stopped)."""
        out = []
        for i, rec in enumerate(self.pending):
            if rec["kind"] == "*" and rec["cls"] == "stopped":
                out, self.pending = self.pending[:i + 1], self.pending[i + 1:]
                return out
        deadline = time.monotonic() + timeout
        out, self.pending = self.pending, []
        for line in self._lines(deadline, what):
            rec = parse_record(line)
            self._note(rec)
            out.append(rec)
            if rec["kind"] == "*" and rec["cls"] == "stopped":
                return out

    def drain(self):
        """Read whatever GDB has printed already (no waiting)."""
        try:
            for line in self._lines(time.monotonic() + 0.01, "drain"):
                rec = parse_record(line)
                self._note(rec)
                self.pending.append(rec)
        except MIError:
            pass

    def execute(self, command, timeout=30, wait_stop=True):
        """Run @command; if it resumes the target, wait for the stop.

        Returns dict(ok, cls, output, error, stopped, records).
        """
        token = self.send(command)
        recs = self.pending + self.wait_result(token, timeout,
                                               "gdb to run %r" % command)
        self.pending = []
        res = recs[-1]
        stopped = None
        if res["cls"] == "running" and wait_stop:
            more = self.wait_stopped(timeout, "the target to stop after %r"
                                     % command)
            recs += more
            stopped = more[-1]["results"]
            # The CLI's own stop report comes after *stopped: flush it.
            recs += self.wait_result(self.send("-data-evaluate-expression 1"),
                                     timeout, "gdb after the stop")[:-1]
        text = "".join(r["text"] for r in recs if r["kind"] in "~@")
        if stopped is not None and not text.strip():
            text = describe_stop(stopped)
        err = res["results"].get("msg") if res["cls"] == "error" else None
        return {"ok": res["cls"] != "error", "cls": res["cls"],
                "output": text, "error": err, "stopped": stopped,
                "records": recs}

    def close(self, timeout=5):
        """End GDB: ask politely, then kill this one pid."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"-gdb-exit\n")
                self.proc.stdin.flush()
            except OSError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
