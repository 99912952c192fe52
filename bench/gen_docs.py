#!/usr/bin/env python3
"""gen_docs.py: regenerate docs/benchmarks.md from the CSV files of one `make bench` run, plus every Markdown
fragment the producers wrote (bench/results/*.md, sorted). Every number is read from those files or from
this machine; the prose here is fixed."""
import argparse
import csv
import datetime
import glob
import math
import os
import re
import platform
import subprocess
import sys

sys.dont_write_bytecode = True   # keep bench/ free of __pycache__
import gen_docs_text as T  # noqa: E402

POLICIES = ["ours", "kvm_classic", "kvm_6.19", "xen_old"]
PEERS = POLICIES[1:]
# Ours measured again with lrs_in_memory on its ICV model backend (bench/pol_ours.c); only the NV2
# projection uses it, in place of "ours".
OURS_NV2 = "ours_nv2"
NV2_POLICIES = [OURS_NV2] + PEERS
LABEL = {"ours": "ours", "kvm_classic": "KVM classic", "kvm_6.19": "KVM 6.19", "xen_old": "old Xen",
         OURS_NV2: "ours (NV2 backend)"}
# The register kinds that trap under NV2: B_NV2_TRAPPING in bench/bench.h, as lr_access_name() prints them.
NV2_TRAPPING = ["elrsr_read", "eisr_read", "misr_read", "vtr_read"]
HEADLINE_DEPTH = 4096
ACCESS_DEPTH = 64      # the depth sweep appears in the per-scenario access tables at this depth
BREAKDOWN_LRS = 4


def read(path):
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine():
    model, mhz, cpus = "unknown", "unknown", 0
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, val = line.partition(":")
                key, val = key.strip(), val.strip()
                if key == "model name" and model == "unknown":
                    model = val
                elif key == "cpu MHz" and mhz == "unknown":
                    mhz = val
                elif key == "processor":
                    cpus += 1
    except OSError:
        pass
    u = platform.uname()
    return [
        ("CPU", "%s, %d logical CPUs, %s MHz (/proc/cpuinfo)" % (model, cpus, mhz)),
        ("Kernel", "%s %s %s (uname)" % (u.system, u.release, u.machine)),
        ("Kernel build", u.version),
        ("Compiler", sh(["gcc", "--version"]).splitlines()[0] if sh(["gcc", "--version"]) else "unknown"),
        ("gnuplot", sh(["gnuplot", "--version"]) or "unknown"),
        ("Python", platform.python_version()),
    ]


def revision():
    head = sh(["git", "rev-parse", "--short", "HEAD"]) or "unknown"
    # What the run itself writes (its results and this page) does not make the measured tree dirty.
    dirty = sh(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                ":(exclude)bench/results", ":(exclude)docs/benchmarks.md"])
    return head + (" (the working tree had uncommitted changes)" if dirty else "")


def num(x, digits=1):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if abs(x) >= 100000:
        return "{:,.0f}".format(x)
    return "{:,.{d}f}".format(x, d=digits)


def ratio(a, b):
    return a / b if b else float("nan")


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


class Results:
    def __init__(self, d):
        self.main = read(os.path.join(d, "lr_policies.csv")) or []
        self.detail = read(os.path.join(d, "lr_policies_detail.csv")) or []
        self.nested = read(os.path.join(d, "nested_model.csv")) or []
        self.accept = read(os.path.join(d, "acceptance.csv")) or []
        self.info = {}
        for r in read(os.path.join(d, "run_info.csv")) or []:
            self.info.setdefault(r["key"], r["value"])
        self.producers = read(os.path.join(d, "producers.csv")) or []
        # lr_bench's count-only tables: per flush work, vCPU put+load, ours' arch costs per event.
        self.work = read(os.path.join(d, "flush_work.csv")) or []
        self.switch = read(os.path.join(d, "vcpu_switch.csv")) or []
        self.events = read(os.path.join(d, "arch_events.csv")) or []
        self.fragments = sorted(glob.glob(os.path.join(d, "*.md")))
        self.kinds = [k[len("entry_"):] for k in (self.detail[0] if self.detail else {}) if k.startswith("entry_")]
        self.lrs = sorted({int(r["nr_lrs"]) for r in self.detail})
        self.scenarios = []
        for r in self.detail:
            if r["scenario"] not in self.scenarios:
                self.scenarios.append(r["scenario"])
        self.depths = sorted({int(r["depth"]) for r in self.detail if r["scenario"] == "depth"})
        # bench/instructions.sh: callgrind instructions per round; depth is 0 outside the depth sweep.
        self.instr = {}
        for r in read(os.path.join(d, "instructions.csv")) or []:
            self.instr[(r["policy"], r["scenario"], int(r["nr_lrs"]), int(r["depth"]))] = \
                float(r["instructions_per_round"])
        # bench/instructions.sh via instr_split.py: those totals split into the sort, the locks and the rest.
        self.split = {}
        for r in read(os.path.join(d, "instructions_split.csv")) or []:
            self.split[(r["policy"], r["scenario"], int(r["nr_lrs"]), int(r["depth"]))] = \
                {k: float(r[k]) for k in ("total", "sort", "locks", "rest", "locks_in_sort")}
        # lr_bench's runs: this directory's is the first, bench/run.sh puts the others (LR_BENCH_RUNS) in
        # runs/2, runs/3, ...; only their detail CSVs are read, for the headline's ranges over the runs.
        self.runs = [self.detail] if self.detail else []
        more = glob.glob(os.path.join(d, "runs", "*", "lr_policies_detail.csv"))
        for path in sorted(more, key=lambda x: (len(x), x)):
            rows = read(path)
            if rows:
                self.runs.append(rows)
        self.run_idx = [{run_key(r): r for r in rows} for rows in self.runs]

    def row(self, policy, scenario, lrs, depth=None):
        for r in self.detail:
            if (r["policy"] == policy and r["scenario"] == scenario and int(r["nr_lrs"]) == lrs
                    and (depth is None or int(r["depth"]) == depth)):
                return r
        return None

    def run_ratios(self, policy, scenario, lrs, depth=None):
        """The policy's time per round as a multiple of ours', in each lr_bench run that has both rows."""
        out = []
        for idx in self.run_idx:
            r = idx.get((policy, scenario, lrs, depth if scenario == "depth" else None))
            o = idx.get(("ours", scenario, lrs, depth if scenario == "depth" else None))
            if r is not None and o is not None and self.ns_round(o) > 0:
                out.append(self.ns_round(r) / self.ns_round(o))
        return out

    def instructions(self, r):
        """Instructions per round for the configuration of detail row r, or None."""
        d = int(r["depth"]) if r["scenario"] == "depth" else 0
        return self.instr.get((r["policy"], r["scenario"], int(r["nr_lrs"]), d))

    def entries_per_round(self, r):
        return int(r["entries"]) / int(r["rounds"])

    def ns_round(self, r, key="ns_median"):
        """Time per round: a sample is a batch's time over its world switches, and every round of a
        configuration takes the same number of switches, so per round = per switch x switches per round."""
        return float(r[key]) * self.entries_per_round(r)

    def total(self, r, side):
        return sum(float(r[side + "_" + k]) for k in self.kinds)

    def per_switch(self, r):
        return (self.total(r, "entry") * int(r["entries"]) + self.total(r, "exit") * int(r["exits"])) \
            / int(r["entries"])

    def per_irq(self, r):
        d = int(r["delivered"])
        if not d:
            return None
        return (self.total(r, "entry") * int(r["entries"]) + self.total(r, "exit") * int(r["exits"])) / d


