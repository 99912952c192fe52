#!/usr/bin/env bash
# linux-arm64.sh: `make test-linux`: Debian's unmodified arm64 kernel under the EL2 hypervisor on 2 and 4 vCPUs,
# judged from the console log (tests/integration/linux-guest-init prints /proc/interrupts around a workload).
#
# Per run, one PASS/FAIL line each:
#   redistributors  the GICv3 driver found a redistributor for every CPU
#   cpus-online     every CPU came online ("SMP: Total of N processors activated", "CPUi: Booted secondary")
#   timer-every-cpu arch_timer counts rose on every CPU between the two /proc/interrupts snapshots
#   ipis            rescheduling and function-call IPI counts both rose
#   poweroff        the run ended by the guest's power-off (PSCI SYSTEM_OFF), not a timeout or a panic
#   its             the ITS in the guest DT probed: device and collection tables, LPI property and pending tables
#   memory          Linux counts the RAM the run gave it (LINUX_MEM, 512 MiB): its "Memory: .../NK available"
#                   boot line has N = 524288 (the total of the memory node; what is "available" is less)
#   no-warnings     no kernel warning splat and no GIC, ITS, timer, PSCI, SMP or hypervisor warning on the console
# The same checks run once more on 2 vCPUs under a checkpoint storm (hyp.storm=2000, linux-storm-smp2-*),
# with linux-storm-smp2-checkpoints: checkpoints happened and none failed. And once on 4 vCPUs scheduled on
# 2 CPUs (hyp.vcpus, linux-sched-4on2-*), with linux-sched-4on2-migrations: vCPUs moved between the CPUs.
# Prints "N passed, M failed"; exits 1 if any failed. The kernel comes from the Debian mirror on first use;
# when it cannot be fetched this prints a SKIP line with the reason and fails nothing.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

RUN_TIMEOUT=${LINUX_RUN_TIMEOUT:-120}
SMP_COUNTS=(2 4)
LINUX_MEM_MIB=512   # scripts/run-guest.sh --mem: not 128 MiB, the size the hypervisor once always gave
KIB_PER_MIB=1024
CHECKS_PER_RUN=8
logdir=build/linux
mkdir -p "$logdir"
pass=0 fail=0

# Console lines that would be a warning about what the hypervisor provides (case-insensitive). Kernel splats,
# then the GIC, timer, PSCI and SMP bring-up drivers, then the hypervisor's own complaints.
WARN_RE='WARNING:|cut here|BUG:|Oops|Call trace:|Kernel panic|nobody cared|rcu.*stall|hrtimer'
WARN_RE+='|GIC.*(error|fail|broken|warn|bug|spurious|invalid|unable)|irq.*(error|fail|mismatch)'
WARN_RE+='|ITS(@[^ :]*)?:.*(error|fail|broken|warn|timeout|timed out|unable|stall|not )|LPI.*(error|fail|unable)'
WARN_RE+='|arch_timer.*(error|fail|broken|warn|unstable|invalid|erratum)|clocksource.*(unstable|skew)'
WARN_RE+='|psci.*(error|fail|warn|not supported|invalid|unknown)|CPU[0-9]+:.*(fail|stuck|timed out)'
WARN_RE+='|smp:.*fail|hyp: (warning|PANIC|guest fault|EL2 exception)'
# The one warning that is the host's doing, not ours (docs/design.md, "Known limits"): a vCPU thread
# descheduled by the host in the middle of a timer interrupt. Listed as tolerated, not counted.
TOLERATED_RE='hrtimer: interrupt took [0-9]+ ns'

# shellcheck source=report.sh
. "$(dirname "${BASH_SOURCE[0]}")/report.sh"

# The per-CPU counts on the /proc/interrupts line matching PATTERN in snapshot WHICH (before|after).
counts() { # counts LOG WHICH PATTERN NCPUS
	awk -v which="linux-init: interrupts $2" -v pat="$3" -v n="$4" '
		$0 == which { on = 1; next }
		on && /^linux-init:/ { exit }
		on && $0 ~ pat { for (i = 2; i <= n + 1; i++) printf "%s ", $i; print ""; exit }' "$1"
}

