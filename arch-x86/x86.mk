# x86.mk: build rules for arch-x86 (included by the top-level Makefile).
# The chips (arch-x86/*.c) build twice: for host tests with ASan+UBSan, and freestanding to prove
# they need nothing outside themselves. The VMM (arch-x86/vmm/) and the x86 guest build here too.

X86_DIR        := $(BUILD)/x86
X86_CHIP_SRCS  := $(sort $(wildcard arch-x86/*.c))
X86_HOST_OBJS  := $(patsubst arch-x86/%.c,$(HOST_DIR)/x86/%.o,$(X86_CHIP_SRCS))
X86_FS_OBJS    := $(patsubst arch-x86/%.c,$(X86_DIR)/fs/%.o,$(X86_CHIP_SRCS))
X86_HOST_LIB   := $(HOST_DIR)/libx86chips.a
X86_FS_LIB     := $(X86_DIR)/fs/libx86chips.a
X86_FS_CHECKED := $(X86_DIR)/fs/.freestanding-ok

X86_INCLUDES   := -Iinclude -Iarch-x86
# The same discipline as the aarch64 core: no libc, no SSE, nothing from libgcc.
X86_FS_CFLAGS  := -std=c11 -O2 -m64 -ffreestanding -fno-builtin -nostdlib -mgeneral-regs-only \
                  -mno-red-zone -fno-stack-protector -fno-pic -Wall -Wextra -Werror $(X86_INCLUDES)

TEST_CFLAGS    += -Iarch-x86

.PHONY: x86 x86-chips
x86: x86-chips $(X86_FS_CHECKED)
x86-chips: $(X86_HOST_LIB)
all: x86

$(HOST_DIR)/x86/%.o: arch-x86/%.c Makefile arch-x86/x86.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Iarch-x86 $(DEPFLAGS) -c $< -o $@

$(X86_HOST_LIB): $(X86_HOST_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(HOST_AR) rcs $@ $(X86_HOST_OBJS)

$(X86_DIR)/fs/%.o: arch-x86/%.c Makefile arch-x86/x86.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(X86_FS_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(X86_FS_LIB): $(X86_FS_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(HOST_AR) rcs $@ $(X86_FS_OBJS)

$(X86_FS_CHECKED): $(X86_FS_LIB) scripts/check-freestanding.sh
	bash scripts/check-freestanding.sh nm $(X86_FS_LIB)
	@touch $@

-include $(X86_HOST_OBJS:.o=.d) $(X86_FS_OBJS:.o=.d)

# ---- the KVM VMM (host program; ASan+UBSan so a hostile guest that breaks it is caught) ----
VMM_SRCS   := $(sort $(wildcard arch-x86/vmm/*.c))
VMM_OBJS   := $(patsubst arch-x86/vmm/%.c,$(X86_DIR)/vmm/%.o,$(VMM_SRCS))
VMM_BIN    := $(X86_DIR)/x86-vmm
VMM_CFLAGS := $(HOST_CFLAGS) -D_GNU_SOURCE -Iarch-x86 -Iarch-x86/vmm -pthread

x86: $(VMM_BIN)

$(X86_DIR)/vmm/%.o: arch-x86/vmm/%.c Makefile arch-x86/x86.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(VMM_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(VMM_BIN): $(VMM_OBJS) $(X86_HOST_LIB)
	$(HOST_CC) $(SANITIZE) -pthread -o $@ $(VMM_OBJS) $(X86_HOST_LIB)

-include $(VMM_OBJS:.o=.d)

# ---- the x86 test guest: freestanding, long mode, linked at 1 MiB ----
GUEST_X86_SRCS := $(sort $(wildcard guest/x86/*.c guest/x86/*.S))
GUEST_X86_OBJS := $(patsubst guest/x86/%,$(X86_DIR)/guest/%.o,$(GUEST_X86_SRCS))
GUEST_X86_ELF  := $(X86_DIR)/guest.elf
GUEST_X86_CFLAGS := -std=c11 -O2 -m64 -ffreestanding -fno-builtin -nostdlib -mno-red-zone \
                    -mgeneral-regs-only -fno-stack-protector -fno-pic -fno-pie -mcmodel=kernel \
                    -fno-asynchronous-unwind-tables -Wall -Wextra -Werror -Iinclude -Iguest/x86

x86: $(GUEST_X86_ELF)

$(X86_DIR)/guest/%.c.o: guest/x86/%.c Makefile arch-x86/x86.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(GUEST_X86_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(X86_DIR)/guest/%.S.o: guest/x86/%.S Makefile arch-x86/x86.mk
	@mkdir -p $(@D)
	$(HOST_CC) -m64 -c $< -o $@

$(GUEST_X86_ELF): $(GUEST_X86_OBJS) guest/x86/guest.ld
	$(HOST_CC) -m64 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-T,guest/x86/guest.ld \
		-o $@ $(GUEST_X86_OBJS)

-include $(GUEST_X86_OBJS:.o=.d)

# ---- runs under KVM ----
.PHONY: run-x86 test-x86
run-x86: $(VMM_BIN) $(GUEST_X86_ELF)
	bash scripts/run-x86.sh $(VMM_BIN) $(GUEST_X86_ELF)

# make test: every mode, then the hostile-guest runs (garbage first, suite must still pass).
test-x86: $(VMM_BIN) $(GUEST_X86_ELF) $(X86_FAULT_ELF)
	X86_FAULT_GUEST=$(X86_FAULT_ELF) bash scripts/run-x86.sh $(VMM_BIN) $(GUEST_X86_ELF) --hostile

# A guest that triple-faults: the VMM must report it (registers, status 125) and not crash.
X86_FAULT_ELF := $(X86_DIR)/triple_fault.elf
x86: $(X86_FAULT_ELF)
$(X86_FAULT_ELF): tests/integration/x86/triple_fault.S guest/x86/guest.ld
	@mkdir -p $(@D)
	$(HOST_CC) -m64 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-T,guest/x86/guest.ld -o $@ $<