def run_key(r):
    """A detail row's configuration: depth only for the depth sweep (elsewhere it is the queued depth)."""
    return (r["policy"], r["scenario"], int(r["nr_lrs"]), int(r["depth"]) if r["scenario"] == "depth" else None)


def over_runs(values):
    """A ratio's range over the lr_bench runs, 2 significant figures: '1.2-1.4 in 3 runs', '1 run'."""
    if len(values) <= 1:
        return "1 run"
    lo, hi = sig2(min(values)), sig2(max(values))
    if lo == hi:
        return "%s in each of %d runs" % (lo, len(values))
    return "%s-%s in %d runs" % (lo, hi, len(values))


def sec_run(res, args):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["## This run", ""]
    if args.run_commit:
        # The text regenerated later from results already committed: say which run they come from.
        lines += ["- Figures from `make bench` run %sin %s s, at commit %s." %
                  ("%s " % args.run_time if args.run_time else "", args.elapsed, args.run_commit),
                  "- This text regenerated %s by `bench/gen_docs.py` as committed with this file (on top of "
                  "commit %s) from those results, without measuring anything again." %
                  (now, sh(["git", "rev-parse", "--short", "HEAD"]) or "unknown")]
        if args.instr_run:
            lines += ["- Except the instruction counts (`instructions*.csv`, `instructions.md`): `bench/instructions.sh` "
                      "re-run alone %s; the nanoseconds and accesses beside them are from the run above." % args.instr_run]
    else:
        lines += ["- Generated %s by `make bench` in %s s, at commit %s." % (now, args.elapsed, revision())]
    lines += [
             "- Results: `bench/results/` (CSV files listed under [Files](#files)); log: "
             "`bench/results/lr_bench.log`.",
             "- Load average (1 min, `/proc/loadavg`) when `lr_bench` started and ended: %s and %s on %d "
             "CPUs. Other work on the machine shows in the timings: interleaving protects the ratios within "
             "a configuration, not the comparison of one configuration with another." %
             (res.info.get("loadavg_start", "?"), res.info.get("loadavg_end", "?"), os.cpu_count() or 0), ""]
    lines.append(table(["", "machine"], machine()))
    lines += ["", "Commands `make bench` ran (from the repository root):", "", "```sh"]
    lines += ["make deps                      # checks the Debian packages, gnuplot-nox among them",
              "make %s arm64 x86   # lr_bench -O2 without sanitizers; the hypervisors' images" % args.bin,
              "bash bench/run.sh %s" % args.bin,
              "  %s --out bench/results   # counts, then times, every policy and ours on the NV2 backend"
              % args.bin]
    lines += ["  %s --out bench/results/runs/%d   # run %d of %d (LR_BENCH_RUNS), for the headline's ranges"
              % (args.bin, i, i, len(res.runs)) for i in range(2, len(res.runs) + 1)]
    lines += ["  %s%s" % (p["command"], "   # %s" % p["status"] if p["status"] != "ran" else "")
              for p in res.producers]
    lines += ["  python3 bench/plot_data.py bench/results",
              "  gnuplot -e \"dir='bench/results'\" bench/plot.gp",
              "  python3 bench/gen_docs.py --results bench/results --out docs/benchmarks.md"
              " --elapsed %s --bin %s" % (args.elapsed, args.bin), "```", ""]
    if res.producers:
        lines += ["The producers besides `lr_bench` (`bench/run.sh` explains their protocol); each writes a CSV and "
                  "a section of this document:", "",
                  table(["producer", "status", "seconds", "section", "note"],
                        [["`%s`" % p["command"].split()[1], p["status"], p["seconds"],
                          section_link(os.path.join(args.results, p["producer"] + ".md")), p["note"] or "-"]
                         for p in res.producers]), ""]
    return lines


def section_link(path):
    """A link to the section a producer's fragment becomes (its first heading), or "-" without one."""
    if not os.path.exists(path):
        return "-"
    with open(path) as f:
        m = next((HEADING.match(ln) for ln in f if ln.strip()), None)
    if not m:
        return "-"
    title = m.group(2).strip()
    # GitHub's anchors: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens.
    anchor = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
    return "[%s](#%s)" % (title.replace("|", "\\|"), anchor)


