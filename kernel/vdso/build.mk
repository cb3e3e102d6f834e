# The vDSO (kernel/vdso/vdso.c): a tiny shared object built without libc,
# embedded in the kernel (kernel/vdso/image.S) and mapped into every
# process (kernel/vdso.c). The build refuses an image with dynamic
# relocations, which nothing would apply, or one longer than a page.

VDSO_SO     := $(BUILD)/kernel/vdso/vdso.so
VDSO_CFLAGS := -std=c11 -O2 -g -fPIC -ffreestanding -fno-stack-protector \
	       -fno-asynchronous-unwind-tables -fcf-protection=none \
	       -mgeneral-regs-only -Wall -Wextra -Werror -Iinclude
VDSO_LDFLAGS := -nostdlib -shared -Wl,-T,kernel/vdso/vdso.lds \
	       -Wl,--version-script,kernel/vdso/vdso.ver \
	       -Wl,--hash-style=sysv -Wl,-soname,linux-vdso.so.1 \
	       -Wl,--no-undefined -Wl,-z,max-page-size=4096 -Wl,--build-id=none

KERNEL_SRCS += kernel/vdso.c kernel/vdso/image.S

$(BUILD)/kernel/vdso.dbg: kernel/vdso/vdso.c kernel/vdso/vdso.lds \
		kernel/vdso/vdso.ver include/loupe/vvar.h
	$(quiet) VDSO $@
	$(Q)mkdir -p $(@D)
	$(Q)$(KCC) $(VDSO_CFLAGS) $(VDSO_LDFLAGS) $< -o $@

$(VDSO_SO): $(BUILD)/kernel/vdso.dbg
	$(quiet) STRIP $@
	$(Q)mkdir -p $(@D)
	$(Q)objcopy --strip-all $< $@
	$(Q)if ! readelf -rW $@ | grep -q 'There are no relocations'; then \
		echo "$@: has dynamic relocations" >&2; rm -f $@; exit 1; fi
	$(Q)if [ $$(stat -c %s $@) -gt 4096 ]; then \
		echo "$@: longer than a page" >&2; rm -f $@; exit 1; fi

$(BUILD)/kernel/vdso/image.o: $(VDSO_SO)
$(BUILD)/kernel/vdso/image.o: KASFLAGS += -DVDSO_SO='"$(VDSO_SO)"'
