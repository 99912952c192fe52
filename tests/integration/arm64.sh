#!/usr/bin/env bash
# arm64.sh: the arm64 integration suite, run by `make test` (target test-arm64).
#
# Boots the EL2 hypervisor and the test guest under QEMU (scripts/run-arm64.sh) and checks:
#   suite-smp{1,2,4}  the guest suite passes on 1, 2 and 4 vCPUs (exit 0, no FAIL line, >= 20 checks)
#   hostile           garbage to every GICD/GICR offset at every width and to ICC_SGI*R, then the suite
#   fault-data        a guest data abort is reported with ESR/FAR/ELR and ends with a non-zero status
#   fault-exec        an instruction fetch outside guest memory: the guest's own vector takes the injected
#                     instruction abort (EC 0x21, IFSC 0x10, FAR = ELR = the address) and halts with 240
#   fault-novec       the same with the guest's vectors outside memory too: the hypervisor reports it, 250
#   idle              WFI at 100 Hz: exits with nothing in flight make no list-register access
#   ipi-exits         the suite's SGI ping-pong costs at most 2.25 exits per IPI (the sender's trap and the
#                     receiver's wake-up; the kick that ends a WFI wait is taken before the guest resumes)
#   storm             checkpoint storm (hyp.storm): >= 1,000 cycles of stop, save, destroy, restore from the
#                     blob alone, resume, during the whole suite on 2 vCPUs; the suite passes, no failure
#   storm-hostile     the hostile guest under a slower storm: garbage state saves and restores too
#   sgi-stress        1,000,000 SGIs round a ring of 2 vCPUs under a checkpoint storm, each counted once
#   sched-*           more vCPUs than CPUs (sched.c): `make run SMP=8 CPUS=2` passes the whole suite, the hostile
#                     guest on 8 vCPUs on 2 CPUs, the suite on 4 vCPUs on 2 CPUs under a checkpoint storm
#                     (>= 1000 cycles), and 1,000,000 SGIs round a ring of 4 vCPUs on 2 CPUs under a storm,
#                     each counted once at its target while the vCPUs move between the CPUs
#   two-vm-*          two VMs sharing 2 CPUs, each with its own vgic, ITS, stage 2 and VMID: the suite beside
#                     the hostile guest and beside another suite, each passing as many checks as alone; a
#                     VM the hypervisor ends (fault-novec) ends alone while the other passes; 300,000 SGIs
#                     counted exactly in one VM while the other is hostile
#   pci-disk          the hypervisor's PCI disk (a virtio-blk-pci device, MSI-X through the ITS) driven by the
#                     guest's pci mode: 8 checks, a driver's and a hostile driver's, each error counted by
#                     the host; then the whole suite passes in the same run
#   run-guest-*       scripts/run-guest.sh: `make run-guest KERNEL=build/arm64/guest.bin MEM=256M SMP=4`, the
#                     guest as an ELF in 1 GiB, and as a raw binary linked and loaded at 0x40400000 in 64 MiB;
#                     each passes the suite, whose ram_size check sees the RAM the run asked for; and a tiny
#                     ELF that is not the suite (tiny-guest.S): it runs, finds its DTB in x0, powers off
#   refuse-*          layouts the runner must refuse before QEMU starts (exit 2, one "refused:" line): an
#                     image or initrd too big for RAM, bad --mem values (also through make), a foreign ELF,
#                     an --icount shift QEMU does not take; and --icount 0 reaching QEMU's command line
#                     (run-guest-icount-dry-run)
#   hyp-refuses-layout  the hypervisor itself refuses hyp.mem beyond QEMU's -m (status 126, a reason line);
#                     and a checkpoint storm with two VMs (hyp-refuses-storm-two-vms); the runner refuses
#                     more than 8 vCPUs in two VMs (refuse-vm2-vcpus)
#   run-guest-dtb-*   the run's own device tree (--dtb/DTB=): one from dts/guest.dts with another model runs
#                     the suite on 4 vCPUs in 256 MiB (the hypervisor edits cpus, memory, GICR, /chosen);
#                     one whose GIC is elsewhere, and one with garbage after the magic, end with status 126
#                     and a reason; a .dts instead of a .dtb is refused by the runner
# Each run has a timeout. Prints one PASS/FAIL line per check and "N passed, M failed"; exits 1 on failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

