#!/usr/bin/env bash
# run.sh SECONDS BINARY [fresh]: build a fuzzer (vgic_fuzz, virtio_fuzz) and run it for SECONDS from its
# seed corpus (FUZZ_SEEDS, default fuzz/corpus). The working corpus build/fuzz/corpus-NAME grows from run
# to run; with "fresh" (the short pass of `make test`) a throw-away one is used, so the pass always
# starts from the seeds alone.
# Prints a SKIP banner (and succeeds) when clang or libFuzzer is missing; fails on any crash,
# sanitizer report or broken invariant, leaving the input in build/fuzz/artifacts/.
set -uo pipefail

secs=${1:?usage: run.sh SECONDS BINARY}
bin=${2:?usage: run.sh SECONDS BINARY}
fresh=${3:-}
cc=${FUZZ_CC:-clang}
dir=$(dirname "$bin")
name=$(basename "$bin")
seeds=${FUZZ_SEEDS:-fuzz/corpus}

skip() {
	echo "=========================================================================="
	echo "SKIP: $(basename "$bin") NOT RUN: $1"
	echo "SKIP: install clang (make deps) to fuzz the MMIO and sysreg decoders and the PCI disk"
	echo "=========================================================================="
	exit 0
}

command -v "$cc" >/dev/null 2>&1 || skip "$cc not found"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	>"$probe/p.c"
"$cc" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >/dev/null 2>&1 ||
	skip "$cc cannot link -fsanitize=fuzzer,address,undefined (libFuzzer missing)"

${MAKE:-make} --no-print-directory "$bin" || exit 1
mkdir -p "$dir/corpus-$name" "$dir/artifacts"
work="$dir/corpus-$name"
if [[ $fresh == fresh ]]; then
	work=$(mktemp -d "$dir/short.XXXXXX")
	trap 'rm -rf "$probe" "$work"' EXIT
fi
# One log per run: several sessions may share this build tree and fuzz at once.
log=$(mktemp "$dir/run.XXXXXX.log")
echo "fuzz: running $bin for ${secs}s (seeds $seeds, log $log)"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
ulimit -c 0 2>/dev/null || true
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$dir/artifacts/" "$work" "$seeds" >"$log" 2>&1
rc=$?
execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log" | tail -1)
ln -sf "$(basename "$log")" "$dir/last-run-$name.log"
if ((rc != 0)); then
	tail -40 "$log"
	echo "fuzz: FAILED after ${execs:-?} executions (exit $rc); the input is in $dir/artifacts/"
	exit 1
fi
corpus=$(find "$work" -type f | wc -l)
echo "fuzz: ${execs:-?} executions in ${secs}s (${rate:-?}/s), corpus $corpus inputs: no crash, no sanitizer report, no broken invariant"
