"""The direct call graph of a linked image, from `objdump -d` text.

Part of hotcheck. A node is a block: the code from one symbol objdump
names (`<sym>:`) to the next. Edges are direct calls, jumps and
conditional jumps to another block, plus a fall-through into an assembly
label. Indirect branches are kept aside for the allowlist. Pure: every
function takes text or data and returns data; nothing here runs tools.
"""

import bisect
import collections
import re

HEADER = re.compile(r"^([0-9a-f]+) <(.+)>:$")
INSN = re.compile(r"^\s*([0-9a-f]+):\s+(.*?)\s*$")
TARGET = re.compile(r"^([0-9a-f]+)(?:\s+<.*>)?$")
JUMP_TABLE = re.compile(r"^\*(-?0x[0-9a-f]+)\(,%\w+,8\)$")
PREFIXES = {"notrack", "bnd", "lock", "rep", "repz", "repe", "repnz",
            "repne", "data16", "addr32", "cs", "ds", "es", "ss", "fs", "gs",
            "rex", "rex.w", "rex.W", "xacquire", "xrelease"}
TERMINATORS = {"jmp", "jmpq", "ljmp", "ljmpq", "ret", "retq", "retw",
               "lret", "lretq", "iret", "iretq", "iretl", "sysret",
               "sysretq", "sysretl", "sysexit", "sysexitq", "ud2", "ud2a"}
PADDING = {"nop", "nopw", "nopl", "int3", "xchg", "(bad)", "..."}

Insn = collections.namedtuple("Insn", "addr mnem ops")
Block = collections.namedtuple("Block", "addr name section insns")
Edge = collections.namedtuple("Edge", "insn kind dst")  # kind: call/jmp/jcc


def split_insn(text):
    """'notrack jmp *%rax' -> ('jmp', '*%rax')."""
    words = text.split()
    while len(words) > 1 and words[0] in PREFIXES:
        words = words[1:]
    if not words:
        return "", ""
    return words[0], " ".join(words[1:])


def parse_objdump(text):
    """Blocks of `objdump -d --no-show-raw-insn -M att -w` output."""
    blocks, section, cur = [], None, None
    for line in text.splitlines():
        if line.startswith("Disassembly of section "):
            section = line[len("Disassembly of section "):].rstrip(":")
            cur = None
            continue
        m = HEADER.match(line)
        if m:
            cur = Block(int(m.group(1), 16), m.group(2), section, [])
            blocks.append(cur)
            continue
        m = INSN.match(line)
        if m and cur is not None:
            mnem, ops = split_insn(m.group(2))
            cur.insns.append(Insn(int(m.group(1), 16), mnem, ops))
    blocks.sort(key=lambda b: b.addr)
    return blocks


def branch_kind(mnem):
    if mnem.startswith("call") or mnem == "lcall":
        return "call"
    if mnem.startswith("jmp") or mnem == "ljmp":
        return "jmp"
    if mnem.startswith("j") or mnem.startswith("loop"):
        return "jcc"
    return None


def is_padding(insn):
    return insn.mnem in PADDING or insn.mnem.startswith("nop")


class Graph:
    """Blocks with their outgoing direct edges and indirect branches.

    @labels: addresses of blocks that are assembly labels (STT_NOTYPE), the
    only blocks code may fall into. @noreturn: addresses of blocks a call
    never returns from (the cold exits), so no fall-through after them.
    @read_qword(addr) -> int or None reads the image, to recognise switch
    jump tables (`jmp *table(,%reg,8)` whose entries all land in the same
    block); without it every indirect jump is kept as indirect."""

    def __init__(self, blocks, labels=(), noreturn=(), read_qword=None):
        self.blocks = blocks
        self.read_qword = read_qword
        self.starts = [b.addr for b in blocks]
        self.by_addr = {b.addr: b for b in blocks}
        self.labels = set(labels)
        self.noreturn = set(noreturn)
        self.edges = {}
        self.indirect = {}
        for i, b in enumerate(blocks):
            self.edges[b.addr], self.indirect[b.addr] = self._scan(i, b)

    def block_at(self, addr):
        """The block holding @addr, or None."""
        i = bisect.bisect_right(self.starts, addr) - 1
        return self.blocks[i] if i >= 0 else None

    def _scan(self, i, b):
        edges, indirect = [], []
        for insn in b.insns:
            kind = branch_kind(insn.mnem)
            if kind is None:
                continue
            if insn.ops.startswith("*"):
                if not (kind == "jmp" and self._local_table(insn, i)):
                    indirect.append(insn)
                continue
            m = TARGET.match(insn.ops)
            dst = self.block_at(int(m.group(1), 16)) if m else None
            if dst is not None and dst.addr != b.addr:
                edges.append(Edge(insn, kind, dst.addr))
        nxt = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
        if nxt is not None and self._falls_through(b, nxt, edges):
            edges.append(Edge(None, "fall", nxt.addr))
        return edges, indirect

    def _local_table(self, insn, i):
        """True if @insn jumps through a table into its own block only."""
        m = JUMP_TABLE.match(insn.ops)
        if not m or self.read_qword is None:
            return False
        lo = self.blocks[i].addr
        hi = self.blocks[i + 1].addr if i + 1 < len(self.blocks) else None
        table = int(m.group(1), 16) & (2**64 - 1)
        n = 0
        while n < 4096:
            dst = self.read_qword(table + 8 * n)
            if dst is None or dst < lo or (hi is not None and dst >= hi):
                break
            n += 1
        return n >= 2

    def _falls_through(self, b, nxt, edges):
        if nxt.addr not in self.labels or nxt.section != b.section:
            return False
        real = [x for x in b.insns if not is_padding(x)]
        if not real:
            return True
        last = real[-1]
        if last.mnem in TERMINATORS:
            return False
        return not any(e.insn is last and e.dst in self.noreturn
                       for e in edges)


Hit = collections.namedtuple("Hit", "addr chain")


def walk(graph, roots, stop, forbidden):
    """Breadth-first walk of direct edges from @roots.

    Blocks in @stop (cold exits) are reached but not entered; blocks in
    @forbidden are reported and not entered. Returns (reached, hits,
    parents): reached is a set of block addresses, hits a list of Hit with
    the shortest chain (list of (addr, kind)) from a root."""
    parents = {r: None for r in roots if r in graph.by_addr}
    queue = collections.deque(parents)
    hits = []
    while queue:
        a = queue.popleft()
        if a in forbidden:
            hits.append(Hit(a, chain(parents, a)))
            continue
        if a in stop:
            continue
        for e in graph.edges[a]:
            if e.dst not in parents:
                parents[e.dst] = (a, e.kind)
                queue.append(e.dst)
    return set(parents), hits, parents


def chain(parents, addr):
    """[(root, None), (next, kind), ..., (addr, kind)] from walk()."""
    out = []
    while True:
        p = parents[addr]
        out.append((addr, p[1] if p else None))
        if p is None:
            return out[::-1]
        addr = p[0]


def format_chain(graph, ch):
    parts = []
    for addr, kind in ch:
        name = graph.by_addr[addr].name
        parts.append(name if kind in (None, "call") else
                     "%s (%s)" % (name, kind))
    return " -> ".join(parts)
