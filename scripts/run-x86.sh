#!/usr/bin/env bash
# run-x86.sh VMM NATIVE_GUEST [COMMON_GUEST] [--hostile]: run the x86 guests under the KVM VMM in each
# interrupt mode (userspace PIC+APIC, XapicOnly, in-kernel baseline, split irqchip: KVM's LAPIC with our
# PIC and IOAPICs). COMMON_GUEST is the common suite
# (guest/common, shared with arm64); NATIVE_GUEST holds the x86-only checks (PIC, ELCR, TPR, ...).
# --hostile adds the garbage-first runs, the scale device's exact counts at 64 vCPUs (16 in-kernel) and,
# with X86_FAULT_GUEST set, the triple-fault report check.
# Prints each run, a table of exit counts per mode, and a last line "N passed, M failed".
# Without a usable /dev/kvm it prints a loud SKIP line and exits 0.
set -uo pipefail

vmm=${1:?usage: run-x86.sh VMM NATIVE_GUEST [COMMON_GUEST] [--hostile]}
native=${2:?usage: run-x86.sh VMM NATIVE_GUEST [COMMON_GUEST] [--hostile]}
shift 2
common=""
hostile=""
for a in "$@"; do
	case $a in
	--hostile) hostile=1 ;;
	*) [[ -n $a ]] && common=$a ;;
	esac
done
vcpus=${X86_VCPUS:-2}
timeout_s=${X86_TIMEOUT:-60}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
xfail_list=$here/tests/integration/x86/common-xfail.txt

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

# label | guest | mode | extra VMM arguments
runs=()
for mode in user xapic kernel split; do
	runs+=("native|$native|$mode|")
	[[ -n $common ]] && runs+=("common|$common|$mode|")
done
if [[ -n $hostile ]]; then
	for mode in user xapic split; do
		runs+=("native+hostile|$native|$mode|--hostile")
		[[ -n $common ]] && runs+=("common+hostile|$common|$mode|--bootargs hostile")
	done
fi

total_pass=0
total_fail=0
total_xfail=0
rows=()
log=$(mktemp)
trap 'rm -f "$log" "$log.txt"' EXIT

