#!/usr/bin/env bash
# bench-qemu.sh CSV MD: the in-QEMU interrupt figures of the arm64 hypervisor for `make bench`: the guest
# suite and the idle guest with "@@mark" spans (boot argument "bench"), summed over several runs.
#
# Runs QEMU_BENCH_RUNS (default 4) suite runs and as many idle runs, alternating, through
# scripts/run-arm64.sh, then bench/qemu_irq.py writes CSV and the Markdown fragment MD. The images must
# be built (make arm64). A suite run takes about 1.5 s under TCG, an idle run about 1.5 s.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

csv=${1:?usage: bench-qemu.sh CSV MD}
md=${2:?usage: bench-qemu.sh CSV MD}
runs=${QEMU_BENCH_RUNS:-4}
smp=${QEMU_BENCH_SMP:-2}
timeout_s=120   # a stuck run must not stall make bench; a normal one takes seconds
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

command -v qemu-system-aarch64 >/dev/null || { echo "SKIP in-QEMU figures: qemu-system-aarch64 not found"; exit 0; }
for ((i = 1; i <= runs; i++)); do
	for mode in suite idle; do
		args=bench
		[[ $mode == idle ]] && args="idle bench"
		bash scripts/run-arm64.sh --smp "$smp" --args "$args" --timeout "$timeout_s" \
			--log "$logs/$mode.$i.log" >/dev/null 2>&1
		rc=$?
		# A non-zero status is a failed check (timing, on a loaded host): the spans still count.
		# 124/125 (timeout, no status line) leave a log that qemu_irq.py skips.
		printf 'bench-qemu: %s run %d: status %d\n' "$mode" "$i" "$rc"
	done
done
python3 bench/qemu_irq.py --logs "$logs" --csv "$csv" --md "$md" --smp "$smp"
