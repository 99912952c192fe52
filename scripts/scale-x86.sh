#!/usr/bin/env bash
# scale-x86.sh VMM NATIVE_GUEST: the x86 scaling experiment (issue 15, items 3-4). N vCPUs (X86_SCALE_NS,
# default "1 4 16 64"), each taking the VMM scale device's level interrupts at X86_SCALE_HZ (default 500)
# per vCPU and EOI'ing them, in the userspace, split and in-kernel modes. Per run: a check that every
# vCPU's count is exact (guest deliveries = device raises = EOIs seen by the device, none on a wrong CPU),
# then a Markdown table: interrupts/s, exits and EOI exits per interrupt, VM-lock wait and hold per
# interrupt, latency percentiles, the device's raise-to-EOI time. Last line "N passed, M failed". A loud
# SKIP where KVM cannot run a cell. As a `make bench` producer (bench/run.sh) it gets a CSV and a
# Markdown fragment path: it writes both, and a plot beside them (x86_scale.svg: delivered interrupts/s
# and the device's raise-to-EOI time against vCPUs).
#
#   scale-x86.sh VMM NATIVE_GUEST [OUT_CSV OUT_MD]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

vmm=${1:?usage: scale-x86.sh VMM NATIVE_GUEST}
guest=${2:?usage: scale-x86.sh VMM NATIVE_GUEST}
out_csv=${3:-} out_md=${4:-}
ns=${X86_SCALE_NS:-1 4 16 64}
hz=${X86_SCALE_HZ:-500}
modes=${X86_SCALE_MODES:-user split kernel}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

for n in $ns; do
	for mode in $modes; do
		log=$logs/$mode.$n.log
		echo "=== x86 scale: $n vCPU(s), mode $mode, $hz Hz per vCPU"
		timeout 300 "$vmm" --mode "$mode" --vcpus "$n" --timeout 240 --scale-hz "$hz" --bootargs scale \
			"$guest" >"$log" 2>&1
		echo "rc=$?" >>"$log"
		grep -aE '^(SKIP|scale: vcpus|x86-vmm: scale hz|x86-vmm: scale raise|x86-vmm: exits total)' "$log"
	done
done

python3 - "$logs" "$hz" "$ns" "$modes" "$out_csv" "$out_md" <<'PY'
import os, re, sys

logs, hz, ns, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
out_csv, out_md = sys.argv[5], sys.argv[6]
out_svg = os.path.join(os.path.dirname(out_md), "x86_scale.svg") if out_md else ""
csv_rows = []
DONE = re.compile(r"^x86-vmm: scale raise-to-eoi-us mean=(\d+) max=(\d+)$")
CPU = re.compile(r"^scale: cpu=(\d+) delivered=(\d+) ticks=(\d+)$")
SUM = re.compile(r"^scale: vcpus=(\d+) delivered=(\d+) ticks=(\d+) window-ms=(\d+) latency-us p50=(\d+) p90=(\d+) "
                 r"p99=(\d+) \(last bucket \d+\+\) wrong-cpu=(\d+)$")
SRC = re.compile(r"^x86-vmm: scale src=(\d+) gsi=\d+ raised=(\d+) completed=(\d+) overruns=(\d+)$")
DEV = re.compile(r"^x86-vmm: scale hz=\d+ sources=\d+ raised=(\d+) completed=(\d+) overruns=(\d+) lock-acq=(\d+) "
                 r"lock-wait-ns=(\d+) lock-hold-ns=(\d+)$")
CAUSE = re.compile(r"^x86-vmm: mark-by-cause (\S+) (.*)$")
MARK = re.compile(r"^x86-vmm: mark (\S+) exits=(\d+) kvm-exits=(\d+)$")
NAMES = {"user": "userspace PIC+IOAPIC+LAPIC", "split": "split (KVM's LAPIC)", "kernel": "in-kernel"}

