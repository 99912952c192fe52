#!/usr/bin/env bash
# bench-x86.sh VMM NATIVE_GUEST: the x86 measurements side by side per interrupt mode: exits per device
# interrupt and per timer tick (userspace and all KVM exits), guest-raised line to handler latency, and
# cold-start exits. Each figure comes from the guest's "bench" mode, bracketed by "@@mark" lines.
set -uo pipefail

vmm=${1:?usage: bench-x86.sh VMM NATIVE_GUEST}
guest=${2:?usage: bench-x86.sh VMM NATIVE_GUEST}
vcpus=${X86_VCPUS:-2}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

mark() { # mark LABEL FIELD: the exit total the VMM printed at that mark
	sed -nE "s/^x86-vmm: mark $1 exits=([0-9]+) kvm-exits=([0-9]+)$/\\$2/p" "$log" | tail -n1
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }

echo "| mode | exits / device interrupt (userspace, all KVM) | exits / timer tick (userspace, all KVM) | raise-to-handler latency median / p90 / p99 (us) | cold-start exits (userspace, all KVM) |"
echo "|---|---|---|---|---|"
for mode in user xapic kernel; do
	timeout 120 "$vmm" --mode "$mode" --vcpus "$vcpus" --bootargs bench "$guest" >"$log" 2>&1
	rc=$?
	if ((rc == 77)); then
		echo "SKIP: $(grep -m1 '^SKIP:' "$log" | sed 's/^SKIP: //')"
		exit 0
	fi
	if ((rc != 0)); then
		echo "bench-x86: $mode run failed (status $rc)" >&2
		cat "$log" >&2
		exit 1
	fi
	n=$(sed -nE 's/^bench: device-interrupts=([0-9]+) ticks=([0-9]+)$/\1/p' "$log")
	t=$(sed -nE 's/^bench: device-interrupts=([0-9]+) ticks=([0-9]+)$/\2/p' "$log")
	du=$(( $(mark device-end 1) - $(mark device-start 1) ))
	dk=$(( $(mark device-end 2) - $(mark device-start 2) ))
	tu=$(( $(mark ticks-end 1) - $(mark ticks-start 1) ))
	tk=$(( $(mark ticks-end 2) - $(mark ticks-start 2) ))
	lat=$(sed -nE 's/^bench: device-latency-ns median=([0-9]+) p90=([0-9]+) p99=([0-9]+).*/\1 \2 \3/p' "$log")
	read -r m p90 p99 <<<"$lat"
	cold=$(sed -nE 's/^x86-vmm: cold-start-exits=([0-9]+) kvm-cold-start-exits=([0-9]+)$/\1, \2/p' "$log")
	printf '| %s | %s, %s | %s, %s | %s / %s / %s | %s |\n' "$(sed -nE 's/^x86-vmm: mode=([a-z-]+) .*/\1/p' "$log")" \
		"$(div "$du" "$n")" "$(div "$dk" "$n")" "$(div "$tu" "$t")" "$(div "$tk" "$t")" \
		"$(div "$m" 1000)" "$(div "$p90" 1000)" "$(div "$p99" 1000)" "${cold:-?}"
done
echo
echo "Device interrupt: the guest raises an edge line through LINE_SET (one ABI exit, counted) and waits"
echo "for its handler; ticks: the PV timer at 1 kHz with the vCPU in HLT between ticks. $vcpus vCPUs."
