#!/usr/bin/env bash
# kvm-truth-linux.sh: ground truth with Linux as the L2 guest: the same kernel, initramfs and workload on plain
# QEMU, under our EL2 hypervisor, and under KVM's own vgic (unmodified), timed by the guest and with every ICH_*
# access counted.
#
#   scripts/kvm-truth-linux.sh [CSV MD]      (make bench runs it; alone it prints the table)
#
# The guest: Debian's arm64 kernel with the initramfs of scripts/run-linux-arm64.sh (tests/integration/
# linux-guest-init): boot, a pinned busy loop on every CPU feeding a reader on the next (cross-CPU wake-ups,
# signals), then linuxtest.pingpong=N round trips between tasks pinned to CPU 0 and CPU 1. The guest's own
# clock (/proc/uptime, printed by the init) times its phases: boot (to the init's first line), loops (the
# pinned workload), ping-pong (its N round trips), whole (to the power-off).
# Plain and ours: scripts/run-linux-arm64.sh [--plain] --smp VCPUS --mem MEM. KVM: the same kernel boots at EL2
# under QEMU TCG as L1 (scripts/kvm-truth.sh has the details) and runs scripts/kvm-truth/vmm.c over the L2
# Linux: MEM of RAM, KVM's vGICv3, PSCI vCPUs, a PL011 that reads as idle, the device tree made from
# dts/guest.dts (VCPUS cpus, MEM of memory, no ITS, no PCIe, the initramfs in /chosen).
# REPS rounds (KVM_TRUTH_LINUX_REPS, default 3), each running the three in turn, the order rotated per round;
# one more KVM run with QEMU's gicv3_ich_* trace events counts KVM's ICH_* accesses (untimed: the tracing
# slows QEMU); ours counts its own in every run (the hypervisor's accounting; it costs no time).
# Exit codes: 0, or 1 when a run failed; a loud SKIP (exit 0) when the kernel cannot be fetched.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

csv=${1:-} md=${2:-}
REPS=${KVM_TRUTH_LINUX_REPS:-3}
PINGPONG=${KVM_TRUTH_LINUX_PINGPONG:-1000}
VCPUS=${KVM_TRUTH_LINUX_VCPUS:-2}
MEM_MIB=${KVM_TRUTH_LINUX_MEM_MIB:-256}
RUN_TIMEOUT=${KVM_TRUTH_LINUX_TIMEOUT:-900}
dir=build/kvm-truth-linux
mkdir -p "$dir"
rm -f "$dir"/*.log

# shellcheck source=kvm-truth/common.sh
. scripts/kvm-truth/common.sh
kvm_truth_prepare "$dir" kvm-truth-linux
case $? in
0) ;;
2) exit 0 ;;
*) exit 1 ;;
esac

# The L2 device tree (scripts/kvm-truth/l2_dts.py: the initramfs at RAM + 64 MiB); the command line is
# run-linux-arm64.sh's with the same workload words. quiet, for all three: KVM's VMM serves the console in
# userspace, where each character would be an exit to L1's userspace and time the VMM, not the vgic.
workload="quiet linuxtest.pingpong=$PINGPONG"
bootargs="console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init $workload"
kvm_truth_l2_dtb "$dir" "$VCPUS" "$bootargs" "$MEM_MIB" "$(stat -c %s build/linux/initrd.gz)" || exit 1
kvm_truth_l1_initrd "$dir/l1-initrd.gz" "$dir" "/Image /initrd.dtb $VCPUS /initrd.gz $MEM_MIB" \
	file:/Image=build/linux/Image:644 file:/initrd.gz=build/linux/initrd.gz:644 \
	file:/initrd.dtb="$dir/l2.dtb":644 || exit 1

run_kvm() { # run_kvm LOG [TRACE]: L1 Linux with KVM, the L2 Linux under it
	kvm_truth_l1_run "$1" "$dir/l1-initrd.gz" "$VCPUS" "$RUN_TIMEOUT" "${2:-}"
}

run_linux() { # run_linux LOG [--plain]
	bash scripts/run-linux-arm64.sh --smp "$VCPUS" --mem "${MEM_MIB}M" --timeout "$RUN_TIMEOUT" \
		--append "$workload" ${2:+"$2"} >"$1" 2>&1
}

failed=0
check() { # check LOG: the run reached the init's last line
	if ! grep -q 'linux-init: done, uptime' "$1" || ! grep -qE "linux-init: pingpong $PINGPONG round trips in" "$1"; then
		echo "kvm-truth-linux: FAILED: $1 did not finish its workload"
		failed=1
	fi
}

configs=(plain ours kvm)
for ((r = 1; r <= REPS; r++)); do
	for ((k = 0; k < 3; k++)); do
		c=${configs[$(((k + r - 1) % 3))]}
		log=$dir/$c-$r.log
		case $c in
		plain) run_linux "$log" --plain ;;
		ours) run_linux "$log" ;;
		kvm) run_kvm "$log" ;;
		esac
		check "$log"
	done
done
rm -f "$dir/trace.txt"
run_kvm "$dir/kvm-traced.log" "$dir/trace.txt"
check "$dir/kvm-traced.log"
((failed)) && exit 1
python3 scripts/kvm-truth/report_linux.py "$dir" "$REPS" "$PINGPONG" "$VCPUS" "$MEM_MIB" "$csv" "$md"
