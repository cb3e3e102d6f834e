"""The one place that builds QEMU's command line for Loupe.

`make run`, the boot-stage runner, the benchmarks and the GDB session tool
all call qemu_argv(), so they boot the same machine. Pure: it returns a list
and starts nothing. LOUPE_QEMU in the environment replaces the QEMU binary
(the runner's tests put a fake QEMU there).
"""

import os

QEMU = "qemu-system-x86_64"
ACCELS = ("tcg", "kvm")

# The kernel ends QEMU by writing a code to this port: QEMU then exits with
# (code << 1) | 1, so the kernel's 0 ("all stages done") becomes exit status 1
# and its 1 ("panic") becomes 3.
DEBUG_EXIT_PORT = 0xf4
EXIT_SUCCESS = 1
EXIT_PANIC = 3


def trace_mem_path():
    """$LOUPE_TRACE_MEM: back guest RAM with this file for tracecap, or None.

    Set by `make run TRACE=1` (tools/tracecap/build.mk), so an interactive
    session can be traced from another terminal (docs/tracing.md).
    """
    return os.environ.get("LOUPE_TRACE_MEM") or None


def qemu_binary():
    """QEMU's executable: $LOUPE_QEMU if set (tests), else from PATH."""
    return os.environ.get("LOUPE_QEMU") or QEMU


def _cpu_model(accel):
    # -cpu max under TCG gives every feature TCG emulates (NX, x2APIC,
    # invariant TSC, ...); under KVM "host" passes the real CPU through.
    return "host" if accel == "kvm" else "max"


def memory_backend_args(path, mem="512M"):
    """QEMU arguments that back guest RAM with the shared file @path.

    The host can then map the file and read guest-physical memory live (the
    trace transport, tools/tracecap): file offset = guest-physical address
    for the "pc" machine's low RAM. The size must equal -m.
    """
    return ["-object", "memory-backend-file,id=loupe-ram,size=%s,"
            "mem-path=%s,share=on" % (mem, path),
            "-machine", "memory-backend=loupe-ram"]


def qemu_argv(image, smp=4, accel="tcg", cmdline="", mem="512M",
              serial="stdio", com2=None, extra=(), icount=False, qemu=None,
              mem_path=None, initrd="auto"):
    """QEMU's argv (binary first) to boot the Multiboot @image.

    @serial is COM1, the kernel console, as a QEMU chardev spec ("stdio",
    "mon:stdio" to share the terminal with the monitor, "file:x.log", ...).
    @com2 is COM2's spec or None. @icount (TCG only) makes the guest TSC
    advance one tick per guest instruction, for deterministic benchmarks.
    @qemu overrides qemu_binary(). @mem_path (default trace_mem_path())
    backs guest RAM with that shared file (memory_backend_args()).
    @initrd is the user-space archive loaded as a Multiboot module: "auto"
    (initrd.cpio beside @image, if it exists), a path, or None.
    Raises ValueError on a bad accelerator, CPU count or icount with KVM.
    """
    if accel not in ACCELS:
        raise ValueError("accel must be one of %s, not %r" % (ACCELS, accel))
    if int(smp) < 1:
        raise ValueError("smp must be at least 1, not %r" % (smp,))
    if icount and accel != "tcg":
        raise ValueError("icount needs accel=tcg")
    argv = [qemu or qemu_binary(),
            "-machine", "pc",
            "-accel", accel,
            "-cpu", _cpu_model(accel),
            "-smp", str(int(smp)),
            "-m", str(mem),
            "-kernel", str(image),
            "-display", "none",
            "-nodefaults",      # no VGA ROM etc.: ~20 ms less boot
            "-no-reboot",
            "-device", "isa-debug-exit,iobase=%#x,iosize=0x04" %
            DEBUG_EXIT_PORT,
            "-serial", serial]
    if initrd == "auto":
        initrd = os.path.join(os.path.dirname(str(image)), "initrd.cpio")
        initrd = initrd if os.path.exists(initrd) else None
    if initrd:
        argv += ["-initrd", str(initrd)]
    if cmdline:
        argv += ["-append", cmdline]
    if com2:
        argv += ["-serial", com2]
    if icount:
        argv += ["-icount", "shift=0,align=off"]
    mem_path = mem_path or trace_mem_path()
    if mem_path:
        argv += memory_backend_args(mem_path, mem)
    if not serial.startswith("mon:"):
        # Keep the monitor off stdio and off any default console.
        argv += ["-monitor", "none"]
    argv += list(extra)
    return argv


def exit_meaning(status):
    """Words for QEMU's exit @status, isa-debug-exit codes included."""
    if status == EXIT_SUCCESS:
        # QEMU's own start-up errors exit 1 too; callers check the console.
        return "kernel exit 0 (success) through isa-debug-exit"
    if status == EXIT_PANIC:
        return "kernel panic (isa-debug-exit code 1)"
    if status is not None and status < 0:
        return "QEMU killed by signal %d" % -status
    if status == 0:
        return ("QEMU exited 0 (a reset or triple fault under -no-reboot, "
                "or a shutdown; not isa-debug-exit)")
    if status is not None and status & 1:
        return "kernel exit code %d through isa-debug-exit" % (status >> 1)
    return "QEMU exited with status %s" % status
