#!/usr/bin/env python3
"""Tests for hotcheck and its selftest, without the real kernel.

Two kinds: hand-written objdump text fed to the call-graph core, and a toy
kernel (tests/fixture/) compiled with gcc, linked with ld and checked end
to end. Each test prints PASS:/FAIL: hotcheck_fixture.<name>.
Usage: test_hotcheck.py [KSYMS]  (KSYMS: the ksyms tool, for the selftest)
"""

import io
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.dirname(HERE)
FIXTURE = os.path.join(HERE, "fixture")
sys.path.insert(0, TOOL)
import callgraph  # noqa: E402


def load_script(name):
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader(
        name, os.path.join(TOOL, name))
    spec = importlib.util.spec_from_loader(name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


hotcheck = load_script("hotcheck")

# ---- call graph from objdump text ------------------------------------------

DIS = """
build/kernel.elf:     file format elf64-x86-64

Disassembly of section .text:

ffffffff80100000 <root>:
ffffffff80100000:\tpush   %rbp
ffffffff80100001:\tcall   ffffffff80100100 <helper>
ffffffff80100006:\tjne    ffffffff80100010 <root+0x10>
ffffffff8010000b:\tpop    %rbp
ffffffff8010000c:\tret
ffffffff8010000d:\tnopl   (%rax)
ffffffff80100010:\tjmp    ffffffff80100000 <root>

ffffffff80100100 <helper>:
ffffffff80100100:\tcall   ffffffff80100200 <printk>
ffffffff80100105:\tret

ffffffff80100200 <printk>:
ffffffff80100200:\tcall   ffffffff80100300 <uart_putc>
ffffffff80100205:\tret

ffffffff80100300 <uart_putc>:
ffffffff80100300:\tret

ffffffff80100400 <tail_root>:
ffffffff80100400:\tjmp    ffffffff80100500 <tail_mid>

ffffffff80100500 <tail_mid>:
ffffffff80100500:\tje     ffffffff80100600 <tail_mid.cold>
ffffffff80100506:\tret

ffffffff80100600 <tail_mid.cold>:
ffffffff80100600:\tcall   ffffffff80100208 <printk+0x8>
ffffffff80100605:\tud2

ffffffff80100700 <cold_root>:
ffffffff80100700:\tcall   ffffffff80100900 <panic>
ffffffff80100705:\tret

ffffffff80100800 <ind_root>:
ffffffff80100800:\tcall   *%rax
ffffffff80100802:\tnotrack jmp *%rdx
ffffffff80100804:\tcall   *0x10(%rbx)
ffffffff80100807:\tret

ffffffff80100880 <clean_root>:
ffffffff80100880:\tcall   ffffffff801008c0 <leaf>
ffffffff80100885:\tjmp    ffffffff80100890 <clean_root+0x10>
ffffffff80100890:\tret

ffffffff801008c0 <leaf>:
ffffffff801008c0:\tret

ffffffff80100900 <panic>:
ffffffff80100900:\tcall   ffffffff80100200 <printk>
ffffffff80100905:\tjmp    ffffffff80100905 <panic+0x5>

ffffffff80100a00 <stub>:
ffffffff80100a00:\tpush   $0x0
ffffffff80100a02:\tpush   $0x20

ffffffff80100a04 <common>:
ffffffff80100a04:\tcall   ffffffff80100100 <helper>
ffffffff80100a09:\tiretq

ffffffff80100a10 <ends_in_panic>:
ffffffff80100a10:\tcall   ffffffff80100900 <panic>
ffffffff80100a15:\tnop

ffffffff80100a18 <label_after_panic>:
ffffffff80100a18:\tcall   ffffffff80100200 <printk>

ffffffff80100b00 <switchy>:
ffffffff80100b00:\tjmp    *-0x7fe00000(,%rax,8)
ffffffff80100b07:\tret
ffffffff80100b08:\tret

ffffffff80100b10 <calls_via_table>:
ffffffff80100b10:\tjmp    *-0x7fdffff0(,%rax,8)
"""

PANIC, PRINTK, UART = 0xffffffff80100900, 0xffffffff80100200, \
    0xffffffff80100300
LABELS = {0xffffffff80100a04, 0xffffffff80100a18}
# Two jump tables: one into switchy itself, one out to printk and helper.
TABLES = {0xffffffff80200000: 0xffffffff80100b07,
          0xffffffff80200008: 0xffffffff80100b08,
          0xffffffff80200010: 0xffffffff80100200,
          0xffffffff80200018: 0xffffffff80100100}


def graph():
    blocks = callgraph.parse_objdump(DIS)
    return callgraph.Graph(blocks, LABELS, {PANIC}, TABLES.get)


def addr_of(g, name):
    return next(b.addr for b in g.blocks if b.name == name)


def walk_names(g, root):
    reached, hits, _ = callgraph.walk(g, [addr_of(g, root)], {PANIC},
                                      {PRINTK: "printk.c", UART: "uart.c"})
    return ({g.by_addr[a].name for a in reached},
            [callgraph.format_chain(g, h.chain) for h in hits])


def test_direct_call_found():
    _, hits = walk_names(graph(), "root")
    assert hits == ["root -> helper -> printk"], hits


def test_tail_jmp_and_jcc_found():
    _, hits = walk_names(graph(), "tail_root")
    assert hits == ["tail_root -> tail_mid (jmp) -> tail_mid.cold (jcc) "
                    "-> printk"], hits


def test_coldexit_not_descended():
    reached, hits = walk_names(graph(), "cold_root")
    assert hits == [] and "panic" in reached, (reached, hits)


def test_indirect_call_flagged():
    g = graph()
    ind = g.indirect[addr_of(g, "ind_root")]
    assert [i.ops for i in ind] == ["*%rax", "*%rdx", "*0x10(%rbx)"], ind
    allow = {"ind_root+0x2": "jump to a checked handler"}
    keys = [hotcheck.allow_key(g, i, allow) for i in ind]
    assert keys == [None, "ind_root+0x2", None], keys
    assert hotcheck.allow_key(g, ind[0], {"ind_root": "why"}) == "ind_root"


def test_clean_graph_passes():
    g = graph()
    reached, hits = walk_names(g, "clean_root")
    assert hits == [] and reached == {"clean_root", "leaf"}, reached
    assert g.indirect[addr_of(g, "clean_root")] == []


def test_intra_function_jumps_ignored():
    g = graph()
    assert [e.kind for e in g.edges[addr_of(g, "root")]] == ["call"]


def test_fallthrough_into_label():
    _, hits = walk_names(graph(), "stub")
    assert hits == ["stub -> common (fall) -> helper -> printk"], hits


def test_no_fallthrough_after_noreturn_or_into_function():
    g = graph()
    assert [e.kind for e in g.edges[addr_of(g, "ends_in_panic")]] == ["call"]
    assert all(e.kind != "fall" for e in g.edges[addr_of(g, "leaf")])


def test_jump_table_into_own_function_is_not_indirect():
    g = graph()
    assert g.indirect[addr_of(g, "switchy")] == []
    assert len(g.indirect[addr_of(g, "calls_via_table")]) == 1
    g2 = callgraph.Graph(callgraph.parse_objdump(DIS), LABELS, {PANIC})
    assert len(g2.indirect[addr_of(g2, "switchy")]) == 1


def test_banner_detection():
    assert hotcheck.has_banner("/*\n * HOT PATH: timer.\n */\nint x;\n")
    assert hotcheck.has_banner("\n// HOT PATH: entry\n// more\n")
    assert not hotcheck.has_banner("/* timer */\n/* HOT PATH */\n")
    assert not hotcheck.has_banner("int x; /* HOT PATH */\n")


def test_allowlist_requires_reason():
    allow = hotcheck.parse_allowlist("# c\nfoo  the reason  # x\n\n")
    assert allow == {"foo": "the reason"}, allow
    try:
        hotcheck.parse_allowlist("foo\n", "a.allow")
    except hotcheck.CheckError as e:
        assert "a.allow:1" in str(e)
    else:
        raise AssertionError("no error for a missing reason")


# ---- the toy kernel, compiled and linked ------------------------------------

CFLAGS = ["-std=c11", "-O2", "-ffreestanding", "-fno-pic", "-fno-pie",
          "-mcmodel=kernel", "-mno-red-zone", "-fno-stack-protector",
          "-fno-asynchronous-unwind-tables", "-fcf-protection=none",
          "-fno-optimize-sibling-calls", "-Wall", "-Werror"]
SRCS = ["timer.c", "entry.S", "hot_bad.c", "hot_ind.c", "nobanner.c",
        "mid.c", "console.c", "stage.c", "panic.c"]
FORBIDDEN = ["fx/console.c", "fx/stage.c"]


class Toy:
    """The fixture tree copied to fx/ in a scratch dir, built into b/."""

    def __init__(self, ksyms):
        self.dir = tempfile.mkdtemp(prefix="hotcheck-test-")
        self.ksyms = ksyms
        shutil.copytree(FIXTURE, os.path.join(self.dir, "fx"))
        self.objs = []
        for src in SRCS:
            obj = os.path.join("b", "fx", os.path.splitext(src)[0] + ".o")
            self.objs.append(obj)
            extra = ["-foptimize-sibling-calls"] if src == "mid.c" else []
            self.sh(["gcc"] + CFLAGS + extra + ["-c", "fx/" + src,
                                                "-o", obj])
        self.sh(["ld", "-T", "fx/link.ld", "-o", "b/kernel.elf"] + self.objs)
        # The same objects under ld's default script: no __coldexit_*.
        self.sh(["ld", "-e", "entry_stub", "-Ttext=0xffffffff80100000",
                 "-o", "b/plain.elf"] + self.objs)

    def sh(self, cmd):
        os.makedirs(os.path.join(self.dir, "b", "fx"), exist_ok=True)
        subprocess.run(cmd, cwd=self.dir, check=True, capture_output=True)

    def hotcheck(self, hot, allow="", elf="b/kernel.elf", objs=True):
        with open(os.path.join(self.dir, "allow"), "w") as f:
            f.write(allow)
        argv = ["--elf", elf, "--build", "b", "--allow", "allow",
                "--hot"] + ["fx/" + h for h in hot] + \
            ["--forbidden"] + FORBIDDEN
        if objs:
            argv += ["--objs"] + self.objs
        out = io.StringIO()
        cwd = os.getcwd()
        os.chdir(self.dir)
        try:
            st = hotcheck.run(hotcheck.parse_args(argv), out)
        finally:
            os.chdir(cwd)
        return st, out.getvalue()

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


TOY = None


def test_elf_clean_hot_files_pass():
    st, out = TOY.hotcheck(["timer.c", "entry.S"])
    assert st == 0, out
    last = out.splitlines()[-1]
    assert last.startswith("hotcheck: OK (") and "forbidden)" in last, out
    assert "PASS: hotcheck.fx/timer.c" in out
    assert "PASS: hotcheck.fx/entry.S" in out


def test_elf_two_level_chain_through_tail_jmp():
    st, out = TOY.hotcheck(["timer.c", "hot_bad.c"])
    assert st == 1, out
    assert ("forbidden: hot_bad_entry -> helper_a -> helper_b (jmp) -> "
            "console_write (jmp)  [fx/console.c]") in out, out
    assert "FAIL: hotcheck.fx/hot_bad.c" in out
    assert "PASS: hotcheck.fx/timer.c" in out
    assert out.splitlines()[-1].startswith("hotcheck: FAILED (1 forbidden")


def test_elf_coldexit_without_linker_range():
    st, out = TOY.hotcheck(["timer.c"], elf="b/plain.elf")
    assert st == 0, out
    st, out = TOY.hotcheck(["timer.c"], elf="b/plain.elf", objs=False)
    assert st == 1 and "die -> console_write" in out, out


def test_elf_static_name_collision():
    # timer.c uses mid.c's util(); console.c's util() is forbidden.
    st, out = TOY.hotcheck(["timer.c"])
    assert st == 0 and "util" not in out, out


def test_elf_indirect_flagged_then_allowed():
    st, out = TOY.hotcheck(["hot_ind.c"])
    assert st == 1 and "indirect branch not allowlisted: hot_ind_entry" \
        in out, out
    st, out = TOY.hotcheck(["hot_ind.c"], allow="hot_ind_entry  calls "
                           "helper_ok only (fixture)\n")
    assert st == 0, out


def test_elf_missing_banner_fails():
    st, out = TOY.hotcheck(["nobanner.c"])
    assert st == 1 and "no 'HOT PATH' banner" in out, out
    assert "FAIL: hotcheck.fx/nobanner.c" in out


def test_elf_no_hot_sources_fails():
    st, out = TOY.hotcheck([])
    assert st == 1 and "HOT_SRCS empty" in out, out


def selftest_run(inject, expect):
    selftest = load_script("selftest")
    cmd = ["--src", "fx/timer.c", "--build", "b", "--elf", "b/kernel.elf",
           "--cc", "gcc", "--cflags", " ".join(CFLAGS), "--ld", "ld",
           "--ldflags", "-T fx/link.ld", "--ksyms", TOY.ksyms,
           "--inject", inject, "--header", "stage.h", "--expect", expect,
           "--link-objs"] + TOY.objs + [
           "--", "--hot", "fx/timer.c", "fx/entry.S",
           "--forbidden"] + FORBIDDEN + ["--objs"] + TOY.objs + [
           "--allow", "allow"]
    lines = []
    cwd = os.getcwd()
    os.chdir(TOY.dir)
    try:
        ok = selftest.selftest(selftest.parse_args(cmd),
                               selftest.parse_args(cmd).hotcheck_args,
                               lines.append)
    finally:
        os.chdir(cwd)
    return ok, "\n".join(lines)


def test_selftest_detects_marker_in_fixture_timer():
    ok, log = selftest_run("stage_mark(STAGE_BOOT_DONE);", "stage_mark")
    assert ok, log
    assert "timer_irq -> stage_mark  [fx/stage.c]" in log, log
    assert not os.listdir(os.path.join(TOY.dir, "b")).count(
        "hotcheck-selftest-"), "scratch dir left behind"


def test_selftest_fails_when_injection_is_harmless():
    ok, log = selftest_run("fixture_state = helper_ok(1);", "stage_mark")
    assert not ok and "did not report stage_mark" in log, log


TESTS = [(name[5:], fn) for name, fn in list(globals().items())
         if name.startswith("test_")]


def main(argv):
    global TOY
    ksyms = os.path.abspath(argv[1]) if len(argv) > 1 else \
        "build/tools/ksyms/ksyms"
    failed = 0
    try:
        TOY = Toy(ksyms)
    except (OSError, subprocess.CalledProcessError) as e:
        err = getattr(e, "stderr", b"") or b""
        print("toy kernel build failed: %s" % e)
        for line in err.decode(errors="replace").splitlines():
            print("  | " + line)
    try:
        for name, fn in TESTS:
            ok = True
            if TOY is None and name.startswith(("elf_", "selftest_")):
                ok = False
            else:
                try:
                    fn()
                except Exception:
                    # Indented: the output quoted may hold PASS:/FAIL: lines.
                    for line in traceback.format_exc().splitlines():
                        print("  | " + line)
                    ok = False
            print("%s: hotcheck_fixture.%s" % ("PASS" if ok else "FAIL",
                                               name))
            sys.stdout.flush()
            failed += not ok
    finally:
        if TOY is not None:
            TOY.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
