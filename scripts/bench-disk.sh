#!/usr/bin/env bash
# bench-disk.sh CSV MD: Linux reading the PCI disk, for `make bench` (bench/run.sh) or by hand: read throughput and
# device interrupts per second under the EL2 hypervisor (its own virtio-blk-pci, MSI-X through the emulated ITS)
# against plain QEMU (QEMU's virtio-blk-pci and ITS), and the hypervisor's exits and LR accesses per MSI.
#
#   bash scripts/bench-disk.sh bench/results/linux_disk.csv bench/results/linux_disk.md
#
# The image: scripts/mkdisk.py build/linux/bench-disk-<DISK_BENCH_MIB>M.img DISK_BENCH_MIB (default 32 MiB, so that
# the runs fit make bench's time; make test-linux reads 64). Per vCPU count in DISK_BENCH_SMP (default "2 4"),
# DISK_BENCH_REPS (default 2) pairs of runs of `scripts/run-linux-arm64.sh --disk IMG --append linuxtest.disk=MD5`,
# under the hypervisor and with --plain, alternating which goes first; then DISK_BENCH_BASE_REPS (default 1) runs
# under the hypervisor with the same disk but without linuxtest.disk (no driver, no reads): the baseline
# subtracted from the hypervisor's whole-run accounting. scripts/bench-disk.py runs them (its docstring lists the
# CSV columns) and writes the Markdown fragment; every run's console goes to build/linux/bench-disk/. Needs
# build/arm64/hyp.elf (make arm64). Prints SKIP and writes nothing when QEMU is missing or the kernel cannot
# be fetched.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

csv=${1:?usage: bench-disk.sh CSV MD}
md=${2:?usage: bench-disk.sh CSV MD}
mib=${DISK_BENCH_MIB:-32}

command -v qemu-system-aarch64 >/dev/null || { echo "SKIP Linux disk figures: qemu-system-aarch64 not found"; exit 0; }
[[ -f build/arm64/hyp.elf ]] || { echo "bench-disk: build/arm64/hyp.elf missing (make arm64)" >&2; exit 1; }
bash scripts/run-linux-arm64.sh --fetch
case $? in
0) ;;
3) echo "SKIP Linux disk figures: the Debian kernel could not be fetched (see above)"; exit 0 ;;
*) echo "bench-disk: could not prepare the kernel and initramfs" >&2; exit 1 ;;
esac
img=build/linux/bench-disk-${mib}M.img
md5=$(python3 scripts/mkdisk.py "$img" "$mib") || { echo "bench-disk: scripts/mkdisk.py $img $mib failed" >&2; exit 1; }
md5=${md5%% *}
exec python3 scripts/bench-disk.py --reps "${DISK_BENCH_REPS:-2}" --smp "${DISK_BENCH_SMP:-2 4}" \
	--base-reps "${DISK_BENCH_BASE_REPS:-1}" --disk "$img" --md5 "$md5" --mib "$mib" --csv "$csv" --md "$md"
