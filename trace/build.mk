# trace/: the per-CPU trace rings. The ring's kernel files are listed in
# TRACE_KERNEL_SRCS for the kernel to pick up (trace/emit.c is a hot
# path); the same files build on the host for the tests and the benchmark.

TRACE_KERNEL_SRCS := trace/emit.c trace/ring.c trace/reader.c
TRACE_HOT_SRCS := trace/emit.c
KERNEL_SRCS += $(TRACE_KERNEL_SRCS)
HOT_SRCS += $(TRACE_HOT_SRCS)
TRACE_HDRS := trace/record.h trace/ring.h trace/emit.h trace/local.h tests/harness.h
# kernel/ only for "types.h": as -I it would shadow <sched.h> and friends.
TRACE_HOST_CFLAGS := $(filter-out -Ikernel,$(HOST_CFLAGS)) -iquote kernel

TRACE_TEST := $(BUILD)/trace/tests/test_ring
TRACE_STRESS := $(BUILD)/trace/tests/stress_ring
TRACE_BENCH := $(BUILD)/trace/bench_ring

HOST_TESTS += $(TRACE_TEST) $(TRACE_STRESS)
HOST_TOOLS += $(TRACE_BENCH)
BENCHES += $(TRACE_BENCH)

# Unit tests: ASan + UBSan, with the nesting hook compiled in.
$(TRACE_TEST): trace/tests/test_ring.c $(TRACE_KERNEL_SRCS) $(TRACE_HDRS)
	$(quiet) HOSTCC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(TRACE_HOST_CFLAGS) $(HOST_SAN) -DCONFIG_TRACE_NEST_HOOK=1 \
		$(filter %.c,$^) -o $@

# Concurrency stress: ThreadSanitizer (cannot be combined with ASan).
# -Wno-tsan: TSan does not model fences; the test checks what they order.
$(TRACE_STRESS): trace/tests/stress_ring.c $(TRACE_KERNEL_SRCS) $(TRACE_HDRS)
	$(quiet) HOSTCC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(TRACE_HOST_CFLAGS) -fsanitize=thread -Wno-tsan \
		-fno-omit-frame-pointer -DCONFIG_TRACE_NEST_HOOK=1 \
		$(filter %.c,$^) -o $@ -lpthread

# Benchmark: optimized like the kernel, no sanitizers, no hook.
$(TRACE_BENCH): trace/tests/bench_ring.c $(TRACE_KERNEL_SRCS) $(TRACE_HDRS)
	$(quiet) HOSTCC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(filter-out -O1,$(TRACE_HOST_CFLAGS)) -O2 \
		$(filter %.c,$^) -o $@

.PHONY: trace-kcheck
# Compile the ring's kernel files with the kernel's flags.
trace-kcheck: $(patsubst %.c,$(BUILD)/%.o,$(TRACE_KERNEL_SRCS))
