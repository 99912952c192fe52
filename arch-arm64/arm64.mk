# arm64.mk: the EL2 hypervisor (arch-arm64/), the test guest (guest/common + guest/arm64), the guest
# device tree (dts/), `make run` and the QEMU integration suite. Included by the top-level Makefile.
#
#   make arm64        build build/arm64/hyp.elf, guest.bin (and guest.elf, guest-2m.bin) and guest.dtb
#   make run          boot them under QEMU on 2 vCPUs (SMP=N vCPUs on CPUS=M physical ones, by default as many
#                     as the vCPUs up to this machine's CPU count; ACCEL=kvm: nested
#                     virtualisation on an arm64 host; VM2=hostile (or suite, or any guest mode) VM2_SMP=N: a
#                     second VM beside the first, docs/arm64.md section 13)
#   make run-guest    any guest through scripts/run-guest.sh: KERNEL=FILE[@ADDR] INITRD= DTB= APPEND= MEM= SMP=
#   make test-arm64   the integration suite (tests/integration/arm64.sh), part of `make test`
#   make run-linux    Debian's arm64 kernel, SMP (SMP=N, default 2), to a busybox shell on the console
#   make test-linux   that kernel on 2 and 4 vCPUs, checked from the console log; in `make test`
#                     (SKIP when the kernel cannot be fetched); test-linux-arm64 is another name for it

ARM64_DIR    := $(BUILD)/arm64
FDT_INC_DIR  := $(ARM64_DIR)/fdtinc
LIBFDT_A64   ?= /usr/lib/aarch64-linux-gnu/libfdt.a
LIBFDT_HDRS  := /usr/include/libfdt.h /usr/include/fdt.h /usr/include/libfdt_env.h

# The same freestanding rules as the core, plus: no outline atomics (no libgcc helpers), no PIE,
# and -mgeneral-regs-only so EL2 never touches the guest's FP/SIMD registers.
ARM64_CFLAGS := -std=c11 -O2 -g -ffreestanding -nostdlib -fno-pie -fno-stack-protector \
                -mgeneral-regs-only -mstrict-align -mno-outline-atomics \
                -Wall -Wextra -Werror -Iinclude -Ilib
ARM64_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,norelro -Wl,--no-warn-rwx-segments

