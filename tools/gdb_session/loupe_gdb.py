"""Loupe's GDB commands, in the style of Linux's scripts/gdb (lx-ps,
lx-dmesg): one command per class, the docstring is its help, walkers are
generators. They read kernel structures by symbol and type
(gdb.lookup_type, Type.fields()), never by offsets copied from C.
gdb_session loads this file; by hand: `source tools/gdb_session/loupe_gdb.py`.

  loupe-tasks    every kernel thread: tid, name, state, CPU
  loupe-dmesg    the kernel log ring (dmesg_buf)
  loupe-stages   which boot stages passed (stage_catalog, stage_passed_tsc)
  loupe-trace    the trace buffer: a hook the trace code registers into
"""

import gdb

# Other scripts (the trace reader) add callables here: fn(arg) -> None.
loupe_trace_hooks = []


def offset_of(typename, member):
    for f in gdb.lookup_type(typename).fields():
        if f.name == member:
            return f.bitpos // 8
    raise gdb.GdbError("%s has no field %s" % (typename, member))


def container_of(ptr, typename, member):
    char_p = gdb.lookup_type("char").pointer()
    addr = ptr.cast(char_p) - offset_of(typename, member)
    return addr.cast(gdb.lookup_type(typename).pointer())


def list_for_each(head, limit=100000):
    """Yield every struct list_head * on the list @head (a struct value)."""
    node = head["next"]
    end = head.address
    for _ in range(limit):
        if node == end or int(node) == 0:
            return
        yield node
        node = node["next"]


def cpu_count():
    return int(gdb.parse_and_eval("ncpus"))


def each_thread():
    """Every thread: each online CPU's idle thread, then all_threads."""
    cpus = gdb.parse_and_eval("cpus")
    for i in range(cpu_count()):
        if int(cpus[i]["idle"]):
            yield cpus[i]["idle"]
    for node in list_for_each(gdb.parse_and_eval("all_threads")):
        yield container_of(node, "struct thread", "all_link")


def running_on():
    """{thread address: CPU} for what each online CPU runs."""
    cpus = gdb.parse_and_eval("cpus")
    return {int(cpus[i]["current"]): i for i in range(cpu_count())
            if cpus[i]["online"]}


class LoupeTasks(gdb.Command):
    """List every kernel thread: tid, name, state and the CPU it runs on.

Usage: loupe-tasks"""

    def __init__(self):
        super().__init__("loupe-tasks", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        on = running_on()
        gdb.write("%-18s %-8s %-16s %-9s %s\n" %
                  ("ADDRESS", "TID", "NAME", "STATE", "CPU"))
        for t in each_thread():
            cpu = on.get(int(t))
            state = str(t["state"]).replace("THREAD_", "").lower()
            if cpu is None and state == "running":
                state = "ready"
            gdb.write("0x%016x %-8d %-16s %-9s %s\n" %
                      (int(t), int(t["tid"]), t["name"].string(),
                       state, "-" if cpu is None else cpu))


class LoupeDmesg(gdb.Command):
    """Print the kernel log ring (dmesg_buf), oldest byte first.

Usage: loupe-dmesg [BYTES]   (default: the whole ring)"""

    def __init__(self):
        super().__init__("loupe-dmesg", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        head = int(gdb.parse_and_eval("dmesg_head"))
        size = int(gdb.parse_and_eval("dmesg_size"))
        buf = int(gdb.parse_and_eval("&dmesg_buf[0]"))
        want = min(head, size, int(arg) if arg.strip() else size)
        inf = gdb.selected_inferior()
        out = b""
        pos = head - want
        while pos < head:
            off = pos % size
            n = min(head - pos, size - off)
            out += bytes(inf.read_memory(buf + off, n))
            pos += n
        gdb.write(out.decode("utf-8", "replace"))


class LoupeStages(gdb.Command):
    """Show which boot stages passed (stage_catalog, stage_passed_tsc).

Usage: loupe-stages"""

    def __init__(self):
        super().__init__("loupe-stages", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        count = 0
        for f in gdb.lookup_type("enum stage_id").fields():
            if f.name == "STAGE_COUNT":
                count = f.enumval
        cat = gdb.parse_and_eval("stage_catalog")
        tsc = gdb.parse_and_eval("stage_passed_tsc")
        ncpus = cpu_count()
        passed = 0
        for i in range(count):
            ok = int(tsc[i]) != 0
            passed += ok
            want = int(cat[i]["min_cpus"]) <= ncpus
            gdb.write("%-20s %-11s %s\n" % (
                cat[i]["id"].string(),
                "passed" if ok else ("NOT passed" if want else "n/a"),
                cat[i]["marker"].string()))
        gdb.write("%d of %d stages passed\n" % (passed, count))


class LoupeTrace(gdb.Command):
    """Dump the kernel trace buffer through a registered reader.

Usage: loupe-trace [ARGS]. The trace code registers a reader by appending
a callable to loupe_gdb.loupe_trace_hooks; until then this says so."""

    def __init__(self):
        super().__init__("loupe-trace", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if loupe_trace_hooks:
            for hook in loupe_trace_hooks:
                hook(arg)
            return
        gdb.write("loupe-trace: no trace reader is registered yet (tracing "
                  "is not available in this GDB session)\n")


LoupeTasks()
LoupeDmesg()
LoupeStages()
LoupeTrace()