def sig2(x):
    """Two significant figures, thousands separated: 4688.4 -> 4,700; 1.714 -> 1.7; 0.713 -> 0.71."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if x == 0:
        return "0"
    d = 1 - int(math.floor(math.log10(abs(x))))
    v = round(x, d)
    return "{:,.{d}f}".format(v, d=max(d, 0))


def realistic(res):
    """(scenario, LRs) where the guest takes interrupts and 1-2x the LRs are queued per vCPU."""
    out = []
    for n in res.lrs:
        for sc in res.scenarios:
            if sc in ("depth", "idle"):
                continue
            r = res.row("ours", sc, n)
            if r and int(r["delivered"]) and n <= int(r["depth"]) <= 2 * n:
                out.append((sc, n, int(r["depth"])))
    return out


def round_cells(res, r, o=None, runs=None):
    """accesses, instructions and ns per round of row r; with o (ours), each as a multiple of ours, and
    with runs (over_runs() of the time ratio) that range after the ns ratio."""
    acc, ins, ns = per_round(res, r), res.instructions(r), res.ns_round(r)
    if o is None:
        return [num(acc, 0), num(ins, 0) if ins is not None else "n/a", num(ns)]
    oi, oa = res.instructions(o), per_round(res, o)
    return ["%s (%s)" % (num(acc, 0), "x" + sig2(ratio(acc, oa)) if oa else "ours 0"),
            "%s (x%s)" % (num(ins, 0), sig2(ratio(ins, oi))) if ins is not None and oi else "n/a",
            "%s (x%s%s)" % (num(ns), sig2(ratio(ns, res.ns_round(o))), "; " + runs if runs else "")]


def headline_realistic(res):
    rows = []
    for sc, n, d in realistic(res):
        o = res.row("ours", sc, n)
        for p in POLICIES:
            r = res.row(p, sc, n)
            c = round_cells(res, r, None if p == "ours" else o)
            rows.append(["%s, %d LRs (%d queued per vCPU, %sx the LRs)" % (sc, n, d, sig2(d / n)), LABEL[p],
                         c[0], c[1], "%s [%s-%s]" % (c[2], num(res.ns_round(r, "ns_min")),
                                                     num(res.ns_round(r, "ns_max"))),
                         "-" if p == "ours" else over_runs(res.run_ratios(p, sc, n)),
                         num(float(r["ns_median"])), num(res.entries_per_round(r))])
    if not rows:
        return []
    return ["### Realistic depth: 1-2x the LRs queued, the guest taking them", "", T.HEADLINE_REALISTIC, "",
            table(["scenario", "policy", "accesses per round (x ours)", "instructions per round (x ours)",
                   "ns per round [min-max] (x ours, x86 model)", "ns per round x ours, over the runs",
                   "ns per switch", "switches per round"], rows), ""]


def headline_rounds(res):
    rows = []
    for n in res.lrs:
        for sc in res.scenarios:
            if sc == "depth":
                continue
            o = res.row("ours", sc, n)
            cells = ["%s, %d LRs" % (sc, n), " / ".join(round_cells(res, o))]
            for p in PEERS:
                c = round_cells(res, res.row(p, sc, n), o, over_runs(res.run_ratios(p, sc, n)))
                cells.append(" / ".join(c))
            rows.append(cells)
    return ["### Every scenario, per round", "", T.HEADLINE_ROUNDS, "",
            table(["scenario", "ours"] + [LABEL[p] for p in PEERS], rows), ""]


def headline_depth(res):
    if not res.depths:
        return []
    hdr, rows = ["depth"], []
    for n in res.lrs:
        hdr += ["ours ns, %d LRs" % n] + ["%s / ours, %d LRs" % (LABEL[p], n) for p in PEERS]
    for d in res.depths:
        cells = [str(d)]
        for n in res.lrs:
            o = res.row("ours", "depth", n, d)
            cells.append(num(float(o["ns_median"])))
            for p in PEERS:
                r = res.row(p, "depth", n, d)
                ri, oi = res.instructions(r), res.instructions(o)
                cells.append("x%s, %s (x%s)" % (sig2(ratio(float(r["ns_median"]), float(o["ns_median"]))),
                                                 over_runs(res.run_ratios(p, "depth", n, d)),
                                                 sig2(ratio(ri, oi)) if ri is not None and oi else "n/a"))
        rows.append(cells)
    return ["### The whole depth curve", "", T.HEADLINE_DEPTH, "", table(hdr, rows), ""]


def work_cell(res, p, n, d, side="flush"):
    """'comparisons / lock pairs' per flush (or sync) of one depth-sweep row; ours' comparisons are not counted."""
    for w in res.work:
        if w["policy"] == p and w["scenario"] == "depth" and int(w["nr_lrs"]) == n and int(w["depth"]) == d:
            c, lk = float(w["cmps_per_" + side]), float(w["lock_pairs_per_" + side])
            return "%s / %s" % ("n/c" if c < 0 else num(c, 0), num(lk, 0))
    return "n/a"


def headline_work(res):
    if not res.work or not res.depths:
        return []
    hdr = ["depth"] + ["%s, %d LRs" % (LABEL[p], n) for n in res.lrs for p in POLICIES]
    rows = [[str(d)] + [work_cell(res, p, n, d) for n in res.lrs for p in POLICIES] for d in res.depths]
    sync = [[str(d)] + [work_cell(res, p, n, d, "sync") for n in res.lrs for p in POLICIES]
            for d in res.depths if d in (1, 64, HEADLINE_DEPTH)]
    return ["### Comparisons and lock pairs per flush, beside the depth curve", "", T.HEADLINE_WORK, "",
            table(hdr, rows), "", "The same per sync (exit), where KVM's prune takes each interrupt's lock:", "",
            table(hdr, sync), ""] + headline_split(res)


def headline_switch(res):
    if not res.switch:
        return []
    rows = []
    for r in res.switch:
        p = r["policy"]
        rows.append(["%s LRs, %s in flight" % (r["nr_lrs"], r["in_flight"]), LABEL.get(p, p),
                     r["put_accesses"], r["load_accesses"],
                     ", ".join("%s %s" % (r[k], k[3:]) for k in r if k.startswith("pl_") and int(r[k])) or "0",
                     r["core_accesses"] if p == "ours" else "-",
                     r["gicr_accesses"] if p == "ours" else "-",
                     "%s (%s -> %s)" % (r["extra_entry_exit"], r["steady_entry_exit"], r["next_entry_exit"]),
                     r["switch_total"]])
    out = ["### vCPU put+load", "", T.HEADLINE_SWITCH, "",
           table(["configuration", "policy", "put", "load", "put+load by register", "of which the core's",
                  "GICR (MMIO)", "next entry+exit: added (without -> with the switch)",
                  "ICH_* total per switch"], rows), ""]
    if res.events:
        out += [T.HEADLINE_EVENTS, "",
                table(["event", "ICH_* accesses", "GICR accesses", "where"],
                      [[e["event"], e["ich_accesses"], e["gicr_accesses"], e["source"]] for e in res.events]), ""]
    return out


