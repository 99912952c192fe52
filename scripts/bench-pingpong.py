#!/usr/bin/env python3
"""bench-pingpong.py: Linux's cross-CPU ping-pong under the EL2 hypervisor and on plain QEMU, alternated; write the figures.

Called by scripts/bench-pingpong.sh (which fetches the kernel first). Every run goes through scripts/bench-linux.py's
run_once (the same console parsing and exit accounting as the Linux boot figures):
`bash scripts/run-linux-arm64.sh --smp 2 --append linuxtest.pingpong=N [--plain]`, whose init
(tests/integration/linux-guest-init, function pingpong) bounces a token N times between a busybox shell pinned to
CPU 0 and one pinned to CPU 1 through two FIFOs, times the loop with /proc/uptime and prints the IPI lines of
/proc/interrupts (and arch_timer's) before and after it. A baseline run (hyp_base) is the same boot under the
hypervisor without linuxtest.pingpong. The hypervisor's accounting covers the whole run, so the per-IPI figures
are (ping-pong run - median baseline) / the IPIs the guest counted over the phase (the rise of every IPI line of
its /proc/interrupts, summed over the CPUs): the phase with everything else that happened meanwhile (timer ticks
above all), plus the phase's set-up (two FIFOs, two processes, the snapshots), which is small beside it.

With --icount-reps K, K more pairs (hyp_icount, plain_icount) run the ping-pong (--icount-n round trips) with QEMU's
deterministic clock (run-linux-arm64.sh --icount SHIFT: -icount shift=SHIFT,sleep=off), and one baseline
(hyp_base_icount) for their exits per IPI. Their guest time counts
instructions, 2^SHIFT ns each for every instruction either vCPU executes, and skips the time the machine is idle, so
their ratio is free of the host's noise, which the wall-clock pairs are not.

CSV columns, one row per run:
  config          hyp (under the EL2 hypervisor), plain (QEMU -M virt,gic-version=3, no EL2), hyp_base (under the
                  hypervisor, no ping-pong); hyp_icount, plain_icount and hyp_base_icount: the same three with the
                  deterministic clock
  smp, rep        vCPUs; repetition from 1 (hyp and plain run back to back within one, in alternating order)
  ok              1 if the run ended by power-off and, for hyp and plain, the init printed its round-trip line
  load1           the host's 1-minute load average as the run started
  total_s         host seconds from the start of the run to QEMU's exit
  uptime_done_s   the guest's uptime at "linux-init: done"
  round_trips     N, as the init's "linux-init: pingpong N round trips in S s" line gives it
  phase_s         S: guest uptime from after both FIFOs were open to after the N-th round trip
  phase_host_s    the host's clock from the last line of the init's snapshot before the phase to its first line
                  after it (so also the two processes' start and end)
  rt_per_s        round_trips / phase_s
  ipis            the rise of every IPI line of /proc/interrupts over the phase, summed over the lines and CPUs
  ipi_resched, ipi_call, ipi_other   the same for "Rescheduling interrupts" (IPI0), "Function call interrupts"
                  (IPI1) and every other IPI line
  timer_irqs      the rise of arch_timer's line over the phase (the guest's timer interrupts, both CPUs)
  exits_total, exit_<cause>..., irq_<cause>..., lr_accesses, lr_per_exit   the hypervisor's accounting
                  (bench-linux.py's columns; hyp and hyp_base rows only)
  ich_<access>    its LR accesses by kind, the line after "hyp: lr accesses" ("hyp:   lr_read N lr_write N ..."):
                  ich_lr_read, ich_lr_write, ich_elrsr_read, ich_hcr_write, ich_vmcr_read, ich_vtr_read and any
                  other it names
  wfi_sleeps      the hypervisor's "wfi sleeps" (a vCPU's WFI that did wait)
  delivered       the hypervisor's "per delivered interrupt (N)": interrupts the guest acknowledged
"""
import argparse
import csv
import importlib.util
import os
import re
import statistics
import sys

sys.dont_write_bytecode = True   # keep scripts/ free of __pycache__
_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("bench_linux", os.path.join(_here, "bench-linux.py"))
BL = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(BL)

RUN_TIMEOUT_S = 120
ICOUNT_TIMEOUT_S = 600   # one TCG thread for both vCPUs: 50,000 round trips take about 2.5 min of host time here
UPTIME_STEP_S = 0.01     # /proc/uptime's resolution
LOG_DIR = "build/linux/bench-pingpong"
CONFIG_NAMES = {"hyp": "under the hypervisor", "plain": "plain QEMU", "hyp_base": "hypervisor, no ping-pong",
                "hyp_icount": "under the hypervisor, deterministic clock",
                "plain_icount": "plain QEMU, deterministic clock",
                "hyp_base_icount": "hypervisor, no ping-pong, deterministic clock"}
