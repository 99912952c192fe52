#!/usr/bin/env python3
"""instr_split.py: where a policy's instructions per round go: the ap_list sort, the locks, the rest.
Called by bench/instructions.sh, which keeps callgrind's output files of a subset of its configurations.

For each configuration instructions.sh ran callgrind twice (R1 and R2 rounds after the same set-up), as
for its totals, with --toggle-collect='bpol_*' (run A); where run A shows a call of blist_sort(), it ran
callgrind twice more with --toggle-collect=blist_sort (run B), which collects everything executed inside
the sort, whatever the comparator does or calls. Per round = (R2 file - R1 file) / (R2 - R1) for each part:

  total  run A's total: the same figure as instructions.csv;
  sort   run A's inclusive cost of the calls to blist_sort() (run B's total, checked equal), less the lock
         instructions executed inside it (the comparator's), which are counted under locks (and also
         reported apart, locks_in_sort);
  locks  every instruction whose debug line lies in block_take() or block_drop() (bench/blist.h). Those
         are inline, so callgrind has no function for them, but it records each executed instruction
         under its source line, and the compiler gives the inlined instructions blist.h's lines. This
         counts the lock as compiled at each site (the b_lock_pairs increment, the exchange loop, the
         releasing store: 8 or 9 instructions a pair in the -O2 build, depending on the site), exactly;
         the binary is the measured one, unchanged.
  rest   total - sort - locks.

Usage: instr_split.py split DIR R1 R2 CSV MD   (DIR holds A.<config>.<rounds> and B.<config>.<rounds>,
       <config> = policy,scenario,nr_lrs,depth; writes CSV and appends a section to the fragment MD)
       instr_split.py parse FILE              (one callgrind file: total, sort, locks, locks in the sort)"""
import csv
import glob
import os
import re
import sys

sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
LOCK_FUNCS = ("block_take", "block_drop")
SORT_FN = "blist_sort"
LABEL = {"ours": "ours", "kvm_classic": "KVM classic", "kvm_6.19": "KVM 6.19", "xen_old": "old Xen"}
ORDER = ["idle", "edge1", "busy1x", "busy2x", "burst16", "burst64", "level", "hwtimer", "sgi4", "lpi1"]


def lock_lines(header=os.path.join(HERE, "blist.h")):
    """The line numbers of block_take() and block_drop() in blist.h, from the signature to the closing brace."""
    lines, inside, depth = set(), False, 0
    with open(header) as f:
        for no, text in enumerate(f, 1):
            if not inside and re.match(r"\s*static\s+inline\s+\w+\s+(%s)\s*\(" % "|".join(LOCK_FUNCS), text):
                inside, depth, seen = True, 0, False
            if inside:
                lines.add(no)
                depth += text.count("{") - text.count("}")
                seen = seen or "{" in text
                if seen and depth == 0:
                    inside = False
    if not lines:
        raise SystemExit("instr_split: no block_take/block_drop in %s" % header)
    return lines


def parse(path, locks=None):
    """callgrind output written with --compress-strings=no --compress-pos=no (positions: line).
    Returns (total, sort, locks): all collected instructions, the inclusive cost of the calls to
    blist_sort, the instructions on block_take/block_drop lines of blist.h."""
    locks = lock_lines() if locks is None else locks
    total = sort = lk = 0
    fl = fi = None
    call_to = None            # after "calls=", the next cost line is that call's inclusive cost
    summary = None
    with open(path) as f:
        for ln in f:
            if ln[0].isdigit() or ln[0] in "+-*":
                pos, _, cost = ln.partition(" ")
                ir = int(cost.split()[0]) if cost.strip() else 0
                if call_to is not None:
                    if call_to == SORT_FN:
                        sort += ir
                    call_to = None
                    continue
                total += ir
                if os.path.basename(fi or fl or "") == "blist.h" and int(pos) in locks:
                    lk += ir
            elif ln.startswith("fl="):
                fl, fi = ln[3:].strip(), None
            elif ln.startswith(("fi=", "fe=")):
                fi = ln[3:].strip()
            elif ln.startswith("fn="):
                fi = None
            elif ln.startswith("cfn="):
                cfn = ln[4:].strip()
            elif ln.startswith("calls="):
                call_to = cfn
            elif ln.startswith("summary:"):
                summary = int(ln.split()[1])
    if summary is not None and summary != total:
        raise SystemExit("instr_split: %s: self costs add up to %d, callgrind says %d" % (path, total, summary))
    return total, sort, lk


def per_round(d, kind, cfg, r1, r2, locks):
    a, b = (os.path.join(d, "%s.%s.%d" % (kind, cfg, r)) for r in (r1, r2))
    if not (os.path.exists(a) and os.path.exists(b)):
        return None
    pa, pb = parse(a, locks), parse(b, locks)
    return [(y - x) / (r2 - r1) for x, y in zip(pa, pb)]


