# Makefile for the GICv3 VGIC core, its unit tests and (later) the hypervisors.
#
#   make             build everything below (default target: all)
#   make deps        install missing Debian packages (scripts/deps.sh)
#   make test        deps, then build, then every target in TEST_TARGETS
#   make test-unit   build and run the cmocka unit tests
#   make run         boot the arm64 hypervisor and the test guest under QEMU (arch-arm64/arm64.mk)
#   make clean       remove build/
#
# Source lists are wildcards: a new vgic/*.c or tests/unit/*.c is picked up
# without touching this file.

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

BUILD     := build
HOST_DIR  := $(BUILD)/host
A64_DIR   := $(BUILD)/aarch64
TEST_DIR  := $(BUILD)/tests

# ---- toolchains ------------------------------------------------------------
HOST_CC       ?= gcc
HOST_AR       ?= ar
CROSS_COMPILE ?= aarch64-linux-gnu-
A64_CC        := $(CROSS_COMPILE)gcc
A64_AR        := $(CROSS_COMPILE)ar
A64_NM        := $(CROSS_COMPILE)nm

# ---- flags -----------------------------------------------------------------
INCLUDES  := -Iinclude -Ivgic
DEPFLAGS  := -MMD -MP
SANITIZE  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

HOST_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
               $(INCLUDES) $(SANITIZE)

# Freestanding: the core must build and link with no libc and no FP/SIMD.
A64_CFLAGS  := -std=c11 -O2 -ffreestanding -fno-builtin -nostdlib \
               -mgeneral-regs-only -mstrict-align -mno-outline-atomics -fno-stack-protector \
               -Wall -Wextra -Werror $(INCLUDES)

TEST_CFLAGS  := $(HOST_CFLAGS) -Itests/unit
TEST_LDFLAGS := $(SANITIZE) -pthread
TEST_LDLIBS  := -lcmocka