LR_REGS = ["lr_read", "lr_write", "elrsr_read", "hcr_write", "vmcr_read", "vtr_read"]
# Issue 14, "The IPI path": the goals this producer checks.
GOAL_RATIO = 1.2
GOAL_EXITS = 2.0

RE_SNAP = re.compile(r"^linux-init: interrupts (\S+)")
RE_IPI = re.compile(r"^\s*IPI(\d+):((?:\s+\d+)+)\s+(\S.*)$")
RE_TIMER = re.compile(r"^\s*\d+:((?:\s+\d+)+)\s+.*\barch_timer$")
RE_PP = re.compile(r"^linux-init: pingpong (\d+) round trips in ([0-9.]+) s")
RE_PP_FAIL = re.compile(r"^linux-init: pingpong(:| FAILED)")
RE_DONE = re.compile(r"^linux-init: done, uptime ([0-9.]+) s")
RE_LR_TOTAL = re.compile(r"^hyp: lr accesses \d+ total")
RE_PAIR = re.compile(r"(\w+) (\d+)")
RE_SLEEPS = re.compile(r"^hyp: wfi sleeps (\d+)")
RE_DELIVERED = re.compile(r"^hyp: per delivered interrupt \((\d+)\)")


def ipi_kind(name):
    return {"Rescheduling interrupts": "resched", "Function call interrupts": "call"}.get(name, "other")


def on_line(row, line, t):
    """The ping-pong's lines and the hypervisor's LR registers, for scripts/bench-linux.py's run_once."""
    if row.pop("_lr_next", False) and line.startswith("hyp:"):
        for k, v in RE_PAIR.findall(line[4:]):
            row["ich_" + k] = int(v)
        return
    m = RE_SNAP.match(line)
    if m:
        row["_snap"] = m.group(1)
        if m.group(1) == "pingpong-after":
            row["_t_after"] = t
        return
    if line.startswith("linux-init:"):
        row["_snap"] = None
    snap = row.get("_snap")
    if snap in ("pingpong-before", "pingpong-after"):
        n = row["smp"]
        m = RE_IPI.match(line)
        if m:
            counts = m.group(2).split()
            if len(counts) == n:
                row.setdefault("_" + snap, {})["ipi%s" % m.group(1)] = (sum(map(int, counts)), m.group(3).strip())
            return
        m = RE_TIMER.match(line)
        if m:
            counts = m.group(1).split()
            if len(counts) >= n:
                row.setdefault("_" + snap, {})["timer"] = (sum(map(int, counts[:n])), "arch_timer")
        if snap == "pingpong-before":
            row["_t_before"] = t   # the snapshot's last line: the phase starts right after it
        return
    m = RE_PP.match(line)
    if m:
        row["round_trips"] = int(m.group(1))
        row["phase_s"] = float(m.group(2))
        return
    if RE_PP_FAIL.match(line):
        row["_pp_failed"] = line
        return
    m = RE_DONE.match(line)
    if m:
        row["uptime_done_s"] = float(m.group(1))
        return
    if RE_LR_TOTAL.match(line):
        row["_lr_next"] = True
        return
    m = RE_SLEEPS.match(line)
    if m:
        row["wfi_sleeps"] = int(m.group(1))
        return
    m = RE_DELIVERED.match(line)
    if m:
        row["delivered"] = int(m.group(1))


def run(config, smp, rep, args):
    icount = config.endswith("_icount")
    n = args.icount_n if icount else args.n
    base = config.startswith("hyp_base")
    extra = [] if base else ["--append", "linuxtest.pingpong=%d" % n]
    if icount:
        extra += ["--icount", str(args.icount_shift)]
    log = os.path.join(LOG_DIR, "%s-smp%d-rep%d.log" % (config, smp, rep))
    row, kernel = BL.run_once("plain" if config.startswith("plain") else "hyp", smp, extra, on_line,
                              ICOUNT_TIMEOUT_S if icount else RUN_TIMEOUT_S, log)
    row.update(config=config, rep=rep)
    if not base:
        before, after = row.get("_pingpong-before", {}), row.get("_pingpong-after", {})
        row["ok"] = int(row["ok"] and row.get("round_trips") == n and row.get("phase_s", 0) > 0
                        and "_pp_failed" not in row and bool(before) and bool(after))
        if row["ok"]:
            row["rt_per_s"] = row["round_trips"] / row["phase_s"]
            row["ipis"] = 0
            for k in ("resched", "call", "other"):
                row["ipi_" + k] = 0
            for key, (v, name) in after.items():
                d = v - before.get(key, (0, name))[0]
                if key == "timer":
                    row["timer_irqs"] = d
                    continue
                row["ipis"] += d
                row["ipi_" + ipi_kind(name)] += d
            if "_t_before" in row and "_t_after" in row:
                row["phase_host_s"] = row["_t_after"] - row["_t_before"]
    if row.get("exits_total"):
        for k in LR_REGS:
            row.setdefault("ich_" + k, 0)
    return row, kernel, log