HYP_SRCS  := $(sort $(wildcard arch-arm64/*.c))
HYP_ASMS  := $(sort $(wildcard arch-arm64/*.S))
# lib/: the freestanding C library subset the hypervisor and the guests share, built into each image.
MINILIB_SRCS := $(sort $(wildcard lib/*.c))
HYP_OBJS  := $(patsubst arch-arm64/%,$(ARM64_DIR)/hyp/%.o,$(HYP_SRCS) $(HYP_ASMS)) \
             $(patsubst lib/%.c,$(ARM64_DIR)/hyp/lib/%.o,$(MINILIB_SRCS))
HYP_ELF   := $(ARM64_DIR)/hyp.elf
HYP_CFLAGS := $(ARM64_CFLAGS) -Ivgic -Iarch-arm64 -I$(FDT_INC_DIR)

GUEST_DTB := $(ARM64_DIR)/guest.dtb

GUEST_SRCS := $(sort $(wildcard guest/common/*.c guest/arm64/*.c))
GUEST_ASMS := $(sort $(wildcard guest/arm64/*.S))
GUEST_OBJS := $(patsubst guest/%,$(ARM64_DIR)/guest/%.o,$(GUEST_SRCS) $(GUEST_ASMS)) \
              $(patsubst lib/%.c,$(ARM64_DIR)/guest/lib/%.o,$(MINILIB_SRCS))
GUEST_ELF  := $(ARM64_DIR)/guest.elf
GUEST_BIN  := $(ARM64_DIR)/guest.bin
GUEST_CFLAGS := $(ARM64_CFLAGS) -Iguest/include -Iguest/arm64 -I$(FDT_INC_DIR)
# The same guest linked 2 MiB aligned above QEMU's default place, to be loaded raw at that address
# (test-arm64 proves FILE@ADDR loading with it).
GUEST_2M_ADDR := 0x40400000
GUEST_2M_ELF  := $(ARM64_DIR)/guest-2m.elf
GUEST_2M_BIN  := $(ARM64_DIR)/guest-2m.bin

ARM64_IMAGES := $(HYP_ELF) $(GUEST_BIN) $(GUEST_2M_BIN) $(GUEST_DTB)

.PHONY: arm64 test-arm64 run-linux test-linux test-linux-arm64 run-guest

arm64: $(ARM64_IMAGES)
all: arm64

# libfdt's headers live in /usr/include next to the host's libc headers; expose only them.
$(FDT_INC_DIR)/.stamp: $(LIBFDT_HDRS)
	@mkdir -p $(@D)
	ln -sf $(LIBFDT_HDRS) $(@D)/
	@touch $@

$(GUEST_DTB): dts/guest.dts
	@mkdir -p $(@D)
	dtc -q -I dts -O dtb -o $@ $<

$(ARM64_DIR)/hyp/%.c.o: arch-arm64/%.c $(FDT_INC_DIR)/.stamp Makefile arch-arm64/arm64.mk
	@mkdir -p $(@D)
	$(A64_CC) $(HYP_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(ARM64_DIR)/hyp/lib/%.o: lib/%.c Makefile arch-arm64/arm64.mk
	@mkdir -p $(@D)
	$(A64_CC) $(HYP_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(ARM64_DIR)/guest/lib/%.o: lib/%.c Makefile arch-arm64/arm64.mk
	@mkdir -p $(@D)
	$(A64_CC) $(GUEST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(ARM64_DIR)/hyp/guest_dtb.S.o: $(GUEST_DTB)
$(ARM64_DIR)/hyp/%.S.o: arch-arm64/%.S Makefile arch-arm64/arm64.mk
	@mkdir -p $(@D)
	$(A64_CC) $(HYP_CFLAGS) -DGUEST_DTB_PATH='"$(GUEST_DTB)"' $(DEPFLAGS) -c $< -o $@

$(HYP_ELF): $(HYP_OBJS) $(A64_LIB) arch-arm64/hyp.ld
	$(A64_CC) $(ARM64_LDFLAGS) -T arch-arm64/hyp.ld -o $@ $(HYP_OBJS) $(A64_LIB) $(LIBFDT_A64)

$(ARM64_DIR)/guest/%.c.o: guest/%.c $(FDT_INC_DIR)/.stamp Makefile arch-arm64/arm64.mk
	@mkdir -p $(@D)
	$(A64_CC) $(GUEST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(ARM64_DIR)/guest/%.S.o: guest/%.S Makefile arch-arm64/arm64.mk
	@mkdir -p $(@D)
	$(A64_CC) $(GUEST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(GUEST_ELF): $(GUEST_OBJS) guest/arm64/guest.ld
	$(A64_CC) $(ARM64_LDFLAGS) -T guest/arm64/guest.ld -o $@ $(GUEST_OBJS) $(LIBFDT_A64)

$(GUEST_BIN): $(GUEST_ELF)
	$(CROSS_COMPILE)objcopy -O binary $< $@

$(GUEST_2M_ELF): $(GUEST_OBJS) guest/arm64/guest.ld
	$(A64_CC) $(ARM64_LDFLAGS) -Wl,--defsym=GUEST_LINK_ADDR=$(GUEST_2M_ADDR) -T guest/arm64/guest.ld -o $@ \
		$(GUEST_OBJS) $(LIBFDT_A64)

$(GUEST_2M_BIN): $(GUEST_2M_ELF)
	$(CROSS_COMPILE)objcopy -O binary $< $@

# `make run`: deps, the images, then QEMU on 2 vCPUs (MEM= the guest's RAM, default 128M). Exits with
# the guest's status.
# QEMU gets as many CPUs as the vCPUs, but no more than this machine has: `make run SMP=8` on 2 cores runs
# 8 vCPUs on QEMU's 2 CPUs, scheduled by the hypervisor (CPUS=M says otherwise).
RUN_SMP = $(or $(SMP),2)
run: deps
	@$(MAKE) --no-print-directory arm64
	bash scripts/run-arm64.sh --smp $(RUN_SMP) --cpus $(or $(CPUS),$$(n=$$(nproc); echo $$((n < $(RUN_SMP) ? n : $(RUN_SMP))))) --mem $(or $(MEM),128M) \
		$(if $(ARGS),--args "$(ARGS)") $(if $(VM2),--vm2 "$(filter-out suite,$(VM2))" --vm2-smp $(or $(VM2_SMP),1))

# `make run-guest KERNEL=FILE[@ADDR] [INITRD=FILE] [DTB=FILE] [APPEND="ARGS"] [MEM=SIZE] [SMP=N] [DTB_ADDR=ADDR]`:
# an Image, an ELF or a raw binary as the hypervisor's guest (docs/arm64.md, "Running your own guest").
run-guest: deps
	@$(if $(KERNEL),,echo "run-guest: KERNEL=FILE is required (e.g. make run-guest KERNEL=build/arm64/guest.bin)" >&2; exit 2)
	@$(MAKE) --no-print-directory $(HYP_ELF)
	bash scripts/run-guest.sh --kernel "$(KERNEL)" $(if $(INITRD),--initrd "$(INITRD)") $(if $(DTB),--dtb "$(DTB)") \
		$(if $(APPEND),--append "$(APPEND)") --mem $(or $(MEM),128M) --smp $(or $(SMP),2) $(if $(CPUS),--cpus $(CPUS)) \
		$(if $(DTB_ADDR),--dtb-addr "$(DTB_ADDR)")

test-arm64: arm64
	bash tests/integration/arm64.sh

test-linux: $(HYP_ELF)
	bash tests/integration/linux-arm64.sh

test-linux-arm64: test-linux

run-linux: deps
	@$(MAKE) --no-print-directory $(HYP_ELF)
	bash scripts/run-linux-arm64.sh --shell --smp $(or $(SMP),2) --mem $(or $(MEM),512M) $(if $(DISK),--disk $(DISK))

-include $(HYP_OBJS:.o=.d) $(GUEST_OBJS:.o=.d)
