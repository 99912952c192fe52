#!/usr/bin/env python3
"""qemu_irq.py: turn the logs of scripts/bench-qemu.sh's QEMU runs into bench/results/qemu_irq.csv and its
docs fragment: exits and LR accesses per delivered interrupt, per guest-suite check, from the "@@mark" spans."""
import argparse
import csv
import glob
import os
import re
import statistics
import sys

GUEST_MARK = re.compile(r"^@@mark (\S+) irqs=(\d+)")
HYP_MARK = re.compile(r"^hyp: mark (\S+) exits=(\d+) lr_accesses=(\d+) maint=(\d+) lr_fills=(\d+)")
STATUS = re.compile(r"^hyp: run ended: status (\d+)")
QUIET = re.compile(r"^hyp: quiet exits (\d+) lr_accesses (\d+)")
MARK_EXITS = 1          # each span ends with its own mark: one CONSOLE_WRITE exit, subtracted
COUNTERS = ("irqs", "exits", "lr_accesses", "maint", "lr_fills")
BOOT_SPAN = "begin"     # the first mark: everything from the hypervisor's start to the guest's main
SMP_SPAN = "secondaries_up"   # the suite's second mark: the secondary vCPUs brought up (PSCI CPU_ON)
SETUP = {BOOT_SPAN: "boot, hypervisor start to the guest's main", SMP_SPAN: "secondary vCPUs brought up"}
MODE_TEXT = {
    "suite": "the guest suite (`bench` boot argument), one span per check",
    "idle": "the idle guest (`idle bench`): WFI with the virtual timer at 100 Hz, two ABI calls per wake-up",
}


def parse(path):
    """One run's spans, in order: (name, {counter: delta}), and its status and quiet-exit figures."""
    pending, spans, prev = [], [], dict.fromkeys(COUNTERS, 0)
    status, quiet = None, None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            m = GUEST_MARK.match(line)
            if m:
                pending.append((m.group(1), int(m.group(2))))
                continue
            m = HYP_MARK.match(line)
            if m:
                # The hypervisor prints its line right after echoing the guest's: pair them by name.
                idx = next((i for i, p in enumerate(pending) if p[0] == m.group(1)), None)
                if idx is None:
                    continue
                name, irqs = pending.pop(idx)
                now = {"irqs": irqs, "exits": int(m.group(2)), "lr_accesses": int(m.group(3)),
                       "maint": int(m.group(4)), "lr_fills": int(m.group(5))}
                d = {k: now[k] - prev[k] for k in COUNTERS}
                d["exits"] -= MARK_EXITS
                spans.append((name, d))
                prev = now
                continue
            m = STATUS.match(line)
            if m:
                status = int(m.group(1))
            m = QUIET.match(line)
            if m:
                quiet = (int(m.group(1)), int(m.group(2)))
    return spans, status, quiet


def ratio(a, b):
    return a / b if b else float("nan")


def fmt(x, digits=2):
    return "n/a" if x != x else "{:.{d}f}".format(x, d=digits)


def aggregate(runs):
    """Sum each span over the runs; spans are keyed by name and occurrence, ordered as in the first run."""
    rows, order = {}, []
    for spans in runs:
        seen = {}
        for name, d in spans:
            seen[name] = seen.get(name, 0) + 1
            key = (name, seen[name])
            if key not in rows:
                rows[key] = {"name": name, "runs": 0, "per_run": [], **dict.fromkeys(COUNTERS, 0)}
                order.append(key)
            r = rows[key]
            r["runs"] += 1
            for k in COUNTERS:
                r[k] += d[k]
            if d["irqs"]:
                r["per_run"].append(d["exits"] / d["irqs"])
    return [rows[k] for k in order]


def whole(rows, name):
    t = {"name": name, "runs": max((r["runs"] for r in rows), default=0), "per_run": [],
         **dict.fromkeys(COUNTERS, 0)}
    for r in rows:
        for k in COUNTERS:
            t[k] += r[k]
    return t


def csv_num(x):
    return "nan" if x != x else "%.3f" % x


def csv_row(mode, r):
    per = r["per_run"]
    return [mode, r["name"], r["runs"], r["irqs"], r["exits"], r["lr_accesses"], r["maint"], r["lr_fills"],
            csv_num(ratio(r["exits"], r["irqs"])), csv_num(ratio(r["lr_accesses"], r["irqs"])),
            csv_num(ratio(r["maint"], r["irqs"])), csv_num(ratio(r["lr_fills"], r["irqs"])),
            csv_num(min(per)) if per else "nan", csv_num(max(per)) if per else "nan"]