def columns(rows):
    regs = ["ich_" + k for k in LR_REGS]
    regs += sorted({k for r in rows for k in r if k.startswith("ich_") and k not in regs})
    return (["config", "smp", "rep", "ok", "load1", "total_s", "uptime_done_s", "round_trips", "phase_s",
             "phase_host_s", "rt_per_s", "ipis", "ipi_resched", "ipi_call", "ipi_other", "timer_irqs"]
            + [c for c in BL.COLUMNS if c.startswith(("exit", "irq_", "lr_"))] + regs + ["wfi_sleeps", "delivered"])


def good(rows, config, key=None):
    return BL.good(rows, config, None, key)   # one vCPU count here


def med(vals):
    return statistics.median(vals)


def mr(vals, digits=2):
    """median [min–max]"""
    return BL.median_range([float(v) for v in vals], digits)


def num(v, digits=0):
    return "{:,.{d}f}".format(v, d=digits)


def hyp_keys(rows):
    return (["exits_total"] + ["exit_" + c for c in BL.EXIT_CAUSES] + ["irq_" + c for c in BL.IRQ_CAUSES]
            + ["lr_accesses"] + [c for c in columns(rows) if c.startswith("ich_")]
            + ["wfi_sleeps", "delivered", "uptime_done_s"])


def per_ipi(rows, suffix=""):
    """(per-run dicts of (ping-pong run - median baseline) / the run's IPIs, the baseline medians), or None."""
    h = [r for r in good(rows, "hyp" + suffix, "exits_total") if r.get("ipis")]
    b = good(rows, "hyp_base" + suffix, "exits_total")
    if not h or not b:
        return None
    keys = hyp_keys(rows)
    base = {k: med([r.get(k, 0) for r in b]) for k in keys}
    runs = []
    for r in h:
        d = {k: (r.get(k, 0) - base[k]) / r["ipis"] for k in keys if k != "uptime_done_s"}
        d["extra_s"] = r["uptime_done_s"] - base["uptime_done_s"] if "uptime_done_s" in r else None
        d["run"] = r
        runs.append(d)
    return runs, base, b


def pairs(rows, suffix=""):
    """Phase time ratios hypervisor / plain, one per repetition that has both (suffix "_icount": those pairs)."""
    return [h["phase_s"] / p["phase_s"] for h, p in pair_rows(rows, suffix)]


def pair_rows(rows, suffix=""):
    out = []
    for rep in sorted({r["rep"] for r in rows}):
        h = [r for r in good(rows, "hyp" + suffix, "phase_s") if r["rep"] == rep]
        p = [r for r in good(rows, "plain" + suffix, "phase_s") if r["rep"] == rep]
        if h and p:
            out.append((h[0], p[0]))
    return out