def faster_runs(res, p, sc, n, d=None):
    """In how many lr_bench runs the peer's time per round was below ours: '3 of 3 runs', '1 run'."""
    v = res.run_ratios(p, sc, n, d)
    return "1 run" if len(v) <= 1 else "faster in %d of %d runs" % (sum(1 for x in v if x < 1), len(v))


def headline_split(res):
    """The sort / locks / rest shares of the KVM policies in busy2x, burst64 and the sweep's deepest list."""
    if not res.split:
        return []
    rows = []
    for p in ("kvm_classic", "kvm_6.19"):
        for n in res.lrs:
            for sc, d in (("busy2x", 0), ("burst64", 0), ("depth", HEADLINE_DEPTH)):
                x = res.split.get((p, sc, n, d))
                if x is None or not x["total"]:
                    continue

                def pc(v):
                    return sig2(100.0 * v / x["total"]) + "%"
                rows.append(["%s%s, %d LRs" % (sc, " %d" % d if sc == "depth" else "", n), LABEL[p],
                             num(x["total"], 0), pc(x["sort"]), "%s (%s)" % (pc(x["locks"]), pc(x["locks_in_sort"])),
                             pc(x["rest"])])
    if not rows:
        return []
    return [T.HEADLINE_SPLIT, "", table(["configuration", "policy", "instructions per round", "sort",
                                         "locks (the comparator's)", "rest"], rows), ""]


def headline_losses(res):
    """Where ours loses in this run, per round and per switch, from the data."""
    out = []
    ns_lost, ins_lost, ins_rows = [], {p: 0 for p in PEERS}, 0
    for n in res.lrs:
        for sc in res.scenarios:
            for d in (res.depths if sc == "depth" else [None]):
                o = res.row("ours", sc, n, d)
                if sc != "depth":
                    faster = ["%s, %s" % (LABEL[p], faster_runs(res, p, sc, n)) for p in PEERS
                              if res.ns_round(res.row(p, sc, n)) < res.ns_round(o)]
                    if faster:
                        ns_lost.append("%s/%d LRs (%s)" % (sc, n, "; ".join(faster)))
                oi = res.instructions(o)
                if oi is None:
                    continue
                ins_rows += 1
                for p in PEERS:
                    pi = res.instructions(res.row(p, sc, n, d))
                    if pi is not None and pi < oi:
                        ins_lost[p] += 1
    if ns_lost:
        out.append("- **ns per round, scenarios**: a peer is faster in " + "; ".join(ns_lost) + ".")
    deeper = depth_slower(res)
    if deeper:
        out.append("- **ns per flush+sync, depth sweep**: " + "; ".join(deeper) + ".")
    if ins_rows:
        out.append("- **instructions per round**: of %d configurations, the peer executes fewer than ours in %s."
                   % (ins_rows, ", ".join("%d (%s)" % (ins_lost[p], LABEL[p]) for p in PEERS)))
    sw_lost = []
    for r in res.switch:
        if r["policy"] != "ours":
            continue
        peers = [x for x in res.switch if x["policy"] in PEERS and x["nr_lrs"] == r["nr_lrs"]
                 and x["in_flight"] == r["in_flight"] and int(x["switch_total"]) < int(r["switch_total"])]
        if peers:
            sw_lost.append("%s LRs, %s in flight: ours %s against %s" % (
                r["nr_lrs"], r["in_flight"], r["switch_total"],
                ", ".join("%s %s" % (LABEL[x["policy"]], x["switch_total"]) for x in peers)))
    if sw_lost:
        out.append("- **vCPU put+load** (ICH_* accesses of the put, the load and what they add to the next "
                   "entry+exit; ours also makes 3 GICR accesses): a peer makes fewer in " + "; ".join(sw_lost) +
                   ". The peers' exits already save and zero their LRs (KVM) or their context switch rewrites "
                   "all of them (old Xen); ours keeps its LRs loaded, so after another vCPU used the CPU it "
                   "writes its in-flight LRs again, and its arch saves what KVM classic saves.")
    per_entry = [a for a in res.accept if a["check"] == "entry_accesses" and a["result"] != "PASS"]
    per_round_bad = [a for a in res.accept if a["check"] == "accesses_per_round" and a["result"] != "PASS"]
    n_round = len([a for a in res.accept if a["check"] == "accesses_per_round"])
    if n_round:
        out.append("- **register accesses**: per round ours makes more than the peer in %d of %d comparisons "
                   "(exact check `accesses_per_round`); per entry it makes more in %d (the issue's literal "
                   "criterion, which rewards taking more entries)." % (len(per_round_bad), n_round, len(per_entry)))
    return (["### Where ours loses in this run", ""] + out +
            ["", "Why, case by case: [Where our policy does not win, and why](#where-our-policy-does-not-win-and-why).",
             ""]) if out else []


def sec_headline(res):
    n = len(res.runs)
    runs_text = (T.RUNS_MANY if n > 1 else T.RUNS_ONE).format(n=n)
    lines = ["## Headline", "", T.HEADLINE_INTRO.format(runs_text=runs_text, reps=res.info.get("reps", "?")), ""]
    lines += headline_realistic(res) + headline_rounds(res) + headline_depth(res) + headline_work(res)
    lines += headline_switch(res) + headline_losses(res)
    lines += ["### Not measured in this run", "", T.NOT_MEASURED]
    lines += [T.NOT_MEASURED_SPLIT] if not res.split else []
    lines += [T.NOT_MEASURED_RUNS] if n <= 1 else []
    lines += [""]
    if res.depths and "xen_old" in PEERS:
        lines += [depth_vs_xen(res), ""]
    titles = [fragment(p)[0][3:] for p in res.fragments]
    if titles:
        lines += ["The producers' figures from this run have their own sections: " +
                  ", ".join("[%s](#%s)" % (t, anchor(t)) for t in titles) + ".", ""]
    return lines


def anchor(title):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def split_scope(scope):
    """'depth/4LR/d16/xen_old' -> ('depth', '4LR', 16, 'xen_old'); depth and peer may be None."""
    parts = scope.split("/")
    sc, lrs = parts[0], parts[1]
    depth = int(parts[2][1:]) if len(parts) > 2 and parts[2].startswith("d") and parts[2][1:].isdigit() else None
    peer = parts[-1] if parts[-1] in PEERS else None
    return sc, lrs, depth, peer