# Is CHECK expected to fail in MODE (common-xfail.txt)? Prints the reason if so.
xfail_reason() {
	local check=$1 mode=$2 name modes reason
	[[ -f $xfail_list ]] || return 1
	while read -r name modes reason; do
		[[ -z $name || $name == \#* ]] && continue
		[[ $name == "$check" ]] || continue
		if [[ $modes == all || ,$modes, == *,"$mode",* ]]; then
			printf '%s' "$reason"
			return 0
		fi
	done <"$xfail_list"
	return 1
}

for r in "${runs[@]}"; do
	IFS='|' read -r label guest mode extra <<<"$r"
	printf '=== x86 %s, mode %s (%s vCPUs)\n' "$label" "$mode" "$vcpus"
	# shellcheck disable=SC2086
	timeout --kill-after=5 $((timeout_s + 10)) "$vmm" --mode "$mode" --vcpus "$vcpus" --timeout "$timeout_s" \
		$extra "$guest" >"$log" 2>&1
	rc=$?
	# A guest may legally print NUL bytes (CONSOLE_WRITE of raw memory); keep the log text.
	tr -d '\000' <"$log" >"$log.txt" && mv "$log.txt" "$log"
	cat "$log"
	# Split mode needs KVM_CAP_SPLIT_IRQCHIP; a KVM without it skips that mode only, loudly.
	if ((rc == 77)) && [[ $mode == split ]] && grep -q '^SKIP: split mode' "$log"; then
		echo "******************************************************************"
		echo "SKIP: x86 $label, mode split: $(grep -am1 '^SKIP:' "$log" | sed 's/^SKIP: //')"
		echo "******************************************************************"
		rows+=("$(printf '  %-15s %-7s SKIPPED: %s' "$label" "$mode" "$(grep -am1 '^SKIP:' "$log" | sed 's/^SKIP: //')")")
		continue
	fi
	if ((rc == 77)); then
		echo "******************************************************************"
		echo "SKIP: x86 KVM runs: $(grep -am1 '^SKIP:' "$log" | sed 's/^SKIP: //')"
		echo "******************************************************************"
		echo "x86 KVM suite skipped: 0 passed, 0 failed"
		exit 0
	fi
	summary=$(grep -aE '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	p=$(sed -nE 's/^([0-9]+) passed.*/\1/p' <<<"$summary")
	f=$(sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p' <<<"$summary")
	x=0
	note=""
	if [[ -z $p ]]; then
		p=0
		f=1
		note=" (no summary: exit status $rc)"
	else
		# Known x86 impossibilities of the common suite become XFAIL, each with its reason.
		while read -r check; do
			if reason=$(xfail_reason "$check" "$mode"); then
				echo "XFAIL $check ($mode): $reason"
				x=$((x + 1))
			fi
		done < <(sed -nE 's/^FAIL ([A-Za-z0-9_]+).*/\1/p' "$log")
		# The native guest reports its own expected failures ("xfail=N"); it decides them itself.
		[[ $label == common* ]] || x=$(sed -nE 's/^x86 guest: strays=[0-9]+ xfail=([0-9]+)$/\1/p' "$log" | tail -n1)
		x=${x:-0}
		[[ $label == common* ]] || f=$((f + x))
		f=$((f - x))
		# A guest that halts non-zero only because of its XFAILs is fine; anything else is not.
		if ((rc != 0 && rc != x + (f > 0 ? f : 0) && f == 0)); then
			f=1
			note=" (exit status $rc)"
		fi
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_xfail=$((total_xfail + x))
	exits=$(sed -nE 's/^x86-vmm: exits total=[0-9]+ (.*)$/\1/p' "$log")
	utotal=$(sed -nE 's/^x86-vmm: exits total=([0-9]+).*$/\1/p' "$log")
	ktotal=$(sed -nE 's/^x86-vmm: kvm-exits total=([0-9]+).*$/\1/p' "$log")
	cold=$(sed -nE 's/^x86-vmm: cold-start-exits=([0-9]+).*$/\1/p' "$log")
	kcold=$(sed -nE 's/^x86-vmm: cold-start-exits=.*kvm-cold-start-exits=([0-9]+).*$/\1/p' "$log")
	# Cold start is measured by the native guest, which takes its first timer tick right after boot.
	[[ $label == native ]] || { cold="-"; kcold="-"; }
	rows+=("$(printf '  %-15s %-7s %3d passed %2d failed %d xfail | userspace exits %6s (cold start %3s) | all KVM exits %6s (cold start %4s)%s' \
		"$label" "$mode" "$p" "$f" "$x" "${utotal:-?}" "${cold:-?}" "${ktotal:-?}" "${kcold:-?}" "$note")")
	rows+=("$(printf '  %-23s by cause: %s' "" "$exits")")
done

# A guest that triple-faults must be reported (registers, status 125), with our LAPIC, KVM's, and split.
if [[ -n $hostile && -n ${X86_FAULT_GUEST:-} ]]; then
	for mode in user kernel split; do
		printf '=== x86 triple-fault guest, mode %s\n' "$mode"
		timeout --kill-after=5 30 "$vmm" --mode "$mode" --timeout 20 "$X86_FAULT_GUEST" >"$log" 2>&1
		rc=$?
		cat "$log"
		if ((rc == 125)) && grep -q 'GUEST FAULT: triple fault' "$log" && grep -q 'rbx=1122334455667788' "$log"; then
			total_pass=$((total_pass + 1))
			rows+=("$(printf '  %-15s %-7s   1 passed  0 failed | fault reported with registers, status 125' "triple-fault" "$mode")")
		else
			total_fail=$((total_fail + 1))
			rows+=("$(printf '  %-15s %-7s   0 passed  1 failed | exit status %d, report missing' "triple-fault" "$mode" "$rc")")
		fi
	done
fi

# The scaling device at 64 vCPUs (and 16 in-kernel, where KVM's IOAPIC has the pins): every vCPU's
# count exact (delivered = raised = EOIs the device saw). scripts/scale-x86.sh is also make bench's.
if [[ -n $hostile ]]; then
	scale_log=$(mktemp)
	for cell in "64|user split" "16|kernel"; do
		X86_SCALE_NS=${cell%%|*} X86_SCALE_MODES=${cell#*|} bash scripts/scale-x86.sh "$vmm" "$native" >"$scale_log" 2>&1
		grep -aE '^(SKIP|\*)' "$scale_log"
		while read -r verdict name detail; do
			if [[ $verdict == PASS ]]; then total_pass=$((total_pass + 1)); else total_fail=$((total_fail + 1)); fi
			rows+=("$(printf '  %-15s %s %s' "${name#scale_exact_}" "$verdict" "$detail")")
		done < <(grep -aE '^(PASS|FAIL) scale_exact_' "$scale_log")
		grep -qaE '^(PASS|FAIL|SKIP)' "$scale_log" || { total_fail=$((total_fail + 1)); rows+=("  scale ${cell%%|*}: no result; $(tail -n1 "$scale_log")"); }
	done
	rm -f "$scale_log"
fi

echo
echo "x86 summary. Userspace exits: counted by the VMM (the in-kernel mode handles most exits inside KVM)."
echo "All KVM exits: KVM's own per-vCPU counters. Cold start: reset to the first timer tick."
printf '%s\n' "${rows[@]}"
echo "x86 expected failures (see tests/integration/x86/common-xfail.txt): $total_xfail"
echo "$total_pass passed, $total_fail failed"
((total_fail == 0))
