#!/usr/bin/env python3
"""Host test for userland/: the programs are static Linux binaries, so run
them natively (stdout a pipe, as the EFAULT tests need a real reader) and
check the initrd with the system's cpio. Prints PASS:/FAIL: lines.
"""

import argparse
import os
import subprocess
import sys

TIMEOUT_S = 20
SUITE = "userland"


def run(argv, env=None):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env if env is not None else {}, timeout=TIMEOUT_S)
    return p.returncode, p.stdout.decode(errors="replace")


def elf_type(path):
    with open(path, "rb") as f:
        head = f.read(18)
    return int.from_bytes(head[16:18], "little")


def t_hello(a):
    for name in ("hello", "hello-pie"):
        rc, out = run([os.path.join(a.bin, name)])
        assert rc == 0 and out == "hello: hello from musl\n", (name, rc, out)


def t_pie_is_dyn(a):
    assert elf_type(os.path.join(a.bin, "hello")) == 2, "hello: not ET_EXEC"
    assert elf_type(os.path.join(a.bin, "hello-pie")) == 3, "not ET_DYN"


def t_auxv(a):
    for name in ("auxv", "auxv-pie"):
        rc, out = run([os.path.join(a.bin, name), "one", "two words"],
                      env={"LOUPE": "1"})
        lines = out.splitlines()
        assert rc == 0, (name, rc, out)
        assert "auxv: argc=3" in lines, out
        assert "auxv: argv[2]=two words" in lines, out
        assert "auxv: envp[0]=LOUPE=1" in lines, out
        assert "auxv: tls ok" in lines, out
        assert lines[-1] == "auxv: done", out


def t_utests(a):
    rc, out = run([os.path.join(a.bin, "utests")])
    lines = out.splitlines()
    assert rc == 0 and lines and lines[-1] == "utests: ALL OK", out
    assert sum(1 for ln in lines if ln.endswith(": ok")) >= 50, out
    assert not any("FAIL" in ln for ln in lines), out


def t_utests_select(a):
    rc, out = run([os.path.join(a.bin, "utests"), "write_badfd"])
    assert rc == 0, out
    assert out.splitlines() == ["utest: write_badfd: ok", "utests: ALL OK"], out


def t_init_skeleton(a):
    rc, out = run([os.path.join(a.bin, "init"), "-x"])
    assert rc == 0 and out == "init: pid 1 running from the initrd\n", out


def t_initrd_listing(a):
    p = subprocess.run(["cpio", "-it", "--quiet"], stdin=open(a.initrd, "rb"),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT_S)
    names = p.stdout.decode().split()
    assert p.returncode == 0, p.stderr
    for want in ("init", "bin/hello", "bin/hello-pie", "bin/utests",
                 "bin/auxv", "bin/uhelper", "bin/uhelper-pie", "bin/notelf",
                 "dev", "tmp"):
        assert want in names, (want, names)


def t_initrd_contents(a):
    """cpio extracts /init byte-identical to build/userland/init."""
    p = subprocess.run(["cpio", "-i", "--quiet", "--to-stdout", "init"],
                       stdin=open(a.initrd, "rb"), stdout=subprocess.PIPE,
                       timeout=TIMEOUT_S)
    with open(os.path.join(a.bin, "init"), "rb") as f:
        assert p.stdout == f.read(), "init differs"


def t_initrd_reproducible(a):
    """The same inputs give the same bytes (mtime and inodes fixed)."""
    here = os.path.dirname(os.path.abspath(__file__))
    tool = os.path.join(here, "..", "mkinitrd.py")
    outs = []
    for i in range(2):
        out = os.path.join(a.bin, "tests", "repro%d.cpio" % i)
        subprocess.run([sys.executable, tool, "-o", out, "--dir", "a/b",
                        "--file", "a/x=%s:0755" % os.path.join(a.bin, "hello")],
                       check=True, timeout=TIMEOUT_S)
        with open(out, "rb") as f:
            outs.append(f.read())
        os.unlink(out)
    assert outs[0] == outs[1] and len(outs[0]) % 512 == 0


TESTS = [t_hello, t_pie_is_dyn, t_auxv, t_utests, t_utests_select,
         t_init_skeleton, t_initrd_listing, t_initrd_contents,
         t_initrd_reproducible]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="build/userland")
    ap.add_argument("--initrd", required=True, help="build/initrd.cpio")
    a = ap.parse_args()
    failed = 0
    for t in TESTS:
        name = t.__name__[2:]
        try:
            t(a)
            print("PASS: %s.%s" % (SUITE, name))
        except Exception as e:  # noqa: BLE001 - report any failure
            print("FAIL: %s.%s: %r" % (SUITE, name, e))
            failed += 1
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
