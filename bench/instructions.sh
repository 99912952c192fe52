#!/usr/bin/env bash
# instructions.sh: instructions per round for every LR policy, scenario, LR count and depth, counted by
# callgrind under the bpol_* wrappers (injection, entry, exit, DIR; the LR backend's work included).
#
# Usage: bash bench/instructions.sh LR_BENCH CSV MD      (a make bench producer; see bench/run.sh)
#
# A count repeats exactly on a noisy machine. Each configuration runs twice, with R1 and R2 rounds
# after the same set-up, and the difference divided by R2-R1 is the cost of one round: set-up,
# warm-up and process start cancel out. INSTR_POLICIES, INSTR_DEPTHS and INSTR_JOBS override the
# defaults; bench-smoke uses a small subset.
#
# The split (bench/instr_split.py): for the depth sweep and the scenarios in INSTR_SPLIT_SCENARIOS (default
# busy1x busy2x burst64; empty: no split) callgrind's output files are kept, and where a policy calls
# blist_sort() two more runs collect only inside the sort; instr_split.py divides each total into the sort,
# the locks and the rest, writes instructions_split.csv beside CSV and appends a table to MD (~20 s more
# on 2 cores).
set -uo pipefail
bin=${1:?usage: instructions.sh LR_BENCH CSV MD}
csv=${2:?csv}
md=${3:?md}

command -v valgrind >/dev/null || { echo "SKIP instructions: valgrind not installed (make deps installs it)"; exit 0; }

policies=(${INSTR_POLICIES:-ours kvm_classic kvm_6.19 xen_old})
depths=(${INSTR_DEPTHS:-1 2 4 8 16 32 64 128 256 512 1024 2048 4096})
scenarios=(${INSTR_SCENARIOS:-idle edge1 busy1x busy2x burst16 burst64 level hwtimer sgi4 lpi1})
lr_counts=(4 16)
split_scenarios=${INSTR_SPLIT_SCENARIOS-busy1x busy2x burst64}
jobs=${INSTR_JOBS:-$(nproc 2>/dev/null || echo 2)}
r1=${INSTR_R1:-20}
r2=${INSTR_R2:-120}

