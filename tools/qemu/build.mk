# QEMU for people and for benchmarks. tools/qemu/loupe_qemu.py builds QEMU's
# command line for every tool; `make run` boots on this terminal (Ctrl-A X
# quits), `make bench` boots twice and prints figures.

CMDLINE ?=

run: $(DEPS_STAMP) $(BUILD)/loupe.bin $(BUILD)/initrd.cpio
	$(Q)$(PYTHON) tools/qemu/loupe-qemu --image $(BUILD)/loupe.bin \
		--build $(BUILD) --smp $(SMP) --accel $(ACCEL) \
		--cmdline "$(CMDLINE)"

bench: $(DEPS_STAMP) $(BUILD)/loupe.bin $(BUILD)/initrd.cpio
	$(Q)$(PYTHON) tools/qemu/bench --image $(BUILD)/loupe.bin \
		--build $(BUILD) --smp $(SMP)
	$(Q)$(PYTHON) tools/gdb_session/bench_gdb --build $(BUILD) --smp $(SMP)
	$(Q)$(PYTHON) tools/qemu/ubench --image $(BUILD)/loupe.bin --build $(BUILD) --smp $(SMP)