RUN_TIMEOUT=${ARM64_RUN_TIMEOUT:-60}
MIN_CHECKS=20
logdir=build/arm64/integration
mkdir -p "$logdir"
pass=0 fail=0

# shellcheck source=report.sh
. "$(dirname "${BASH_SOURCE[0]}")/report.sh"

run() { # run LOG SMP ARGS [TIMEOUT] -> sets rc
	bash scripts/run-arm64.sh --smp "$2" --args "$3" --timeout "${4:-$RUN_TIMEOUT}" >"$1" 2>&1
	rc=$?
}

suite_ok() { # suite_ok LOG RC -> 0 if the suite passed with enough checks
	local log=$1 rc=$2 summary passed failed
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	passed=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$summary")
	failed=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$summary")
	detail="${summary:-no summary line}, exit $rc"
	[[ $rc == 0 && -n $summary && $failed == 0 && $passed -ge $MIN_CHECKS ]] && ! grep -q '^FAIL ' "$log"
}

for smp in 1 2 4; do
	log=$logdir/suite-smp$smp.log
	run "$log" "$smp" ""
	if suite_ok "$log" "$rc"; then ok=1; else ok=0; fi
	result "suite-smp$smp" $ok "$detail" "$log"
done

log=$logdir/hostile.log
run "$log" 2 "hostile"
if suite_ok "$log" "$rc" && grep -q '^PASS hostile_garbage' "$log"; then ok=1; else ok=0; fi
result hostile $ok "$detail; $(grep -o 'hostile: [0-9]* accesses refused[^.]*' "$log" | head -n1)" "$log"

log=$logdir/fault-data.log
run "$log" 1 "fault"
if [[ $rc != 0 && $rc != 124 ]] && grep -qE 'ESR=0x[0-9a-f]+ FAR=0x[0-9a-f]+ ELR=0x[0-9a-f]+' "$log"; then ok=1; else ok=0; fi
result fault-data $ok "exit $rc: $(grep -m1 -o 'FATAL.*' "$log")" "$log"

# ESR_EL1 0x86000010: EC 0x21 (instruction abort, same EL), IL, IFSC 0x10 (synchronous external abort).
GUEST_STATUS_FAULT=240 HYP_STATUS_GUEST_FAULT=250
log=$logdir/fault-exec.log
run "$log" 1 "fault-exec"
if [[ $rc == "$GUEST_STATUS_FAULT" ]] && ! grep -q '^hyp: guest fault' "$log" &&
   grep -q 'FATAL on CPU 0: instruction abort: ESR=0x86000010 FAR=0xbf000000 ELR=0xbf000000' "$log"; then ok=1; else ok=0; fi
result fault-exec $ok "exit $rc: $(grep -m1 -o 'FATAL.*' "$log")" "$log"

log=$logdir/fault-novec.log
run "$log" 1 "fault-novec"
if [[ $rc == "$HYP_STATUS_GUEST_FAULT" ]] &&
   grep -qE '^hyp: guest fault.*instruction fetch outside guest memory: ESR=0x[0-9a-f]+ FAR=0x[0-9a-f]+ ELR=0x[0-9a-f]+' "$log"; then ok=1; else ok=0; fi
result fault-novec $ok "exit $rc: $(grep -m1 -o 'guest fault.*ELR=0x[0-9a-f]*' "$log")" "$log"

log=$logdir/idle.log
run "$log" 1 "idle"
quiet=$(sed -nE 's/^hyp: quiet exits ([0-9]+) lr_accesses ([0-9]+).*/\1 \2/p' "$log")
read -r q_exits q_acc <<<"${quiet:-0 x}"
if [[ $rc == 0 && $q_exits -gt 0 && $q_acc == 0 ]] && grep -q '^PASS idle_ticks' "$log"; then ok=1; else ok=0; fi
result idle $ok "exit $rc: $q_exits exits with nothing in flight made $q_acc LR accesses; $(grep -m1 -o 'hyp: lr accesses.*' "$log")" "$log"

