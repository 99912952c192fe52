#!/usr/bin/env bash
# linux-arm64.sh: `make test`'s Linux run (target test-linux-arm64): Debian's unmodified arm64 kernel,
# 2 vCPUs, under the EL2 hypervisor; passes when its initramfs sees timer and IPI counts increase.
# The kernel comes from the Debian mirror on first use: if it cannot be fetched, this prints a SKIP
# line with the reason and passes (the arm64 suite in test-arm64 does not need the network).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

log=build/linux/run.log
mkdir -p build/linux
bash scripts/run-linux-arm64.sh --smp 2 --timeout "${LINUX_RUN_TIMEOUT:-300}" >"$log" 2>&1
rc=$?
if ((rc == 2)) && [[ ! -f build/linux/Image ]]; then
	echo "SKIP linux-smp2 the Debian kernel could not be fetched: $(grep -m1 -iE 'error|cannot|unable' "$log")"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
verdict=$(grep -m1 -o 'linux-guest: \(PASS\|FAIL\).*' "$log")
counts=$(grep -m1 -o 'cpus [0-9]*, timer interrupts.*' "$log")
if ((rc == 0)); then
	echo "PASS linux-smp2 ${counts}; $(grep -m1 -o 'hyp: lr accesses.*' "$log")"
	echo "1 passed, 0 failed"
	exit 0
fi
echo "FAIL linux-smp2 exit $rc: ${verdict:-no verdict from the guest} ${counts} (log: $log)"
echo "0 passed, 1 failed"
exit 1