def md_row(r, label=None):
    per = r["per_run"]
    spread = " [%s-%s]" % (fmt(min(per)), fmt(max(per))) if len(per) > 1 else ""
    return "| %s | %s | %s%s | %s | %s | %s |" % (
        label or r["name"], fmt(r["irqs"] / r["runs"] if r["runs"] else 0, 1),
        fmt(ratio(r["exits"], r["irqs"])), spread, fmt(ratio(r["lr_accesses"], r["irqs"])),
        fmt(ratio(r["maint"], r["irqs"]), 3), fmt(ratio(r["lr_fills"], r["irqs"])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--logs", required=True, help="directory of MODE.N.log files")
    ap.add_argument("--csv", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--smp", default="2")
    args = ap.parse_args()

    table, md_tables, notes, heads = [], [], [], {}
    for mode in ("suite", "idle"):
        paths = sorted(glob.glob(os.path.join(args.logs, mode + ".*.log")))
        runs, statuses, quiet = [], [], [0, 0]
        for p in paths:
            spans, status, q = parse(p)
            statuses.append(status)
            if status is None or not spans:
                continue   # timed out or never reached its first mark: nothing to count
            runs.append(spans)
            if q:
                quiet[0] += q[0]
                quiet[1] += q[1]
        if not runs:
            continue
        rows = aggregate(runs)
        checks = whole([r for r in rows if r["name"] not in SETUP], "all checks")
        total = whole(rows, "whole run")
        for r in rows + [checks, total]:
            table.append(csv_row(mode, r))
        heads[mode] = checks
        bad = [s for s in statuses if s != 0]
        notes.append("- %s: %d run(s)%s; exits with nothing in flight: %d, LR accesses on them: %d." % (
            MODE_TEXT[mode], len(runs),
            "" if not bad else " (statuses %s: a non-zero status is the number of failed checks, "
            "usually a timing check on the loaded TCG host; the spans still count)" %
            ", ".join(str(s) for s in statuses), quiet[0], quiet[1]))
        with_irqs = [r for r in rows if r["irqs"] and r["name"] not in SETUP]
        without = [r for r in rows if not r["irqs"] and r["name"] not in SETUP]
        lines = ["| span | irqs per run | exits per irq [per-run min-max] | LR accesses per irq | "
                 "maint per irq | LR fills per irq |", "|---|---|---|---|---|---|"]
        lines += [md_row(r) for r in with_irqs]
        if without:
            w = whole(without, "")
            lines.append("| %d checks without interrupts | 0 | %s exits, %s LR accesses per run | - | - | - |" % (
                len(without), fmt(w["exits"] / max(w["runs"], 1), 1), fmt(w["lr_accesses"] / max(w["runs"], 1), 1)))
        lines.append(md_row(checks, "**all checks**"))
        for r in rows:
            if r["name"] in SETUP:
                lines.append("| %s | %s | %s exits, %s LR accesses per run | - | - | - |" % (
                    SETUP[r["name"]], fmt(r["irqs"] / r["runs"], 1), fmt(r["exits"] / r["runs"], 1),
                    fmt(r["lr_accesses"] / r["runs"], 1)))
        lines.append(md_row(total, "whole run (set-up included, marks excluded)"))
        md_tables.append((mode, lines))

    if not table:
        print("qemu_irq.py: no run reached a mark; nothing written", file=sys.stderr)
        return 1
    with open(args.csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["mode", "span", "runs", "irqs", "exits", "lr_accesses", "maint", "lr_fills", "exits_per_irq",
                    "lr_accesses_per_irq", "maint_per_irq", "lr_fills_per_irq", "exits_per_irq_min",
                    "exits_per_irq_max"])
        w.writerows(table)
    out = ["## In-QEMU figures (arm64 hypervisor)", ""]
    if "suite" in heads:
        s = heads["suite"]
        out += ["Over the guest suite's checks, the hypervisor took **%s exits and made %s LR (`ICH_*`) accesses "
                "per interrupt the guest took**, and %s maintenance interrupts per interrupt." % (
                    fmt(ratio(s["exits"], s["irqs"])), fmt(ratio(s["lr_accesses"], s["irqs"])),
                    fmt(ratio(s["maint"], s["irqs"]), 3)), ""]
    if "idle" in heads:
        s = heads["idle"]
        out += ["An idle guest costs %s exits and %s LR accesses per timer tick (two of those exits are the idle "
                "mode's own ABI calls after each wake-up, which find nothing in flight)." % (
                    fmt(ratio(s["exits"], s["irqs"])), fmt(ratio(s["lr_accesses"], s["irqs"]))), ""]
    out += [TEXT.format(smp=args.smp), ""] + notes + [""]
    for mode, lines in md_tables:
        out += ["### %s" % MODE_TEXT[mode][0].upper() + MODE_TEXT[mode][1:], ""] + lines + [""]
    with open(args.md, "w") as f:
        f.write("\n".join(out).rstrip() + "\n")
    return 0


TEXT = """`scripts/bench-qemu.sh` boots the arm64 hypervisor and the test guest under QEMU (TCG, {smp} vCPUs,
4 list registers: QEMU's GICv3 CPU interface) with the boot argument `bench`: after every check the guest
sends one line `@@mark NAME irqs=N` through the ABI's CONSOLE_WRITE (N: interrupts it has taken so far, all
CPUs), and the hypervisor answers with its running totals (`hyp: mark NAME exits=... lr_accesses=...
maint=... lr_fills=...`, `arch-arm64/stats.c`). A span is the work between two marks: the check that
ends it, with the mark's own exit subtracted. *irqs*: interrupts the guest took (its handler ran;
the guest counts them, since the core keeps no "acknowledged" counter). *exits*: every exit to EL2,
all causes, all vCPUs. *LR accesses*: every `ICH_*` access through the `lr_backend` counters.
*maint*: maintenance interrupts taken. *LR fills*: interrupts placed in an LR by an entry (one kept
in its LR across an exit counts again, though it costs no write). Exit counts include the guest's own
traps (GICD/GICR MMIO, SGI writes, ABI calls that raise the lines), so they measure the whole
interrupt path, not just the LR policy. Several runs are summed; TCG timing decides how many
interrupts arrive while the guest is already in an exit, so the per-run spread is shown. The checks
themselves are described in [arm64.md](arm64.md), section 7; the per-span figures are in
`bench/results/qemu_irq.csv`."""

if __name__ == "__main__":
    sys.exit(main())
