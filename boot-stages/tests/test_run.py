#!/usr/bin/env python3
"""Host tests for the boot-stage catalog, generator, runner and QEMU tools.

The runner boots tests/fake_qemu in place of QEMU: it prints the catalog's
markers and misbehaves as FAKE_QEMU_MODE asks (panic, stall, reorder, ...).
One generated C program checks that stages.h and the catalog agree. Each
test prints "PASS: boot_stages.<name>" or "FAIL: ..." for tests/run.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

sys.dont_write_bytecode = True   # keep the tree free of __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
BS = os.path.dirname(HERE)
ROOT = os.path.dirname(BS)
sys.path.insert(0, BS)
sys.path.insert(0, os.path.join(ROOT, "tools", "qemu"))
import loupe_qemu      # noqa: E402
import stage_catalog   # noqa: E402
import stage_runner    # noqa: E402

FAKE = os.path.join(HERE, "fake_qemu")
RUN = os.path.join(BS, "run")
STAGES = stage_catalog.load()
N1 = len(stage_catalog.expected(STAGES, 1))
N4 = len(stage_catalog.expected(STAGES, 4))
TMP = tempfile.mkdtemp(prefix="loupe-bs-test-")
IMAGE = os.path.join(TMP, "loupe.bin")
PASS_RE = re.compile(r"boot-stages: PASSED (\d+)/(\d+) stages in \d+ ms "
                     r"\(smp=(\d+), accel=tcg\)\Z")

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


# The runner's stall limit: 6 s, so a fake that is merely slow to start on
# a loaded machine is not a stall (CI once failed run_qemu_dies_early so,
# at 1.5 s, beside QEMU boots hogging both cores); the tests of a stall
# itself pass STALL_SHORT.
STALL_SHORT = ("--stall", "1.5")


def runner(mode="pass", smp=4, *extra, env=None):
    """Run boot-stages/run against the fake; (status, output lines)."""
    e = dict(os.environ, FAKE_QEMU_MODE=mode, **(env or {}))
    p = subprocess.run([sys.executable, RUN, "--smp", str(smp), "--image",
                        IMAGE, "--build", TMP, "--qemu", FAKE, "--stall",
                        "6", "--exit-wait", "1.5"] + list(extra),
                       env=e, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout.splitlines()


def expect_fail(lines, index, n, stage_id, reason_part):
    last = lines[-1]
    head = "boot-stages: FAILED at %d/%d %s: " % (index, n, stage_id)
    assert last.startswith(head), last
    assert reason_part in last, last


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open("/proc/%d/stat" % pid) as f:
        return f.read().split(") ")[1][0] != "Z"


def catalog_error(text):
    try:
        stage_catalog.parse(text)
    except stage_catalog.CatalogError as e:
        return str(e)
    return None


# ---- catalog and generator -------------------------------------------------

@test
def catalog_real():
    assert len(STAGES) >= 36, len(STAGES)
    ids = [st.id for st in STAGES]
    assert STAGES[0].id == "boot.console" and STAGES[-1].id == "user.done"
    assert ids.index("boot.done") + 1 == ids.index("user.init")
    users = [i for i in ids if i.startswith(stage_catalog.USER_PREFIX)]
    assert users == ids[ids.index("user.init"):], "user stages come last"
    assert len(users) >= 42, len(users)
    assert (N1, N4) == (len(STAGES) - 4, len(STAGES)), (N1, N4)
    for st in STAGES:
        assert len(st.meaning) > 20 and "kernel/" in st.hint, st.id


@test
def catalog_rejects():
    good = "a.b | 1 | a: b | means | look here\n"
    assert catalog_error(good) is None
    cases = {"a.b | 1 | a: b | means\n": "fields",
             good + "a.b | 1 | a: c | m | h\n": "duplicate id",
             good + "c.d | 1 | a: b | m | h\n": "duplicate marker",
             good + "a_b | 1 | x | m | h\n": "duplicate enumerator",
             "A.b | 1 | x | m | h\n": "does not match",
             "a | 0 | x | m | h\n": "min_cpus",
             "a | two | x | m | h\n": "min_cpus",
             "a | 1 |  | m | h\n": "empty marker",
             "a | 1 | x\ty | m | h\n": "printable",
             "# only a comment\n": "no stages"}
    for text, words in cases.items():
        err = catalog_error(text)
        assert err and words in err, (text, err)
    assert ":2:" in catalog_error(good + "bad\n")


@test
def enum_names():
    assert stage_catalog.enum_name("mm.pmm_selftest") == \
        "STAGE_MM_PMM_SELFTEST"


@test
def generated_c_agrees_with_catalog():
    gen = os.path.join(TMP, "gen")
    subprocess.run([sys.executable, os.path.join(BS, "gen_stages"),
                    "--header", os.path.join(gen, "stages.h"),
                    "--table", os.path.join(gen, "stages_table.c")],
                   check=True)
    with open(os.path.join(gen, "stages.h")) as f:
        first = f.readline()
    assert "Generated from boot-stages/stages.catalog" in first, first
    assert "do not edit" in first
    main_c = os.path.join(gen, "dump.c")
    with open(main_c, "w") as f:
        f.write('#include <stdio.h>\n#include "stages.h"\n'
                "int main(void)\n{\n"
                "\tfor (int i = 0; i < STAGE_COUNT; i++)\n"
                '\t\tprintf("%s|%d|%s\\n", stage_catalog[i].id,\n'
                "\t\t       stage_catalog[i].min_cpus,\n"
                "\t\t       stage_catalog[i].marker);\n"
                '\tprintf("%d %d\\n", STAGE_MM_PMM, STAGE_BOOT_DONE);\n'
                "\treturn 0;\n}\n")
    exe = os.path.join(gen, "dump")
    subprocess.run(["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror",
                    "-I", gen, main_c, os.path.join(gen, "stages_table.c"),
                    "-o", exe], check=True)
    out = subprocess.run([exe], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    want = ["%s|%d|%s" % (s.id, s.min_cpus, s.marker) for s in STAGES]
    assert out[:-1] == want, (out[:3], want[:3])
    ids = [s.id for s in STAGES]
    assert out[-1] == "%d %d" % (ids.index("mm.pmm"), ids.index("boot.done"))


@test
def user_header_agrees_with_catalog():
    """user_stages.h: one USTAGE_ macro per user.* stage, exact markers."""
    gen = os.path.join(TMP, "ugen")
    hdr = os.path.join(gen, "user_stages.h")
    subprocess.run([sys.executable, os.path.join(BS, "gen_stages"),
                    "--user-header", hdr], check=True)
    with open(hdr) as f:
        text = f.read()
    assert text.startswith("/* Generated from boot-stages/stages.catalog"), \
        text[:80]
    users = [s for s in STAGES if s.id.startswith("user.")]
    assert stage_catalog.user_macro("user.brk") == "USTAGE_BRK"
    main_c = os.path.join(gen, "dump.c")
    with open(main_c, "w") as f:
        f.write('#include <stdio.h>\n#include "user_stages.h"\n'
                "int main(void)\n{\n" +
                "".join('\tputs(%s);\n' % stage_catalog.user_macro(s.id)
                        for s in users) +
                '\tprintf("%d\\n", USTAGE_COUNT);\n\treturn 0;\n}\n')
    exe = os.path.join(gen, "dump")
    subprocess.run(["gcc", "-std=c11", "-Wall", "-Werror", "-I", gen, main_c,
                    "-o", exe], check=True)
    out = subprocess.run([exe], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == [s.marker for s in users] + [str(len(users))], out[:3]
    assert "STAGE_BOOT" not in text and "USTAGE_BOOT" not in text


@test
def generator_rejects_bad_catalog():
    bad = os.path.join(TMP, "bad.catalog")
    with open(bad, "w") as f:
        f.write("a | 1 | x | m | h\na | 1 | y | m | h\n")
    p = subprocess.run([sys.executable, os.path.join(BS, "gen_stages"),
                        "--catalog", bad, "--header",
                        os.path.join(TMP, "never.h")],
                       capture_output=True, text=True)
    assert p.returncode != 0 and "duplicate id" in p.stderr, p.stderr
    assert not os.path.exists(os.path.join(TMP, "never.h"))


# ---- matcher ---------------------------------------------------------------

@test
def matcher_in_order_with_noise():
    m = stage_runner.StageMatcher(STAGES, 1)
    exp = stage_catalog.expected(STAGES, 1)
    assert m.feed("SeaBIOS") is None
    assert m.feed(" " + exp[0].marker) is None      # not exact: noise
    assert m.feed(exp[0].marker + "\r") == (stage_runner.STAGE, exp[0])
    for st in exp[1:]:
        assert m.feed(st.marker) == (stage_runner.STAGE, st)
    assert m.done() and m.missing() is None


@test
def matcher_failures():
    exp = stage_catalog.expected(STAGES, 1)
    m = stage_runner.StageMatcher(STAGES, 1)
    kind, why = m.feed("cpu 0: PANIC in pmm_init")
    assert kind == stage_runner.PANIC and "kernel panic" in why
    m = stage_runner.StageMatcher(STAGES, 1)
    assert "later stage " + exp[2].id in m.feed(exp[2].marker)[1]
    m = stage_runner.StageMatcher(STAGES, 1)
    m.feed(exp[0].marker)
    assert "repeated" in m.feed(exp[0].marker)[1]
    m = stage_runner.StageMatcher(STAGES, 1)
    assert "smp=1" in m.feed("smp: CPU 1 online")[1]


# ---- runner against the fake QEMU ------------------------------------------

@test
def run_passes_smp1_and_smp4():
    for smp, n in ((1, N1), (4, N4)):
        rc, lines = runner("pass", smp)
        assert rc == 0, lines[-5:]
        m = PASS_RE.match(lines[-1])
        assert m and m.groups() == (str(n), str(n), str(smp)), lines[-1]
        progress = [ln for ln in lines if ln.startswith("  [")]
        assert len(progress) == n, len(progress)
        # The index is padded to the width of the stage count.
        assert re.match(r"  \[ *1/%d\] +\d+ ms  boot.console " % n,
                        progress[0]), progress[0]
    with open(os.path.join(TMP, "boot-stages-smp4.log"), "rb") as f:
        log = f.read()
    assert b"boot: kernel self-tests done\n" in log


@test
def run_ignores_noise_and_split_writes():
    rc, lines = runner("noise", 2)
    assert rc == 0 and PASS_RE.match(lines[-1]), lines[-3:]


@test
def run_panic_shows_tail_meaning_and_hint():
    rc, lines = runner("panic", 4, env={"FAKE_QEMU_AT": "3"})
    assert rc == 1
    expect_fail(lines, 4, N4, "mm.pmm", 'kernel panic: "PANIC: page fault')
    text = "\n".join(lines)
    assert "  |   backtrace: fake_caller+0x40" in text
    assert "missing stage mm.pmm (4/%d)" % N4 in text
    assert "  meaning: " in text and "  hint:    kernel/pmm.c" in text
    assert "\x1b" not in text       # console escapes are not replayed


@test
def run_stall_times_out_and_kills_qemu():
    pidfile = os.path.join(TMP, "fake.pid")
    rc, lines = runner("stall", 4, *STALL_SHORT,
                       env={"FAKE_QEMU_AT": "5", "FAKE_QEMU_PIDFILE": pidfile})
    assert rc == 1
    expect_fail(lines, 6, N4, STAGES[5].id, "no new stage for 1.5 s")
    with open(pidfile) as f:
        pid = int(f.read())
    assert not pid_alive(pid), pid


@test
def run_total_timeout():
    rc, lines = runner("stall", 4, "--timeout", "1", "--stall", "30",
                       env={"FAKE_QEMU_AT": "0"})
    assert rc == 1
    expect_fail(lines, 1, N4, "boot.console", "timeout after 1 s")


@test
def run_out_of_order_and_repeat():
    rc, lines = runner("order", 4, env={"FAKE_QEMU_AT": "7"})
    assert rc == 1
    expect_fail(lines, 8, N4, STAGES[7].id,
                "marker of later stage %s seen first" % STAGES[8].id)
    rc, lines = runner("repeat", 4, env={"FAKE_QEMU_AT": "7"})
    expect_fail(lines, 9, N4, STAGES[8].id,
                "marker of %s repeated" % STAGES[7].id)


@test
def run_cpu_marker_beyond_smp():
    rc, lines = runner("extra_cpu", 1, env={"FAKE_QEMU_AT": "2"})
    assert rc == 1
    expect_fail(lines, 3, N1, STAGES[2].id,
                "marker of smp.cpu1 (needs 2 CPUs) seen with smp=1")


@test
def run_shredded_marker_is_not_a_stage():
    rc, lines = runner("shred", 4, *STALL_SHORT, env={"FAKE_QEMU_AT": "4"})
    assert rc == 1
    expect_fail(lines, 5, N4, STAGES[4].id, "no new stage")
    rc, lines = runner("partial", 4, *STALL_SHORT, env={"FAKE_QEMU_AT": "4"})
    expect_fail(lines, 5, N4, STAGES[4].id, "no new stage")
    assert "  | %s   <- no newline yet" % STAGES[4].marker in lines, lines


@test
def run_qemu_dies_early():
    rc, lines = runner("crash", 4)
    expect_fail(lines, 4, N4, "mm.pmm",
                "QEMU exited with status 1 (an error, or isa-debug-exit 0)"
                ": qemu-system-x86_64: fake fatal error before this stage")
    rc, lines = runner("triple", 4)
    expect_fail(lines, 4, N4, "mm.pmm", "triple fault")


@test
def run_after_last_stage():
    for mode, words in (("noexit", "did not exit through isa-debug-exit"),
                        ("exit0", "QEMU exited 0"),
                        ("late_panic", 'kernel panic: "PANIC: late"')):
        rc, lines = runner(mode, 2)
        assert rc == 1, mode
        n = len(stage_catalog.expected(STAGES, 2))
        expect_fail(lines, n, n, STAGES[-1].id, "after the last stage: ")
        assert words in lines[-1], lines[-1]
        assert any("every stage was reached" in ln for ln in lines)


@test
def run_repeat_stops_at_first_failure():
    rc, lines = runner("pass", 1, "--repeat", "3")
    assert rc == 0 and PASS_RE.match(lines[-1])
    assert sum(1 for ln in lines if PASS_RE.match(ln)) == 3
    assert "boot-stages: run 3/3" in lines
    rc, lines = runner("panic", 1, "--repeat", "3")
    assert rc == 1 and "boot-stages: run 2/3" not in lines


@test
def run_missing_image_and_qemu():
    p = subprocess.run([sys.executable, RUN, "--image",
                        os.path.join(TMP, "nope.bin"), "--build", TMP],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert p.stdout.splitlines()[-1].startswith(
        "boot-stages: FAILED at 1/%d boot.console: no kernel image" % N4)
    p = subprocess.run([sys.executable, RUN, "--image", IMAGE, "--build",
                        TMP, "--qemu", os.path.join(TMP, "no-qemu")],
                       capture_output=True, text=True)
    assert "cannot run QEMU" in p.stdout.splitlines()[-1], p.stdout


def _runner_dies(sig):
    pidfile = os.path.join(TMP, "fake-%d.pid" % sig)
    env = dict(os.environ, FAKE_QEMU_MODE="stall", FAKE_QEMU_AT="3",
               FAKE_QEMU_PIDFILE=pidfile)
    p = subprocess.Popen([sys.executable, RUN, "--image", IMAGE, "--build",
                          TMP, "--qemu", FAKE], env=env,
                         stdout=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(pidfile) and os.path.getsize(pidfile):
            break
        time.sleep(0.05)
    with open(pidfile) as f:
        qemu = int(f.read())
    p.send_signal(sig)
    p.wait(timeout=10)
    for _ in range(100):
        if not pid_alive(qemu):
            return
        time.sleep(0.05)
    os.kill(qemu, signal.SIGKILL)
    raise AssertionError("QEMU %d outlived a runner killed by %d" %
                         (qemu, sig))


@test
def qemu_dies_with_the_runner():
    _runner_dies(signal.SIGTERM)
    _runner_dies(signal.SIGKILL)


# ---- the runner against real QEMU -------------------------------------------

MINI_KERNEL = """\
/* A 32-bit Multiboot kernel that prints its console text, then ends QEMU. */
\t.section .text
\t.align 4
\t.long 0x1BADB002, 0, -0x1BADB002
\t.globl _start
_start:
\tmov $msg, %%esi
1:\tmovb (%%esi), %%bl
\ttest %%bl, %%bl
\tjz 3f
2:\tmov $0x3fd, %%dx
\tin %%dx, %%al
\ttest $0x20, %%al
\tjz 2b
\tmov $0x3f8, %%dx
\tmov %%bl, %%al
\tout %%al, %%dx
\tinc %%esi
\tjmp 1b
3:\tmov $0xf4, %%dx
\tmov $%d, %%eax
\tout %%eax, %%dx
4:\thlt
\tjmp 4b
\t.section .data
msg:\t.asciz "%s"
"""


def mini_kernel(name, text, exit_code):
    """Build a Multiboot ELF printing @text, then isa-debug-exit @exit_code."""
    src = os.path.join(TMP, name + ".S")
    obj, elf = src[:-2] + ".o", src[:-2] + ".elf"
    with open(src, "w") as f:
        f.write(MINI_KERNEL % (exit_code, text.replace("\n", "\\n")))
    subprocess.run(["as", "--32", src, "-o", obj], check=True)
    subprocess.run(["ld", "-m", "elf_i386", "-Ttext", "0x100000", "-o", elf,
                    obj], check=True)
    return elf


@test
def real_qemu_pass_and_panic():
    markers = [st.marker for st in stage_catalog.expected(STAGES, 1)]
    good = mini_kernel("good", "SeaBIOS noise\n" + "\n".join(markers) +
                       "\n", 0)
    bad = mini_kernel("bad", "\n".join(markers[:5]) +
                      "\nPANIC: mini kernel\n  at fake_fn+0x10\n", 1)
    args = [sys.executable, RUN, "--smp", "1", "--build", TMP,
            "--timeout", "30"]
    p = subprocess.run(args + ["--image", good], capture_output=True,
                       text=True, timeout=60)
    last = p.stdout.splitlines()[-1]
    assert p.returncode == 0 and PASS_RE.match(last), p.stdout[-2000:]
    p = subprocess.run(args + ["--image", bad], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 1
    assert "  |   at fake_fn+0x10" in p.stdout, p.stdout
    expect_fail(p.stdout.splitlines(), 6, N1, STAGES[5].id,
                'kernel panic: "PANIC: mini kernel"')


# ---- QEMU launcher and bench ------------------------------------------------

@test
def qemu_argv_shapes():
    a = loupe_qemu.qemu_argv("build/loupe.bin", smp=2, cmdline="x=1",
                             qemu="q")
    s = " ".join(a)
    assert a[0] == "q" and "-kernel build/loupe.bin" in s
    for part in ("-accel tcg", "-cpu max", "-smp 2", "-append x=1",
                 "-display none", "-no-reboot", "-monitor none",
                 "-device isa-debug-exit,iobase=0xf4,iosize=0x04"):
        assert part in s, part
    k = " ".join(loupe_qemu.qemu_argv("i", accel="kvm"))
    assert "-accel kvm" in k and "-cpu host" in k
    i = " ".join(loupe_qemu.qemu_argv("i", icount=True))
    assert "-icount shift=0,align=off" in i
    m = loupe_qemu.qemu_argv("i", serial="mon:stdio", com2="unix:s")
    assert "-monitor" not in m and m.count("-serial") == 2
    for bad in ({"accel": "xen"}, {"smp": 0},
                {"accel": "kvm", "icount": True}):
        try:
            loupe_qemu.qemu_argv("i", **bad)
        except ValueError:
            continue
        raise AssertionError("accepted %r" % bad)


@test
def launcher_dry_run():
    p = subprocess.run([sys.executable,
                        os.path.join(ROOT, "tools", "qemu", "loupe-qemu"),
                        "--image", IMAGE, "--build", TMP, "--smp", "2",
                        "--cmdline", "panic_test=null", "--dry-run"],
                       capture_output=True, text=True, check=True)
    assert "-serial mon:stdio" in p.stdout
    assert re.search(r"-serial unix:%s/loupe-com2-\d+\.sock,server=on,"
                     r"wait=off" % re.escape(TMP), p.stdout), p.stdout
    assert "-append panic_test=null" in p.stdout


@test
def bench_table_and_failure():
    bench = os.path.join(ROOT, "tools", "qemu", "bench")
    args = [sys.executable, bench, "--image", IMAGE, "--build", TMP,
            "--qemu", FAKE, "--smp", "2"]
    p = subprocess.run(args, env=dict(os.environ, FAKE_QEMU_MODE="bench"),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout
    assert re.search(r"boot to banner \(ms from QEMU start\) +\d+ ms",
                     p.stdout), p.stdout
    assert re.search(r"ctxsw +900 ns +250 ns", p.stdout), p.stdout
    p = subprocess.run(args, env=dict(os.environ, FAKE_QEMU_MODE="panic"),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "bench: boot failed" in p.stdout


def main():
    open(IMAGE, "wb").close()
    failed = 0
    try:
        for fn in TESTS:
            try:
                fn()
                print("PASS: boot_stages.%s" % fn.__name__, flush=True)
            except Exception:
                traceback.print_exc(file=sys.stdout)
                print("FAIL: boot_stages.%s" % fn.__name__, flush=True)
                failed += 1
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