# The IPI path: the suite's ping-pong (200 round trips vCPU 0 <-> vCPU 1, the receiver idle in WFI between
# them) costs the sender's SGI trap and the receiver's wake-up per IPI: its WFI exit, or its kick. The span
# between the marks around it (bench boot argument), minus the mark's own exit, over the IPIs taken. Before
# the WFI wait took the kick that woke it, each wake-up cost an IRQ exit more: 2.51 exits per IPI.
# The count depends on where the host's scheduler leaves QEMU's two vCPU threads: alone here 2.02-2.03;
# two runs at once 1.52-2.07 (a WFI that finds the next ping already pending does not trap; a receiver
# preempted before its WFI takes the kick as an exit and then still waits); one CI run 2.11 (848 for 402).
# The limit sits between that spread and the 2.51 of the defect.
IPI_EXITS_MAX=2.25
log=$logdir/ipi-exits.log
run "$log" 2 "bench"
ipi=$(awk '/^@@mark sgi_broadcast_irm /{split($3, a, "="); i0 = a[2]}
	/^hyp: mark sgi_broadcast_irm /{split($4, a, "="); e0 = a[2]}
	/^@@mark sgi_pingpong /{split($3, a, "="); i1 = a[2]}
	/^hyp: mark sgi_pingpong /{split($4, a, "="); e1 = a[2]}
	END { if (i1 > i0) printf "%.2f %d %d", (e1 - e0 - 1) / (i1 - i0), e1 - e0 - 1, i1 - i0 }' "$log")
read -r ipi_exits ipi_span_exits ipi_irqs <<<"${ipi:-x 0 0}"
if suite_ok "$log" "$rc" && [[ $ipi_exits != x ]] && awk -v x="$ipi_exits" -v m="$IPI_EXITS_MAX" 'BEGIN{exit !(x <= m)}'; then
	ok=1
else
	ok=0
fi
result ipi-exits $ok "sgi_pingpong: $ipi_span_exits exits for $ipi_irqs IPIs taken, $ipi_exits per IPI (want <= $IPI_EXITS_MAX); $detail" "$log"

# A checkpoint costs about 7 ms under TCG here (docs/design.md 13.1); a mean interval of 50 us of running
# gives a few thousand cycles in half a minute. More vCPUs than host CPUs makes the rendezvous itself
# slow under TCG, so the storm runs on 2 vCPUs (QEMU -smp 2 on a 2-core machine).
STORM_MIN_CYCLES=1000 STORM_TIMEOUT=240
storm_cycles() { # storm_cycles LOG -> "cycles failures"
	sed -nE 's/^hyp: storm cycles ([0-9]+) failures ([0-9]+).*/\1 \2/p' "$1" | tail -n1
}
log=$logdir/storm.log
run "$log" 2 "hyp.storm=50" "$STORM_TIMEOUT"
read -r s_cycles s_fail <<<"$(storm_cycles "$log")"
if suite_ok "$log" "$rc" && [[ ${s_cycles:-0} -ge $STORM_MIN_CYCLES && ${s_fail:-1} == 0 ]]; then ok=1; else ok=0; fi
result storm $ok "$detail; ${s_cycles:-no} checkpoint cycles (want >= $STORM_MIN_CYCLES), ${s_fail:-?} failed; $(grep -m1 -o 'stop_us_mean [0-9]*' "$log")" "$log"

log=$logdir/storm-hostile.log
run "$log" 2 "hostile hyp.storm=5000" "$STORM_TIMEOUT"
read -r s_cycles s_fail <<<"$(storm_cycles "$log")"
if suite_ok "$log" "$rc" && grep -q '^PASS hostile_garbage' "$log" && [[ ${s_cycles:-0} -gt 0 && ${s_fail:-1} == 0 ]]; then ok=1; else ok=0; fi
result storm-hostile $ok "$detail; ${s_cycles:-no} checkpoint cycles, ${s_fail:-?} failed" "$log"

# Two exits per SGI (the sender's trap, the receiver's kick): about 30 s for a million under TCG here,
# plus the checkpoints.
log=$logdir/sgi-stress.log
run "$log" 2 "sgi-stress=1000000 hyp.storm=20000" "$STORM_TIMEOUT"
read -r s_cycles s_fail <<<"$(storm_cycles "$log")"
if [[ $rc == 0 && ${s_cycles:-0} -gt 0 && ${s_fail:-1} == 0 ]] &&
   grep -q '^PASS sgi_stress 2 CPUs in a ring: 1000000 sent, 1000000 received' "$log"; then ok=1; else ok=0; fi
result sgi-stress $ok "exit $rc: $(grep -m1 -oE '(PASS|FAIL) sgi_stress .*' "$log" | cut -c1-120); ${s_cycles:-no} checkpoints" "$log"

# ---- more vCPUs than CPUs: the scheduler ----
sched_moves() { # sched_moves LOG -> "loads moves" from the hypervisor's scheduler line
	sed -nE 's/^hyp: scheduler: .* ([0-9]+) loads, ([0-9]+) onto another CPU/\1 \2/p' "$1" | tail -n1
}
log=$logdir/sched-suite-8on2.log
RUN_TIMEOUT=$STORM_TIMEOUT make --no-print-directory run SMP=8 CPUS=2 >"$log" 2>&1
rc=$?
read -r s_loads s_moves <<<"$(sched_moves "$log")"
if suite_ok "$log" "$rc" && grep -q '^hyp: 8 vCPUs of 1 VM(s) scheduled on 2 CPUs' "$log" && ! grep -q '^SKIP ' "$log"; then
	ok=1
else
	ok=0
fi
result sched-suite-8on2 $ok "$detail; ${s_loads:-no} vCPU loads, ${s_moves:-no} onto another CPU" "$log"

log=$logdir/sched-hostile-8on2.log
bash scripts/run-arm64.sh --smp 8 --cpus 2 --args hostile --timeout "$STORM_TIMEOUT" >"$log" 2>&1
rc=$?
if suite_ok "$log" "$rc" && grep -q '^PASS hostile_garbage' "$log"; then ok=1; else ok=0; fi
result sched-hostile-8on2 $ok "$detail" "$log"

log=$logdir/sched-sgi-stress-4on2.log
bash scripts/run-arm64.sh --smp 4 --cpus 2 --args "sgi-stress=1000000 hyp.storm=20000" --timeout "$STORM_TIMEOUT" \
	>"$log" 2>&1
rc=$?
read -r s_loads s_moves <<<"$(sched_moves "$log")"
read -r s_cycles s_fail <<<"$(storm_cycles "$log")"
if [[ $rc == 0 && ${s_moves:-0} -gt 0 && ${s_cycles:-0} -gt 0 && ${s_fail:-1} == 0 ]] &&
   grep -q '^PASS sgi_stress 4 CPUs in a ring: 1000000 sent, 1000000 received' "$log"; then ok=1; else ok=0; fi
result sched-sgi-stress-4on2 $ok "exit $rc: $(grep -m1 -oE '(PASS|FAIL) sgi_stress .*' "$log" | cut -c1-110); ${s_moves:-no} migrations in ${s_loads:-no} loads, ${s_cycles:-no} checkpoints" "$log"

# The checkpoint storm with scheduling: the vCPUs on no CPU are saved and restored from what they were
# switched out with. A mean of 400 us of running between checkpoints: at 50 us it made about 27,000, at
# about 7 ms each, so the run took 190 s of its 240 and timed out once on a loaded machine; 400 still
# gives a few thousand, above the 1,000 the check asks for.
log=$logdir/sched-storm-4on2.log
bash scripts/run-arm64.sh --smp 4 --cpus 2 --args "hyp.storm=400" --timeout "$STORM_TIMEOUT" >"$log" 2>&1
rc=$?
read -r s_cycles s_fail <<<"$(storm_cycles "$log")"
if suite_ok "$log" "$rc" && [[ ${s_cycles:-0} -ge $STORM_MIN_CYCLES && ${s_fail:-1} == 0 ]]; then ok=1; else ok=0; fi
result sched-storm-4on2 $ok "$detail; ${s_cycles:-no} checkpoint cycles (want >= $STORM_MIN_CYCLES), ${s_fail:-?} failed" "$log"

# ---- two VMs sharing the CPUs (vm.c): each with its own vgic, ITS, stage 2 and VMID ----
vm_part() { # vm_part LOG N: VM N's console lines, without their prefix, into LOG.vmN
	sed -n "s/^\[vm$2\] //p" "$1" >"$1.vm$2"
}
vm_status() { # vm_status LOG N -> the status VM N ended with (empty: it never ended)
	sed -nE "s/^hyp: vm$2 ended: status ([0-9]+).*/\1/p" "$1" | tail -n1
}
passed_in() { # passed_in LOG -> the suite's pass count
	sed -nE 's/^([0-9]+) passed, [0-9]+ failed.*/\1/p' "$1" | tail -n1
}
run_two() { # run_two NAME VM0_ARGS VM0_SMP VM1_ARGS VM1_SMP -> log, rc, s0, s1; LOG.vm0, LOG.vm1
	log=$logdir/$1.log
	bash scripts/run-arm64.sh --smp "$3" --args "$2" --vm2 "$4" --vm2-smp "$5" --timeout "$STORM_TIMEOUT" \
		>"$log" 2>&1
	rc=$?
	vm_part "$log" 0
	vm_part "$log" 1
	s0=$(vm_status "$log" 0) s1=$(vm_status "$log" 1)
}
# The same guest on the same number of vCPUs runs the same checks alone or beside another VM: a check
# that skipped or vanished because of the neighbour shows as a smaller count.
alone_suite=$(passed_in "$logdir/suite-smp2.log") alone_hostile=$(passed_in "$logdir/hostile.log")

run_two two-vm-suite-hostile "" 2 hostile 2
suite_ok "$log.vm0" "$s0" && ok0=1 || ok0=0
d0=$detail
suite_ok "$log.vm1" "$s1" && grep -q '^PASS hostile_garbage' "$log.vm1" && ok1=1 || ok1=0
if ((ok0 && ok1)) && [[ $rc == 0 && $(passed_in "$log.vm0") == "$alone_suite" &&
      $(passed_in "$log.vm1") == "$alone_hostile" ]] &&
   grep -q '^hyp: 4 vCPUs of 2 VM(s) scheduled on 2 CPUs' "$log"; then ok=1; else ok=0; fi
result two-vm-suite-hostile $ok "vm0 suite: $d0 (alone: $alone_suite passed); vm1 hostile: $detail (alone: $alone_hostile); run exit $rc" "$log"

run_two two-vm-suite-suite "" 2 "" 2
suite_ok "$log.vm0" "$s0" && ok0=1 || ok0=0
d0=$detail
suite_ok "$log.vm1" "$s1" && ok1=1 || ok1=0
if ((ok0 && ok1)) && [[ $rc == 0 && $(passed_in "$log.vm0") == "$alone_suite" &&
      $(passed_in "$log.vm1") == "$alone_suite" ]]; then ok=1; else ok=0; fi
result two-vm-suite-suite $ok "vm0: $d0; vm1: $detail; run exit $rc" "$log"

# A VM the hypervisor ends (its vectors outside memory too) ends alone: the other finishes its suite, and
# the run's status is the failed VM's.
run_two two-vm-fault "" 2 fault-novec 1
suite_ok "$log.vm0" "$s0" && ok0=1 || ok0=0
if ((ok0)) && [[ $rc == "$HYP_STATUS_GUEST_FAULT" && $s1 == "$HYP_STATUS_GUEST_FAULT" ]] &&
   grep -q '^hyp: guest fault on vm1 vCPU 0: instruction fetch outside guest memory' "$log"; then ok=1; else ok=0; fi
result two-vm-fault $ok "vm0: $detail; vm1 ended with ${s1:-no status}; run exit $rc" "$log"

# Exact counts under a hostile neighbour: SGIs round a ring in one VM while the other throws garbage.
TWO_VM_SGIS=300000
run_two two-vm-sgi-stress "sgi-stress=$TWO_VM_SGIS" 2 hostile 2
if [[ $rc == 0 && $s0 == 0 && $s1 == 0 ]] &&
   grep -q "^PASS sgi_stress 2 CPUs in a ring: $TWO_VM_SGIS sent, $TWO_VM_SGIS received" "$log.vm0"; then ok=1; else ok=0; fi
result two-vm-sgi-stress $ok "run exit $rc: vm0 $(grep -m1 -oE '(PASS|FAIL) sgi_stress .*' "$log.vm0" | cut -c1-100); vm1 ended with ${s1:-no status}" "$log"

# ---- the PCI disk (pci.c, virtio_pci.c, virtio_blk.c), driven by the guest well and badly ----
# pci mode: enumerate, negotiate, one queue with its MSI-X vector through the ITS, reads, a masked vector
# (sent at the unmask), then what a hostile driver does (rings and buffers outside RAM, a looping chain,
# no status byte, a garbage index, unoffered features, an address off the doorbell, an unmapped event),
# a good read again, and the whole suite after that on 2 vCPUs.
disk_counter() { # disk_counter LOG NAME -> the hypervisor's "hyp: disk ... NAME N" figure
	sed -nE "s/^hyp: disk .*\b$2 ([0-9]+).*/\1/p" "$1" | tail -n1
}
disk=$logdir/disk1.img
python3 scripts/mkdisk.py "$disk" 1 >/dev/null
log=$logdir/pci-disk.log
bash scripts/run-arm64.sh --smp 2 --args pci --disk "$disk" --timeout "$RUN_TIMEOUT" >"$log" 2>&1
rc=$?
pci_pass=$(grep -c '^PASS pci_' "$log")
counters="bad_chains $(disk_counter "$log" bad_chains), io_errors $(disk_counter "$log" io_errors), unsupported $(disk_counter "$log" unsupported), queues_refused $(disk_counter "$log" queues_refused), misses $(disk_counter "$log" misses), deferred $(disk_counter "$log" deferred), sent_at_unmask $(disk_counter "$log" sent_at_unmask)"
if suite_ok "$log" "$rc" && [[ $pci_pass == 8 ]] && ! grep -q '^FAIL pci_' "$log" &&
   (($(disk_counter "$log" bad_chains) >= 2 && $(disk_counter "$log" io_errors) >= 3 &&
     $(disk_counter "$log" unsupported) >= 1 && $(disk_counter "$log" queues_refused) >= 1 &&
     $(disk_counter "$log" misses) >= 1 && $(disk_counter "$log" deferred) >= 1 &&
     $(disk_counter "$log" sent_at_unmask) >= 1)) &&
   grep -qE '^hyp: its commands [0-9]+ errors [0-9]+ msis [0-9]+ dropped [1-9]' "$log"; then ok=1; else ok=0; fi
result pci-disk $ok "$pci_pass of 8 pci checks, then the suite: $detail; host counted $counters" "$log"

# ---- scripts/run-guest.sh: any image format, any RAM size, refusals ----
MIB=$((1024 * 1024))
ram_ok() { # ram_ok LOG MIB -> 0 if the guest's ram_size and ram_extent checks passed for that size
	grep -q "^PASS ram_size $2 MiB at 0x40000000 in the machine description, the run asked for $2 MiB" "$1" &&
		grep -q '^PASS ram_extent ' "$1"
}

log=$logdir/run-guest-make-256M-smp4.log
RUN_TIMEOUT=$RUN_TIMEOUT make --no-print-directory run-guest KERNEL=build/arm64/guest.bin MEM=256M SMP=4 >"$log" 2>&1
rc=$?
if suite_ok "$log" "$rc" && ram_ok "$log" 256; then ok=1; else ok=0; fi
result run-guest-make-256M-smp4 $ok "$detail; $(grep -m1 -oE '(PASS|FAIL|SKIP) ram_size .*' "$log")" "$log"

log=$logdir/run-guest-elf-1G.log
bash scripts/run-guest.sh --kernel build/arm64/guest.elf --mem 1G --smp 2 --timeout "$RUN_TIMEOUT" >"$log" 2>&1
rc=$?
if suite_ok "$log" "$rc" && ram_ok "$log" 1024 && grep -q '^run-guest: build/arm64/guest.elf: ELF' "$log"; then ok=1; else ok=0; fi
result run-guest-elf-1G $ok "$detail; $(grep -m1 -oE 'ELF \([0-9]+ loadable segment\(s\)\), [^,]*, entry 0x[0-9a-f]+' "$log")" "$log"

# guest-2m.bin is linked at 0x40400000 (arch-arm64/arm64.mk): it runs only if loaded and entered there.
log=$logdir/run-guest-raw-addr-64M.log
bash scripts/run-guest.sh --kernel build/arm64/guest-2m.bin@0x40400000 --mem 64M --smp 2 --timeout "$RUN_TIMEOUT" >"$log" 2>&1
rc=$?
if suite_ok "$log" "$rc" && ram_ok "$log" 64 && grep -q '^hyp: guest RAM .* entry 0x40400000' "$log"; then ok=1; else ok=0; fi
result run-guest-raw-addr-64M $ok "$detail; $(grep -m1 -o 'raw binary at the given address, [^ ]*' "$log")" "$log"

# A guest that is not our suite: tests/integration/tiny-guest.S, the worked example of docs/arm64.md section 11.
log=$logdir/run-guest-tiny-elf.log
tiny=$logdir/tiny-guest.elf
if ${CROSS_COMPILE:-aarch64-linux-gnu-}gcc -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-N \
	-Wl,--no-warn-rwx-segments -Wl,-Ttext=0x40200000 -o "$tiny" tests/integration/tiny-guest.S >"$log" 2>&1; then
	bash scripts/run-guest.sh --kernel "$tiny" --mem 64M --smp 1 --timeout "$RUN_TIMEOUT" >>"$log" 2>&1
	rc=$?
else
	rc=build-failed
fi
if [[ $rc == 0 ]] && grep -q '^tiny-guest: hello, entered at the ELF' "$log" &&
   grep -q '^tiny-guest: x0 points at a device tree' "$log" &&
   grep -q '^hyp: run ended: status 0 (PSCI SYSTEM_OFF)' "$log"; then ok=1; else ok=0; fi
result run-guest-tiny-elf $ok "exit $rc: $(grep '^tiny-guest: ' "$log" | tail -n1)" "$log"

# Refusals: exit 2 before QEMU starts, with one line giving the reason.
big=$logdir/big-image.bin
truncate -s $((70 * MIB)) "$big"
refusal() { # refusal NAME PATTERN COMMAND... -> one check
	local name=$1 pattern=$2 log=$logdir/$1.log
	shift 2
	"$@" >"$log" 2>&1
	rc=$?
	if [[ $rc != 0 ]] && [[ $(grep -c '^run-guest: refused: ' "$log") == 1 ]] &&
	   grep -qE "^run-guest: refused: .*$pattern" "$log" && ! grep -q '^hyp: ' "$log"; then ok=1; else ok=0; fi
	result "$name" $ok "exit $rc: $(grep -m1 -o 'refused: .*' "$log")" "$log"
}
refusal refuse-image-too-big 'do not fit in guest RAM' \
	bash scripts/run-guest.sh --kernel "$big@0x40000000" --mem 64M
refusal refuse-initrd-too-big 'run past the end of guest RAM' \
	bash scripts/run-guest.sh --kernel build/arm64/guest.bin --initrd "$big" --mem 128M
refusal refuse-mem-too-big 'must be 64M to 1G' bash scripts/run-guest.sh --kernel build/arm64/guest.bin --mem 2G
refusal refuse-mem-too-small 'must be 64M to 1G' bash scripts/run-guest.sh --kernel build/arm64/guest.bin --mem 32M
refusal refuse-mem-unaligned 'a multiple of 2M' bash scripts/run-guest.sh --kernel build/arm64/guest.bin --mem 65M
refusal refuse-mem-garbage 'is not a size' bash scripts/run-guest.sh --kernel build/arm64/guest.bin --mem lots
refusal refuse-make-bad-mem 'must be 64M to 1G' make --no-print-directory run-guest KERNEL=build/arm64/guest.bin MEM=4G
refusal refuse-foreign-elf 'another machine' bash scripts/run-guest.sh --kernel "$BASH"
refusal refuse-dtb-source 'not a flattened device tree' bash scripts/run-guest.sh --kernel build/arm64/guest.bin --dtb dts/guest.dts
refusal refuse-vm2-vcpus 'together at most 8' bash scripts/run-guest.sh --kernel build/arm64/guest.bin --smp 6 --vm2 "" --vm2-smp 4
refusal refuse-icount-shift 'a shift from 0 to 10' bash scripts/run-guest.sh --kernel build/arm64/guest.bin --icount 11
# --icount reaches QEMU's command line (scripts/bench-pingpong.py times with it; the run itself is the bench's).
log=$logdir/run-guest-icount-dry-run.log
bash scripts/run-guest.sh --kernel build/arm64/guest.bin --icount 0 --dry-run >"$log" 2>&1
rc=$?
if [[ $rc == 0 ]] && grep -q '^qemu-system-aarch64 .* -icount shift=0\\,sleep=off ' "$log"; then ok=1; else ok=0; fi
result run-guest-icount-dry-run $ok "exit $rc: $(grep -o -- '-icount [^ ]*' "$log")" "$log"
# An option of run-linux-arm64.sh given no value: bad usage naming it (was an unbound-variable error, exit 1).
log=$logdir/linux-option-without-value.log
bash scripts/run-linux-arm64.sh --icount >"$log" 2>&1
rc=$?
if [[ $rc == 2 ]] && grep -qx 'run-linux-arm64: --icount needs a value' "$log"; then ok=1; else ok=0; fi
result linux-option-without-value $ok "exit $rc: $(head -c 200 "$log")" "$log"

# The hypervisor refuses what it cannot do with two VMs: a checkpoint storm (it restores one VM's vgic).
log=$logdir/hyp-refuses-storm-two-vms.log
bash scripts/run-arm64.sh --smp 2 --args "hyp.storm=50" --vm2 "" >"$log" 2>&1
rc=$?
if [[ $rc == 126 ]] && grep -q '^hyp: run ended: status 126 (hyp.storm checkpoints one VM: not with hyp.vm2' "$log" &&
   ! grep -q '^\[vm' "$log"; then ok=1; else ok=0; fi
result hyp-refuses-storm-two-vms $ok "exit $rc: $(grep -m1 -o 'run ended: .*' "$log")" "$log"

# The run's own device tree: the suite's, with another model; then two the hypervisor must refuse.
user_dtb() { # user_dtb NAME SED-EXPRESSION -> $logdir/NAME.dtb from dts/guest.dts
	sed "$2" dts/guest.dts | dtc -q -I dts -O dtb -o "$logdir/$1.dtb" -
}
user_dtb user 's/model = "vgic arm64 hypervisor guest"/model = "a user device tree"/'
log=$logdir/run-guest-dtb-user.log
RUN_TIMEOUT=$RUN_TIMEOUT make --no-print-directory run-guest KERNEL=build/arm64/guest.bin DTB="$logdir/user.dtb" \
	MEM=256M SMP=4 >"$log" 2>&1
rc=$?
if suite_ok "$log" "$rc" && ram_ok "$log" 256 &&
   grep -q '^hyp: guest device tree: the run.s own (model "a user device tree")' "$log"; then ok=1; else ok=0; fi
result run-guest-dtb-user $ok "$detail; $(grep -m1 -o 'model "[^"]*"' "$log")" "$log"

dtb_refused() { # dtb_refused NAME DTB REASON-PATTERN -> one check: status 126 and the reason line
	local log=$logdir/$1.log
	bash scripts/run-guest.sh --kernel build/arm64/guest.bin --dtb "$2" --smp 1 --timeout "$RUN_TIMEOUT" >"$log" 2>&1
	rc=$?
	if [[ $rc == 126 ]] && grep -q "^hyp: guest layout: hyp.dtb-loaded: $3" "$log"; then ok=1; else ok=0; fi
	result "$1" $ok "exit $rc: $(grep -m1 -o 'hyp: guest layout: .*' "$log")" "$log"
}
user_dtb gic-elsewhere 's/reg = <0x0 0x08000000 0x0 0x10000>/reg = <0x0 0x2f000000 0x0 0x10000>/'
dtb_refused run-guest-dtb-gic-elsewhere "$logdir/gic-elsewhere.dtb" 'the device tree has no arm,gic-v3 node'
{ printf '\xd0\x0d\xfe\xed'; head -c 2000 /dev/urandom; } >"$logdir/garbage.dtb"
dtb_refused run-guest-dtb-garbage "$logdir/garbage.dtb" 'no device tree'

# The hypervisor checks the layout it is given too: QEMU's -m 384M leaves 128 MiB above host PA 0x50000000.
log=$logdir/hyp-refuses-layout.log
timeout -k 5 "$RUN_TIMEOUT" qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max -m 384M \
	-nographic -no-reboot -nic none -kernel build/arm64/hyp.elf -append "hyp.mem=256M" 2>&1 | tr -d '\r' >"$log"
HYP_STATUS_BOOT_FAILED=126
if grep -q "^hyp: run ended: status $HYP_STATUS_BOOT_FAILED " "$log" &&
   grep -q "^hyp: guest layout: hyp.mem: QEMU's RAM (-m) does not cover" "$log"; then ok=1; else ok=0; fi
result hyp-refuses-layout $ok "$(grep -m1 -o 'hyp: guest layout: .*' "$log")" "$log"

echo "$pass passed, $fail failed"
((fail == 0))
