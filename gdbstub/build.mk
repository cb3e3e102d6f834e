# gdbstub: the portable RSP engine (host-tested) and its kernel glue (the
# debugger core, x86_64 part and COM2 driver; see README.md, docs/gdb.md).

GDBSTUB_SRCS := gdbstub/rsp.c gdbstub/rsp_cmd.c gdbstub/rsp_query.c \
		gdbstub/rsp_mem.c gdbstub/rsp_regs.c gdbstub/xfer.c \
		gdbstub/target_xml.c gdbstub/gdbreg.c gdbstub/hex.c \
		gdbstub/bytes.c

# Host tests: each links the engine, the fake target and one test file.
GDBSTUB_TESTS := $(addprefix $(BUILD)/gdbstub/tests/,test_rsp test_rsp_cmd \
		 test_rsp_fuzz test_rsp_gdb)
GDBSTUB_TEST_DEPS := gdbstub/tests/fake_target.c $(GDBSTUB_SRCS)
GDBSTUB_HEADERS := $(wildcard gdbstub/*.h gdbstub/tests/*.h) tests/harness.h
HOST_TESTS += $(GDBSTUB_TESTS)

# kernel/ goes on the quote path only: kernel/string.h must not hide libc's.
# Several sources per command: headers are listed instead of -MD output.
GDBSTUB_HOST_CFLAGS := $(filter-out -Ikernel -MD -MP,$(HOST_CFLAGS)) \
		       -iquote kernel

$(GDBSTUB_TESTS): $(BUILD)/gdbstub/tests/%: gdbstub/tests/%.c \
		  $(GDBSTUB_TEST_DEPS) $(GDBSTUB_HEADERS)
	$(quiet) HOSTCC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(GDBSTUB_HOST_CFLAGS) $(HOST_SAN) $< \
		$(GDBSTUB_TEST_DEPS) -o $@

# The engine must also build as kernel code; checked until it joins
# KERNEL_SRCS, without producing objects anybody links.
.PHONY: gdbstub-kcheck
gdbstub-kcheck:
	$(Q)for f in $(GDBSTUB_SRCS); do \
		$(KCC) $(filter-out -MD -MP,$(KCFLAGS)) -fsyntax-only $$f \
			|| exit 1; done

# The kernel side: the engine above plus the debugger core, the x86_64
# part, the thread view, monitor commands, the COM2 driver, test targets.
KERNEL_SRCS += $(GDBSTUB_SRCS) gdbstub/kgdb.c gdbstub/kgdb_arch.c \
	gdbstub/kgdb_threads.c gdbstub/kgdb_monitor.c gdbstub/com2.c \
	gdbstub/gdbtest.c gdbstub/kgdb_park.S
