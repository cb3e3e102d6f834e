# The kernel: its sources, which of them are hot paths, and the two-pass
# link that embeds the kernel's own symbol table (tools/ksyms) so panics
# print symbolized backtraces. Outputs: build/kernel.elf (64-bit, symbols:
# what GDB loads), build/loupe.bin (the Multiboot image QEMU boots),
# build/kernel.dis (disassembly) and build/kernel.map (symbol map).

ARCH_DIR := kernel/arch/x86_64

KERNEL_SRCS += \
	$(ARCH_DIR)/boot.S $(ARCH_DIR)/entry.S $(ARCH_DIR)/switch.S \
	$(ARCH_DIR)/trampoline.S $(ARCH_DIR)/safemem.S \
	$(ARCH_DIR)/acpi.c $(ARCH_DIR)/gdt.c $(ARCH_DIR)/idt.c \
	$(ARCH_DIR)/intr.c $(ARCH_DIR)/ioapic.c $(ARCH_DIR)/ipi.c $(ARCH_DIR)/irq.c \
	$(ARCH_DIR)/lapic.c $(ARCH_DIR)/mmu.c $(ARCH_DIR)/multiboot.c \
	$(ARCH_DIR)/pit.c $(ARCH_DIR)/smp.c $(ARCH_DIR)/timer.c \
	$(ARCH_DIR)/trap.c $(ARCH_DIR)/tsc.c $(ARCH_DIR)/uart.c \
	kernel/bench.c kernel/buddy.c kernel/cmdline.c kernel/fmt.c \
	kernel/kmalloc.c kernel/ksym.c kernel/kstack.c kernel/main.c \
	kernel/panic.c kernel/panictest.c kernel/pmm.c kernel/printk.c \
	kernel/sched.c kernel/sched_fast.c kernel/selftest.c kernel/slab.c \
	kernel/spinlock.c kernel/stage.c kernel/string.c kernel/thread.c \
	kernel/wait.c

# User space: address spaces, processes, the Linux system-call layer.
KERNEL_SRCS += kernel/vm.c kernel/proc.c kernel/clock.c kernel/ipc.c kernel/ipc_fast.c \
	       kernel/cap.c \
	       kernel/shm.c kernel/srv.c kernel/ioport.c kernel/irqline.c \
	$(ARCH_DIR)/user.c $(ARCH_DIR)/uaccess.S $(ARCH_DIR)/syscall.S \
	kernel/linux/syscall.c kernel/linux/sys_fs.c kernel/linux/sys_misc.c \
	kernel/linux/sys_mm.c kernel/linux/sys_proc.c kernel/linux/sys_time.c \
	kernel/futex.c kernel/tgroup.c kernel/signal.c $(ARCH_DIR)/sigframe.c \
	kernel/linux/sys_signal.c kernel/procinfo.c
# Files: descriptor tables and open files, path calls, pipes, executable
# images (kernel/file.c, sys_path.c, pipe.c, image.c).
KERNEL_SRCS += kernel/file.c kernel/linux/sys_path.c kernel/pipe.c kernel/image.c \
	kernel/linux/sys_poll.c kernel/linux/sys_attr.c

# Tracing glue; trace/build.mk adds the ring itself (trace/emit.c is hot).
KERNEL_SRCS += kernel/trace.c kernel/trace_dump.c kernel/trace_load.c

# Hot paths: each file opens with a HOT PATH banner; `make check` walks
# the call graph from every function in them (tools/hotcheck).
HOT_SRCS += $(ARCH_DIR)/entry.S $(ARCH_DIR)/intr.c $(ARCH_DIR)/timer.c \
	$(ARCH_DIR)/switch.S kernel/sched_fast.c $(ARCH_DIR)/syscall.S \
	kernel/linux/syscall.c kernel/ipc_fast.c

# What a hot path may never reach: console, log, formatting, allocators,
# boot-stage markers.
HOTCHECK_FORBIDDEN_OBJS := kernel/printk.c kernel/fmt.c $(ARCH_DIR)/uart.c \
	kernel/pmm.c kernel/kmalloc.c kernel/slab.c kernel/buddy.c \
	kernel/stage.c



$(BUILD)/ksyms0.S: $$(KSYMS)
	$(quiet) KSYMS $@
	$(Q)$(KSYMS) --empty -o $@

$(BUILD)/ksyms.S: $(BUILD)/kernel.pass1.elf $$(KSYMS)
	$(quiet) KSYMS $@
	$(Q)$(KSYMS) $< -o $@

$(BUILD)/ksyms0.o $(BUILD)/ksyms.o: %.o: %.S
	$(quiet) AS $@
	$(Q)$(KCC) -c $< -o $@

$(BUILD)/kernel.pass1.elf: $(BUILD)/ksyms0.o $(ARCH_DIR)/kernel.ld \
		$$(KOBJS) $$(KERNEL_EXTRA_OBJS)
	$(quiet) LD $@
	$(Q)ld $(KLDFLAGS) -o $@ $(KOBJS) $(KERNEL_EXTRA_OBJS) $<

# Text never moves between the passes (the table sits last in rodata), so
# the table generated from pass 1 is exact for pass 2; --check proves it.
$(BUILD)/kernel.elf: $(BUILD)/ksyms.o $(ARCH_DIR)/kernel.ld $$(KSYMS) \
		$$(KOBJS) $$(KERNEL_EXTRA_OBJS)
	$(quiet) LD $@
	$(Q)ld $(KLDFLAGS) -o $@ $(KOBJS) $(KERNEL_EXTRA_OBJS) $<
	$(Q)$(KSYMS) --check $@ $(BUILD)/ksyms.S

$(BUILD)/loupe.bin: $(BUILD)/kernel.elf
	$(quiet) OBJCOPY $@
	$(Q)objcopy -O binary $< $@

$(BUILD)/kernel.dis: $(BUILD)/kernel.elf
	$(quiet) OBJDUMP $@
	$(Q)objdump -d --no-show-raw-insn $< > $@

$(BUILD)/kernel.map: $(BUILD)/kernel.elf
	$(quiet) NM $@
	$(Q)nm -n $< > $@

all: $(BUILD)/kernel.dis $(BUILD)/kernel.map

# The IPC fast path's C runs between syscall.S's save of the user's
# registers and its reload from a trap frame, never returning into C
# that keeps values in registers: it may clobber them all (ipc_fast.c).
# All but three: r8, r9 and r10 carry message words from the entering
# thread's SYSCALL to the partner's SYSRET, so the C never touches them;
# and rbp, which GCC will not make caller-saved, is left alone so the
# functions need no frame to save it in. GNU C (gnu11) for __seg_gs:
# it reaches this CPU's struct through %gs without a register.
$(BUILD)/kernel/ipc_fast.o: KCFLAGS += -std=gnu11 -fomit-frame-pointer \
	-fcall-used-rbx -fcall-used-r12 -fcall-used-r13 \
	-fcall-used-r14 -fcall-used-r15 \
	-ffixed-rbp -ffixed-r8 -ffixed-r9 -ffixed-r10