def write_md(path, rows, args, command, kernel, note):
    h, p = good(rows, "hyp", "rt_per_s"), good(rows, "plain", "rt_per_s")
    ratios = pairs(rows)
    lines = ["### Linux cross-CPU ping-pong: under the hypervisor against plain QEMU", "",
             "Issue 14's IPI path, measured on Linux. Debian's unmodified `%s` kernel on %d vCPUs with the "
             "initramfs of `make test-linux`; with `linuxtest.pingpong=%d` its init, after its usual workload, "
             "bounces a one-line token %d times between a busybox shell pinned to CPU 0 and one pinned to CPU 1 "
             "through two FIFOs. Both keep their ends open for the whole loop and run only shell builtins in it "
             "(`echo`, `read`, `[`, arithmetic: no fork), so each hop wakes a task asleep on the other CPU, an IPI "
             "when that CPU has gone idle. The phase is timed by the guest's `/proc/uptime` from after both FIFOs "
             "are open to after the last round trip. %d run(s) per configuration, the hypervisor and plain QEMU "
             "(`scripts/run-linux-arm64.sh --plain`: `-M virt,gic-version=3`, no EL2) alternated run by run, "
             "which goes first alternating too. Medians, [min–max] in brackets." % (
                 kernel or "linux-image-cloud-arm64", args.smp, args.n, args.n, args.reps), "",
             "| vCPUs | round trips | round trips/s, hypervisor | round trips/s, plain | time ratio hypervisor / "
             "plain | IPIs per round trip, hypervisor | IPIs per round trip, plain |",
             "|---|---|---|---|---|---|---|"]
    if h and p and ratios:
        lines.append("| %d | %s | %s | %s | **%s** | %s | %s |" % (
            args.smp, num(args.n), mr([r["rt_per_s"] for r in h], 0), mr([r["rt_per_s"] for r in p], 0),
            mr(ratios), mr([r["ipis"] / r["round_trips"] for r in h]),
            mr([r["ipis"] / r["round_trips"] for r in p])))
    else:
        lines.append("| %d | %s | %d good runs | %d good runs | | | |" % (args.smp, num(args.n), len(h), len(p)))
    lines += ["", "*Time ratio* is the ping-pong phase's time under the hypervisor over plain QEMU's, one ratio per "
              "repetition (the two runs made back to back), so above 1 the hypervisor is slower; issue 14's goal "
              "is at most %.1fx. *IPIs* are the rise of every IPI line of the guest's `/proc/interrupts` over the "
              "phase, summed over both CPUs." % GOAL_RATIO]
    lines += ipi_notes(rows)
    lines += sec_per_ipi(rows, args)
    lines += sec_icount(rows, args)
    bad = [r for r in rows if not r["ok"]]
    lines += [""]
    if bad:
        lines += ["**%d run(s) failed (no power-off, or no round-trip line from the init) and are left out:** %s; "
                  "their consoles are in `%s/`." % (
                      len(bad), ", ".join("%s rep %d" % (r["config"], r["rep"]) for r in bad), LOG_DIR), ""]
    lines += ["Command (CSV columns are described in `scripts/bench-pingpong.py`; each run's console is kept in "
              "`%s/`):" % LOG_DIR, "", "```", command, "```", "", "Each run it makes is one of:", "", "```",
              "bash scripts/run-linux-arm64.sh --smp %d --timeout %d --append linuxtest.pingpong=%d           "
              "# hypervisor" % (args.smp, RUN_TIMEOUT_S, args.n),
              "bash scripts/run-linux-arm64.sh --smp %d --timeout %d --append linuxtest.pingpong=%d --plain   "
              "# plain QEMU" % (args.smp, RUN_TIMEOUT_S, args.n),
              "bash scripts/run-linux-arm64.sh --smp %d --timeout %d                                        "
              "# baseline" % (args.smp, RUN_TIMEOUT_S)]
    if args.icount_reps:
        lines += ["bash scripts/run-linux-arm64.sh --smp %d --timeout %d --append linuxtest.pingpong=%d --icount %d "
                  "[--plain]   # deterministic clock" % (args.smp, ICOUNT_TIMEOUT_S, args.icount_n, args.icount_shift)]
    lines += ["```", "",
              "Machine: %s. Host load average (1 min) as each run started: median %.2f, max %.2f; it includes the "
              "previous run's QEMU, and other work on the machine, which the alternation spreads over both "
              "configurations." % (note, med([r["load1"] for r in rows]), max(r["load1"] for r in rows)), ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def sec_icount(rows, args):
    """The pairs timed with QEMU's deterministic clock: their ratio, and the instructions the hypervisor adds."""
    if not args.icount_reps:
        return []
    both = pair_rows(rows, "_icount")
    ns = 2 ** args.icount_shift
    lines = ["", "#### The same with a deterministic clock (QEMU `-icount shift=%d,sleep=off`)" % args.icount_shift, "",
             "The wall-clock pairs above share the machine with everything else on it, and their spread shows it. "
             "%d more pair(s) ran %s round trips with `--icount %d`: QEMU then runs both vCPUs in one thread, in "
             "turn, and its virtual clock advances %d ns for every instruction either vCPU executes (the "
             "hypervisor's at EL2 included) and jumps over the time the machine is idle. The guest's "
             "`/proc/uptime` phase then counts instructions and not the host's time: it repeats from run to run, "
             "and it leaves out what an exit costs beyond its instructions (on hardware the exception entry and "
             "return, under TCG QEMU's own work), so it is the floor of the overhead, where the wall clock above "
             "is what this machine gave." % (args.icount_reps, num(args.icount_n), args.icount_shift, ns), "",
             "| pair | phase, hypervisor (virtual s) | phase, plain (virtual s) | ratio | IPIs per round trip, "
             "hypervisor | exits, hypervisor run |", "|---|---|---|---|---|---|"]
    if not both:
        return lines + ["| none | | | | | |", "", "No pair with the deterministic clock ended well."]
    for h, p in both:
        lines.append("| %d | %.2f | %.2f | %.3f | %.2f | %s |" % (
            h["rep"], h["phase_s"], p["phase_s"], h["phase_s"] / p["phase_s"], h["ipis"] / h["round_trips"],
            num(h.get("exits_total", 0))))
    ratios = [h["phase_s"] / p["phase_s"] for h, p in both]
    per_rt_h = med([h["phase_s"] * 1e9 / ns / h["round_trips"] for h, _ in both])
    per_rt_p = med([p["phase_s"] * 1e9 / ns / p["round_trips"] for _, p in both])
    ipr = med([h["ipis"] / h["round_trips"] for h, _ in both])
    r = med(ratios)
    lines += ["", "Ratio %s (median [min–max] of %d pair(s)): issue 14's goal of at most %.1fx is **%s** by this "
              "clock. Per round trip the phase comes to about %s instructions on plain QEMU and %s under the "
              "hypervisor, %s more, or %s per IPI (%.2f IPIs per round trip): what the two exits of an IPI, the "
              "world switches and the hypervisor's handling add, at %d ns an instruction. The guest's clock reads "
              "in hundredths of a second, so each phase may be off by up to 0.01 s: the difference per IPI is good "
              "to %s instructions either way." % (
                  mr(ratios, 3), len(ratios), GOAL_RATIO, "met" if r <= GOAL_RATIO else "not met",
                  num(per_rt_p), num(per_rt_h), num(per_rt_h - per_rt_p), num((per_rt_h - per_rt_p) / ipr), ipr, ns,
                  num(2 * UPTIME_STEP_S * 1e9 / ns / args.icount_n / ipr))]
    pi = per_ipi(rows, "_icount")
    if not pi:
        return lines + ["", "No exits per IPI with this clock: no good hypervisor run with its baseline."]
    runs, base, _ = pi

    def m(key):
        return med([d[key] for d in runs])
    exits, sgi, wfi, irq = m("exits_total"), m("exit_sgi_sysreg"), m("exit_wfi"), m("exit_irq")
    tick_list = [d["run"]["timer_irqs"] / d["run"]["ipis"] for d in runs if d["run"].get("timer_irqs") is not None]
    s = ("Exits per IPI by this clock, each run's count minus its baseline's (the same boot with the same clock, no "
         "ping-pong; %s exits), over the IPIs the guest counted: **%s**, of which `sgi_sysreg` %.2f, `wfi` %.2f and "
         "`irq` %.2f, every other cause %.2f; issue 14's goal of at most %.0f is **%s** by the whole count" % (
             num(base["exits_total"]), mr([d["exits_total"] for d in runs]), sgi, wfi, irq, exits - sgi - wfi - irq,
             GOAL_EXITS, "met" if round(exits, 2) <= GOAL_EXITS else "not met"))
    if not tick_list:
        return lines + ["", s + " (the guest's timer line was not read, so the ticks are not told apart)."]
    ticks = med(tick_list)
    s += (". The phase is short in virtual time, so the guest's own timer ticks, which add `irq` exits on the wall "
          "clock, come to only %.3f per IPI here" % ticks)
    if irq <= ticks * 1.05:
        own = exits - irq
        s += (", no fewer than the `irq` exits; without those the IPI costs %.2f exits, %s the floor of 2 (the "
              "sender's trap and the receiver's wake-up)" % (own, "at" if round(own, 2) <= GOAL_EXITS else "above"))
    else:
        s += ", fewer than the `irq` exits: %.2f `irq` exits per IPI are not the guest's ticks" % (irq - ticks)
    return lines + ["", s + "."]


def ipi_notes(rows):
    """Which IPIs rose, the host's clock against the guest's, the guest's ticks."""
    out = []
    for c in ("hyp", "plain"):
        g = good(rows, c, "ipis")
        if not g:
            continue
        parts = ["%s %s" % (mr([r["ipi_" + k] / r["round_trips"] for r in g]), label)
                 for k, label in (("resched", "rescheduling (IPI0)"), ("call", "function-call (IPI1)"),
                                  ("other", "other"))
                 if any(r["ipi_" + k] for r in g)]
        s = "Per round trip %s: %s IPIs" % (CONFIG_NAMES[c], ", ".join(parts) or "no")
        t = [r["timer_irqs"] / r["phase_s"] for r in g if "timer_irqs" in r]
        if t:
            s += "; the guest's timer interrupts (`arch_timer`, both CPUs) came at %s per second of the phase" % mr(
                t, 0)
        out.append(s + ".")
    # The wall-clock runs only: with the deterministic clock the guest's time is not the host's.
    both = [r for r in rows
            if r["config"] in ("hyp", "plain") and r["ok"] and r.get("phase_s") and r.get("phase_host_s")]
    if both:
        dev = [r["phase_host_s"] / r["phase_s"] - 1 for r in both]
        out.append("The host's clock, from the init's last line before the phase to its first after it (so also "
                   "the two shells' start and exit), gives phases %+.1f%% to %+.1f%% of the guest's." % (
                       100 * min(dev), 100 * max(dev)))
    return ["", " ".join(out)] if out else []


def sec_per_ipi(rows, args):
    pi = per_ipi(rows)
    if not pi:
        return ["", "No per-IPI figures: no good hypervisor run with a baseline."]
    runs, base, b = pi
    lines = ["", "#### Exits and LR accesses per IPI, under the hypervisor", "",
             "The hypervisor prints its accounting (`hyp: exits`, `hyp: lr accesses`) once, at the end of the run, "
             "and it covers the whole boot. So each figure is the ping-pong run's count **minus the median of %d "
             "baseline run(s)** under the hypervisor without `linuxtest.pingpong` (the same boot and workload), "
             "**divided by the IPIs the guest counted over the phase** (its `/proc/interrupts`, as above; the "
             "hypervisor's `sgi_sysreg` exits, the guest's trapped `ICC_SGI1R_EL1` writes, are the check: their "
             "row should be about 1). It covers the phase and what happened meanwhile, timer ticks included, plus "
             "the phase's set-up. Medians over the ping-pong runs, [min–max] for the totals; rows that round to "
             "0.00 are left out." % len(b), "",
             "| per IPI | %d vCPUs |" % args.smp, "|---|---|"]

    def cell(key, rng=False):
        vals = [d[key] for d in runs]
        return mr(vals) if rng else "%.2f" % med(vals)

    def shown(key):
        return abs(med([d[key] for d in runs])) >= 0.005

    lines.append("| **exits** | **%s** |" % cell("exits_total", True))
    for c in BL.EXIT_CAUSES:
        if shown("exit_" + c):
            lines.append("| exit `%s` | %s |" % (c, cell("exit_" + c)))
    for c in BL.IRQ_CAUSES:
        if shown("irq_" + c):
            lines.append("| physical interrupt `%s` | %s |" % (c, cell("irq_" + c)))
    if shown("wfi_sleeps"):
        lines.append("| WFI waits (`wfi sleeps`) | %s |" % cell("wfi_sleeps"))
    if shown("delivered"):
        lines.append("| interrupts delivered (acknowledged by the guest) | %s |" % cell("delivered"))
    lines.append("| **LR accesses** | **%s** |" % cell("lr_accesses", True))
    for k in [c for c in columns(rows) if c.startswith("ich_")]:
        if shown(k):
            lines.append("| LR access `%s` | %s |" % (k[4:], cell(k)))
    lines.append("| IPIs per run (the guest's count over the phase) | %s |" % num(med([d["run"]["ipis"] for d in runs])))
    lines.append("| exits per run, ping-pong run / baseline | %s / %s |" % (
        num(med([d["run"]["exits_total"] for d in runs])), num(base["exits_total"])))
    extra = [d["extra_s"] for d in runs if d["extra_s"] is not None]
    if extra:
        lines.append("| guest seconds added by the ping-pong (uptime at `linux-init: done`) | %.1f |" % med(extra))
    lines += ["", " ".join(goal_notes(rows, runs))]
    return lines


def goal_notes(rows, runs):
    """Issue 14's goals against the figures, and where the exits and the time go, stated from the data."""
    out = []
    ratios = pairs(rows)
    h, p = good(rows, "hyp", "rt_per_s"), good(rows, "plain", "rt_per_s")
    exits = med([d["exits_total"] for d in runs])
    if ratios:
        r = med(ratios)
        out.append("Issue 14's goals: at most %.1fx plain QEMU's time on the ping-pong, **%s** here (%.2fx, "
                   "%.2f–%.2f over the pairs); at most %.0f exits per IPI, **%s** (%.2f)." % (
                       GOAL_RATIO, "met" if r <= GOAL_RATIO else "not met", r, min(ratios), max(ratios),
                       GOAL_EXITS, "met" if exits <= GOAL_EXITS else "not met", exits))
    sgi = med([d["exit_sgi_sysreg"] for d in runs])
    wfi = med([d["exit_wfi"] for d in runs])
    irq = med([d["exit_irq"] for d in runs])
    rest = exits - sgi - wfi - irq
    s = ("Per IPI the sender's trap (`sgi_sysreg`) is %.2f and the receiver's WFI exit (`wfi`, the exit its "
         "kick ends) %.2f, %.2f together against the floor of 2; `irq` exits add %.2f" % (sgi, wfi, sgi + wfi, irq))
    vt = med([d["irq_vtimer"] for d in runs])
    kick = med([d["irq_kick_sgi"] for d in runs])
    s += (" (the hypervisor took %.2f virtual-timer and %.2f kick-SGI physical interrupts per IPI, also while a vCPU "
          "waited in WFI)" % (vt, kick))
    if abs(rest) >= 0.005:
        s += ", every other cause %.2f" % rest
    ticks = [r["timer_irqs"] / r["ipis"] for r in h if r.get("timer_irqs") is not None and r.get("ipis")]
    if ticks:
        t = med(ticks)
        th = med([r["timer_irqs"] / r["phase_s"] for r in h if "timer_irqs" in r])
        tp = [r["timer_irqs"] / r["phase_s"] for r in p if "timer_irqs" in r]
        s += (". The guest's own timer interrupts over the phase (`arch_timer`'s rise, both CPUs) come to %.2f per "
              "IPI (%s per second of the phase; %s on plain QEMU, which takes them without an exit)" % (
                  t, num(th), num(med(tp)) if tp else "not measured"))
        if irq <= t * 1.05:
            s += (", no fewer than the `irq` exits, which can thus all be ticks (a tick that finds its vCPU "
                  "waiting in WFI ends the wait without an `irq` exit); without them the IPIs cost %.2f exits "
                  "each" % (exits - irq))
        else:
            s += ", fewer than the `irq` exits: %.2f `irq` exits per IPI are not the guest's ticks" % (irq - t)
    out.append(s + ".")
    vmcr = med([d.get("ich_vmcr_read", 0) for d in runs])
    out.append("LR accesses per IPI: %.2f, of which `lr_write` %.2f and `lr_read` %.2f for %.2f interrupts "
               "delivered per IPI (the IPI and the ticks), and `vmcr_read` %.2f (issue 14 asks for none on a WFI "
               "with nothing pending)." % (med([d["lr_accesses"] for d in runs]), med([d["ich_lr_write"] for d in runs]),
                                           med([d["ich_lr_read"] for d in runs]), med([d["delivered"] for d in runs]),
                                           vmcr))
    if h and p:
        th, tp = 1e6 / med([r["rt_per_s"] for r in h]), 1e6 / med([r["rt_per_s"] for r in p])
        ipr = med([r["ipis"] / r["round_trips"] for r in h])
        if th > tp:
            out.append("A round trip takes %.0f µs under the hypervisor and %.0f µs on plain QEMU (medians): %.0f µs "
                       "more, %.0f µs per IPI, which at %.2f exits per IPI is about %.0f µs per exit (world switch "
                       "and handling together, under TCG)." % (th, tp, th - tp, (th - tp) / ipr, exits,
                                                                  (th - tp) / ipr / exits if exits > 0 else 0))
        else:
            out.append("A round trip takes %.0f µs under the hypervisor and %.0f µs on plain QEMU (medians): plain "
                       "QEMU was the slower by %.0f µs in this run, within its spread, so no cost per exit can be "
                       "read off it." % (th, tp, tp - th))
    return out


def read_rows(path):
    """The rows bench-pingpong wrote: numbers back to int or float, empty cells left out."""
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            row = {}
            for k, v in r.items():
                if v == "":
                    continue
                try:
                    row[k] = int(v)
                except ValueError:
                    try:
                        row[k] = float(v)
                    except ValueError:
                        row[k] = v
            rows.append(row)
    return rows


def rewrite_md(args):
    """--from-csv: the Markdown of a finished run again (a change to the text, not to the figures). The settings
    come from the rows; the kernel's version from the consoles the run left in LOG_DIR."""
    rows = read_rows(args.csv)

    def first(config, key):
        return next((r[key] for r in rows if r["config"] == config and key in r), None)
    args.n = first("hyp", "round_trips") or args.n
    args.smp = first("hyp", "smp") or args.smp
    args.reps = max([r["rep"] for r in rows if r["config"] == "hyp"], default=0)
    args.base_reps = sum(1 for r in rows if r["config"] == "hyp_base")
    args.icount_reps = max([r["rep"] for r in rows if r["config"] == "hyp_icount"], default=0)
    args.icount_n = first("hyp_icount", "round_trips") or args.icount_n
    kernel = None
    for name in sorted(os.listdir(LOG_DIR)) if os.path.isdir(LOG_DIR) else []:
        with open(os.path.join(LOG_DIR, name), errors="replace") as f:
            m = BL.RE_KERNEL.search(f.read())
        if m:
            kernel = "%s (%s)" % (m.group(1), m.group(2))
            break
    write_md(args.md, rows, args, command_of(args), kernel, BL.machine_note())
    return 0


def command_of(args):
    command = ("PINGPONG_BENCH_N=%d PINGPONG_BENCH_REPS=%d PINGPONG_BENCH_BASE_REPS=%d PINGPONG_ICOUNT_REPS=%d "
               "PINGPONG_ICOUNT_N=%d bash scripts/bench-pingpong.sh %s %s" % (
                   args.n, args.reps, args.base_reps, args.icount_reps, args.icount_n, args.csv, args.md))
    if args.smp != 2 or args.icount_shift != 0:
        command = ("python3 scripts/bench-pingpong.py --smp %d --n %d --reps %d --base-reps %d --icount-reps %d "
                   "--icount-n %d --icount-shift %d --csv %s --md %s" % (
                       args.smp, args.n, args.reps, args.base_reps, args.icount_reps, args.icount_n,
                       args.icount_shift, args.csv, args.md))
    return command


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=4)
    ap.add_argument("--base-reps", type=int, default=2)
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--icount-reps", type=int, default=0)
    ap.add_argument("--icount-n", type=int, default=50000)
    ap.add_argument("--icount-shift", type=int, default=0)
    ap.add_argument("--from-csv", action="store_true",
                    help="write --md again from the rows of --csv, with the run's settings read from those rows")
    ap.add_argument("--csv", required=True)
    ap.add_argument("--md", required=True)
    args = ap.parse_args()
    command = command_of(args)
    if args.from_csv:
        return rewrite_md(args)
    os.makedirs(LOG_DIR, exist_ok=True)
    # The baselines go between the pairs, so that a drift in host speed reaches them as it does the others.
    plan, nb = [], 0
    for rep in range(1, args.reps + 1):
        plan += [(c, rep) for c in (["hyp", "plain"] if rep % 2 else ["plain", "hyp"])]
        want = (rep * args.base_reps + args.reps - 1) // args.reps
        while nb < want:
            nb += 1
            plan.append(("hyp_base", nb))
    # The deterministic pairs last: they take one host thread each and longer, and need no baseline.
    for rep in range(1, args.icount_reps + 1):
        plan += [(c + "_icount", rep) for c in (["hyp", "plain"] if rep % 2 else ["plain", "hyp"])]
    if args.icount_reps:
        plan.append(("hyp_base_icount", 1))
    rows, kernel = [], None
    for config, rep in plan:
        row, k, log = run(config, args.smp, rep, args)
        kernel = kernel or k
        rows.append(row)
        print("bench-pingpong: rep %d %-15s ok %d total %.1f s%s%s%s%s" % (
            rep, config, row["ok"], row["total_s"],
            " phase %.2f s %.0f round trips/s" % (row["phase_s"], row["rt_per_s"]) if "rt_per_s" in row else "",
            " ipis %d" % row["ipis"] if "ipis" in row else "",
            " exits %d" % row["exits_total"] if row.get("exits_total") else "",
            "" if row["ok"] else " (FAILED: %s)" % log), flush=True)
    for r in rows:
        for k in [k for k in r if k.startswith("_")]:
            del r[k]
    BL.write_csv(args.csv, rows, columns(rows))
    write_md(args.md, rows, args, command, kernel, BL.machine_note())
    missing = [c for c in ("hyp", "plain", "hyp_base") +
               (("hyp_icount", "plain_icount", "hyp_base_icount") if args.icount_reps else ())
               if not good(rows, c)]
    if missing:
        print("bench-pingpong: no successful run for %s" % missing, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
