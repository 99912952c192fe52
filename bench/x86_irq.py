#!/usr/bin/env python3
"""x86_irq.py: turn the logs of scripts/bench-x86.sh's VMM runs into a table per interrupt mode (printed), and,
for `make bench`, bench/results/x86_irq.csv and its docs fragment. Figures come from the native guest's
"bench" mode: "@@mark" exit totals, the guest's latency line, the VMM's "tsc" lines and its cold-start line."""
import argparse
import csv
import glob
import os
import platform
import re
import statistics
import sys

MODES = [("user", "user-pic-apic", "userspace PIC+IOAPIC+LAPIC"), ("xapic", "xapic-only", "userspace IOAPIC+LAPIC, no PIC"),
         ("kernel", "in-kernel", "KVM's in-kernel irqchip")]
MARK = re.compile(r"^x86-vmm: mark (\S+) exits=(\d+) kvm-exits=(\d+)$")
COUNTS = re.compile(r"^bench: device-interrupts=(\d+) ticks=(\d+)$")
GUEST_LAT = re.compile(r"^bench: device-latency-ns median=(\d+) p90=(\d+) p99=(\d+)")
HOST_LAT = re.compile(r"^x86-vmm: tsc irq ns=(-?\d+)$")
SPLIT = re.compile(r"^x86-vmm: tsc line exit-ns=(-?\d+) raise-to-handler-ns=(-?\d+)$")
COLD = re.compile(r"^x86-vmm: cold-start-exits=(\d+) kvm-cold-start-exits=(\d+)$")
NS_PER_US = 1000.0
HOST_KVM = [("kvm_pvm", "kvm_pvm (PVM: no VMX on this machine; guests run in a software-virtualised mode, "
                        "interrupts are injected in software)"),
            ("kvm_intel", "kvm_intel (VMX)"), ("kvm_amd", "kvm_amd (SVM)")]


def pct(xs, p):
    """Nearest-rank percentile of a sorted list."""
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]


def parse(path):
    r = {"marks": {}, "host": [], "exit": [], "r2h": []}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = MARK.match(line)
            if m:
                r["marks"][m.group(1)] = (int(m.group(2)), int(m.group(3)))
            elif COUNTS.match(line):
                m = COUNTS.match(line)
                r["dev_n"], r["ticks"] = int(m.group(1)), int(m.group(2))
            elif GUEST_LAT.match(line):
                r["guest"] = [int(x) for x in GUEST_LAT.match(line).groups()]
            elif HOST_LAT.match(line):
                r["host"].append(int(HOST_LAT.match(line).group(1)))
            elif SPLIT.match(line):
                m = SPLIT.match(line)
                r["exit"].append(int(m.group(1)))
                r["r2h"].append(int(m.group(2)))
            elif COLD.match(line):
                m = COLD.match(line)
                r["cold"] = (int(m.group(1)), int(m.group(2)))
    return r


def span(run, a, b, i):
    return run["marks"][b][i] - run["marks"][a][i]


def mode_figures(runs):
    f = {"rounds": len(runs)}
    dev = sum(r["dev_n"] for r in runs)
    ticks = sum(r["ticks"] for r in runs)
    f["dev"], f["ticks"] = dev, ticks
    f["dev_exits"] = sum(span(r, "device-start", "device-end", 0) for r in runs) / dev
    f["dev_kvm"] = sum(span(r, "device-start", "device-end", 1) for r in runs) / dev
    f["tick_exits"] = sum(span(r, "ticks-start", "ticks-end", 0) for r in runs) / ticks
    f["tick_kvm"] = sum(span(r, "ticks-start", "ticks-end", 1) for r in runs) / ticks
    f["cold"] = [r["cold"][0] for r in runs if "cold" in r]
    f["cold_kvm"] = [r["cold"][1] for r in runs if "cold" in r]
    # The guest reports percentiles per run; across runs take the median of each.
    for i, k in enumerate(("guest_med", "guest_p90", "guest_p99")):
        f[k] = statistics.median(r["guest"][i] for r in runs) / NS_PER_US
    f["guest_med_range"] = (min(r["guest"][0] for r in runs) / NS_PER_US, max(r["guest"][0] for r in runs) / NS_PER_US)
    host = sorted(x for r in runs for x in r["host"])
    f["host_n"] = len(host)
    f["host_neg"] = sum(1 for x in host if x < 0)
    for k, p in (("host_med", 50), ("host_p90", 90), ("host_p99", 99)):
        f[k] = pct(host, p) / NS_PER_US
    ex = sorted(x for r in runs for x in r["exit"])
    r2h = sorted(x for r in runs for x in r["r2h"])
    f["split_n"] = len(ex)
    f["split_neg"] = sum(1 for x in ex if x < 0) + sum(1 for x in r2h if x < 0)
    f["exit_med"], f["exit_min"] = pct(ex, 50) / NS_PER_US, (ex[0] / NS_PER_US if ex else float("nan"))
    f["r2h_med"], f["r2h_min"] = pct(r2h, 50) / NS_PER_US, (r2h[0] / NS_PER_US if r2h else float("nan"))
    return f


