#!/usr/bin/env bash
# bench-x86.sh VMM NATIVE_GUEST [CSV MD]: the x86 interrupt figures, userspace irqchip against KVM's in-kernel one,
# in one run: exits per device interrupt and per timer tick, cold-start exits, guest- and host-raised latency.
#
# Each round runs the native guest's "bench" mode once per mode (user, xapic, kernel), the modes in turn;
# X86_BENCH_ROUNDS rounds (default 1; make bench uses more). bench/x86_irq.py prints the table and, given
# CSV and MD, writes them for make bench. Without a usable /dev/kvm it prints a SKIP line and exits 0.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage="usage: bench-x86.sh VMM NATIVE_GUEST [CSV MD]"
vmm=${1:?$usage}
guest=${2:?$usage}
csv=${3:-}
md=${4:-}
vcpus=${X86_VCPUS:-2}
rounds=${X86_BENCH_ROUNDS:-1}
timeout_s=120   # a run takes about 5 s; a stuck one must not stall make bench
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

for ((r = 1; r <= rounds; r++)); do
	for mode in user xapic kernel; do
		log=$logs/$mode.$r.log
		timeout "$timeout_s" "$vmm" --mode "$mode" --vcpus "$vcpus" --bootargs bench "$guest" >"$log" 2>&1
		rc=$?
		if ((rc == 77)); then
			echo "SKIP x86 figures: $(grep -m1 '^SKIP:' "$log" | sed 's/^SKIP: //')"
			exit 0
		fi
		if ((rc != 0)); then
			echo "bench-x86: $mode run $r failed (status $rc)" >&2
			cat "$log" >&2
			exit 1
		fi
	done
done
python3 bench/x86_irq.py --logs "$logs" --vcpus "$vcpus" ${csv:+--csv "$csv"} ${md:+--md "$md"}
