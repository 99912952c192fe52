#!/usr/bin/env bash
# bench-linux.sh CSV MD: Linux as the arm64 guest, for `make bench` (bench/run.sh) or by hand: boot-to-init and
# total runtime under the EL2 hypervisor against plain QEMU, side by side, plus the hypervisor's exit accounting.
#
#   bash scripts/bench-linux.sh bench/results/linux_boot.csv bench/results/linux_boot.md
#
# The same kernel and initramfs (scripts/run-linux-arm64.sh, check mode) boot LINUX_BENCH_REPS times (default 3)
# per vCPU count in LINUX_BENCH_SMP (default "2 4") in each configuration, alternating hypervisor and plain
# QEMU run by run; scripts/bench-linux.py times them and writes the CSV (its columns are listed there) and
# the Markdown fragment. Needs build/arm64/hyp.elf (make arm64). Prints SKIP and writes nothing when
# QEMU is missing or the kernel cannot be fetched.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

csv=${1:?usage: bench-linux.sh CSV MD}
md=${2:?usage: bench-linux.sh CSV MD}

command -v qemu-system-aarch64 >/dev/null || { echo "SKIP Linux boot figures: qemu-system-aarch64 not found"; exit 0; }
[[ -f build/arm64/hyp.elf ]] || { echo "bench-linux: build/arm64/hyp.elf missing (make arm64)" >&2; exit 1; }
bash scripts/run-linux-arm64.sh --fetch
case $? in
0) ;;
3) echo "SKIP Linux boot figures: the Debian kernel could not be fetched (see above)"; exit 0 ;;
*) echo "bench-linux: could not prepare the kernel and initramfs" >&2; exit 1 ;;
esac
exec python3 scripts/bench-linux.py --reps "${LINUX_BENCH_REPS:-3}" --smp "${LINUX_BENCH_SMP:-2 4}" \
	--csv "$csv" --md "$md"
