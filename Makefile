# Loupe: one non-recursive Makefile. Each directory adds its sources and
# tests through a small build.mk fragment; every rule lives here or there.
#
#   make            build everything (kernel, image, host tools, host tests)
#   make run        boot Loupe in QEMU on this terminal (SMP=, ACCEL=, CMDLINE=)
#   make test       the whole suite; last line "N passed, N failed"
#   make boot-stages   boot and check every boot stage (SMP=, ACCEL=, REPEAT=)
#   make check      static checks on the built kernel (hot paths)
#   make bench      benchmarks; prints figures, never fails on them
#   make clean
#
# V=1 prints full commands.

BUILD   ?= build
SMP     ?= 4
ACCEL   ?= tcg
PYTHON  ?= python3

ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

# Dependencies from Debian, installed (as root) or named once per build.
DEPS_STAMP := $(BUILD)/.deps-ok
$(DEPS_STAMP): tools/deps.sh
	$(Q)sh tools/deps.sh
	$(Q)mkdir -p $(@D) && touch $@

# ---- kernel toolchain -------------------------------------------------------
KCC      := gcc
KCFLAGS  := -std=c11 -O2 -g -ffreestanding -fno-pic -fno-pie -mcmodel=kernel \
	    -mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx -mno-80387 \
	    -fno-stack-protector -fno-omit-frame-pointer -fno-optimize-sibling-calls \
	    -fno-common -fno-strict-aliasing -fno-asynchronous-unwind-tables \
	    -fcf-protection=none -Wall -Wextra -Werror -Wno-unused-parameter \
	    -MD -MP -Ikernel -Ikernel/arch/x86_64/include -I$(BUILD)/gen -I. -Iinclude
KASFLAGS := -g -MD -MP -D__ASSEMBLY__ -Iinclude -Ikernel -Ikernel/arch/x86_64/include \
	    -I$(BUILD)/gen -I.
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	    --no-warn-rwx-segments -T kernel/arch/x86_64/kernel.ld

# ---- host toolchain (unit tests run with ASan and UBSan) --------------------
HOSTCC       := gcc
HOST_CFLAGS  := -std=c11 -O1 -g -Wall -Wextra -Werror -MD -MP \
		-D_DEFAULT_SOURCE -D_GNU_SOURCE -I. -Iinclude -iquote kernel -I$(BUILD)/gen
HOST_SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all

# Fragments append to these.
KERNEL_SRCS :=		# kernel .c and .S files
HOT_SRCS :=		# kernel files that are hot paths (checked by hotcheck)
HOST_TOOLS :=		# host programs built by `make`
HOST_TESTS :=		# host unit-test binaries run by `make test`
GEN_HEADERS :=		# generated headers every kernel object may include

.SECONDEXPANSION:
include boot-stages/build.mk
include $(sort $(filter-out boot-stages/build.mk,$(wildcard */build.mk \
	*/*/build.mk)))

KOBJS := $(patsubst %.c,$(BUILD)/%.o,$(patsubst %.S,$(BUILD)/%.o,$(KERNEL_SRCS)))

$(BUILD)/%.o: %.c $(GEN_HEADERS)
	$(quiet) CC $<
	$(Q)mkdir -p $(@D)
	$(Q)$(KCC) $(KCFLAGS) -c $< -o $@

$(BUILD)/%.o: %.S $(GEN_HEADERS)
	$(quiet) AS $<
	$(Q)mkdir -p $(@D)
	$(Q)$(KCC) $(KASFLAGS) -c $< -o $@

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

.PHONY: all run test check bench boot-stages clean
all: $(DEPS_STAMP) $(BUILD)/kernel.elf $(BUILD)/loupe.bin $(HOST_TOOLS) $(HOST_TESTS)

clean:
	rm -rf $(BUILD)
