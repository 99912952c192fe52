# bench.mk: the LR-policy microbenchmark, included by the top-level Makefile.
#
#   make bench        build lr_bench (-O2, no sanitizers) and the hypervisors, run lr_bench and every
#                     producer that exists (bench/run.sh), write bench/results/*.csv and *.md fragments,
#                     render the PNG plots, regenerate docs/benchmarks.md
#   make bench-smoke  build lr_bench and run it with tiny counts, asserting the invariants
#                     (exact register-access and maintenance checks); part of `make test`
#
# The bench links its own copy of the core, built -O2 without sanitizers, because
# the timings must be those of an optimised build; the unit tests keep theirs.

BENCH_DIR      := $(BUILD)/bench
BENCH_BIN      := $(BENCH_DIR)/lr_bench
BENCH_SRCS     := $(sort $(wildcard bench/*.c))
BENCH_OBJS     := $(patsubst bench/%.c,$(BENCH_DIR)/obj/%.o,$(BENCH_SRCS))
BENCH_VGIC_OBJS := $(patsubst vgic/%.c,$(BENCH_DIR)/vgic/%.o,$(VGIC_SRCS))
BENCH_CFLAGS   := -std=c11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
                  -D_POSIX_C_SOURCE=200809L $(INCLUDES) -Ibench

TEST_TARGETS += bench-smoke

$(BENCH_DIR)/obj/%.o: bench/%.c Makefile bench/bench.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(BENCH_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BENCH_DIR)/vgic/%.o: vgic/%.c Makefile bench/bench.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(BENCH_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BENCH_BIN): $(BENCH_OBJS) $(BENCH_VGIC_OBJS) $(SRCLIST_STAMP)
	@mkdir -p $(@D)
	$(HOST_CC) -o $@ $(BENCH_OBJS) $(BENCH_VGIC_OBJS) -lm

.PHONY: bench bench-smoke
# The producers need the hypervisors' images: the arm64 hypervisor and guest, the x86 VMM and native guest.
bench: deps $(BENCH_BIN) $(ARM64_IMAGES) $(VMM_BIN) $(GUEST_X86_ELF)
	bash bench/run.sh $(BENCH_BIN)

bench-smoke: $(BENCH_BIN)
	$(BENCH_BIN) --smoke

-include $(BENCH_OBJS:.o=.d) $(BENCH_VGIC_OBJS:.o=.d)