def host_kvm():
    for mod, text in HOST_KVM:
        if os.path.isdir("/sys/module/" + mod):
            return mod, text
    return "unknown", "unknown (no kvm_pvm, kvm_intel or kvm_amd module loaded)"


def n1(x):
    return "n/a" if x != x else "%.1f" % x


def n2(x):
    return "n/a" if x != x else "%.2f" % x


def cold_text(xs):
    if not xs:
        return "n/a"
    lo, hi = min(xs), max(xs)
    return str(lo) if lo == hi else "%d-%d" % (lo, hi)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--logs", required=True, help="directory of MODE.N.log files")
    ap.add_argument("--vcpus", default="2")
    ap.add_argument("--csv")
    ap.add_argument("--md")
    args = ap.parse_args()

    figs = {}
    for key, name, _ in MODES:
        runs = [parse(p) for p in sorted(glob.glob(os.path.join(args.logs, key + ".*.log")))]
        if runs:
            figs[name] = mode_figures(runs)
    if not figs:
        print("x86_irq.py: no logs", file=sys.stderr)
        return 1
    mod, kvm_text = host_kvm()

    head = ["mode", "exits / device irq (userspace, all KVM)", "exits / timer tick (userspace, all KVM)",
            "cold-start exits (userspace, all KVM)", "guest-raised to handler, us: median / p90 / p99",
            "host-raised to handler, us: median / p90 / p99"]
    rows = []
    for key, name, desc in MODES:
        if name not in figs:
            continue
        f = figs[name]
        rows.append(["%s (%s)" % (name, desc), "%s, %s" % (n2(f["dev_exits"]), n2(f["dev_kvm"])),
                     "%s, %s" % (n2(f["tick_exits"]), n2(f["tick_kvm"])),
                     "%s, %s" % (cold_text(f["cold"]), cold_text(f["cold_kvm"])),
                     "%s / %s / %s" % (n1(f["guest_med"]), n1(f["guest_p90"]), n1(f["guest_p99"])),
                     "%s / %s / %s" % (n1(f["host_med"]), n1(f["host_p90"]), n1(f["host_p99"]))])
    table = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(r) + " |" for r in rows]
    print("\n".join(table))
    print("\nhost KVM: %s; %s vCPUs; %d round(s) of every mode" % (mod, args.vcpus, max(f["rounds"] for f in figs.values())))

    if args.csv:
        cols = ["mode", "rounds", "host_kvm", "vcpus", "device_irqs", "exits_per_device_irq",
                "kvm_exits_per_device_irq", "ticks", "exits_per_tick", "kvm_exits_per_tick", "cold_start_exits_min",
                "cold_start_exits_max", "cold_start_kvm_exits_min", "cold_start_kvm_exits_max",
                "guest_raise_us_median", "guest_raise_us_p90", "guest_raise_us_p99", "host_raise_us_median",
                "host_raise_us_p90", "host_raise_us_p99", "host_raise_samples", "clock_check_exit_us_min",
                "clock_check_raise_to_handler_us_min", "clock_check_negative"]
        with open(args.csv, "w", newline="") as out:
            w = csv.writer(out)
            w.writerow(cols)
            for _, name, _ in MODES:
                if name not in figs:
                    continue
                f = figs[name]
                w.writerow([name, f["rounds"], mod, args.vcpus, f["dev"], "%.3f" % f["dev_exits"],
                            "%.3f" % f["dev_kvm"], f["ticks"], "%.3f" % f["tick_exits"], "%.3f" % f["tick_kvm"],
                            min(f["cold"], default="nan"), max(f["cold"], default="nan"),
                            min(f["cold_kvm"], default="nan"), max(f["cold_kvm"], default="nan"),
                            "%.1f" % f["guest_med"], "%.1f" % f["guest_p90"], "%.1f" % f["guest_p99"],
                            "%.1f" % f["host_med"], "%.1f" % f["host_p90"], "%.1f" % f["host_p99"], f["host_n"],
                            "%.1f" % f["exit_min"], "%.1f" % f["r2h_min"], f["split_neg"]])
    if args.md:
        write_md(args.md, figs, table, kvm_text, args.vcpus)
    return 0


