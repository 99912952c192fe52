#!/usr/bin/env bash
# kvm-truth.sh: ground truth for the LR-policy benchmark: KVM's own vgic, unmodified, serves the test guest,
# and QEMU counts every ICH_* access it makes; the same guest workload runs under our hypervisor beside it.
#
#   scripts/kvm-truth.sh [CSV MD]      (make bench runs it; alone it prints the table)
#
# KVM side: Debian's arm64 kernel (the one make test-linux fetches) boots at EL2 under QEMU TCG
# (-M virt,virtualization=on), so it brings up KVM in VHE mode on QEMU's GICv3 CPU interface. Its
# initramfs runs scripts/kvm-truth/vmm.c, a tiny static VMM: 128 MiB of RAM, KVM's vGICv3 at our
# machine's GICD/GICR addresses, PSCI vCPUs, a PL011 that prints what is written (and reads as idle), and
# our test guest (build/arm64/guest.bin) with a device tree made from dts/guest.dts (the vCPUs kept, no ITS,
# no PCIe, the workload as bootargs).
# QEMU's trace events gicv3_ich_* (-d trace:gicv3_ich_*) log each ICH_* register access of the L1 kernel;
# KVM's debugfs gives its exit count for the VM. Our side: scripts/run-arm64.sh with the same workload;
# the hypervisor's accounting gives its exits and LR accesses by kind.
#
# The workload is the guest's sgi-stress mode: SGIs round a ring of vCPUs, each sender waiting for its
# last one to arrive; it needs only the GIC and PSCI, so it runs unchanged under both.
# Exit codes: 0, or 1 when a run failed; a loud SKIP (exit 0) when the kernel cannot be fetched.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

csv=${1:-} md=${2:-}
SGIS=${KVM_TRUTH_SGIS:-20000}
VCPUS=${KVM_TRUTH_VCPUS:-2}
dir=build/kvm-truth
mkdir -p "$dir"

# shellcheck source=kvm-truth/common.sh
. scripts/kvm-truth/common.sh
kvm_truth_prepare "$dir" kvm-truth
case $? in
0) ;;
2) exit 0 ;;
*) exit 1 ;;
esac

# The guest's device tree (scripts/kvm-truth/l2_dts.py), the workload as its command line.
kvm_truth_l2_dtb "$dir" "$VCPUS" "sgi-stress=$SGIS" || exit 1
kvm_truth_l1_initrd "$dir/initrd.gz" "$dir" "/guest.bin /guest.dtb $VCPUS" \
	file:/guest.bin=build/arm64/guest.bin:644 file:/guest.dtb="$dir/l2.dtb":644 || exit 1

# KVM under QEMU, every ICH_* access traced.
rm -f "$dir/trace.log"
kvm_truth_l1_run "$dir/kvm.log" "$dir/initrd.gz" "$VCPUS" 600 "$dir/trace.log"
kvm_ok=0
grep -q "^l2: PASS sgi_stress $VCPUS CPUs in a ring: $SGIS sent, $SGIS received" "$dir/kvm.log" &&
	grep -q '^vmm: stat exits [0-9]' "$dir/kvm.log" && kvm_ok=1

# Ours: the same guest and workload.
bash scripts/run-arm64.sh --smp "$VCPUS" --args "sgi-stress=$SGIS" --timeout 120 >"$dir/ours.log" 2>&1
ours_ok=0
grep -q "^PASS sgi_stress $VCPUS CPUs in a ring: $SGIS sent, $SGIS received" "$dir/ours.log" && ours_ok=1

if ((!kvm_ok || !ours_ok)); then
	echo "kvm-truth: FAILED: KVM run $([[ $kvm_ok == 1 ]] && echo ok || echo "failed ($dir/kvm.log)"), ours $([[ $ours_ok == 1 ]] && echo ok || echo "failed ($dir/ours.log)")"
	exit 1
fi
python3 scripts/kvm-truth/report.py "$dir" "$SGIS" "$VCPUS" "$csv" "$md"
