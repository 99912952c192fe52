#!/usr/bin/env bash
# run-arm64.sh: boot the EL2 hypervisor and the test guest under QEMU and exit with the guest's status.
# A thin front end of scripts/run-guest.sh, which computes the layout and reads the status.
#
#   scripts/run-arm64.sh [--smp N] [--cpus M] [--args "BOOTARGS"] [--mem SIZE] [--timeout SECONDS] [--log FILE]
#                        [--vm2 "BOOTARGS" [--vm2-smp N]] [--disk FILE]
#
# BOOTARGS reach the guest as /chosen/bootargs: "" runs the suite; "hostile", "idle", "fault",
# "fault-exec", "fault-novec", "sgi-stress[=N]" pick the other modes (guest/common/suite.c); hyp.* words
# go to the hypervisor (hyp.storm=US). --vm2 runs a second VM beside it (the test guest again, with its own
# BOOTARGS), both VMs' lines then prefixed [vm0]/[vm1]; the status is 0 only if both VMs ended with 0.
# --disk FILE gives the guest the hypervisor's PCI disk (scripts/mkdisk.py makes one); "pci" drives it. SIZE is the guest's RAM (default 128M). ACCEL=kvm runs on an arm64
# host with nested virtualisation instead of TCG (docs/arm64.md, "Nested virtualisation").
#
# The status is read from the hypervisor's last line, "hyp: run ended: status N": the hypervisor
# powers off through PSCI, after which QEMU exits 0 whatever the status. (It does not use semihosting
# for an exit code: QEMU would honour semihosting calls from the guest's EL1 as well.)
# Exit codes: the guest's status; 124 on timeout; 125 when the run ended without a status line;
# 2 when scripts/run-guest.sh refused the layout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

smp=2 cpus="" args="" mem=128M timeout_s=${RUN_TIMEOUT:-60} log="" vm2=() 
while (($#)); do
	case $1 in
	--smp) smp=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--args) args=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--vm2) vm2+=(--vm2 "$2"); shift 2 ;;
	--vm2-smp) vm2+=(--vm2-smp "$2"); shift 2 ;;
	--disk) vm2+=(--disk "$2"); shift 2 ;;
	*) echo "run-arm64: unknown argument $1" >&2; exit 2 ;;
	esac
done

guest=build/arm64/guest.bin
[[ -f $guest ]] || { echo "run-arm64: $guest missing (make arm64)" >&2; exit 2; }

# guest.bin is linked at 0x40080000 (guest/arm64/guest.ld): QEMU's place for a raw image, RAM + 0x80000,
# which is run-guest.sh's default too.
exec bash scripts/run-guest.sh --kernel "$guest" --smp "$smp" ${cpus:+--cpus "$cpus"} --mem "$mem" --append "$args" \
	--timeout "$timeout_s" ${log:+--log "$log"} ${vm2[@]+"${vm2[@]}"}
