# report.sh: the PASS/FAIL line helper shared by the integration scripts (sourced, not run).
# The caller sets `pass=0 fail=0`; `result NAME OK DETAIL LOG` prints one readable line and counts it.

result() { # result NAME OK DETAIL LOG
	if [[ $2 == 1 ]]; then
		pass=$((pass + 1)); echo "PASS $1 $3"
	else
		fail=$((fail + 1)); echo "FAIL $1 $3 (log: $4)"
	fi
}
