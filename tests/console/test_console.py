#!/usr/bin/env python3
"""The console end to end: boot Loupe with COM1 on pipes, init running
just two self-tests twice (utests=uname,ids urepeat=2, which this checks),
wait for conecho's prompt and type at it as a person would: lines come back
echoed by the line discipline and by conecho, DEL and ^H erase, ^U kills
the line, the "raw" command shows raw mode (no echo, no ISIG: ^C arrives as
a byte), "sigint" catches SIGINT (^C runs its handler in a console read,
which ends with EINTR, or restarts under SA_RESTART), "stop" stops a reading
child with ^Z (wait4 WUNTRACED), continues it and its read goes on, ^Z at
the prompt is ignored, "bg" shows a background read stopped by
SIGTTIN (EIO when ignored), "ttou" a background tcsetattr and a write
under TOSTOP stopped by SIGTTOU (going ahead when ignored), ^C kills the foreground program and ^D ends its input, and init
starts it again each time. Prints PASS:/FAIL: lines for tests/run."""

import os
import select
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tools", "qemu"))
import loupe_qemu  # noqa: E402

PROMPT = "loupe$ "
CMDLINE = "utests=uname,ids urepeat=2"
BOOT_TIMEOUT = 120
STEP_TIMEOUT = 30


class Guest:
    """QEMU with COM1 on our pipes; everything it printed is in self.out."""

    def __init__(self, image, smp):
        argv = loupe_qemu.qemu_argv(image, smp=smp, cmdline=CMDLINE)
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.out = ""
        self.pos = 0        # what expect() has consumed

    def type(self, text):
        for ch in text:     # one byte at a time, as from a keyboard
            self.proc.stdin.write(ch.encode("latin-1"))
            self.proc.stdin.flush()
            time.sleep(0.01)

    def expect(self, want, timeout=STEP_TIMEOUT):
        """Wait until @want appears after what was matched before."""
        end = time.monotonic() + timeout
        while True:
            i = self.out.find(want, self.pos)
            if i >= 0:
                self.pos = i + len(want)
                return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if not r:
                continue
            data = os.read(self.proc.stdout.fileno(), 4096)
            if not data:
                return False
            self.out += data.decode("latin-1")

    def seen_since(self, mark):
        return self.out[mark:self.pos]

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def case_chosen(g):
    """Before the prompt: the two chosen utests, run twice, and only they."""
    boot = g.out[:g.pos]
    runs = [l for l in boot.splitlines() if l.startswith("init: utests run")]
    oks = [l for l in boot.splitlines() if l.startswith("utest: ")]
    want = ["utest: ids: ok", "utest: uname: ok"] * 2   # table order
    if runs != ["init: utests run 1 of 2", "init: utests run 2 of 2"]:
        return "runs announced: %r" % runs
    if oks != want:
        return "utest lines %r, want %r" % (oks, want)
    if "init: the chosen self-tests passed" not in boot:
        return "init did not report the chosen tests passed"
    return None


def case_echo(g):
    g.type("hello world\r")
    if not g.expect("hello world\r\n") or not g.expect("echo: hello world\r\n"):
        return "no echo of 'hello world'"
    return None if g.expect(PROMPT) else "no prompt after the echo"


def case_erase(g):
    g.type("abcx\x7fd\r")
    if not g.expect("echo: abcd\r\n"):
        return "DEL did not erase (wanted 'abcd')"
    g.expect(PROMPT)
    g.type("xy\x08z\r")
    if not g.expect("echo: xz\r\n"):
        return "^H did not erase (wanted 'xz')"
    return None if g.expect(PROMPT) else "no prompt"


def case_kill(g):
    g.type("junk\x15good\r")
    if not g.expect("echo: good\r\n"):
        return "^U did not kill the line (wanted 'good')"
    return None if g.expect(PROMPT) else "no prompt"