def span(values, digits=1):
    lo, hi = min(values), max(values)
    return num(lo, digits) if lo == hi else "%s-%s" % (num(lo, digits), num(hi, digits))


def group_bad(bad):
    groups = {}
    for a in bad:
        sc, lrs, depth, peer = split_scope(a["scope"])
        key = (a["check"], sc, lrs, peer, a["result"])
        g = groups.setdefault(key, {"depths": [], "value": [], "limit": []})
        if depth is not None:
            g["depths"].append(depth)
        g["value"].append(float(a["value"]))
        g["limit"].append(float(a["limit"]))
    rows = []
    for (check, sc, lrs, peer, result), g in groups.items():
        depths = ("%d-%d (%d)" % (min(g["depths"]), max(g["depths"]), len(g["depths"]))
                  if g["depths"] else "-")
        rows.append([check, "/".join(x for x in (sc, lrs, peer) if x), depths, span(g["value"]),
                     span(g["limit"]), result])
    return rows


def sec_acceptance(res):
    lines = ["## Acceptance targets (issue 7)", "", T.ACCEPT_INTRO, ""]
    groups = {}
    for a in res.accept:
        g = groups.setdefault((a["check"], a["kind"]), {"PASS": 0, "FAIL": 0, "KNOWN": 0})
        g[a["result"]] += 1
    rows = [[c, k, g["PASS"], g["FAIL"], g["KNOWN"], T.CHECKS.get(c, "")] for (c, k), g in groups.items()]
    lines += [table(["check", "kind", "pass", "fail", "known", "what it checks"], rows), ""]
    bad = [a for a in res.accept if a["result"] != "PASS"]
    timing = [a for a in res.accept if a["kind"] == "timing"]
    if timing:
        lines += ["The timing checks, as measured:", "",
                  table(["check", "scope", "ours", "limit", "result"],
                        [[a["check"], a["scope"], num(float(a["value"]), 2), num(float(a["limit"]), 2),
                          a["result"]] for a in timing]), ""]
    if bad:
        lines += ["Every check that did not pass, depths of the sweep grouped:", "",
                  table(["check", "scope", "depths", "ours", "limit", "result"], group_bad(bad)), ""]
    lines += ["### Where our policy does not win, and why", ""]
    bullets = {}
    for a in bad:
        sc, _, _, peer = split_scope(a["scope"])
        b = bullets.setdefault(T.reason(a["check"], sc, peer or ""), {"checks": [], "where": []})
        if a["check"] not in b["checks"]:
            b["checks"].append(a["check"])
        where = sc + (" vs " + LABEL[peer] if peer else "")
        if where not in b["where"]:
            b["where"].append(where)
    for why, b in bullets.items():
        lines.append("- **%s; %s**: %s" % (", ".join(b["checks"]), ", ".join(b["where"]), " ".join(why.split())))
        if why == T.PER_ENTRY:
            lines[-1] += " " + per_entry_figures(res, bad)
        elif why == T.NV2_LOSS:
            lines[-1] += " " + nv2_loss_figures(res, bad)
    slower = []
    for n in res.lrs:
        for sc in res.scenarios:
            if sc == "depth":
                continue
            o = res.ns_round(res.row("ours", sc, n))
            faster = [LABEL[p] for p in PEERS if res.ns_round(res.row(p, sc, n)) < o]
            if faster:
                slower.append("%s/%d LRs (%s)" % (sc, n, ", ".join(faster)))
    if slower:
        lines.append("- **time per round in the scenarios**: ours has the higher median in " +
                     "; ".join(slower) + ". " + " ".join(T.SLOWER_REASON.split()))
    deeper = depth_slower(res)
    if deeper:
        lines.append("- **time per flush+sync in the depth sweep, shallow lists**: ours has the higher median " +
                     "against " + "; ".join(deeper) + ". " + " ".join(T.DEPTH_SLOWER_REASON.split()))
    if not bad and not slower and not deeper:
        lines.append("- Nowhere in this run.")
    return lines + [""]


def per_round(res, r):
    return (res.total(r, "entry") * int(r["entries"]) + res.total(r, "exit") * int(r["exits"])) / int(r["rounds"])


def per_entry_figures(res, bad):
    """The numbers behind a per-entry loss: entries per round, accesses per entry, accesses per round."""
    out = []
    for a in bad:
        sc, lrs, depth, peer = split_scope(a["scope"])
        if a["check"] != "entry_accesses" or peer not in ("kvm_classic", "kvm_6.19"):
            continue
        n = int(lrs.rstrip("LR"))
        o, p = res.row("ours", sc, n, depth), res.row(peer, sc, n, depth)
        out.append("%s/%d LRs, ours against %s: %s entries per round against %s, %s accesses per entry "
                   "against %s, %s accesses per round against %s" % (
                       sc, n, LABEL[peer], num(int(o["entries"]) / int(o["rounds"])),
                       num(int(p["entries"]) / int(p["rounds"])), num(res.total(o, "entry")),
                       num(res.total(p, "entry")), num(per_round(res, o), 0), num(per_round(res, p), 0)))
    return "; ".join(out) + "." if out else ""


def nv2_per_round(res, r):
    """Per register kind that traps under NV2, its accesses over the counted rounds, per round."""
    return {k: (float(r["entry_" + k]) * int(r["entries"]) + float(r["exit_" + k]) * int(r["exits"]))
            / int(r["rounds"]) for k in NV2_TRAPPING}


def nv2_loss_figures(res, bad):
    """The numbers behind an NV2 loss: which trapping registers each side reads, per round."""
    out = []
    for a in bad:
        if a["check"] != "nv2_traps_per_round":
            continue
        sc, lrs, depth, peer = split_scope(a["scope"])
        n = int(lrs.rstrip("LR"))

        def regs(r):
            k = nv2_per_round(res, r)
            s = ["%s %s" % (num(v, 2), name) for name, v in k.items() if v > 0]
            return ", ".join(s) if s else "none"
        out.append("%s/%d LRs%s: ours (NV2 backend) %s per round, %s %s" % (
            sc, n, "" if depth is None else " d=%d" % depth, regs(res.row(OURS_NV2, sc, n, depth)),
            LABEL[peer], regs(res.row(peer, sc, n, depth))))
    return "; ".join(out) + "." if out else ""


