# Host unit tests for the page allocator and the heap: buddy.c and slab.c
# directly, and pmm.c + kmalloc.c (with their boot self-tests) over a stub
# <arch/mmu.h>. Each binary links the sources it tests.

BUDDY_TEST_SRCS := kernel/tests/test_buddy.c kernel/buddy.c
SLAB_TEST_SRCS  := kernel/tests/test_slab.c kernel/slab.c kernel/buddy.c

$(BUILD)/kernel/tests/test_buddy: $(BUDDY_TEST_SRCS)
	$(quiet) HOSTCC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) $(BUDDY_TEST_SRCS) -o $@

$(BUILD)/kernel/tests/test_slab: $(SLAB_TEST_SRCS)
	$(quiet) HOSTCC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) $(SLAB_TEST_SRCS) -o $@

# The kernel glue and its boot self-tests, over a stub <arch/mmu.h>.
PMM_TEST_SRCS := kernel/tests/test_pmm.c kernel/pmm.c kernel/kmalloc.c \
		 kernel/slab.c kernel/buddy.c

$(BUILD)/kernel/tests/test_pmm: $(PMM_TEST_SRCS) kernel/tests/stub/arch/mmu.h
	$(quiet) HOSTCC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) -Ikernel/tests/stub \
		-DSPINLOCK_HOST_TEST -Wno-unused-parameter $(PMM_TEST_SRCS) -o $@

HOST_TESTS += $(BUILD)/kernel/tests/test_buddy $(BUILD)/kernel/tests/test_slab \
	      $(BUILD)/kernel/tests/test_pmm
