"""Run inside GDB (tests/gdb/test_gdb.py): single-step N instructions from
the current PC, which must be at the start of a call-free function, and
check that every PC is an instruction of that function's disassembly and
follows from the previous one (next instruction or a branch target).
Prints `STEPCHECK OK <n>` or `STEPCHECK FAIL <why>`."""

import re

import gdb


def function_block(pc):
    blk = gdb.block_for_pc(pc)
    while blk is not None and blk.function is None:
        blk = blk.superblock
    return blk


def stepcheck(count):
    frame = gdb.selected_frame()
    blk = function_block(frame.pc())
    name = blk.function.name
    insns = {d["addr"]: d for d in
             frame.architecture().disassemble(blk.start, blk.end - 1)}
    pc = int(frame.pc())
    if pc not in insns:
        return "FAIL start pc %#x not in %s" % (pc, name)
    for i in range(count):
        d = insns[pc]
        gdb.execute("stepi", to_string=True)
        new = int(gdb.selected_frame().pc())
        if new not in insns:
            return "FAIL step %d: pc %#x left %s" % (i, new, name)
        targets = {pc + d["length"]}
        m = re.search(r"\b0x([0-9a-f]+)\b", d["asm"])
        if m and d["asm"].split()[0].startswith("j"):
            targets.add(int(m.group(1), 16))
        if new not in targets:
            return "FAIL step %d: %#x -> %#x after %r" % (i, pc, new,
                                                         d["asm"])
        pc = new
    return "OK %d" % count


gdb.write("STEPCHECK %s\n" % stepcheck(int(gdb.parse_and_eval(
    "$stepcheck_count"))))