def depth_slower(res):
    """For each peer and LR count, the depths of the sweep where the peer's median beats ours."""
    out = []
    for n in res.lrs:
        for p in PEERS:
            ds = [d for d in res.depths if float(res.row(p, "depth", n, d)["ns_median"]) <
                  float(res.row("ours", "depth", n, d)["ns_median"])]
            if ds:
                out.append("%s at %d LRs, depth %s" % (LABEL[p], n, span(ds, 0) if ds == [d for d in res.depths
                                                                                      if d <= max(ds)]
                                                       else ", ".join(str(d) for d in ds)))
    return out


def depth_vs_xen(res):
    """Register accesses in the depth sweep, ours against old Xen: per entry and per round, by LR count."""
    parts = []
    for n in res.lrs:
        tie, win, lose, rounds = [], [], [], []
        for d in res.depths:
            o, x = res.row("ours", "depth", n, d), res.row("xen_old", "depth", n, d)
            oe, xe = res.total(o, "entry"), res.total(x, "entry")
            (tie if abs(oe - xe) < 1e-9 else win if oe < xe else lose).append(d)
            rounds.append((per_round(res, o), per_round(res, x)))

        def where(ds):
            return "none" if not ds else span(ds, 0) if len(ds) > 1 else str(ds[0])
        parts.append("with %d LRs, accesses per entry tie at depths %s, ours fewer at %s, more at %s; per round "
                     "ours makes %s-%s against old Xen's %s-%s" % (
                         n, where(tie), where(win), where(lose), num(min(r[0] for r in rounds), 0),
                         num(max(r[0] for r in rounds), 0), num(min(r[1] for r in rounds), 0),
                         num(max(r[1] for r in rounds), 0)))
    return " ".join(T.DEPTH_XEN_ACCESSES.split()) + " Now " + "; ".join(parts) + "."


def sec_plots():
    return ["## Plots", "",
            "![cost per flush+sync pair against ap_list depth](../bench/results/depth_cost.png)", "",
            "![register accesses per world switch, per scenario](../bench/results/accesses.png)", "",
            "![projected cycles per world switch under nested virtualisation](../bench/results/nested.png)", ""]


def sec_accesses(res):
    lines = ["## Register accesses", "", T.ACCESS_INTRO, ""]
    for n in res.lrs:
        rows = []
        for sc in res.scenarios:
            depths = [None] if sc != "depth" else [d for d in (1, n, 64, HEADLINE_DEPTH) if d in res.depths]
            for d in depths:
                for p in POLICIES:
                    r = res.row(p, sc, n, d)
                    mpi = float(r["maint"]) / int(r["delivered"]) if int(r["delivered"]) else None
                    rows.append(["%s%s" % (sc, "" if d is None else " d=%d" % d), LABEL[p],
                                 num(per_round(res, r), 2),
                                 num(res.total(r, "entry"), 2), num(res.total(r, "exit"), 2),
                                 num(res.per_switch(r), 2), num(res.per_irq(r), 2),
                                 num(mpi, 3) if mpi is not None else "-",
                                 "%.2f" % (int(r["entries"]) / int(r["rounds"]))])
        lines += ["### %d list registers" % n, "",
                  table(["scenario", "policy", "per round", "per entry", "per exit", "per switch", "per delivered irq",
                         "maint per irq", "entries per round"], rows), ""]
    lines += ["### By register (%d list registers)" % BREAKDOWN_LRS, "", T.BREAKDOWN_INTRO, ""]
    rows = []
    for sc in res.scenarios:
        d = 64 if sc == "depth" and 64 in res.depths else None
        for p in POLICIES:
            r = res.row(p, sc, BREAKDOWN_LRS, d)
            if r is None:
                continue

            def parts(side):
                s = ["%s %s" % (num(float(r[side + "_" + k]), 2), k) for k in res.kinds
                     if float(r[side + "_" + k]) > 0]
                return ", ".join(s) if s else "0"
            rows.append(["%s%s" % (sc, "" if d is None else " d=%d" % d), LABEL[p], parts("entry"), parts("exit")])
    lines += [table(["scenario", "policy", "per entry", "per exit"], rows), ""]
    return lines


def sec_time(res):
    lines = ["## Time per round and per world switch", "", T.TIME_INTRO, ""]
    rows = []
    for n in res.lrs:
        for sc in res.scenarios:
            if sc == "depth":
                continue
            o = res.row("ours", sc, n)
            for p in POLICIES:
                r = res.row(p, sc, n)
                ins, oi = res.instructions(r), res.instructions(o)
                mine = p == "ours"
                rows.append(["%s, %d LRs" % (sc, n), LABEL[p],
                             "%s%s" % (num(res.ns_round(r)), "" if mine else
                                       " (x%s)" % sig2(ratio(res.ns_round(r), res.ns_round(o)))),
                             "%s [%s-%s]%s" % (num(float(r["ns_median"])), num(float(r["ns_min"])),
                                               num(float(r["ns_max"])), "" if mine else
                                               " (x%s)" % sig2(ratio(float(r["ns_median"]),
                                                                     float(o["ns_median"])))),
                             num(res.entries_per_round(r)),
                             "n/a" if ins is None else "%s%s" % (num(ins, 0), "" if mine or not oi else
                                                                 " (x%s)" % sig2(ratio(ins, oi))),
                             num(float(r["irqs_per_sec"]) / 1e6, 2)])
    lines += [table(["scenario", "policy", "ns per round (x ours)", "ns per switch [min-max] (x ours)",
                     "switches per round", "instructions per round (x ours)", "Mirq/s"], rows), ""]
    return lines


def sec_depth(res):
    lines = ["## ap_list depth sweep", "", T.DEPTH_INTRO, ""]
    for n in res.lrs:
        rows = []
        for d in res.depths:
            o = res.row("ours", "depth", n, d)
            cells = [d, "%s [%s-%s]" % (num(float(o["ns_median"])), num(float(o["ns_min"])), num(float(o["ns_max"])))]
            for p in PEERS:
                r = res.row(p, "depth", n, d)
                cells.append("%s (x%s)" % (num(float(r["ns_median"])),
                                           num(ratio(float(r["ns_median"]), float(o["ns_median"])), 2)))
            cells.append(" / ".join(num(res.instructions(res.row(p, "depth", n, d)), 0)
                                    if res.instructions(res.row(p, "depth", n, d)) is not None else "n/a"
                                    for p in POLICIES))
            rows.append(cells)
        lines += ["### %d list registers" % n, "",
                  table(["depth", "ours ns [min-max]"] + ["%s ns (x ours)" % LABEL[p] for p in PEERS] +
                        ["instructions per round: " + " / ".join(LABEL[p] for p in POLICIES)], rows), ""]
    return lines