def case_raw(g):
    g.type("raw\r")
    if not g.expect("raw: type keys, q ends"):
        return "conecho did not enter raw mode"
    mark = g.pos
    g.type("a")
    if not g.expect("raw: 0x61"):
        return "raw byte 'a' not delivered"
    if "a" in g.seen_since(mark).replace("raw: 0x61", ""):
        return "raw mode echoed 'a' (ECHO should be off)"
    g.type("\x03")
    if not g.expect("raw: 0x03"):
        return "^C in raw mode (ISIG off) did not arrive as a byte"
    g.type("q")
    if not g.expect("raw: done"):
        return "'q' did not end raw mode"
    if not g.expect(PROMPT):
        return "no prompt after raw mode"
    g.type("cooked\r")
    if not g.expect("echo: cooked\r\n"):
        return "canonical mode not restored after raw mode"
    return None if g.expect(PROMPT) else "no prompt"


def case_sigint(g):
    g.type("sigint\r")
    if not g.expect("sigint: reading\r\n"):
        return "conecho did not start the SIGINT test"
    g.type("\x03")
    if not g.expect("sigint: handler ran"):
        return "^C did not run the SIGINT handler"
    if not g.expect("sigint: read failed: EINTR"):
        return "the console read did not end with EINTR after the handler"
    if not g.expect("sigint: reading (SA_RESTART)"):
        return "the program did not go on after EINTR"
    mark = g.pos
    g.type("part\x03")
    if not g.expect("sigint: handler ran"):
        return "^C did not run the SA_RESTART handler"
    g.type("after\r")
    if not g.expect("sigint: read got 'after'"):
        return "the SA_RESTART read did not restart and return the next line"
    if "read failed" in g.seen_since(mark):
        return "the SA_RESTART read failed instead of restarting"
    if not g.expect("sigint: done"):
        return "no end of the SIGINT test"
    return None if g.expect(PROMPT) else "no prompt after the SIGINT test"


def case_stop(g):
    g.type("stop\r")
    if not g.expect("stop: child reading\r\n"):
        return "conecho did not start the job-control test"
    g.type("typed\x1a")
    if not g.expect("^Z"):
        return "^Z not echoed"
    if not g.expect("stop: child stopped by signal 20"):
        return "^Z did not stop the foreground child (wait4 WUNTRACED)"
    if not g.expect("stop: child continued"):
        return "SIGCONT did not continue it (wait4 WCONTINUED)"
    mark = g.pos
    g.type("again\r")
    if not g.expect("stop: child read 'again'"):
        return "the continued child's read did not go on to the next line"
    if "read failed" in g.seen_since(mark):
        return "the stopped read failed instead of restarting"
    if not g.expect("stop: done, status 0"):
        return "the child did not exit normally"
    if not g.expect(PROMPT):
        return "no prompt after the stopped child exited"
    g.type("\x1a")
    if not g.expect("^Z"):
        return "^Z at the prompt not echoed"
    g.type("still here\r")
    if not g.expect("echo: still here\r\n"):
        return "conecho (SIGTSTP ignored, as a shell) stopped on ^Z"
    return None if g.expect(PROMPT) else "no prompt after the stop test"


def case_bg(g):
    g.type("bg\r")
    if not g.expect("bg: child reading\r\n"):
        return "conecho did not start the background-read test"
    if not g.expect("bg: child stopped by signal 21"):
        return "a background read did not stop the job with SIGTTIN"
    g.type("typed\r")
    if not g.expect("bg: child read 'typed'"):
        return "the job, foreground and continued, did not read on"
    if not g.expect("bg: done, status 0"):
        return "the job did not exit normally"
    if not g.expect("bg: child read failed: I/O error"):
        return "a background read ignoring SIGTTIN did not fail with EIO"
    if not g.expect(PROMPT):
        return "no prompt after the background-read test"
    g.type("back\r")
    if not g.expect("echo: back\r\n"):
        return "conecho does not read after taking the terminal back"
    return None if g.expect(PROMPT) else "no prompt"


