"""A minimal raw GDB-remote client over a socket, for what GDB cannot
provoke (the fuzzer) and for timing (the benchmark). Pure helpers
(frame, checksum) plus a small Conn class; every read has a deadline."""

import socket
import time


def checksum(payload):
    return sum(payload) & 0xff


def frame(payload):
    """b'm0,4' -> b'$m0,4#xx' (no escaping: callers send plain payloads)."""
    return b"$" + payload + b"#%02x" % checksum(payload)


class Conn:
    def __init__(self, addr, timeout=10):
        if isinstance(addr, tuple):
            self.s = socket.create_connection(addr, timeout)
        else:
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.settimeout(timeout)
            self.s.connect(addr)
        self.buf = b""
        self.ack = True

    def send(self, data):
        self.s.sendall(data)

    def _fill(self, deadline, what):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out waiting for %s" % what)
        self.s.settimeout(left)
        try:
            chunk = self.s.recv(65536)
        except socket.timeout:
            raise TimeoutError("timed out waiting for %s" % what)
        if not chunk:
            raise ConnectionError("stub connection closed")
        self.buf += chunk

    def packet(self, timeout=10, what="a reply"):
        """The next $...#xx payload (acked if in ack mode); skips O packets
        only when asked by the caller."""
        deadline = time.monotonic() + timeout
        while True:
            start = self.buf.find(b"$")
            if start >= 0:
                end = self.buf.find(b"#", start)
                if end >= 0 and len(self.buf) >= end + 3:
                    payload = self.buf[start + 1:end]
                    self.buf = self.buf[end + 3:]
                    if self.ack:
                        self.send(b"+")
                    return payload
            self._fill(deadline, what)

    def cmd(self, payload, timeout=10):
        self.send(frame(payload))
        return self.packet(timeout, "the reply to %r" % payload[:20])

    def drain(self):
        self.s.settimeout(0.001)
        try:
            while self.s.recv(65536):
                pass
        except (socket.timeout, BlockingIOError):
            pass
        self.buf = b""

    def close(self):
        self.s.close()
