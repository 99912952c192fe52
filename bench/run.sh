#!/usr/bin/env bash
# run.sh: what `make bench` does: run every benchmark whose producer exists, write the CSVs,
# render the plots, regenerate docs/benchmarks.md. Producers not written yet print a SKIP line.
#
# Usage: bash bench/run.sh [path/to/lr_bench]
#
# Producers besides lr_bench, run in this order. Each is called with its CSV path and its Markdown
# fragment path as its last two arguments and writes both (a header line first in the CSV; the fragment
# is one self-contained section starting with "## "). To decline on this machine it prints a line
# starting with "SKIP" and exits 0 without writing them; any other non-zero exit is a failure.
#   bench/instructions.sh  -> instructions.{csv,md} callgrind instructions per round, every policy,
#                                                  scenario, LR count and depth, and (instructions_split.csv)
#                                                  their split into the sort, the locks and the rest (~50 s)
#   scripts/bench-qemu.sh  -> qemu_irq.{csv,md}   exits and LR accesses per delivered interrupt, arm64
#                                                  hypervisor under QEMU, per guest-suite check
#   scripts/bench-x86.sh   -> x86_irq.{csv,md}    exits per tick and per device interrupt, cold start,
#                                                  latency; userspace and in-kernel irqchip side by side
#   scripts/scale-x86.sh   -> x86_scale.{csv,md,svg} 1 to 64 vCPUs taking level interrupts per mode:
#                                                  rate, exits, EOI exits, lock time, latency (~40 s)
#   scripts/bench-linux.sh -> linux_boot.{csv,md} Linux as the arm64 guest (another engineer's)
#   scripts/bench-disk.sh  -> linux_disk.{csv,md} Linux reading the PCI disk: read MiB/s and device interrupts/s
#                                                  under the hypervisor against plain QEMU, exits and LR
#                                                  accesses per MSI (~140 s)
#   scripts/kvm-truth.sh   -> kvm_truth.{csv,md}  ground truth: KVM's own vgic (Debian's 6.1 kernel at EL2 under
#                                                  QEMU, a tiny VMM) serves the test guest's sgi-stress, its
#                                                  ICH_* accesses traced by QEMU, beside ours (~10 s)
#   scripts/kvm-truth-linux.sh -> kvm_truth_linux.{csv,md} the same with Linux as the guest: its phases
#                                                  timed on plain QEMU, under ours and under KVM, 3 rounds,
#                                                  and KVM's ICH_* accesses traced in one more run (~7 min)
#   scripts/bench-pingpong.sh -> linux_pingpong.{csv,md} Linux's cross-CPU ping-pong (issue 14's IPI path): round
#                                                  trips/s under the hypervisor against plain QEMU, exits and LR
#                                                  accesses per IPI, and the same ratio with QEMU's
#                                                  deterministic clock (-icount) beside it (~7 min)
# docs/benchmarks.md includes every bench/results/*.md, sorted by name. All fragments and the
# producers' CSVs are deleted first, so every figure in the document comes from this run.
set -euo pipefail

bin=${1:-build/bench/lr_bench}
results=bench/results
docs=docs/benchmarks.md
status=$results/producers.csv
start=$(date +%s)
failed=0

# Repetitions, sized for 2 cores with QEMU under TCG: lr_bench ~60 s a run (each interleaves the four
# policies and ours on the NV2 backend per configuration), LR_BENCH_RUNS=3 runs ~180 s so that the headline
# time ratios come as ranges over 3 runs (LR_BENCH_RUNS=1 saves 2 minutes and quotes 1 run); QEMU 4
# suite + 4 idle runs ~10 s, x86 3 rounds of 3 modes ~50 s, Linux 2 boots per
# configuration and vCPU count (8 boots of ~15 s) ~130 s. Override any of them from the environment.
# The disk figures come on top, about 140 s more: 2 runs per configuration on 2 and 4 vCPUs reading a 32 MiB
# image (12-17 s each) and one baseline run per vCPU count (5-9 s); 3 runs each would take about 190 s.
export QEMU_BENCH_RUNS=${QEMU_BENCH_RUNS:-4}
lr_runs=${LR_BENCH_RUNS:-3}
export X86_BENCH_ROUNDS=${X86_BENCH_ROUNDS:-3}
export LINUX_BENCH_REPS=${LINUX_BENCH_REPS:-2}
export DISK_BENCH_REPS=${DISK_BENCH_REPS:-2}
export DISK_BENCH_SMP=${DISK_BENCH_SMP:-2 4}
export DISK_BENCH_MIB=${DISK_BENCH_MIB:-32}