def case_ttou(g):
    g.type("ttou\r")
    if not g.expect("ttou: child stopped by signal 22"):
        return "a background tcsetattr did not stop the job with SIGTTOU"
    if not g.expect("ttou: child set the terminal\r\n"):
        return "the job, foreground and continued, did not set the terminal"
    if not g.expect("ttou: done, status 0"):
        return "the tcsetattr job did not exit normally"
    if not g.expect("ttou: child set the terminal, the signal ignored"):
        return "a background tcsetattr ignoring SIGTTOU did not go ahead"
    if not g.expect("ttou: done, status 0"):
        return "the job ignoring SIGTTOU did not exit normally"
    mark = g.pos
    if not g.expect("ttou: child stopped by signal 22"):
        return "a background write under TOSTOP did not stop the job"
    if "ttou: child wrote" in g.seen_since(mark):
        return "the background write under TOSTOP went out before the stop"
    if not g.expect("ttou: child wrote"):
        return "the writer, foreground and continued, did not write"
    if not g.expect("ttou: done, status 0"):
        return "the writing job did not exit normally"
    if not g.expect(PROMPT):
        return "no prompt after the SIGTTOU test"
    g.type("after\r")
    if not g.expect("echo: after\r\n"):
        return "conecho does not read after the SIGTTOU test"
    return None if g.expect(PROMPT) else "no prompt"


def case_intr(g):
    mark = g.pos
    g.type("half a line\x03")
    if not g.expect("^C"):
        return "^C not echoed"
    if not g.expect("init: conecho killed by signal 2; restarting"):
        return "^C did not kill the foreground program (SIGINT)"
    if "conecho: cannot read" in g.seen_since(mark):
        return "the reader saw EINTR and ran on instead of dying in its read"
    if not g.expect(PROMPT):
        return "init did not restart conecho after ^C"
    g.type("after\r")
    if not g.expect("echo: after\r\n"):
        return "the restarted conecho does not echo (input lost?)"
    return None if g.expect(PROMPT) else "no prompt"


def case_eof(g):
    g.type("\x04")
    if not g.expect("conecho: end of input"):
        return "^D on an empty line was not end of file"
    if not g.expect("init: conecho exited; restarting"):
        return "init did not notice conecho's exit"
    return None if g.expect(PROMPT) else "init did not restart conecho"


def case_poll(g):
    """poll(stdin, -1) waits for a whole line; a timed poll ends on time
    with nothing typed and early when a line comes; then read gets it."""
    g.type("poll\r")
    if not g.expect("poll: waiting -1"):
        return "no poll"
    time.sleep(0.5)
    g.type("ab")            # half a line: canonical poll must not end
    if g.expect("poll: ret", 0.5):
        return "poll ended before the line was complete"
    g.type("c\r")
    if not g.expect("poll: ret=1 revents=0x1 before the timeout"):
        return "poll -1 did not report the line"
    if not g.expect('poll: read "abc"'):
        return "the line polled was not read"
    if not g.expect(PROMPT):
        return "no prompt"
    g.type("poll 400\r")
    if not g.expect("poll: waiting 400"):
        return "no timed poll"
    if not g.expect("poll: ret=0 revents=0x0 after the timeout"):
        return "a timed poll with nothing typed did not time out"
    if not g.expect(PROMPT):
        return "no prompt"
    g.type("poll 20000\r")
    if not g.expect("poll: waiting 20000"):
        return "no long timed poll"
    time.sleep(0.3)
    g.type("xyz\r")
    if not g.expect("poll: ret=1 revents=0x1 before the timeout", 10):
        return "a timed poll did not end when a line came"
    if not g.expect('poll: read "xyz"'):
        return "the line polled was not read"
    return None if g.expect(PROMPT) else "no prompt"


CASES = [("chosen", case_chosen), ("echo", case_echo), ("erase", case_erase), ("kill", case_kill),
         ("raw", case_raw), ("poll", case_poll), ("sigint", case_sigint), ("stop", case_stop),
         ("bg", case_bg), ("ttou", case_ttou), ("intr", case_intr),
         ("eof", case_eof)]


def main():
    image = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        TOP, "build", "loupe.bin")
    g = Guest(image, smp=2)
    failed = 0
    try:
        if not g.expect(PROMPT, BOOT_TIMEOUT):
            print("FAIL: console.boot: no prompt within %d s" % BOOT_TIMEOUT)
            print("\n".join("  | " + l for l in g.out.splitlines()[-30:]))
            return 1
        print("PASS: console.boot")
        for name, fn in CASES:
            why = fn(g)
            if why:
                failed += 1
                print("FAIL: console.%s: %s" % (name, why))
                print("\n".join("  | " + l
                                for l in g.out.splitlines()[-15:]))
                g.pos = len(g.out)
            else:
                print("PASS: console.%s" % name)
    finally:
        g.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