def nv2_summary(res):
    """Trapping accesses per switch under NV2 for every run the NV2 tables show, and the exact verdict."""
    first = res.nested[0]["trap_cycles"] if res.nested else None
    spans = []
    for p in NV2_POLICIES:
        v = [float(x["traps_per_switch"]) for x in res.nested
             if x["model"] == "nv2_vncr" and x["trap_cycles"] == first and x["policy"] == p]
        if v:
            spans.append("%s %s" % (LABEL[p], span(v, 2)))
    checks = [a for a in res.accept if a["check"] == "nv2_traps_per_round"]
    lost = [a for a in checks if a["result"] != "PASS"]
    if not checks:
        verdict = "This run has no `nv2_traps_per_round` check, so no verdict."
    elif not lost:
        verdict = ("Over whole rounds (exact check `nv2_traps_per_round`, ours on the NV2 backend against "
                   "each peer), ours makes no more trapping accesses than the peer in all %d comparisons, old "
                   "Xen included." % len(checks))
    else:
        places = []
        for sc, lrs, _, peer in (split_scope(a["scope"]) for a in lost):
            where = "%s/%s vs %s" % (sc, lrs, LABEL[peer])
            if where not in places:
                places.append(where)
        verdict = ("Over whole rounds (exact check `nv2_traps_per_round`), ours on the NV2 backend makes more "
                   "trapping accesses than the peer in %d of %d comparisons (%s); the figures and the reason "
                   "are under [Where our policy does not win, and why](#where-our-policy-does-not-win-and-why)."
                   % (len(lost), len(checks), ", ".join(places)))
    return ("Trapping accesses per world switch under NV2, over every configuration of this run (each "
            "scenario, both LR counts, every depth): %s. %s %s" % ("; ".join(spans), verdict, nv2_cheaper(res)))


def nv2_cheaper(res):
    """How often a peer's projected NV2 cycles are below ours (NV2 backend), per cost per trap, and why."""
    parts, total, trap_more = [], 0, 0
    for t in sorted({float(x["trap_cycles"]) for x in res.nested}):
        sel = [x for x in res.nested if x["model"] == "nv2_vncr" and float(x["trap_cycles"]) == t]
        ours = {(x["scenario"], x["nr_lrs"], x["depth"]): x for x in sel if x["policy"] == OURS_NV2}
        total = len(ours)
        counts = []
        for p in PEERS:
            below = [(x, ours[(x["scenario"], x["nr_lrs"], x["depth"])]) for x in sel if x["policy"] == p]
            below = [(x, o) for x, o in below if float(x["projected_cycles"]) < float(o["projected_cycles"])]
            trap_more += sum(1 for x, o in below if float(o["traps_per_switch"]) > float(x["traps_per_switch"]) + 1e-9)
            counts.append("%s %d" % (LABEL[p], len(below)))
        parts.append("at %s cycles per trap, %s" % (num(t, 0), ", ".join(counts)))
    if not parts:
        return ""
    if trap_more:
        why = (" In %d of those cases ours also makes more trapping accesses per switch than the peer."
               % trap_more)
    else:
        why = (" In each of them ours makes no more trapping accesses per switch than the peer, so the reason is "
               "the peer's lower measured native time, which [Time per round and per world switch](#time-per-round-and-per-world-switch) "
               "and the depth sweep show and [Where our policy does not win, and why]"
               "(#where-our-policy-does-not-win-and-why) explains.")
    return ("Projected cycles per switch below those of ours (NV2 backend), out of %d configurations: %s.%s"
            % (total, "; ".join(parts), why))


def nv2_breakdown(res):
    """Ours on both backend settings, by register, at BREAKDOWN_LRS: where the ELRSR read went."""
    rows = []
    for sc in res.scenarios:
        d = ACCESS_DEPTH if sc == "depth" and ACCESS_DEPTH in res.depths else None
        for p in ("ours", OURS_NV2):
            r = res.row(p, sc, BREAKDOWN_LRS, d)
            if r is None:
                continue

            def parts(side):
                s = ["%s %s" % (num(float(r[side + "_" + k]), 2), k) for k in res.kinds
                     if float(r[side + "_" + k]) > 0]
                return ", ".join(s) if s else "0"
            rows.append(["%s%s" % (sc, "" if d is None else " d=%d" % d), LABEL[p], parts("entry"), parts("exit"),
                         num(sum(nv2_per_round(res, r).values()), 2)])
    return table(["scenario", "run", "per entry", "per exit", "NV2 traps per round"], rows)


def nv2_projection(res, r, t):
    """The nested model's formula on a detail row: NV2-trapping accesses per switch x t + ns x host GHz."""
    traps = sum(nv2_per_round(res, r).values()) * int(r["rounds"]) / int(r["entries"])
    return traps, traps * t + float(r["ns_median"]) * host_ghz(res)


def host_ghz(res):
    """The clock lr_bench used (run_info.csv rounds it to 3 decimals): from its own nested rows, the one
    with the largest native time, so that the rows added here match the ones it wrote."""
    if getattr(res, "ghz", None):
        return res.ghz
    best = None
    for x in res.nested:
        if x["model"] == "nv2_vncr" and x["policy"] in POLICIES:
            r = res.row(x["policy"], x["scenario"], int(x["nr_lrs"]),
                        int(x["depth"]) if x["scenario"] == "depth" else None)
            if r and float(r["ns_median"]) > 0 and (best is None or float(r["ns_median"]) > best[0]):
                best = (float(r["ns_median"]), float(x["native_cycles"]) / float(r["ns_median"]))
    res.ghz = best[1] if best else float(res.info.get("host_ghz", "nan"))
    return res.ghz


