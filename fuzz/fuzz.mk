# fuzz.mk: the libFuzzer targets: the GICD/GICR MMIO and ICC sysreg decoders (vgic_fuzz), and the arm64
# hypervisor's PCI disk, a virtio-blk device whose rings are guest input (virtio_fuzz); included by the Makefile.
#
#   make fuzz        build both and run each for FUZZ_TIME seconds (default 600)
#   make test-fuzz   the short pass `make test` runs: FUZZ_SHORT_TIME seconds (default 25) for vgic_fuzz,
#                    FUZZ_VIRTIO_SHORT_TIME (default 10) for virtio_fuzz, each from its seed corpus
#                    (fuzz/corpus/, fuzz/virtio/corpus/)
#   make fuzz-seeds  regenerate fuzz/corpus/ with fuzz/gen_seeds.py
#
# clang with libFuzzer is required (Debian: clang). Without it both runs print a SKIP banner and
# succeed, so a machine without clang still runs the rest of `make test`.
# The fuzzer builds its own copy of the core with clang, because libFuzzer and the sanitizers
# must instrument every object the same way.

FUZZ_CC         ?= clang
FUZZ_DIR        := $(BUILD)/fuzz
FUZZ_BIN        := $(FUZZ_DIR)/vgic_fuzz
FUZZ_SRCS       := $(filter-out fuzz/fuzz_check.c,$(sort $(wildcard fuzz/*.c)))
FUZZ_BASE_FLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -fno-sanitize-recover=all $(INCLUDES) -Ifuzz
FUZZ_CFLAGS     := $(FUZZ_BASE_FLAGS) -fsanitize=fuzzer,address,undefined
# The checker gets the sanitizers but no coverage feedback: its loops over every interrupt would
# cost most of the run time and steer libFuzzer towards the checker instead of the decoders.
FUZZ_CHECK_OBJ  := $(FUZZ_DIR)/fuzz_check.o
FUZZ_TIME       ?= 600
FUZZ_SHORT_TIME ?= 25
FUZZ_VIRTIO_SHORT_TIME ?= 10
# The virtio device is hypervisor code: built for the host with a single-threaded spinlock.
VIRTIO_FUZZ_BIN  := $(FUZZ_DIR)/virtio_fuzz
VIRTIO_FUZZ_SRCS := fuzz/virtio/virtio_fuzz.c arch-arm64/virtio_pci.c arch-arm64/virtio_blk.c

TEST_TARGETS += test-fuzz

$(FUZZ_CHECK_OBJ): fuzz/fuzz_check.c $(wildcard fuzz/*.h vgic/*.h include/*.h) fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_BASE_FLAGS) -fsanitize=address,undefined -c $< -o $@

$(FUZZ_BIN): $(FUZZ_SRCS) $(VGIC_SRCS) $(FUZZ_CHECK_OBJ) $(wildcard fuzz/*.h vgic/*.h include/*.h) fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_SRCS) $(VGIC_SRCS) $(FUZZ_CHECK_OBJ)

$(VIRTIO_FUZZ_BIN): $(VIRTIO_FUZZ_SRCS) fuzz/virtio/hyp_spinlock_host.h arch-arm64/virtio_blk.h include/irq_msg.h \
		    include/virtio_pci_regs.h fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -include fuzz/virtio/hyp_spinlock_host.h -Iarch-arm64 -o $@ $(VIRTIO_FUZZ_SRCS)

.PHONY: fuzz test-fuzz fuzz-seeds
fuzz:
	@FUZZ_CC='$(FUZZ_CC)' MAKE='$(MAKE)' bash fuzz/run.sh $(FUZZ_TIME) $(FUZZ_BIN)
	@FUZZ_CC='$(FUZZ_CC)' MAKE='$(MAKE)' FUZZ_SEEDS=fuzz/virtio/corpus bash fuzz/run.sh $(FUZZ_TIME) $(VIRTIO_FUZZ_BIN)

test-fuzz:
	@FUZZ_CC='$(FUZZ_CC)' MAKE='$(MAKE)' bash fuzz/run.sh $(FUZZ_SHORT_TIME) $(FUZZ_BIN) fresh
	@FUZZ_CC='$(FUZZ_CC)' MAKE='$(MAKE)' FUZZ_SEEDS=fuzz/virtio/corpus bash fuzz/run.sh $(FUZZ_VIRTIO_SHORT_TIME) \
		$(VIRTIO_FUZZ_BIN) fresh

fuzz-seeds:
	python3 fuzz/gen_seeds.py