count() { # count POLICY SCENARIO LRS DEPTH ROUNDS [FILE [FUNCTION]]: instructions collected under bpol_*
	# (or under FUNCTION); with FILE, callgrind's profile is kept there, uncompressed, for instr_split.py
	valgrind --tool=callgrind --callgrind-out-file="${6:-/dev/null}" --compress-strings=no --compress-pos=no \
		--toggle-collect="${7:-bpol_*}" \
		"$bin" --instr "$1" "$2" "$3" "$4" "$5" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
export -f count
export bin

one() { # one POLICY SCENARIO LRS DEPTH [SPLIT]: a CSV row; with SPLIT, the profiles kept in $split_dir
	local a b f=() c r
	[[ ${5:-0} == 1 ]] && f=("$split_dir/A.$1,$2,$3,$4.$r1" "$split_dir/A.$1,$2,$3,$4.$r2")
	a=$(count "$1" "$2" "$3" "$4" "$r1" ${f[0]:+"${f[0]}"})
	b=$(count "$1" "$2" "$3" "$4" "$r2" ${f[1]:+"${f[1]}"})
	if [[ -z $a || -z $b ]]; then
		echo "instructions: callgrind gave no count for $*" >&2
		return 1
	fi
	# Only inside the sort, where the policy sorts at all (whatever its comparator does).
	if ((${#f[@]})) && grep -q '^cfn=blist_sort$' "${f[0]}" "${f[1]}"; then
		for r in "$r1" "$r2"; do
			c=$(count "$1" "$2" "$3" "$4" "$r" "$split_dir/B.$1,$2,$3,$4.$r" blist_sort)
			[[ -n $c ]] || { echo "instructions: callgrind gave no sort count for $*" >&2; return 1; }
		done
	fi
	awk -v p="$1" -v s="$2" -v l="$3" -v d="$4" -v a="$a" -v b="$b" -v n=$((r2 - r1)) \
		'BEGIN { printf "%s,%s,%s,%s,%.1f\n", p, s, l, d, (b - a) / n }'
}
export -f one
export r1 r2

configs=$(mktemp)
rows=$(mktemp)
split_dir=$(mktemp -d)
export split_dir
trap 'rm -rf "$configs" "$rows" "$split_dir"' EXIT
split_depth=$([[ -n $split_scenarios ]] && echo 1 || echo 0)
for l in "${lr_counts[@]}"; do
	for p in "${policies[@]}"; do
		for s in "${scenarios[@]}"; do
			echo "$p $s $l 0 $([[ " $split_scenarios " == *" $s "* ]] && echo 1 || echo 0)"
		done
		for d in "${depths[@]}"; do echo "$p depth $l $d $split_depth"; done
	done
done >"$configs"

echo "instructions: $(wc -l <"$configs") configurations x 2 callgrind runs ($r1 and $r2 rounds), $jobs at a time; $(grep -c " 1$" "$configs") of them split (2 more runs where the policy sorts)"
if ! xargs -P "$jobs" -L 1 bash -c 'one "$@"' _ <"$configs" >"$rows"; then
	echo "instructions: a callgrind run failed" >&2
	exit 1
fi

{
	echo "policy,scenario,nr_lrs,depth,instructions_per_round"
	sort -t, -k3,3n -k2,2 -k4,4n -k1,1 "$rows"
} >"$csv"

# The fragment: one table per LR count, a row per scenario (and per depth), a column per policy,
# ours' figure bold where it is the lowest; then the rows where it is not.
python3 - "$csv" "$md" "${policies[@]}" <<'PY'
import csv, sys
path, out, pols = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = {}
for r in csv.DictReader(open(path)):
    rows[(int(r["nr_lrs"]), r["scenario"], int(r["depth"]), r["policy"])] = float(r["instructions_per_round"])
keys = sorted({(k[0], k[1], k[2]) for k in rows}, key=lambda k: (k[0], k[1] == "depth", k[1], k[2]))
lines = ["## Instructions per round (callgrind)", "",
         "Instructions executed under each policy's injection, entry, exit and DIR paths (with the software "
         "LR backend under them) for one round of each scenario, counted by `bench/instructions.sh` with "
         "callgrind on the -O2 build. A round delivers the same interrupts under every policy. Every policy "
         "call goes through the same `bench/bpol.c` wrapper, which checks the status it returns (the peers' "
         "models return 0), so each call carries the same few instructions of harness under every policy; "
         "ours runs as the arm64 hypervisor configures it: world switch on vCPU handles "
         "(`vgic_flush_vcpu`/`vgic_sync_vcpu`), the core's own inline spin locks. These counts "
         "repeat exactly run to run, so they are the figure to compare on a noisy machine; the nanoseconds "
         "above are the wall-clock view. Lowest in each row in bold.", ""]
losses = []
for lrs in sorted({k[0] for k in keys}):
    lines += [f"### {lrs} LRs", "", "| scenario | depth | " + " | ".join(pols) + " | ours / best peer |",
              "|---|---:|" + "---:|" * (len(pols) + 1)]
    for (l, s, d) in keys:
        if l != lrs:
            continue
        vals = [rows.get((l, s, d, p)) for p in pols]
        best = min(v for v in vals if v is not None)
        peers = [v for p, v in zip(pols, vals) if p != "ours" and v is not None]
        ours = rows.get((l, s, d, "ours"))
        ratio = f"{ours / min(peers):.2f}" if ours is not None and peers and min(peers) > 0 else "-"
        cells = [("**%.0f**" if v == best else "%.0f") % v if v is not None else "-" for v in vals]
        lines.append(f"| {s} | {d if s == 'depth' else '-'} | " + " | ".join(cells) + f" | {ratio} |")
        if ours is not None and peers and ours > min(peers):
            losses.append(f"{s}{'/d%d' % d if s == 'depth' else ''} with {l} LRs ({ours:.0f} against {min(peers):.0f})")
    lines.append("")
lines.append("Where ours is not the lowest: " + ("; ".join(losses) if losses else "nowhere") + ".")
open(out, "w").write("\n".join(lines) + "\n")
PY

# The split: a table appended to the fragment. A failure here costs the split, not the totals above.
if [[ -n $split_scenarios ]]; then
	split_csv=$(dirname "$csv")/instructions_split.csv
	if python3 "$(dirname "$0")/instr_split.py" split "$split_dir" "$r1" "$r2" "$split_csv" "$md"; then
		echo "instructions: wrote $split_csv"
	else
		rm -f "$split_csv"
		echo "instructions: FAILED to split the totals into sort, locks and the rest" >&2
		printf '\n### Where the instructions go: the sort, the locks, the rest\n\n%s\n' \
			"Not in this run: \`bench/instr_split.py\` failed (see \`bench/results/instructions.log\`)." >>"$md"
	fi
fi
echo "instructions: wrote $csv and $md"