say() { printf 'bench: %s\n' "$*"; }

[[ -x $bin ]] || { say "error: $bin not built (run: make bench)"; exit 1; }
[[ $lr_runs =~ ^[1-9][0-9]*$ ]] || { say "error: LR_BENCH_RUNS=$lr_runs: want a whole number, 1 or more"; exit 1; }
command -v gnuplot >/dev/null || { say "error: gnuplot not found (run: make deps)"; exit 1; }
mkdir -p "$results"
rm -rf "$results"/runs
rm -f "$results"/*.md "$results"/instructions.csv "$results"/instructions_split.csv "$results"/qemu_irq.csv "$results"/x86_irq.csv "$results"/x86_scale.csv "$results"/x86_scale.svg "$results"/linux_boot.csv \
	"$results"/linux_disk.csv "$results"/kvm_truth.csv "$results"/kvm_truth_linux.csv "$results"/linux_pingpong.csv

# 1. Host microbenchmarks: every LR policy on the software ICV model, interleaved in one run; LR_BENCH_RUNS
# runs in all, back to back. The first run's CSVs are the results every table uses; runs 2..N write theirs
# to runs/N/, from which gen_docs.py quotes the headline time ratios as ranges over the runs.
say "LR policies on the software ICV model, run 1 of $lr_runs: $bin --out $results"
"$bin" --out "$results" | tee "$results/lr_bench.log"
for ((i = 2; i <= lr_runs; i++)); do
	mkdir -p "$results/runs/$i"
	say "LR policies, run $i of $lr_runs: $bin --out $results/runs/$i (log: $results/runs/$i/lr_bench.log)"
	"$bin" --out "$results/runs/$i" >"$results/runs/$i/lr_bench.log"
done

# 2. The producers. producers.csv records what each did, for the document.
echo "producer,command,status,seconds,note" >"$status"
run_producer() { # run_producer NAME SCRIPT [ARGS...]: the CSV and fragment paths are appended
	local name=$1 script=$2 t0 rc note
	shift 2
	local csv=$results/$name.csv md=$results/$name.md
	local cmd="bash $script${*:+ $*} $csv $md"
	if [[ ! -f $script ]]; then
		echo "SKIP $name: $script does not exist yet"
		echo "$name,$cmd,skipped,0,$script does not exist yet" >>"$status"
		return
	fi
	say "$name: $cmd"
	t0=$(date +%s)
	set +e
	bash "$script" "$@" "$csv" "$md" | tee "$results/$name.log"
	rc=${PIPESTATUS[0]}
	set -e
	note=$(grep -m1 '^SKIP' "$results/$name.log" | tr ',' ';' || true)
	if ((rc != 0)); then
		say "FAILED $name (exit $rc); see $results/$name.log"
		rm -f "$csv" "$md"
		echo "$name,$cmd,failed,$(($(date +%s) - t0)),exit $rc" >>"$status"
		failed=1
	elif [[ ! -f $csv || ! -f $md ]]; then
		rm -f "$csv" "$md"
		echo "$name,$cmd,skipped,$(($(date +%s) - t0)),${note:-wrote no results}" >>"$status"
	else
		echo "$name,$cmd,ran,$(($(date +%s) - t0))," >>"$status"
	fi
}
run_producer instructions bench/instructions.sh "$bin"
run_producer qemu_irq scripts/bench-qemu.sh
run_producer x86_irq scripts/bench-x86.sh build/x86/x86-vmm build/x86/guest.elf
run_producer x86_scale scripts/scale-x86.sh build/x86/x86-vmm build/x86/guest.elf
run_producer linux_boot scripts/bench-linux.sh
run_producer linux_disk scripts/bench-disk.sh
run_producer kvm_truth scripts/kvm-truth.sh
run_producer kvm_truth_linux scripts/kvm-truth-linux.sh
run_producer linux_pingpong scripts/bench-pingpong.sh

# 3. Plots.
say "plots: python3 bench/plot_data.py $results && gnuplot -e \"dir='$results'\" bench/plot.gp"
python3 bench/plot_data.py "$results"
gnuplot -e "dir='$results'" bench/plot.gp

# 4. The document, with the machine, the commands and this run's elapsed time.
elapsed=$(($(date +%s) - start))
say "docs: python3 bench/gen_docs.py --results $results --out $docs --elapsed $elapsed"
python3 bench/gen_docs.py --results "$results" --out "$docs" --elapsed "$elapsed" --bin "$bin"
say "done in ${elapsed}s: $results/*.csv, $results/*.png, $docs"
if ((failed)); then
	say "a producer failed: see $status"
	exit 1
fi
