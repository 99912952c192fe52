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
# The 2- and 4-vCPU runs also get a disk (issue 12): a 64 MiB image from scripts/mkdisk.py, served by the
# hypervisor's virtio-blk-pci device (run-guest.sh --disk; hyp.disk=), whose MSI-X vectors go through the ITS;
# the init reads all of it with O_DIRECT from every CPU in several block sizes (linuxtest.disk=MD5). Per run:
#   disk-md5        every reader's md5 of /dev/vda is the host's md5 of the image, and there is one reader
#                   per CPU and at least 4 (one per block size)
#   disk-direct     the reads did not go through the page cache (Buffers did not grow by half the disk)
#   disk-vectors    in /proc/interrupts around the reads, every virtio queue vector (ITS-MSI, not -config)
#                   fired, and the counts rose on more than one CPU
#   disk-host       the hypervisor's own counters ("hyp: disk ...", "hyp: its ..." at the end of the run): it
#                   served at least every reader's whole disk, sent MSIs, and counted no error of any kind
# and no-warnings also covers virtio, PCI and I/O errors and timeouts. When the image cannot be built, the
# runs go without the disk and the disk checks print a loud SKIP line each.
# The same checks run once more on 2 vCPUs under a checkpoint storm (hyp.storm=2000, linux-storm-smp2-*),
# with linux-storm-smp2-checkpoints: checkpoints happened and none failed. And once on 4 vCPUs scheduled on
# 2 CPUs (hyp.vcpus, linux-sched-4on2-*), with linux-sched-4on2-migrations: vCPUs moved between the CPUs.
# Last, linux-kvm-truth: a short run of scripts/kvm-truth.sh (this kernel as an L1 running KVM's own vgic under
# scripts/kvm-truth/vmm.c, beside our hypervisor, the test guest's SGI ring under each) must deliver every SGI
# once under both and trace KVM's ICH_* accesses.
# Prints "N passed, M failed"; exits 1 if any failed. The kernel comes from the Debian mirror on first use;
# when it cannot be fetched this prints a SKIP line with the reason and fails nothing.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

RUN_TIMEOUT=${LINUX_RUN_TIMEOUT:-120}
DISK_RUN_TIMEOUT=${LINUX_DISK_RUN_TIMEOUT:-$((RUN_TIMEOUT + 120))}   # the reads: 4 x 64 MiB under TCG
DISK_MIB=64          # the issue asks for at least 64 MiB; scripts/run-guest.sh takes up to 256
DISK_MIN_READERS=4   # linux-guest-init: one reader per CPU and at least one per block size (4 of them)
DISK_CHECKS=4        # disk-md5, disk-direct, disk-vectors, disk-host
SMP_COUNTS=(2 4)
KVM_TRUTH_SMOKE_SGIS=2000   # scripts/kvm-truth.sh's ring, short: about 20 s here (make bench runs 20,000)
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
# The disk: the virtio and PCI drivers, the block layer's I/O errors, request timeouts.
WARN_RE+='|virtio.*(error|fail|timeout|timed out|warn|broken|invalid|unable)|I/O error|blk_update_request'
WARN_RE+='|(vda|blk|request).*(timeout|timed out)|pci.*(fail|error|can.t|unable|invalid|conflict|no space)'
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

# "NAME c0 c1 ..." for every virtio ITS-MSI line of /proc/interrupts snapshot WHICH (disk-before|disk-after).
virtio_vectors() { # virtio_vectors LOG WHICH NCPUS
	awk -v which="linux-init: interrupts $2" -v n="$3" '
		$0 == which { on = 1; next }
		on && /^linux-init:/ { exit }
		on && /ITS-(PCI-)?MSI/ && $NF ~ /virtio/ {
			printf "%s", $NF; for (i = 2; i <= n + 1; i++) printf " %s", $i; print "" }' "$1"
}

