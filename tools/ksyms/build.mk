# tools/ksyms: the symbol-table extractor (host, libelf) and its tests.
# The lead's kernel link uses $(KSYMS): `--empty` for the first link,
# `kernel.elf -o ksyms.S` for the second, `--check` to prove they agree.

KSYMS   := $(BUILD)/tools/ksyms/ksyms
# kernel/ has a string.h of its own: reach kernel headers by quotes only.
KSYMS_CFLAGS := $(filter-out -Ikernel,$(HOST_CFLAGS)) -iquote kernel
KSYMS_T := $(BUILD)/tools/ksyms/tests
HOST_TOOLS += $(KSYMS)
HOST_TESTS += $(KSYMS_T)/test_ksym

$(KSYMS): tools/ksyms/ksyms.c
	$(quiet) HOSTCC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(KSYMS_CFLAGS) -o $@ $< -lelf

# The test binary is linked twice like the kernel, so it carries a table
# of its own text. Non-PIE: the table holds link-time addresses.
KSYMS_T_LDFLAGS := -no-pie -Wl,--defsym=__text_end=etext
KSYMS_T_CFLAGS := $(KSYMS_CFLAGS) $(HOST_SAN)

$(KSYMS_T)/ksym.o: kernel/ksym.c
	$(quiet) HOSTCC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(KSYMS_T_CFLAGS) -c $< -o $@

$(KSYMS_T)/test_ksym.o: tools/ksyms/tests/test_ksym.c
	$(quiet) HOSTCC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(KSYMS_T_CFLAGS) \
		-DKSYMS_TOOL='"$(KSYMS)"' -DKSYMS_DIR='"$(KSYMS_T)"' -c $< -o $@

$(KSYMS_T)/ksyms0.S: $(KSYMS)
	$(quiet) KSYMS $@
	$(Q)mkdir -p $(@D)
	$(Q)$(KSYMS) --empty -o $@

$(KSYMS_T)/ksyms1.S: $(KSYMS_T)/test_ksym.pass1 $(KSYMS)
	$(quiet) KSYMS $@
	$(Q)$(KSYMS) $< -o $@

$(KSYMS_T)/ksyms0.o $(KSYMS_T)/ksyms1.o: $(KSYMS_T)/%.o: $(KSYMS_T)/%.S
	$(quiet) AS $@
	$(Q)$(HOSTCC) -c $< -o $@

$(KSYMS_T)/test_ksym.pass1: $(KSYMS_T)/test_ksym.o $(KSYMS_T)/ksym.o \
		$(KSYMS_T)/ksyms0.o
	$(quiet) LD $@
	$(Q)$(HOSTCC) $(HOST_SAN) $(KSYMS_T_LDFLAGS) -o $@ $^

$(KSYMS_T)/test_ksym: $(KSYMS_T)/test_ksym.o $(KSYMS_T)/ksym.o \
		$(KSYMS_T)/ksyms1.o $(KSYMS)
	$(quiet) LD $@
	$(Q)$(HOSTCC) $(HOST_SAN) $(KSYMS_T_LDFLAGS) -o $@ $(filter %.o,$^)
	$(Q)$(KSYMS) --check $@ $(KSYMS_T)/ksyms1.S