def write_md(path, figs, table, kvm_text, vcpus):
    u, k = figs.get("user-pic-apic"), figs.get("in-kernel")
    exit_us = statistics.median(f["exit_med"] for f in figs.values())
    trip_us = statistics.median(f["guest_med"] for f in figs.values())
    out = ["## x86 figures (VMM)", "",
           "**Host: this machine's KVM is %s.** See [x86.md](x86.md), section 6: this machine is itself a "
           "virtual machine, one exit from the guest to the VMM takes about %s us and a round trip through the "
           "VMM about %s us (below), and its in-kernel LAPIC ends every vector at injection. Every figure here "
           "is a figure of this host, not of KVM on VMX or SVM hardware." % (kvm_text, n1(exit_us), n1(trip_us)), ""]
    if u and k:
        out += ["Side by side in one run: a device interrupt costs the userspace irqchip **%s exits** and KVM's "
                "in-kernel irqchip **%s** (userspace exits; %s and %s counting every KVM exit); a timer tick %s "
                "against %s (all KVM exits: %s and %s); from the host's raise to the guest's handler the median is "
                "%s us against %s us." % (n2(u["dev_exits"]), n2(k["dev_exits"]), n2(u["dev_kvm"]), n2(k["dev_kvm"]),
                                          n2(u["tick_exits"]), n2(k["tick_exits"]), n2(u["tick_kvm"]),
                                          n2(k["tick_kvm"]), n1(u["host_med"]), n1(k["host_med"])), ""]
    out += table + ["", X86_TEXT.format(vcpus=vcpus, rounds=max(f["rounds"] for f in figs.values())), ""]
    rows = []
    for _, name, _ in MODES:
        f = figs.get(name)
        if f:
            rows.append("| %s | %d | %s | %s (min %s) | %s (min %s) | %d |" % (
                name, f["host_n"], n1(f["guest_med_range"][0]) + "-" + n1(f["guest_med_range"][1]),
                n1(f["exit_med"]), n1(f["exit_min"]), n1(f["r2h_med"]), n1(f["r2h_min"]), f["split_neg"]))
    out += ["| mode | host-raised samples | guest-raised median, per run (us) | clock check: guest to VMM, us | "
            "clock check: VMM raise to handler, us | negative |", "|---|---|---|---|---|---|"] + rows
    with open(path, "w") as f:
        f.write("\n".join(out).rstrip() + "\n")


X86_TEXT = """`scripts/bench-x86.sh` runs the x86 VMM with the native guest's `bench` mode ({vcpus} vCPUs), once
per mode in each of {rounds} rounds, the modes in turn so that other load on the machine falls on all of
them; counts are summed over the rounds, guest-side percentiles are the median of the rounds', and
host-raised samples are pooled. *Userspace* exits return to the VMM; *all KVM* counts every exit KVM
saw (its binary stats), including those the kernel handles itself.

- **Device interrupt**: the guest raises an edge line through the ABI's LINE_SET (one exit, counted)
  and spins until its handler has run, 2000 times. *Guest-raised to handler*: the guest's TSC before
  the call to its handler's first instruction; this is a round trip through the VMM.
- **Timer tick**: the PV timer at 1 kHz, the vCPU in HLT between ticks, 500 ticks.
- **Cold start**: exits from the first KVM_RUN to the guest's first ABI call after the first timer
  tick (min-max over the rounds).
- **Host-raised to handler**: the VMM notes the host TSC when its event thread raises the PV timer
  line (the chip's input in userspace modes, KVM_IRQ_LINE in-kernel); the handler notes the guest's
  TSC; the guest arms one tick at a time (2 ms), so the last raise is the one its handler answers.
  The VMM puts the guest's TSC on the host's with the offset KVM reports (`KVM_VCPU_TSC_OFFSET`; the VMM
  never scales the TSC). It includes waking the vCPU from HLT, which is what a timer interrupt costs.
- **Clock check**: 100 more device interrupts, each split at the VMM's raise (`LINE_SET` handler) into
  guest to VMM (one exit) and VMM to handler. If the offset were wrong by more than either half, one
  half would come out negative; the "negative" column counts those (it must be 0)."""

if __name__ == "__main__":
    sys.exit(main())
