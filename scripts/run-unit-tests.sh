#!/usr/bin/env bash
# run-unit-tests.sh: run every unit-test binary given on the command line
# (default: build/tests/test_*), even when some fail, and count cmocka tests.
#
# Counting, per binary, from cmocka's default output:
#   "[  PASSED  ] N test(s)."               adds N passed
#   "[  FAILED  ] N test(s), listed below:" adds N failed
# A binary that exits non-zero (crash, sanitizer abort, timeout, group set-up
# failure) without such a FAILED line counts as one failure, and so does one
# that exits 0 without printing any cmocka summary (it ran no test).
#
# The last line printed is "N passed, M failed"; exit status is 1 if M > 0.
# UNIT_TEST_TIMEOUT (seconds, default 300) bounds each binary.
set -uo pipefail

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export CMOCKA_MESSAGE_OUTPUT=STDOUT   # the format parsed below
timeout_s=${UNIT_TEST_TIMEOUT:-300}
ulimit -c 0 2>/dev/null || true       # abort_on_error must not leave core files

if (($# == 0)); then
	shopt -s nullglob
	set -- build/tests/test_*
	shopt -u nullglob
fi

total_pass=0
total_fail=0
summary=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for bin in "$@"; do
	[[ $bin == *.d || $bin == *.o ]] && continue
	name=$(basename "$bin")
	printf '=== %s\n' "$name"
	if [[ ! -x $bin ]]; then
		printf '%s: not found or not executable\n' "$bin"
		rc=127
		: >"$log"
	else
		timeout --kill-after=10 "$timeout_s" "$bin" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
	fi
	p=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) test\(s\)\..*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) test\(s\), listed below:.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	note=""
	if ((rc != 0 && f == 0)); then
		f=1
		if ((rc == 124 || rc == 137)); then
			note=" (timed out after ${timeout_s}s)"
		elif ((rc > 128)); then
			note=" (killed by signal $((rc - 128)))"
		else
			note=" (exit status $rc)"
		fi
	elif ((rc == 0 && p == 0 && f == 0)); then
		f=1
		note=" (exited 0 but printed no cmocka summary)"
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("$(printf '  %-32s %4d passed, %4d failed%s' "$name" "$p" "$f" "$note")")
done

echo
echo "unit test summary:"
if ((${#summary[@]})); then
	printf '%s\n' "${summary[@]}"
else
	echo "  (no unit-test binaries found)"
fi
echo "$total_pass passed, $total_fail failed"
((total_fail == 0))