# ---- sources ---------------------------------------------------------------
VGIC_SRCS   := $(sort $(wildcard vgic/*.c))
HOST_OBJS   := $(patsubst vgic/%.c,$(HOST_DIR)/%.o,$(VGIC_SRCS))
A64_OBJS    := $(patsubst vgic/%.c,$(A64_DIR)/%.o,$(VGIC_SRCS))
HOST_LIB    := $(HOST_DIR)/libvgic.a
A64_LIB     := $(A64_DIR)/libvgic.a
A64_CHECKED := $(A64_DIR)/.freestanding-ok

# tests/unit/test_<name>.c -> build/tests/test_<name>; any other
# tests/unit/*.c is a shared helper linked into every test binary.
TEST_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
HELPER_SRCS := $(filter-out tests/unit/test_%.c,$(sort $(wildcard tests/unit/*.c)))
TEST_BINS   := $(patsubst tests/unit/%.c,$(TEST_DIR)/%,$(TEST_SRCS))
TEST_OBJS   := $(patsubst tests/unit/%.c,$(TEST_DIR)/obj/%.o,$(TEST_SRCS))
HELPER_OBJS := $(patsubst tests/unit/%.c,$(TEST_DIR)/obj/%.o,$(HELPER_SRCS))

# arch-x86: chips, VMM, x86 guest and their runs (defines X86_HOST_LIB, test-x86, run-x86).
include arch-x86/x86.mk

# mk/release.mk: release libraries, make install/uninstall, the export check, test-install.
include mk/release.mk

# The lists above are wildcards, so deleting a source changes no timestamp.
# Record them in a stamp that is rewritten only when they change; archives and
# test binaries depend on it, so a removed file leaves no stale member behind.
SRCLIST       := $(VGIC_SRCS) | $(HELPER_SRCS)
SRCLIST_STAMP := $(BUILD)/.srclist
ifneq ($(filter-out clean deps run,$(or $(MAKECMDGOALS),all)),)
ifneq ($(SRCLIST),$(file <$(SRCLIST_STAMP)))
$(shell mkdir -p $(BUILD))
$(file >$(SRCLIST_STAMP),$(SRCLIST))
endif
endif

# Test suites run by `make test`, in order. Add an integration suite by
# appending its target name here (and defining the target below).
TEST_TARGETS := test-unit test-tsan test-arm64 test-linux test-x86 test-install
# CI (CI=true, as root) also proves the set-up on a fresh Debian 12 root; by hand: `make test-fresh` as root.
TEST_TARGETS += $(if $(filter true 1,$(CI) $(FRESH)),test-fresh)

# Keep test objects: they are reached only through a pattern chain.
.SECONDARY: $(TEST_OBJS) $(HELPER_OBJS)

.PHONY: all host aarch64 check-freestanding tests deps test test-unit test-fresh run clean

all: host aarch64 check-freestanding tests

host: $(HOST_LIB)
aarch64: $(A64_LIB)
tests: $(TEST_BINS)
check-freestanding: $(A64_CHECKED)

# ---- vgic core, host build (ASan + UBSan) ----------------------------------
$(HOST_DIR)/%.o: vgic/%.c Makefile
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(HOST_LIB): $(HOST_OBJS) $(SRCLIST_STAMP)
	@mkdir -p $(@D)
	@rm -f $@
	$(HOST_AR) rcs $@ $(HOST_OBJS)

# ---- vgic core, aarch64 freestanding build ---------------------------------
$(A64_DIR)/%.o: vgic/%.c Makefile
	@mkdir -p $(@D)
	$(A64_CC) $(A64_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(A64_LIB): $(A64_OBJS) $(SRCLIST_STAMP)
	@mkdir -p $(@D)
	@rm -f $@
	$(A64_AR) rcs $@ $(A64_OBJS)

$(SRCLIST_STAMP):
	@mkdir -p $(@D)
	@echo '$(SRCLIST)' > $@

# Fails, naming the symbol, if the core references anything it does not define.
$(A64_CHECKED): $(A64_LIB) scripts/check-freestanding.sh
	bash scripts/check-freestanding.sh $(A64_NM) $(A64_LIB)
	@touch $@

# ---- unit tests (cmocka, ASan + UBSan) -------------------------------------
$(TEST_DIR)/obj/%.o: tests/unit/%.c Makefile
	@mkdir -p $(@D)
	$(HOST_CC) $(TEST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(TEST_DIR)/test_%: $(TEST_DIR)/obj/test_%.o $(HELPER_OBJS) $(HOST_LIB) $(X86_HOST_LIB) $(SRCLIST_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) $(TEST_LDFLAGS) -o $@ $< $(HELPER_OBJS) $(HOST_LIB) $(X86_HOST_LIB) $(TEST_LDLIBS)

test-unit: $(TEST_BINS)
	bash scripts/run-unit-tests.sh $(TEST_BINS)

# ---- top-level workflows ---------------------------------------------------
deps:
	bash scripts/deps.sh

# debootstrap a minimal Debian 12, clone this checkout's HEAD into it, and run the README's set-up there.
test-fresh:
	bash scripts/test-fresh.sh

# deps first (it may install the compilers), then the build, then every suite.
# A failed build step (e.g. check-freestanding) or suite does not stop the
# suites after it from running; `make test` still exits non-zero.
# The build runs in parallel; the suites run one after another (-j1), because
# the integration suites measure guest timers under QEMU and KVM, and two of
# them sharing CI's two cores starve each other into false timing failures.
test: deps
	@rc=0; \
	$(MAKE) --no-print-directory -k all || rc=1; \
	bash scripts/run-suites.sh $(TEST_TARGETS) || rc=1; \
	exit $$rc

clean:
	rm -rf $(BUILD)

# arch-arm64: the EL2 hypervisor, the test guest, the guest DTB, `make run`, test-arm64.
include arch-arm64/arm64.mk

-include $(HOST_OBJS:.o=.d) $(A64_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(HELPER_OBJS:.o=.d)

# ---- ThreadSanitizer run of the locking stress test -----------------------
# ASan and TSan cannot share a binary, so the core is rebuilt here for TSan.
TSAN_BIN := $(BUILD)/tsan/test_threads
TSAN_SRCS := tests/unit/test_threads.c $(HELPER_SRCS) $(VGIC_SRCS)

$(TSAN_BIN): $(TSAN_SRCS) $(wildcard vgic/*.h include/*.h tests/unit/*.h) Makefile
	@mkdir -p $(@D)
	$(HOST_CC) -std=c11 -O1 -g -Wall -Wextra -Werror $(INCLUDES) -Itests/unit -fsanitize=thread \
		$(TSAN_SRCS) -lcmocka -pthread -o $@

.PHONY: test-tsan
test-tsan: $(TSAN_BIN)
	TSAN_OPTIONS=halt_on_error=1 $(TSAN_BIN)

# bench/: the LR-policy microbenchmark, `make bench` and bench-smoke (in TEST_TARGETS).
include bench/bench.mk

# fuzz/: libFuzzer over the register decoders, `make fuzz` and test-fuzz (in TEST_TARGETS).
include fuzz/fuzz.mk