check_disk() { # check_disk SMP LOG NAME MD5
	local n=$1 log=$2 name=$3 md5=$4 want detail ok line good=0 total=0 why
	local -a bad=() cols
	want=$((n > DISK_MIN_READERS ? n : DISK_MIN_READERS))
	# Why there is no reader line at all, if there is none: the init says so.
	why=$(grep -m1 -E '^linux-init: disk: (no |insmod .* FAILED)' "$log")

	while read -r line; do
		total=$((total + 1))
		if [[ $line =~ md5=([0-9a-f]{32})\ ok$ && ${BASH_REMATCH[1]} == "$md5" ]]; then
			good=$((good + 1))
		else
			bad+=("${line#linux-init: disk read }")
		fi
	done < <(grep -E '^linux-init: disk read cpu=' "$log")
	ok=0; ((total >= want && good == total)) && grep -q '^linux-init: disk md5 ok' "$log" && ok=1
	if ((total == 0)); then
		detail="no reader line; ${why:-$(grep -m1 '^linux-init: disk' "$log" || echo 'no disk line from the init')}"
	else
		detail="$good of $total readers (want $want) read the host's md5 $md5;"
		detail+=" $(grep -m1 -oE '^linux-init: disk md5 .*' "$log" | sed 's/^linux-init: //')"
		((${#bad[@]})) && detail+="; first bad: ${bad[0]}"
	fi
	result "$name-disk-md5" $ok "$detail" "$log"

	line=$(grep -m1 -E '^linux-init: disk page cache' "$log")
	ok=0; [[ $line == *"O_DIRECT ok" ]] && ok=1
	detail=${line#linux-init: disk }
	result "$name-disk-direct" $ok "${detail:-no page-cache line from the init${why:+; $why}}" "$log"

	# Each queue vector's per-CPU rise between the snapshots around the reads.
	local -A before=()
	local vname rise cpus_up=0 vectors=0 fired=0 config=
	local -a per_cpu=()
	while read -r vname line; do before[$vname]=$line; done < <(virtio_vectors "$log" disk-before "$n")
	detail=
	while read -r vname line; do
		read -ra cols <<<"$line"
		if [[ $vname == *-config ]]; then
			config="$vname $(sum "${cols[@]}")"
			continue
		fi
		local -a b=()
		read -ra b <<<"${before[$vname]:-}"
		vectors=$((vectors + 1))
		rise=0
		detail+=" $vname"
		for ((i = 0; i < n; i++)); do
			local d=$((${cols[i]:-0} - ${b[i]:-0}))
			per_cpu[i]=$((${per_cpu[i]:-0} + d))
			rise=$((rise + d))
			detail+=" cpu$i +$d"
		done
		detail+=";"
		((rise > 0)) && fired=$((fired + 1))
	done < <(virtio_vectors "$log" disk-after "$n")
	for ((i = 0; i < n; i++)); do ((${per_cpu[i]:-0} > 0)) && cpus_up=$((cpus_up + 1)); done
	ok=0; ((vectors > 0 && fired == vectors && cpus_up > 1)) && ok=1
	if ((vectors == 0)); then
		detail="no virtio queue vector (ITS-MSI) in the disk-after snapshot${why:+; $why}"
	else
		detail="$fired of $vectors queue vectors fired during the reads, counts rose on $cpus_up of $n CPUs:$detail"
		detail+=" ${config:-no config vector}"
	fi
	result "$name-disk-vectors" $ok "$detail" "$log"

	# The device's side (arch-arm64/virtio_blk.c, virtio_pci.c; the ITS): everything read, no error counted.
	local c v errs= its bytes_read msis
	bytes_read=$(disk_counter "$log" bytes_read) msis=$(disk_counter "$log" msis)
	if [[ -z $bytes_read ]]; then
		detail="no 'hyp: disk ...' counters at the end of the run"
	else
		detail="bytes_read $bytes_read (want >= $((want * DISK_MIB)) MiB), requests $(disk_counter "$log" requests), msis $msis"
	fi
	for c in io_errors unsupported bad_chains misses queues_refused bad_accesses; do
		v=$(disk_counter "$log" "$c")
		[[ -z $bytes_read || $v == 0 ]] || errs+=" $c ${v:-missing}"
	done
	its=$(sed -nE 's/^hyp: its commands [0-9]+ errors ([0-9]+) msis [0-9]+ dropped ([0-9]+).*/errors \1 dropped \2/p' "$log" | tail -n1)
	[[ $its == "errors 0 dropped 0" ]] || errs+=" ITS ${its:-line missing}"
	ok=0
	((${bytes_read:-0} >= want * DISK_MIB * 1024 * 1024 && ${msis:-0} > 0)) && [[ -z $errs ]] && ok=1
	((ok)) && detail+="; no error counted (device, MSI-X, ITS)"
	result "$name-disk-host" $ok "$detail${errs:+; errors:$errs}" "$log"
}

# A figure from the hypervisor's "hyp: disk ... NAME N ..." lines at the end of the run (0 when missing).
disk_counter() { # disk_counter LOG NAME
	local v
	v=$(sed -nE "s/^hyp: disk .*\b$2 ([0-9]+).*/\1/p" "$1" | tail -n1)
	echo "${v:-}"
}

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
		detail="timeout after ${run_timeout:-$RUN_TIMEOUT}s"
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
	echo "0 passed, 0 failed, $(((CHECKS_PER_RUN + DISK_CHECKS) * ${#SMP_COUNTS[@]} + CHECKS_PER_RUN * 2 + 2)) skipped"
	exit 0
elif ((rc != 0)); then
	result linux-images 0 "could not prepare kernel and initramfs (exit $rc)" "$logdir/fetch.log"
fi

# The disk image (rebuilt every time: 0.3 s), and the md5 the guest must read.
disk_img=$logdir/disk.img disk_md5= disk_why= skipped=0
if ! read -r disk_md5 _ < <(python3 scripts/mkdisk.py "$disk_img" "$DISK_MIB" 2>"$logdir/mkdisk.log") ||
	[[ ! $disk_md5 =~ ^[0-9a-f]{32}$ ]]; then
	disk_md5=
	disk_why="scripts/mkdisk.py could not build $disk_img: $(head -c 200 "$logdir/mkdisk.log")"
fi

if ((rc == 0)); then
	for n in "${SMP_COUNTS[@]}"; do
		log=$logdir/test-smp$n.log
		if [[ -n $disk_md5 ]]; then
			run_timeout=$DISK_RUN_TIMEOUT
			bash scripts/run-linux-arm64.sh --smp "$n" --mem "${LINUX_MEM_MIB}M" --timeout "$DISK_RUN_TIMEOUT" \
				--disk "$disk_img" --append "linuxtest.disk=$disk_md5" >"$log" 2>&1
			check_run "$n" "$log" $?
			check_disk "$n" "$log" "linux-smp$n" "$disk_md5"
			run_timeout=
		else
			bash scripts/run-linux-arm64.sh --smp "$n" --mem "${LINUX_MEM_MIB}M" --timeout "$RUN_TIMEOUT" >"$log" 2>&1
			check_run "$n" "$log" $?
			echo "SKIP linux-smp$n-disk-*: *** NOT TESTED *** $disk_why"
			skipped=$((skipped + DISK_CHECKS))
		fi
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
	# The ground truth's machinery (scripts/kvm-truth.sh, a make bench producer), short: KVM's own vgic, under this
	# kernel as an L1 with KVM at EL2, runs the test guest's SGI ring, and so does our hypervisor; each must count
	# every SGI exactly once, and QEMU must have traced KVM's ICH_* accesses.
	log=$logdir/kvm-truth.txt
	KVM_TRUTH_SGIS=$KVM_TRUTH_SMOKE_SGIS bash scripts/kvm-truth.sh "$logdir/kvm-truth.csv" "$logdir/kvm-truth.md" >"$log" 2>&1
	rc=$?
	k_ich=$(awk -F, '$1 == "kvm" && $2 == "ich_total" { print $3 }' "$logdir/kvm-truth.csv" 2>/dev/null)
	counts=$(awk -F, '$2 == "exits" { printf "%s %s exits; ", $1, $3 }' "$logdir/kvm-truth.csv" 2>/dev/null)
	ok=0; [[ $rc == 0 && ${k_ich:-0} -gt 0 ]] && ok=1
	result linux-kvm-truth $ok "$KVM_TRUTH_SMOKE_SGIS SGIs round 2 vCPUs, each once, under KVM's own vgic and under ours: ${counts}KVM's ICH_* accesses traced: ${k_ich:-none} (exit $rc)" "$log"
fi
echo "$pass passed, $fail failed$( ((skipped)) && echo ", $skipped skipped")"
((fail == 0))