def split(d, r1, r2, out_csv, out_md):
    locks = lock_lines()
    rows = []
    for path in sorted(glob.glob(os.path.join(d, "A.*.%d" % r1))):
        cfg = os.path.basename(path)[2:-len(".%d" % r1)]
        p, sc, lrs, depth = cfg.split(",")
        a = per_round(d, "A", cfg, r1, r2, locks)
        if a is None:
            raise SystemExit("instr_split: no R2 file for %s" % cfg)
        total, sort, lk = a
        in_sort = 0.0
        b = per_round(d, "B", cfg, r1, r2, locks)
        if b is not None:
            if abs(b[0] - sort) > 0.5:
                raise SystemExit("instr_split: %s: the sort costs %.1f a round under bpol_* but %.1f collected "
                                 "alone; is blist_sort called outside the policy calls?" % (cfg, sort, b[0]))
            in_sort = b[2]
        elif sort:
            raise SystemExit("instr_split: %s calls blist_sort but has no sort-only run" % cfg)
        rows.append({"policy": p, "scenario": sc, "nr_lrs": int(lrs), "depth": int(depth), "total": total,
                     "sort": sort - in_sort, "locks": lk, "rest": total - (sort - in_sort) - lk,
                     "locks_in_sort": in_sort})
    if not rows:
        raise SystemExit("instr_split: no callgrind files in %s" % d)
    rows.sort(key=lambda r: (r["nr_lrs"], scen_key(r["scenario"]), r["depth"], r["policy"]))
    cols = ["policy", "scenario", "nr_lrs", "depth", "total", "sort", "locks", "rest", "locks_in_sort"]
    with open(out_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for r in rows:
            w.writerow([r[c] if isinstance(r[c], (str, int)) else "%.1f" % r[c] for c in cols])
    with open(out_md, "a") as f:
        f.write("\n" + "\n".join(section(rows, os.path.basename(out_csv))) + "\n")


def scen_key(sc):
    return (sc == "depth", ORDER.index(sc) if sc in ORDER else len(ORDER), sc)


def pct(x, total):
    if not total:
        return "-"
    v = 100.0 * x / total
    if v == 0:
        return "0"
    return "%.2g" % v if v < 10 else "%.0f" % v


def section(rows, csv_name):
    pols = [p for p in LABEL if any(r["policy"] == p for r in rows)]
    by = {(r["policy"], r["scenario"], r["nr_lrs"], r["depth"]): r for r in rows}
    scens = sorted({r["scenario"] for r in rows if r["scenario"] != "depth"}, key=scen_key)
    which = " and ".join(x for x in (", ".join("*%s*" % sc for sc in scens),
                                     "the depth sweep" if any(r["scenario"] == "depth" for r in rows) else "") if x)
    out = ["### Where the instructions go: the sort, the locks, the rest", "",
           "The totals above split three ways, for %s (`bench/instr_split.py`, all figures in "
           "`bench/results/%s`). *sort*: everything executed inside `blist_sort()` (the "
           "`list_sort()` of the whole ap_list once it holds more than the LRs, with the comparator it calls), "
           "counted by a second callgrind run that collects only inside it, whatever the comparator does; "
           "its lock instructions are moved to *locks*. *locks*: every executed instruction the compiler "
           "assigned to the inline `block_take()`/`block_drop()` (`bench/blist.h`), callgrind counting per "
           "source line, in the comparator and everywhere else (ours through its lock hooks). *rest*: the "
           "total less both. Each cell: instructions per round, then sort %% / locks %% (in brackets the "
           "comparator's locks, inside the sort) / rest %% of it, 2 significant figures; *-* where the policy "
           "did not sort. Like the totals, these are exact and repeat run to run." % (which, csv_name), ""]
    for lrs in sorted({r["nr_lrs"] for r in rows}):
        keys = sorted({(r["scenario"], r["depth"]) for r in rows if r["nr_lrs"] == lrs},
                      key=lambda k: (scen_key(k[0]), k[1]))
        out += ["#### %d LRs" % lrs, "", "| scenario | depth | " + " | ".join(LABEL[p] for p in pols) + " |",
                "|---|---:|" + "---:|" * len(pols)]
        for sc, d in keys:
            cells = []
            for p in pols:
                r = by.get((p, sc, lrs, d))
                if r is None:
                    cells.append("n/a")
                    continue
                t = r["total"]
                sorts = r["sort"] or r["locks_in_sort"]
                cells.append("%s: %s / %s%s / %s" % ("{:,.0f}".format(t), pct(r["sort"], t) if sorts else "-",
                                                      pct(r["locks"], t),
                                                      " (%s)" % pct(r["locks_in_sort"], t) if sorts else "",
                                                      pct(r["rest"], t)))
            out.append("| %s | %s | " % (sc, d if sc == "depth" else "-") + " | ".join(cells) + " |")
        out.append("")
    return out


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "parse":
        print("total %d sort %d locks %d" % parse(sys.argv[2]))
    elif len(sys.argv) == 7 and sys.argv[1] == "split":
        split(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6])
    else:
        raise SystemExit(__doc__.split("Usage: ")[1])


if __name__ == "__main__":
    main()
