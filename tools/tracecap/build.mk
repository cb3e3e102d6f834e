# tools/tracecap: the host side of the trace transport (live capture from
# QEMU's guest-RAM file, console-dump conversion, capture statistics), and
# `make trace`: boot with tracing, run a workload, capture, convert.

TCAP_DIR := tools/tracecap
TCAP_OUT := $(BUILD)/$(TCAP_DIR)
TCAP_BIN := $(TCAP_OUT)/tracecap
TCAP_SRCS := $(TCAP_DIR)/main.c $(TCAP_DIR)/live.c $(TCAP_DIR)/dump.c \
	$(TCAP_DIR)/stat.c $(TCAP_DIR)/capout.c $(TCAP_DIR)/kelf.c \
	trace/reader.c tools/trace2perfetto/capture.c
# Like trace/'s host builds: kernel/ only for "types.h".
TCAP_CFLAGS := $(filter-out -Ikernel -O1,$(HOST_CFLAGS)) -iquote kernel -O2

HOST_TOOLS += $(TCAP_BIN)

$(TCAP_BIN): $(TCAP_SRCS) $(TCAP_DIR)/tracecap.h trace/record.h trace/ring.h
	$(quiet) HOSTCC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(TCAP_CFLAGS) $(filter %.c,$^) -lelf -o $@

# `make bench` ends with tools/tracecap/trace-bench, which needs these.
# $$: T2P_BIN and TRACE_BENCH come from fragments read after this one.
bench: $(TCAP_BIN) $$(T2P_BIN) $$(TRACE_BENCH)

TRACE_SMP ?= $(SMP)
TRACE_OUT ?= $(BUILD)/trace.pftrace

.PHONY: trace
# Boot with trace=stream and the trace workload, capture live, convert.
trace: $(DEPS_STAMP) $(BUILD)/loupe.bin $(BUILD)/kernel.elf $(TCAP_BIN) \
		$$(T2P_BIN)
	$(Q)$(PYTHON) $(TCAP_DIR)/trace-run --build $(BUILD) --smp $(TRACE_SMP) \
		--accel $(ACCEL) --out $(TRACE_OUT)

# Tracing an interactive session: `make run TRACE=1` backs guest RAM with
# $(TRACE_MEM) and boots with trace=stream; `make trace-session` in another
# terminal captures until QEMU ends (or Ctrl-C) and converts to
# build/session.pftrace.
TRACE_MEM ?= /dev/shm/loupe-trace-$(USER).ram

ifeq ($(TRACE),1)
run: export LOUPE_TRACE_MEM := $(TRACE_MEM)
run: trace-mem-fresh
override CMDLINE += trace=stream
endif

.PHONY: trace-mem-fresh trace-session
# QEMU keeps an existing file's contents: start from zeroed RAM.
trace-mem-fresh:
	$(Q)rm -f $(TRACE_MEM)

trace-session: $(TCAP_BIN) $$(T2P_BIN) $(BUILD)/kernel.elf
	$(Q)$(PYTHON) $(TCAP_DIR)/trace-session --build $(BUILD) \
		--mem $(TRACE_MEM) --out $(BUILD)/session.pftrace