passed = failed = 0
rows = []
plot = {}
for n in ns:
    for mode in modes:
        path = os.path.join(logs, "%s.%s.log" % (mode, n))
        lines = open(path, errors="replace").read().splitlines()
        skip = [l for l in lines if l.startswith("SKIP")]
        if skip:
            print("*" * 66)
            print("SKIP scale %s %s vCPUs: %s" % (mode, n, skip[0][len("SKIP: "):]))
            print("*" * 66)
            rows.append([n, NAMES[mode]] + ["skipped: " + skip[0][len("SKIP: "):].split(":")[-1].split("(")[0].strip()] + [""] * 8)
            continue
        cpu, src, summ, dev, cause, mark, done = {}, {}, None, None, {}, {}, None
        for l in lines:
            for rx, f in ((CPU, lambda m: cpu.__setitem__(int(m[1]), (int(m[2]), int(m[3])))),
                          (SRC, lambda m: src.__setitem__(int(m[1]), (int(m[2]), int(m[3]), int(m[4])))),
                          (CAUSE, lambda m: cause.__setitem__(m[1], dict(kv.split("=") for kv in m[2].split()))),
                          (MARK, lambda m: mark.__setitem__(m[1], (int(m[2]), int(m[3]))))):
                m = rx.match(l)
                if m:
                    f(m)
            m = SUM.match(l)
            if m:
                summ = [int(x) for x in m.groups()]
            m = DEV.match(l)
            if m:
                dev = [int(x) for x in m.groups()]
            m = DONE.match(l)
            if m:
                done = [int(x) for x in m.groups()]
        name = "scale_exact_%s_%s" % (mode, n)
        if summ is None or dev is None or len(cpu) != int(n) or len(src) != int(n):
            failed += 1
            print("FAIL %s no complete report (%s)" % (name, lines[-1] if lines else "empty log"))
            rows.append([n, NAMES[mode], "FAILED"] + [""] * 8)
            continue
        bad = [i for i in range(int(n)) if not (cpu[i][0] == src[i][0] == src[i][1])]
        ok = not bad and summ[7] == 0
        passed, failed = passed + ok, failed + (not ok)
        detail = ("%d interrupts on %s vCPUs, each vCPU's count = raises = EOIs at the device" % (summ[1], n) if ok else
                  "vCPUs whose delivered/raised/completed differ: %s; wrong-cpu %d" %
                  (", ".join("%d: %d/%d/%d" % (i, cpu[i][0], src[i][0], src[i][1]) for i in bad[:8]), summ[7]))
        print("%s %s %s" % ("PASS" if ok else "FAIL", name, detail))
        d = max(summ[1], 1)
        span = lambda k: int(cause["scale-end"].get(k, 0)) - int(cause["scale-start"].get(k, 0))
        exits = (mark["scale-end"][0] - mark["scale-start"][0]) / d
        kexits = (mark["scale-end"][1] - mark["scale-start"][1]) / d
        if mode == "split":
            eoi = "%.2f" % (span("ioapic-eoi") / d)
        elif mode == "kernel":
            eoi = "0 (in KVM)"
        else:   # our LAPIC: EOI writes of the scale interrupts and of the ticks
            eoi = "%.2f" % (max(span("mmio-lapic") - summ[2], 0) / d)
        rate = summ[1] / (summ[3] / 1000.0)
        lock = ("%.0f / %.0f" % (dev[4] / d, dev[5] / d)) if mode != "kernel" else "- (KVM's)"
        rows.append([n, NAMES[mode], "%.0f" % rate, "%.0f" % (hz * int(n)), "%d" % dev[2],
                     "%.2f / %.2f" % (exits, kexits), eoi, lock, "%d / %d / %d" % tuple(summ[4:7]),
                     "%d / %d" % tuple(done) if done else "-", "%d" % summ[2]])
        plot.setdefault(mode, []).append((int(n), rate, done[0] if done else 0))
        csv_rows.append([n, mode, hz, summ[1], "%.0f" % rate, dev[2], "%.3f" % exits, "%.3f" % kexits,
                         eoi.split()[0], "%.0f" % (dev[4] / d) if mode != "kernel" else "",
                         "%.0f" % (dev[5] / d) if mode != "kernel" else "", summ[4], summ[5], summ[6],
                         done[0] if done else "", done[1] if done else "", summ[7]])
table = ["| vCPUs | mode | level irqs/s delivered | offered/s | overruns | exits / irq (userspace / all KVM) | "
         "EOI exits / irq | VM-lock wait / hold per irq, ns | latency us p50 / p90 / p99 | raise to EOI seen, us mean / max | ticks |",
         "|---|---|---|---|---|---|---|---|---|---|---|"]
table += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
print()
print("\n".join(table))
print()
if out_csv:
    with open(out_csv, "w") as f:
        f.write("vcpus,mode,hz_per_vcpu,delivered,delivered_per_s,overruns,exits_per_irq,kvm_exits_per_irq,"
                "eoi_exits_per_irq,lock_wait_ns_per_irq,lock_hold_ns_per_irq,lat_p50_us,lat_p90_us,lat_p99_us,"
                "raise_to_eoi_mean_us,raise_to_eoi_max_us,wrong_cpu\n")
        for r in csv_rows:
            f.write(",".join(str(x) for x in r) + "\n")
if out_md:
    with open(out_md, "w") as f:
        f.write("## x86 scaling: level interrupts and their EOIs at 1 to 64 vCPUs\n\n")
        f.write("`scripts/scale-x86.sh` (`make scale-x86`): every vCPU takes the VMM's scale device's level "
                "interrupt (one pin per vCPU, raised from a device thread every %.1f ms, lowered at the EOI) "
                "for 2 s, beside its own 250 Hz LAPIC tick, in the userspace, split and in-kernel modes. An "
                "overrun is a period in which the previous interrupt was not yet EOI'd (the device then skips "
                "the raise: not a loss). Latency is from the device's raise to the guest's handler (guest TSC); "
                "\"raise to EOI seen\" is the device's own clock from the raise to the moment the EOI reaches it. "
                "The VMM is the ASan+UBSan build of `make test`. Read with [x86.md](x86.md), section "
                "\"Scaling\".\n\n" % (1000.0 / hz))
        f.write("\n".join(table) + "\n\n")
        f.write("Result: %d passed, %d failed (exact counts per vCPU).\n\n" % (passed, failed))
        if out_svg:
            f.write("![delivered interrupts/s and raise-to-EOI time against vCPUs](../bench/results/x86_scale.svg)\n")

def svg(path):
    """Two panels against vCPUs (log2 x axis): delivered interrupts/s, and the device's raise-to-EOI time."""
    colours = {"user": "#1f77b4", "split": "#d62728", "kernel": "#2ca02c"}
    W, H, L, T, PW, PH, GAP = 900, 340, 70, 40, 340, 240, 110
    xs = sorted({n for pts in plot.values() for n, _, _ in pts}) or [1]
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (W, H),
           '<rect width="100%" height="100%" fill="white"/>']
    for panel, (title, idx) in enumerate((("level interrupts/s delivered (offered: %d Hz x vCPUs)" % hz, 1),
                                          ("raise to EOI seen by the device, us (mean)", 2))):
        x0 = L + panel * (PW + GAP)
        ymax = max([p[idx] for pts in plot.values() for p in pts] + [1]) * 1.1
        out.append('<text x="%d" y="%d">%s</text>' % (x0, T - 15, title))
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="black"/>' % (x0, T, PW, PH))
        fx = lambda n: x0 + (PW * (xs.index(n) / max(len(xs) - 1, 1)))
        fy = lambda v: T + PH - PH * v / ymax
        for n in xs:
            out.append('<text x="%.0f" y="%d" text-anchor="middle">%d</text>' % (fx(n), T + PH + 16, n))
        for k in range(5):
            v = ymax * k / 4
            out.append('<text x="%d" y="%.0f" text-anchor="end">%.0f</text>' % (x0 - 5, fy(v) + 4, v))
            out.append('<line x1="%d" x2="%d" y1="%.0f" y2="%.0f" stroke="#ddd"/>' % (x0, x0 + PW, fy(v), fy(v)))
        out.append('<text x="%d" y="%d" text-anchor="middle">vCPUs</text>' % (x0 + PW / 2, T + PH + 34))
        for mode, pts in plot.items():
            pts = sorted(pts)
            out.append('<polyline fill="none" stroke-width="2" stroke="%s" points="%s"/>' %
                       (colours[mode], " ".join("%.0f,%.0f" % (fx(p[0]), fy(p[idx])) for p in pts)))
            for p in pts:
                out.append('<circle cx="%.0f" cy="%.0f" r="3" fill="%s"/>' % (fx(p[0]), fy(p[idx]), colours[mode]))
    for k, mode in enumerate(plot):
        out.append('<text x="%d" y="%d" fill="%s">%s</text>' % (L + k * 220, H - 12, colours[mode], NAMES[mode]))
    out.append("</svg>")
    open(path, "w").write("\n".join(out) + "\n")

if out_svg:
    svg(out_svg)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