def nv2_untuned_row(res, sc, n, d, traps):
    """Ours as built for real registers (lrs_in_memory false) under NV2, beside the peers, which are
    not tuned for NV2 either; ratios to ours (NV2 backend), as in the rest of the table."""
    r, tuned = res.row("ours", sc, n, d), res.row(OURS_NV2, sc, n, d)
    if r is None or tuned is None:
        return []
    cells = ["%s%s" % (sc, "" if d is None else " d=%d" % d), LABEL["ours"] + " (not tuned for NV2)",
             num(nv2_projection(res, r, 0)[0], 2)]
    for t in traps:
        proj, ref = nv2_projection(res, r, t)[1], nv2_projection(res, tuned, t)[1]
        cells.append("%s (x%s)" % (num(proj, 0), num(ratio(proj, ref), 2)))
    return [cells]


def sec_nested(res):
    lines = ["## Nested virtualisation cost model", "", T.NESTED_INTRO, ""]
    if any(r["policy"] == OURS_NV2 for r in res.detail):
        lines += ["### Under NV2: which run, and what traps", "", T.NV2_RUNS, "", nv2_summary(res), "",
                  T.NV2_BREAKDOWN_INTRO % BREAKDOWN_LRS, "", nv2_breakdown(res), ""]
    traps = sorted({float(r["trap_cycles"]) for r in res.nested})
    for model in ("nv_all_trap", "nv2_vncr"):
        for n in res.lrs:
            rows = []
            for sc in res.scenarios:
                depths = [None] if sc != "depth" else [d for d in (64, HEADLINE_DEPTH) if d in res.depths]
                for d in depths:
                    for p in (NV2_POLICIES if model == "nv2_vncr" else POLICIES):
                        sel = [x for x in res.nested if x["model"] == model and int(x["nr_lrs"]) == n
                               and x["scenario"] == sc and x["policy"] == p and (d is None or int(x["depth"]) == d)]
                        if not sel:
                            continue
                        cells = ["%s%s" % (sc, "" if d is None else " d=%d" % d), LABEL[p],
                                 num(float(sel[0]["traps_per_switch"]), 2)]
                        for t in traps:
                            x = next(s for s in sel if float(s["trap_cycles"]) == t)
                            cells.append("%s (x%s)" % (num(float(x["projected_cycles"]), 0),
                                                       num(float(x["ratio_vs_ours"]), 2)))
                        rows.append(cells)
                        if p == OURS_NV2:
                            rows += nv2_untuned_row(res, sc, n, d, traps)
            lines += ["### %s, %d list registers" % (T.MODEL_NAME[model], n), "",
                      table(["scenario", "policy", "traps per switch"] +
                            ["cycles at %s/trap (x ours)" % num(t, 0) for t in traps], rows), ""]
    return lines


HEADING = re.compile(r"^(#+)(\s.*)$")


def fragment(path):
    """A producer's section as it wrote it; made one self-contained level-2 section if it is not one."""
    with open(path) as f:
        text = f.read().strip("\n").splitlines()
    first = next((ln for ln in text if ln.strip()), "")
    m = HEADING.match(first)
    if not m:
        return ["## " + os.path.splitext(os.path.basename(path))[0]] + [""] + text + [""]
    shift = 2 - len(m.group(1))   # its top heading becomes "##", the others keep their nesting
    out, fenced = [], False
    for ln in text:
        if ln.lstrip().startswith("```"):
            fenced = not fenced
        h = None if fenced else HEADING.match(ln)
        out.append("#" * max(2, len(h.group(1)) + shift) + h.group(2) if h and shift else ln)
    return out + [""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", default="bench/results")
    ap.add_argument("--out", default="docs/benchmarks.md")
    ap.add_argument("--elapsed", default="?")
    ap.add_argument("--bin", default="build/bench/lr_bench")
    # Only when regenerating the text from committed results (bench/run.sh passes neither): the commit
    # and time of the `make bench` run the results come from.
    ap.add_argument("--run-commit", default="")
    ap.add_argument("--run-time", default="")
    # With --run-commit: the instruction counts were re-run later on their own (commit and time, free text).
    ap.add_argument("--instr-run", default="")
    args = ap.parse_args()
    res = Results(args.results)
    doc = [T.HEADER, ""]
    doc += sec_run(res, args) + sec_headline(res) + sec_acceptance(res) + sec_plots()
    doc += sec_accesses(res) + sec_time(res) + sec_depth(res) + sec_nested(res)
    doc += ["## The policies compared", "", T.POLICIES, "", "## Scenarios", "", T.SCENARIOS, "",
            "## Method", "", T.METHOD.format(reps=res.info.get("reps", "?"),
                                             batch_ms=num(float(res.info.get("batch_ns", "nan")) / 1e6, 1),
                                             warm_rounds=res.info.get("warm_rounds", "?"),
                                             runs=len(res.runs),
                                             count_rounds=res.info.get("count_rounds", "?")), ""]
    for path in res.fragments:
        doc += fragment(path)
    skipped = [p for p in res.producers if p["status"] != "ran"]
    if skipped:
        doc += ["## Not measured in this run", ""]
        doc += ["- `%s`: %s (%s)." % (p["command"].split()[1], p["status"], p["note"] or "no reason given")
                for p in skipped] + [""]
    doc += ["## Files", "", T.FILES]
    doc += ["- `%s`: written by `%s`%s." % (os.path.basename(p["command"].split()[-2]), p["command"].split()[1],
                                              ", with its section of this document (`.md`) and console log (`.log`)")
            for p in res.producers if p["status"] == "ran"]
    if res.split:
        doc += ["- `instructions_split.csv`: written by `bench/instructions.sh` through `bench/instr_split.py`: "
                "`policy,scenario,nr_lrs,depth,total,sort,locks,rest,locks_in_sort`, instructions per round; "
                "total = sort + locks + rest, and locks_in_sort (the comparator's) is part of locks."]
    if len(res.runs) > 1:
        dirs = "`runs/2/`" if len(res.runs) == 2 else "`runs/2/` to `runs/%d/`" % len(res.runs)
        doc += ["- %s: `lr_bench`'s other runs (`LR_BENCH_RUNS`), the same CSV files and `lr_bench.log`; only "
                "their `lr_policies_detail.csv` is read here, for the headline's ranges." % dirs]
    doc += [""]
    with open(args.out, "w") as f:
        f.write("\n".join(doc).rstrip() + "\n")


if __name__ == "__main__":
    main()
