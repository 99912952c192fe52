#!/usr/bin/env bash
# bench-pingpong.sh CSV MD: Linux's cross-CPU ping-pong (issue 14, "The IPI path"), for `make bench` (bench/run.sh)
# or by hand: round trips per second under the EL2 hypervisor against plain QEMU, and the hypervisor's exits and
# LR accesses per IPI.
#
#   bash scripts/bench-pingpong.sh bench/results/linux_pingpong.csv bench/results/linux_pingpong.md
#
# PINGPONG_BENCH_REPS (default 4) pairs of runs of `scripts/run-linux-arm64.sh --smp 2 --append
# linuxtest.pingpong=N` (N = PINGPONG_BENCH_N, default 4000 round trips), under the hypervisor and with --plain,
# alternating which goes first; between the pairs PINGPONG_BENCH_BASE_REPS (default 2) baseline runs under the
# hypervisor without linuxtest.pingpong, subtracted from the hypervisor's whole-run accounting. Then
# PINGPONG_ICOUNT_REPS (default 2) pairs of PINGPONG_ICOUNT_N (default 50000) round trips with QEMU's deterministic
# clock (run-linux-arm64.sh --icount 0), whose ratio the host's noise does not reach (0 leaves them out).
# scripts/bench-pingpong.py runs them (its docstring lists the CSV columns) and writes the Markdown fragment; every
# run's console goes to build/linux/bench-pingpong/. Needs build/arm64/hyp.elf (make arm64). Prints SKIP and
# writes nothing when QEMU is missing or the kernel cannot be fetched.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

csv=${1:?usage: bench-pingpong.sh CSV MD}
md=${2:?usage: bench-pingpong.sh CSV MD}

command -v qemu-system-aarch64 >/dev/null || { echo "SKIP Linux ping-pong figures: qemu-system-aarch64 not found"; exit 0; }
[[ -f build/arm64/hyp.elf ]] || { echo "bench-pingpong: build/arm64/hyp.elf missing (make arm64)" >&2; exit 1; }
bash scripts/run-linux-arm64.sh --fetch
case $? in
0) ;;
3) echo "SKIP Linux ping-pong figures: the Debian kernel could not be fetched (see above)"; exit 0 ;;
*) echo "bench-pingpong: could not prepare the kernel and initramfs" >&2; exit 1 ;;
esac
exec python3 scripts/bench-pingpong.py --reps "${PINGPONG_BENCH_REPS:-4}" --base-reps "${PINGPONG_BENCH_BASE_REPS:-2}" \
	--n "${PINGPONG_BENCH_N:-4000}" --icount-reps "${PINGPONG_ICOUNT_REPS:-2}" --icount-n "${PINGPONG_ICOUNT_N:-50000}" \
	--csv "$csv" --md "$md"
