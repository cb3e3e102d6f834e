# Boot stages: the catalog, the kernel's generated view of it (stages.h and
# the stage_catalog[] table), user space's (user_stages.h), and `make
# boot-stages`, which boots QEMU and checks every marker in catalog order.
# See docs/boot-stages.md.

STAGES_CATALOG := boot-stages/stages.catalog
STAGES_GEN     := boot-stages/gen_stages boot-stages/stage_catalog.py
REPEAT         ?= 1
BOOT_STAGES_FLAGS ?=
# Kernel command-line options for the run, e.g. CMDLINE="ipcfast=off".
CMDLINE        ?=

$(BUILD)/gen/stages.h: $(STAGES_CATALOG) $(STAGES_GEN)
	$(quiet) GEN $@
	$(Q)$(PYTHON) boot-stages/gen_stages --catalog $< --header $@

$(BUILD)/gen/stages_table.c: $(STAGES_CATALOG) $(STAGES_GEN)
	$(quiet) GEN $@
	$(Q)$(PYTHON) boot-stages/gen_stages --catalog $< --table $@

# For user programs (userland/build.mk): the user.* markers as macros.
$(BUILD)/gen/user_stages.h: $(STAGES_CATALOG) $(STAGES_GEN)
	$(quiet) GEN $@
	$(Q)$(PYTHON) boot-stages/gen_stages --catalog $< --user-header $@

# Not in KERNEL_SRCS: the generic rule would look for gen/stages_table.c.
$(BUILD)/gen/stages_table.o: $(BUILD)/gen/stages_table.c $(BUILD)/gen/stages.h
	$(quiet) CC $<
	$(Q)$(KCC) $(KCFLAGS) -c $< -o $@

GEN_HEADERS       += $(BUILD)/gen/stages.h
KERNEL_EXTRA_OBJS += $(BUILD)/gen/stages_table.o

boot-stages: $(DEPS_STAMP) $(BUILD)/loupe.bin $(BUILD)/initrd.cpio
	$(Q)$(PYTHON) boot-stages/run --smp $(SMP) --accel $(ACCEL) \
		--repeat $(REPEAT) --image $(BUILD)/loupe.bin --build $(BUILD) \
		$(if $(CMDLINE),--cmdline "$(CMDLINE)") $(BOOT_STAGES_FLAGS)
