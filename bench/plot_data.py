#!/usr/bin/env python3
"""plot_data.py: turn lr_bench's CSVs into the column files bench/plot.gp draws.
Usage: python3 bench/plot_data.py RESULTS_DIR  (writes RESULTS_DIR/plotdata/*.dat)"""
import csv
import os
import sys

POLICIES = ["ours", "kvm_classic", "kvm_6.19", "xen_old"]
NESTED_MODEL = "nv_all_trap"
DEPTH_SHOWN = 64   # the depth sweep appears in the per-scenario plots at this depth


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def per_switch(row):
    """Register accesses of one entry plus one exit, averaged over the counted rounds."""
    kinds = [k[len("entry_"):] for k in row if k.startswith("entry_")]
    entry = sum(float(row["entry_" + k]) for k in kinds) * int(row["entries"])
    exit_ = sum(float(row["exit_" + k]) for k in kinds) * int(row["exits"])
    return (entry + exit_) / int(row["entries"])


def write(path, header, lines):
    with open(path, "w") as f:
        f.write("# " + " ".join(header) + "\n")
        for line in lines:
            f.write(" ".join(str(x) for x in line) + "\n")


def main():
    res = sys.argv[1]
    out = os.path.join(res, "plotdata")
    os.makedirs(out, exist_ok=True)
    detail = read(os.path.join(res, "lr_policies_detail.csv"))
    nested = read(os.path.join(res, "nested_model.csv"))
    lrs = sorted({int(r["nr_lrs"]) for r in detail})
    scenarios = []
    for r in detail:
        if r["scenario"] != "depth" and r["scenario"] not in scenarios:
            scenarios.append(r["scenario"])
    traps = sorted({float(r["trap_cycles"]) for r in nested})

    def pick(rows, sc, p):
        if sc == "depth%d" % DEPTH_SHOWN:
            return next(x for x in rows if x["scenario"] == "depth" and int(x["depth"]) == DEPTH_SHOWN
                        and x["policy"] == p)
        return next(x for x in rows if x["scenario"] == sc and x["policy"] == p)

    if any(r["scenario"] == "depth" and int(r["depth"]) == DEPTH_SHOWN for r in detail):
        scenarios.append("depth%d" % DEPTH_SHOWN)

    for n in lrs:
        rows = [r for r in detail if int(r["nr_lrs"]) == n]
        depths = sorted({int(r["depth"]) for r in rows if r["scenario"] == "depth"})
        lines = []
        for d in depths:
            line = [d]
            for p in POLICIES:
                r = next(x for x in rows if x["scenario"] == "depth" and int(x["depth"]) == d
                         and x["policy"] == p)
                line += [r["ns_median"], r["ns_min"], r["ns_max"]]
            lines.append(line)
        write(os.path.join(out, "depth_%d.dat" % n),
              ["depth"] + [p + s for p in POLICIES for s in ("_med", "_min", "_max")], lines)

        lines = []
        for sc in scenarios:
            line = [sc]
            for p in POLICIES:
                line.append("%.3f" % per_switch(pick(rows, sc, p)))
            lines.append(line)
        write(os.path.join(out, "accesses_%d.dat" % n), ["scenario"] + POLICIES, lines)

        lines = []
        top = traps[-1]
        for sc in scenarios:
            line = [sc]
            for p in POLICIES:
                sel = [x for x in nested if x["model"] == NESTED_MODEL and float(x["trap_cycles"]) == top
                       and int(x["nr_lrs"]) == n]
                line.append(pick(sel, sc, p)["projected_cycles"])
            lines.append(line)
        write(os.path.join(out, "nested_%d.dat" % n), ["scenario"] + POLICIES, lines)

    with open(os.path.join(out, "meta.gp"), "w") as f:
        f.write("nested_trap_cycles = %d\n" % int(traps[-1]))


if __name__ == "__main__":
    main()
