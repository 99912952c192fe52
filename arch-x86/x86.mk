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

# ---- the x86 test guests: freestanding, long mode, linked at 1 MiB ----
# guest/x86/*.{c,S}: the thin arch layer both guests share (entry, IDT, chip drivers, garbage).
# guest.elf: the x86-native checks (guest/x86/native/: PIC, ELCR, vector classes, TPR).
# guest-common.elf: the common suite (guest/common/, shared with arm64) on guest/x86/layer/.
GUEST_X86_CFLAGS := -std=c11 -O2 -m64 -ffreestanding -fno-builtin -nostdlib -mno-red-zone \
                    -mgeneral-regs-only -fno-stack-protector -fno-pic -fno-pie -mcmodel=kernel \
                    -fno-asynchronous-unwind-tables -Wall -Wextra -Werror -Iinclude -Iguest/x86
GUEST_X86_LDFLAGS := -m64 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
                     -Wl,-T,guest/x86/guest.ld
GX_DIR          := $(X86_DIR)/guest
GX_SHARED_OBJS  := $(patsubst guest/x86/%,$(GX_DIR)/shared/%.o,$(sort $(wildcard guest/x86/*.c guest/x86/*.S)))
GX_NATIVE_OBJS  := $(patsubst guest/x86/native/%.c,$(GX_DIR)/native/%.o,$(sort $(wildcard guest/x86/native/*.c)))
GUEST_X86_ELF   := $(X86_DIR)/guest.elf

x86: $(GUEST_X86_ELF)

$(GX_DIR)/shared/%.c.o: guest/x86/%.c Makefile arch-x86/x86.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(GUEST_X86_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(GX_DIR)/shared/%.S.o: guest/x86/%.S Makefile arch-x86/x86.mk
	@mkdir -p $(@D)
	$(HOST_CC) -m64 -c $< -o $@

$(GX_DIR)/native/%.o: guest/x86/native/%.c Makefile arch-x86/x86.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(GUEST_X86_CFLAGS) -Iguest/x86/native -Ilib $(DEPFLAGS) -c $< -o $@

# lib/: the freestanding C library subset every image shares (memset, strlen, minilib_vsnprintf, ...).
GX_LIB_OBJS := $(patsubst lib/%.c,$(GX_DIR)/lib/%.o,$(sort $(wildcard lib/*.c)))

$(GX_DIR)/lib/%.o: lib/%.c Makefile arch-x86/x86.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(GUEST_X86_CFLAGS) -Ilib $(DEPFLAGS) -c $< -o $@

$(GUEST_X86_ELF): $(GX_SHARED_OBJS) $(GX_NATIVE_OBJS) $(GX_LIB_OBJS) guest/x86/guest.ld
	$(HOST_CC) $(GUEST_X86_LDFLAGS) -o $@ $(GX_SHARED_OBJS) $(GX_NATIVE_OBJS) $(GX_LIB_OBJS)

# The common suite is built for x86 whenever guest/common/ is present.
GX_COMMON_SRCS  := $(sort $(wildcard guest/common/*.c))
ifneq ($(GX_COMMON_SRCS),)
GX_LAYER_OBJS   := $(patsubst guest/x86/layer/%.c,$(GX_DIR)/layer/%.o,$(sort $(wildcard guest/x86/layer/*.c)))
GX_COMMON_OBJS  := $(patsubst guest/common/%.c,$(GX_DIR)/common/%.o,$(GX_COMMON_SRCS)) $(GX_LIB_OBJS)
GUEST_X86_COMMON_ELF := $(X86_DIR)/guest-common.elf
GX_COMMON_CFLAGS := $(GUEST_X86_CFLAGS) -Iguest/include -Iguest/common -Ilib

x86: $(GUEST_X86_COMMON_ELF)

$(GX_DIR)/layer/%.o: guest/x86/layer/%.c Makefile arch-x86/x86.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(GUEST_X86_CFLAGS) -Iguest/include $(DEPFLAGS) -c $< -o $@

$(GX_DIR)/common/%.o: guest/common/%.c Makefile arch-x86/x86.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(GX_COMMON_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(GUEST_X86_COMMON_ELF): $(GX_SHARED_OBJS) $(GX_LAYER_OBJS) $(GX_COMMON_OBJS) guest/x86/guest.ld
	$(HOST_CC) $(GUEST_X86_LDFLAGS) -o $@ $(GX_SHARED_OBJS) $(GX_LAYER_OBJS) $(GX_COMMON_OBJS)
endif

-include $(GX_SHARED_OBJS:.o=.d) $(GX_NATIVE_OBJS:.o=.d) $(GX_LIB_OBJS:.o=.d) $(GX_LAYER_OBJS:.o=.d) $(GX_COMMON_OBJS:.o=.d)

# ---- runs under KVM ----
.PHONY: run-x86 test-x86
run-x86: $(VMM_BIN) $(GUEST_X86_ELF) $(GUEST_X86_COMMON_ELF)
	bash scripts/run-x86.sh $(VMM_BIN) $(GUEST_X86_ELF) $(GUEST_X86_COMMON_ELF)

# make test: every mode, then the hostile-guest runs (garbage first, suite must still pass).
test-x86: $(VMM_BIN) $(GUEST_X86_ELF) $(GUEST_X86_COMMON_ELF) $(X86_FAULT_ELF)
	X86_FAULT_GUEST=$(X86_FAULT_ELF) bash scripts/run-x86.sh $(VMM_BIN) $(GUEST_X86_ELF) $(GUEST_X86_COMMON_ELF) --hostile

# A guest that triple-faults: the VMM must report it (registers, status 125) and not crash.
X86_FAULT_ELF := $(X86_DIR)/triple_fault.elf
x86: $(X86_FAULT_ELF)
$(X86_FAULT_ELF): tests/integration/x86/triple_fault.S guest/x86/guest.ld
	@mkdir -p $(@D)
	$(HOST_CC) -m64 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-T,guest/x86/guest.ld -o $@ $<

# Measurements side by side per mode (not part of make test: timing figures, not checks).
.PHONY: bench-x86
bench-x86: $(VMM_BIN) $(GUEST_X86_ELF)
	bash scripts/bench-x86.sh $(VMM_BIN) $(GUEST_X86_ELF)

# The scaling experiment: 1, 4, 16, 64 vCPUs taking level interrupts, per mode; exact-count checks and a
# table (docs/x86.md, "Scaling"). make bench runs it as a producer (bench/results/x86_scale.*); make
# test-x86 runs its 64-vCPU exact-count cells.
.PHONY: scale-x86
scale-x86: $(VMM_BIN) $(GUEST_X86_ELF)
	bash scripts/scale-x86.sh $(VMM_BIN) $(GUEST_X86_ELF)
