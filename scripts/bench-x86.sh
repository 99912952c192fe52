#!/usr/bin/env bash
# bench-x86.sh VMM NATIVE_GUEST [CSV MD]: the x86 interrupt figures, userspace irqchip against KVM's in-kernel one
# and the split irqchip, in one run: exits per device interrupt, per timer tick and per level EOI, cold-start
# exits, guest- and host-raised latency.
#
# Each round runs the native guest's "bench" mode once per mode (user, xapic, kernel, split), the modes in
# turn; X86_BENCH_ROUNDS rounds (default 1; make bench uses more). bench/x86_irq.py prints its table of the
# first three modes and, given CSV and MD, writes them for make bench; the table after it (this script) puts
# all four modes side by side with the level-EOI figures. Without a usable /dev/kvm it prints a SKIP line and
# exits 0; a KVM without KVM_CAP_SPLIT_IRQCHIP skips split mode alone, loudly.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage="usage: bench-x86.sh VMM NATIVE_GUEST [CSV MD]"
vmm=${1:?$usage}
guest=${2:?$usage}
csv=${3:-}
md=${4:-}
vcpus=${X86_VCPUS:-2}
rounds=${X86_BENCH_ROUNDS:-1}
timeout_s=120   # a run takes about 5 s; a stuck one must not stall make bench
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

for ((r = 1; r <= rounds; r++)); do
	for mode in user xapic kernel split; do
		log=$logs/$mode.$r.log
		timeout "$timeout_s" "$vmm" --mode "$mode" --vcpus "$vcpus" --bootargs bench "$guest" >"$log" 2>&1
		rc=$?
		if ((rc == 77)) && [[ $mode == split ]]; then
			echo "SKIP x86 split-mode figures: $(grep -m1 '^SKIP:' "$log" | sed 's/^SKIP: //')"
			rm -f "$log"
			continue
		fi
		if ((rc == 77)); then
			echo "SKIP x86 figures: $(grep -m1 '^SKIP:' "$log" | sed 's/^SKIP: //')"
			exit 0
		fi
		if ((rc != 0)); then
			echo "bench-x86: $mode run $r failed (status $rc)" >&2
			cat "$log" >&2
			exit 1
		fi
	done
done
python3 bench/x86_irq.py --logs "$logs" --vcpus "$vcpus" ${csv:+--csv "$csv"} ${md:+--md "$md"} || exit 1

# Every mode with split among them, and the level-EOI phase, from the same logs (bench/x86_irq.py's parser).
python3 - "$logs" "$md" <<'PY'
import glob, os, re, sys
sys.path.insert(0, "bench")
import x86_irq as X

CAUSE = re.compile(r"^x86-vmm: mark-by-cause (\S+) (.*)$")
LEVEL = re.compile(r"^bench: level-interrupts=(\d+) deliveries=(\d+)$")
MODES = [("user", "userspace PIC+IOAPIC+LAPIC"), ("xapic", "userspace IOAPIC+LAPIC, no PIC"),
         ("kernel", "KVM's in-kernel irqchip"), ("split", "split: KVM's LAPIC, our PIC+IOAPICs")]

def causes(path):
    c = {}
    for line in open(path, errors="replace"):
        m = CAUSE.match(line.rstrip("\n"))
        if m:
            c[m.group(1)] = {k: int(v) for k, v in (kv.split("=") for kv in m.group(2).split())}
    return c

def level(path):
    for line in open(path, errors="replace"):
        m = LEVEL.match(line.rstrip("\n"))
        if m:
            return int(m.group(1)), int(m.group(2))
    return None

head = ["mode", "exits / device irq (userspace, all KVM)", "exits / timer tick (userspace, all KVM)",
        "exits / level irq (userspace, all KVM)", "EOI exits / level irq", "level deliveries / raise",
        "cold-start exits (userspace, all KVM)", "guest- / host-raised to handler, median us"]
rows = []
for key, desc in MODES:
    paths = sorted(glob.glob(os.path.join(sys.argv[1], key + ".*.log")))
    if not paths:
        continue
    runs = [X.parse(p) for p in paths]
    f = X.mode_figures(runs)
    n = d = lu = lk = eoi = 0
    for p, r in zip(paths, runs):
        lv, c = level(p), causes(p)
        if not lv or "level-start" not in c or "level-end" not in c:
            continue
        n, d = n + lv[0], d + lv[1]
        lu += X.span(r, "level-start", "level-end", 0)
        lk += X.span(r, "level-start", "level-end", 1)
        for k in ("mmio-lapic", "ioapic-eoi"):
            eoi += c["level-end"].get(k, 0) - c["level-start"].get(k, 0)
    lvl = ("%s, %s" % (X.n2(lu / n), X.n2(lk / n)), X.n2(eoi / n), X.n2(d / n)) if n else ("n/a",) * 3
    rows.append(["%s (%s)" % (key, desc), "%s, %s" % (X.n2(f["dev_exits"]), X.n2(f["dev_kvm"])),
                 "%s, %s" % (X.n2(f["tick_exits"]), X.n2(f["tick_kvm"])), lvl[0], lvl[1], lvl[2],
                 "%s, %s" % (X.cold_text(f["cold"]), X.cold_text(f["cold_kvm"])),
                 "%s / %s" % (X.n1(f["guest_med"]), X.n1(f["host_med"]))])
table = "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(r) + " |" for r in rows])
print("\nAll modes, split irqchip included; level irq = raise, the handler lowers the line, then EOI:")
print(table)
# The fragment for docs/benchmarks.md (make bench) gets the same table, split mode beside the others.
md = sys.argv[2] if len(sys.argv) > 2 else ""
if md and os.path.exists(md):
    with open(md, "a") as f:
        f.write("\n**All four modes, the split irqchip among them** (the same runs; *level irq*: the guest raises a "
                "level line, its handler lowers it, then EOIs; *EOI exits*: the exits that carry that EOI to "
                "userspace, LAPIC MMIO in the userspace modes, KVM_EXIT_IOAPIC_EOI in split mode; "
                "docs/x86.md section 3, \"Split irqchip\"):\n\n" + table + "\n")
PY