sum() { local s=0 x; for x in "$@"; do s=$((s + x)); done; echo $s; }

check_run() { # check_run SMP LOG RC [NAME]
	local n=$1 log=$2 rc=$3 name=${4:-linux-smp$1} ok missing i detail
	local -a t0 t1 lines

	missing=
	for ((i = 0; i < n; i++)); do
		grep -q "GICv3: CPU$i: found redistributor" "$log" || missing+=" CPU$i"
	done
	ok=0; [[ -z $missing ]] && ok=1
	result "$name-redistributors" $ok "${missing:+none for$missing}${missing:-$n of $n CPUs found a redistributor}" "$log"

	local mem_line mem_total
	mem_line=$(grep -m1 -oE 'Memory: [0-9]+K/[0-9]+K available' "$log")
	mem_total=$(sed -E 's|.*/([0-9]+)K available|\1|' <<<"$mem_line")
	ok=0; [[ ${mem_total:-0} == $((LINUX_MEM_MIB * KIB_PER_MIB)) ]] && ok=1
	result "$name-memory" $ok "${mem_line:-no 'Memory: .../NK available' line} (want ${LINUX_MEM_MIB} MiB = $((LINUX_MEM_MIB * KIB_PER_MIB))K)" "$log"

	# The ITS in the guest's device tree: probed, its tables allocated, LPIs on every CPU.
	missing=
	grep -qE "ITS@0x0*8080000: allocated [0-9]+ Devices" "$log" || missing+=" (no ITS device table)"
	grep -qE "ITS@0x0*8080000: allocated [0-9]+ Interrupt Collections" "$log" || missing+=" (no collection table)"
	grep -q "GICv3: using LPI property table" "$log" || missing+=" (no LPI property table)"
	for ((i = 0; i < n; i++)); do
		grep -qE "GICv3: CPU$i: using (allocated|reserved) LPI pending table" "$log" || missing+=" (no pending table on CPU$i)"
	done
	ok=0; [[ -z $missing ]] && ok=1
	result "$name-its" $ok "${missing:-ITS probed: device and collection tables, LPI property table, $n pending tables}" "$log"

	missing=
	grep -q "SMP: Total of $n processors activated" "$log" || missing+=" (no 'Total of $n processors')"
	for ((i = 1; i < n; i++)); do
		grep -q "CPU$i: Booted secondary processor" "$log" || missing+=" CPU$i"
	done
	ok=0; [[ -z $missing ]] && ok=1
	result "$name-cpus-online" $ok "${missing:+missing$missing}${missing:-$n of $n CPUs online}" "$log"

	read -ra t0 <<<"$(counts "$log" before 'arch_timer$' "$n")"
	read -ra t1 <<<"$(counts "$log" after 'arch_timer$' "$n")"
	ok=0; detail="no arch_timer line in both snapshots"
	if ((${#t0[@]} == n && ${#t1[@]} == n)); then
		ok=1; detail="arch_timer per CPU:"
		for ((i = 0; i < n; i++)); do
			((t1[i] > t0[i])) || ok=0
			detail+=" cpu$i ${t0[i]}->${t1[i]}"
		done
	fi
	result "$name-timer-every-cpu" $ok "$detail" "$log"

	local r0 r1 f0 f1
	r0=$(sum $(counts "$log" before 'Rescheduling interrupts$' "$n"))
	r1=$(sum $(counts "$log" after 'Rescheduling interrupts$' "$n"))
	f0=$(sum $(counts "$log" before 'Function call interrupts$' "$n"))
	f1=$(sum $(counts "$log" after 'Function call interrupts$' "$n"))
	ok=0; ((r1 > r0 && f1 > f0)) && ok=1
	result "$name-ipis" $ok "rescheduling $r0->$r1, function call $f0->$f1" "$log"

	ok=0
	if ((rc == 124)); then
		detail="timeout after ${RUN_TIMEOUT}s"
	elif grep -q 'Kernel panic' "$log"; then
		detail="kernel panic: $(grep -m1 -o 'Kernel panic.*' "$log")"
	elif ((rc == 0)) && grep -q 'linux-init: done' "$log" && grep -q 'reboot: Power down' "$log"; then
		ok=1; detail=$(grep -m1 -o 'hyp: run ended.*' "$log")
	else
		detail="exit $rc, $(grep -m1 -o 'hyp: run ended.*' "$log" || echo 'no end-of-run line')"
	fi
	result "$name-poweroff" $ok "$detail" "$log"

	local tolerated
	mapfile -t lines < <(grep -iE "$WARN_RE" "$log" | grep -vE "$TOLERATED_RE")
	tolerated=$(grep -m1 -oE "$TOLERATED_RE" "$log")
	ok=0; ((${#lines[@]} == 0)) && ok=1
	result "$name-no-warnings" $ok "${#lines[@]} warning line(s)${lines[0]:+, first: ${lines[0]}}${tolerated:+; tolerated: $tolerated (host scheduling)}" "$log"
}

bash scripts/run-linux-arm64.sh --fetch >"$logdir/fetch.log" 2>&1
rc=$?
if ((rc == 3)); then
	apt_error=$(grep -m1 '^E: ' "$logdir/fetch.log")
	echo "SKIP linux: *** NOT TESTED *** the Debian kernel could not be fetched:" \
		"$(grep -m1 'cannot fetch' "$logdir/fetch.log")${apt_error:+ ($apt_error)}"
	echo "0 passed, 0 failed, $((CHECKS_PER_RUN * (${#SMP_COUNTS[@]} + 1) + 1)) skipped"
	exit 0
elif ((rc != 0)); then
	result linux-images 0 "could not prepare kernel and initramfs (exit $rc)" "$logdir/fetch.log"
fi

if ((rc == 0)); then
	for n in "${SMP_COUNTS[@]}"; do
		log=$logdir/test-smp$n.log
		bash scripts/run-linux-arm64.sh --smp "$n" --mem "${LINUX_MEM_MIB}M" --timeout "$RUN_TIMEOUT" >"$log" 2>&1
		check_run "$n" "$log" $?
	done
	# The same checks with the VGIC saved, destroyed and restored every 2 ms or so (docs/design.md 13.1).
	log=$logdir/test-storm-smp2.log
	bash scripts/run-linux-arm64.sh --smp 2 --mem "${LINUX_MEM_MIB}M" --timeout "$RUN_TIMEOUT" --hyp-args "hyp.storm=2000" \
		>"$log" 2>&1
	check_run 2 "$log" $? linux-storm-smp2
	read -r s_cycles s_fail < <(sed -nE 's/^hyp: storm cycles ([0-9]+) failures ([0-9]+).*/\1 \2/p' "$log")
	ok=0; [[ ${s_cycles:-0} -gt 0 && ${s_fail:-1} == 0 ]] && ok=1
	result linux-storm-smp2-checkpoints $ok "${s_cycles:-no} checkpoints, ${s_fail:-?} failed; $(grep -m1 -o 'stop_us_mean [0-9]*' "$log")" "$log"
	# More vCPUs than CPUs: the scheduler moves them (EL1, FP/SIMD, PAuth keys, timers, VGIC put/load).
	log=$logdir/test-sched-4on2.log
	bash scripts/run-linux-arm64.sh --smp 4 --cpus 2 --mem "${LINUX_MEM_MIB}M" --timeout "$RUN_TIMEOUT" >"$log" 2>&1
	check_run 4 "$log" $? linux-sched-4on2
	read -r s_loads s_moves < <(sed -nE 's/^hyp: scheduler: .* ([0-9]+) loads, ([0-9]+) onto another CPU/\1 \2/p' "$log")
	ok=0; [[ ${s_moves:-0} -gt 0 ]] && ok=1
	result linux-sched-4on2-migrations $ok "${s_loads:-no} vCPU loads, ${s_moves:-no} onto another CPU" "$log"
fi
echo "$pass passed, $fail failed"
((fail == 0))
