#!/usr/bin/env bash
# run-suites.sh: run `make test`'s suites one after another and end with one summary for all of them.
# Each suite's own last "N passed, M failed" line is its count; a suite that prints none counts as one check.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

logdir=build/test-logs
mkdir -p "$logdir"
total_pass=0 total_fail=0 rc=0
declare -a rows

for suite in "$@"; do
	log="$logdir/$suite.log"
	echo "=== $suite"
	make --no-print-directory -j1 "$suite" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		pass=${BASH_REMATCH[1]} fail=${BASH_REMATCH[2]}
	elif [[ $line == "" ]] && grep -qE '^\[  PASSED  \] [0-9]+ test' "$log"; then
		pass=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | tail -n 1 | grep -oE '[0-9]+' | head -n 1)
		fail=0
	else
		pass=$((status == 0)) fail=$((status != 0))
	fi
	# A suite whose make target failed is a failure even if its own count says otherwise.
	if ((status != 0 && fail == 0)); then
		fail=1
	fi
	((status != 0)) && rc=1
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	rows+=("$(printf '  %-20s %6d passed, %4d failed%s' "$suite" "$pass" "$fail" \
		"$( ((status != 0)) && echo "   (exit $status, log $log)")")")
done

echo
echo "make test summary:"
printf '%s\n' "${rows[@]}"
echo "$total_pass passed, $total_fail failed"
exit $rc
