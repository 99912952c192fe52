#!/usr/bin/env bash
# run-arm64.sh: boot the EL2 hypervisor and the test guest under QEMU and exit with the guest's status.
#
#   scripts/run-arm64.sh [--smp N] [--args "BOOTARGS"] [--timeout SECONDS] [--log FILE]
#
# BOOTARGS reach the guest as /chosen/bootargs: "" runs the suite; "hostile", "idle", "fault",
# "fault-exec", "fault-novec" pick the other modes (guest/common/suite.c). ACCEL=kvm runs on an arm64 host with
# nested virtualisation instead of TCG (docs/arm64.md, "Nested virtualisation").
#
# The status is read from the hypervisor's last line, "hyp: run ended: status N": the hypervisor
# powers off through PSCI, after which QEMU exits 0 whatever the status. (It does not use semihosting
# for an exit code: QEMU would honour semihosting calls from the guest's EL1 as well.)
# Exit codes: the guest's status; 124 on timeout; 125 when the run ended without a status line.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

smp=2 args="" timeout_s=${RUN_TIMEOUT:-60} log=""
while (($#)); do
	case $1 in
	--smp) smp=$2; shift 2 ;;
	--args) args=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	*) echo "run-arm64: unknown argument $1" >&2; exit 2 ;;
	esac
done

build=build/arm64
for f in "$build/hyp.elf" "$build/guest.bin"; do
	[[ -f $f ]] || { echo "run-arm64: $f missing (make arm64)" >&2; exit 2; }
done

# Guest RAM is host PA 0x50000000 (arch-arm64/hyp.h GUEST_RAM_PA); the image goes at +0x80000.
guest_load=0x50080000
accel=${ACCEL:-tcg}
machine=virt,virtualization=on,gic-version=3
cpu=max
if [[ $accel == kvm ]]; then
	# Nested virtualisation: the host's KVM must expose EL2 (kvm-arm.mode=nested) and QEMU must
	# accept virtualization=on with KVM.
	cpu=host
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout --foreground -k 5 "$timeout_s" qemu-system-aarch64 \
	-M "$machine" -accel "$accel" -cpu "$cpu" -smp "$smp" -m 512M -nographic -no-reboot -nic none \
	-kernel "$build/hyp.elf" \
	-device loader,file="$build/guest.bin",addr=$guest_load,force-raw=on \
	-append "$args" 2>&1 | tr -d '\r' | tee "$out"
rc=${PIPESTATUS[0]}
[[ -n $log ]] && cp "$out" "$log"

if ((rc == 124 || rc == 137)); then
	echo "run-arm64: TIMEOUT after ${timeout_s}s (smp $smp, args \"$args\")" >&2
	exit 124
fi
status=$(sed -n 's/^hyp: run ended: status \([0-9]*\).*/\1/p' "$out" | tail -n1)
if [[ -z $status ]]; then
	echo "run-arm64: the run ended without a status line (QEMU exit code $rc)" >&2
	exit 125
fi
((status > 255)) && status=255   # an exit code has 8 bits; a failure must not wrap to 0
exit "$status"
