#!/usr/bin/env bash
# run.sh: what `make bench` does: run every benchmark whose producer exists, write the CSVs,
# render the plots, regenerate docs/benchmarks.md. Producers not built yet print a SKIP line.
#
# Usage: bash bench/run.sh [path/to/lr_bench]
#
# Hooks for the other producers (each gets the CSV path to write as $1; its own columns, a header
# line first; docs/benchmarks.md shows the file as a table):
#   arch-arm64/bench-qemu.sh  -> bench/results/qemu_irq.csv  (exits and LR accesses per delivered
#                                interrupt for the guest suite's scenarios, counted by the hypervisor)
#   arch-x86/bench-x86.sh     -> bench/results/x86_irq.csv   (exits per timer tick and per device
#                                interrupt, cold-start exits, raise-to-handler latency; userspace
#                                irqchip and in-kernel irqchip side by side)
set -euo pipefail

bin=${1:-build/bench/lr_bench}
results=bench/results
docs=docs/benchmarks.md
start=$(date +%s)

say() { printf 'bench: %s\n' "$*"; }

[[ -x $bin ]] || { say "error: $bin not built (run: make bench)"; exit 1; }
command -v gnuplot >/dev/null || { say "error: gnuplot not found (run: make deps)"; exit 1; }
mkdir -p "$results"

# 1. Host microbenchmarks: every LR policy on the software ICV model, interleaved in one run.
say "LR policies on the software ICV model: $bin --out $results"
"$bin" --out "$results" | tee "$results/lr_bench.log"

# 2. and 3. Figures from the hypervisors, when their producers exist. A stale CSV from an earlier
# run is removed, so that every figure in the document comes from this run.
run_producer() {
	local script=$1 csv=$2 what=$3
	if [[ -f $script ]]; then
		say "$what: bash $script $csv"
		bash "$script" "$csv"
	else
		rm -f "$csv"
		echo "SKIP $what: $script does not exist yet"
	fi
}
run_producer arch-arm64/bench-qemu.sh "$results/qemu_irq.csv" "in-QEMU figures (arm64 hypervisor)"
run_producer arch-x86/bench-x86.sh "$results/x86_irq.csv" "x86 figures (VMM, userspace vs in-kernel irqchip)"

# 4. Plots.
say "plots: python3 bench/plot_data.py $results && gnuplot -e \"dir='$results'\" bench/plot.gp"
python3 bench/plot_data.py "$results"
gnuplot -e "dir='$results'" bench/plot.gp

# 5. The document, with the machine, the commands and this run's elapsed time.
elapsed=$(($(date +%s) - start))
say "docs: python3 bench/gen_docs.py --results $results --out $docs --elapsed $elapsed"
python3 bench/gen_docs.py --results "$results" --out "$docs" --elapsed "$elapsed" --bin "$bin"
say "done in ${elapsed}s: $results/*.csv, $results/*.png, $docs"
