#!/usr/bin/env python3
"""bench-linux.py: time Linux boots under the EL2 hypervisor and on plain QEMU, alternated, and write the figures.

Called by scripts/bench-linux.sh (which fetches the kernel first). Each run is
`bash scripts/run-linux-arm64.sh --smp N [--plain]`; its console is read line by line as it arrives and
timestamped on the host clock.

CSV columns, one row per run:
  config          hyp (under the EL2 hypervisor) or plain (QEMU -M virt,gic-version=3, no EL2, no hypervisor)
  smp             vCPUs
  rep             repetition, from 1; within a repetition the two configurations run back to back, in
                  alternating order
  ok              1 if the run ended by the guest's power-off (the hypervisor's status 0 / QEMU's exit 0)
  load1           the host's 1-minute load average as the run started; it includes the previous run's QEMU,
                  about 1-2 on its own (2 host CPUs)
  boot_to_init_s  host seconds from starting the run to the init's first console line ("linux-init: started")
  total_s         host seconds from starting the run to QEMU's exit (boot, workload, power-off)
  kernel_init_s   the kernel's own timestamp of "Run /init as init process" (guest clock, from its timer start)
  exits_total, exit_<cause>...     the hypervisor's exit accounting (hyp rows only; empty for plain)
  irq_<cause>...                   physical interrupts the hypervisor took, by cause (hyp rows only)
  lr_accesses, lr_per_exit         list-register accesses in the run, and per exit (hyp rows only)
"""
import argparse
import csv
import os
import platform
import re
import statistics
import subprocess
import sys
import time

RUN_TIMEOUT_S = 150
EXIT_CAUSES = ["hvc_abi", "hvc_psci", "mmio_gicd", "mmio_gicr", "mmio_gits", "mmio_pci", "mmio_other", "sgi_sysreg", "dir_sysreg",
               "sysreg_other", "wfi", "wfe", "irq", "fiq_serror", "iabt", "other_sync"]
IRQ_CAUSES = ["vtimer", "ptimer", "pvtimer", "maintenance", "kick_sgi", "uart", "spurious", "other"]
COLUMNS = (["config", "smp", "rep", "ok", "load1", "boot_to_init_s", "total_s", "kernel_init_s", "exits_total"]
           + ["exit_" + c for c in EXIT_CAUSES] + ["irq_" + c for c in IRQ_CAUSES]
           + ["lr_accesses", "lr_per_exit"])
CONFIG_NAMES = {"hyp": "under the hypervisor", "plain": "plain QEMU"}

INIT_MARK = "linux-init: started"
RE_RUN_INIT = re.compile(r"^\[\s*([0-9.]+)\] Run /init as init process")
RE_EXITS = re.compile(r"^hyp: exits (\d+) total")
RE_EXIT = re.compile(r"^hyp:\s+exit (\S+)\s+(\d+)")
RE_IRQ = re.compile(r"^hyp:\s+irq\s+(\S+)\s+(\d+)")
RE_LR = re.compile(r"^hyp: lr accesses (\d+) total")
RE_KERNEL = re.compile(r"Linux version (\S+) .*#1 SMP Debian (\S+)")


def run_once(config, smp, extra=(), on_line=None, timeout=RUN_TIMEOUT_S, log=None):
    """One run of scripts/run-linux-arm64.sh; returns (row, kernel version). extra: more arguments for it;
    on_line(row, line, seconds since the start): called for every console line, after the parsing here
    (scripts/bench-disk.py parses the disk's lines with it); log: a path for the whole console."""
    cmd = ["bash", "scripts/run-linux-arm64.sh", "--smp", str(smp), "--timeout", str(timeout)] + list(extra)
    if config == "plain":
        cmd.append("--plain")
    row = {"config": config, "smp": smp, "load1": os.getloadavg()[0]}
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    kernel = None
    out = open(log, "w") if log else None
    for raw in proc.stdout:
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if out:
            out.write(line + "\n")
        if "boot_to_init_s" not in row and line.startswith(INIT_MARK):
            row["boot_to_init_s"] = time.monotonic() - t0
        m = RE_RUN_INIT.match(line)
        if m:
            row["kernel_init_s"] = float(m.group(1))
        m = RE_KERNEL.search(line)
        if m:
            kernel = "%s (%s)" % (m.group(1), m.group(2))
        m = RE_EXITS.match(line)
        if m:
            row["exits_total"] = int(m.group(1))
        m = RE_EXIT.match(line)
        if m and m.group(1) in EXIT_CAUSES:
            row["exit_" + m.group(1)] = int(m.group(2))
        m = RE_IRQ.match(line)
        if m and m.group(1) in IRQ_CAUSES:
            row["irq_" + m.group(1)] = int(m.group(2))
        m = RE_LR.match(line)
        if m:
            row["lr_accesses"] = int(m.group(1))
        if on_line:
            on_line(row, line, time.monotonic() - t0)
    rc = proc.wait()
    if out:
        out.close()
    row["total_s"] = time.monotonic() - t0
    row["ok"] = int(rc == 0 and "boot_to_init_s" in row)
    if config == "hyp" and row.get("exits_total"):
        for c in EXIT_CAUSES:
            row.setdefault("exit_" + c, 0)
        for c in IRQ_CAUSES:
            row.setdefault("irq_" + c, 0)
        row["lr_per_exit"] = row.get("lr_accesses", 0) / row["exits_total"]
    return row, kernel


def fmt(v, digits=2):
    return "%.*f" % (digits, v) if isinstance(v, float) else str(v)


def median_range(vals, digits=2):
    return "%s [%s–%s]" % (fmt(statistics.median(vals), digits), fmt(min(vals), digits), fmt(max(vals), digits))


def machine_note():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    model = ln.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    qemu = subprocess.run(["qemu-system-aarch64", "--version"], capture_output=True, text=True).stdout
    qemu = qemu.splitlines()[0] if qemu else "QEMU (version unknown)"
    return "%s, %d host CPUs, Linux %s; %s, TCG" % (model, os.cpu_count() or 0, platform.release(), qemu)


def write_csv(path, rows, columns=COLUMNS):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        for r in rows:
            w.writerow({k: fmt(r[k], 3) if isinstance(r.get(k), float) else r.get(k, "") for k in columns})


def good(rows, config, smp=None, key=None):
    """The runs of config that ended well, on smp vCPUs (None: any) and, with key, that have that figure."""
    return [r for r in rows if r["config"] == config and smp in (None, r["smp"]) and r["ok"]
            and (key is None or key in r)]


def write_md(path, rows, args, command, kernel, note):
    smps = args.smp
    lines = ["### Linux boot: under the hypervisor against plain QEMU", "",
             "Debian's unmodified `%s` kernel with the busybox initramfs of `make test-linux` (its /init prints "
             "/proc/interrupts, runs a pinned workload on every CPU, prints it again and powers off), booted %d "
             "time(s) per configuration and vCPU count, the two configurations alternated run by run. Medians, "
             "[min–max] in brackets; host wall-clock seconds." % (kernel or "linux-image-cloud-arm64", args.reps), "",
             "| vCPUs | boot to init, hypervisor | boot to init, plain | ratio | total, hypervisor | total, plain "
             "| ratio |", "|---|---|---|---|---|---|---|"]
    for n in smps:
        h, p = good(rows, "hyp", n), good(rows, "plain", n)
        if not h or not p:
            lines.append("| %d | %d good runs | %d good runs | | | | |" % (n, len(h), len(p)))
            continue
        hb, pb = [r["boot_to_init_s"] for r in h], [r["boot_to_init_s"] for r in p]
        ht, pt = [r["total_s"] for r in h], [r["total_s"] for r in p]
        lines.append("| %d | %s | %s | %.2f | %s | %s | %.2f |" % (
            n, median_range(hb), median_range(pb), statistics.median(hb) / statistics.median(pb),
            median_range(ht), median_range(pt), statistics.median(ht) / statistics.median(pt)))
    lines += ["", "*Boot to init* runs from starting `scripts/run-linux-arm64.sh` to the init's first console line; "
              "*total* to QEMU's exit after `poweroff -f`. Under the hypervisor both include its own start "
              "(reading QEMU's device tree, stage 2, the guest's device tree). The machines differ beyond the "
              "hypervisor: plain `-M virt` also gives the kernel an ITS, 224 SPIs, PCIe, 32 virtio-mmio slots, "
              "an RTC and a PMU to probe, where the hypervisor's guest sees the GIC, the timer and the PL011 "
              "only.", "",
              "Exits per second under the hypervisor, by cause (each run's count over its total runtime; "
              "median of the runs), and list-register accesses per exit:", ""]
    header = "| exit cause |" + "".join(" %d vCPUs |" % n for n in smps)
    lines += [header, "|---|" + "---|" * len(smps)]
    hyp_rows = {n: [r for r in good(rows, "hyp", n) if r.get("exits_total")] for n in smps}

    def per_s(n, key):
        rs = hyp_rows[n]
        return statistics.median([r[key] / r["total_s"] for r in rs]) if rs else None

    for c in ["total"] + EXIT_CAUSES:
        key = "exits_total" if c == "total" else "exit_" + c
        if not any(r.get(key) for n in smps for r in hyp_rows[n]):
            continue
        cells = [per_s(n, key) for n in smps]
        lines.append("| %s |" % ("**all exits**" if c == "total" else "`%s`" % c)
                     + "".join(" %s |" % ("–" if v is None else "%.0f" % v) for v in cells))
    for c in IRQ_CAUSES:
        key = "irq_" + c
        if not any(r.get(key) for n in smps for r in hyp_rows[n]):
            continue
        lines.append("| physical interrupt `%s` |" % c
                     + "".join(" %s |" % ("–" if per_s(n, key) is None else "%.0f" % per_s(n, key)) for n in smps))
    lines.append("| **LR accesses per exit** |" + "".join(
        " %s |" % ("–" if not hyp_rows[n] else "%.2f" % statistics.median([r["lr_per_exit"] for r in hyp_rows[n]]))
        for n in smps))
    bad = [r for r in rows if not r["ok"]]
    lines += ["", "`irq` exits are guest exits on a physical interrupt; the *physical interrupt* rows count what "
              "EL2 acknowledged, also while a vCPU slept in WFI, so they do not add up to the `irq` exits. "
              "`sgi_sysreg` is the guest's IPIs (trapped `ICC_SGI1R_EL1`), `mmio_gicd`/`mmio_gicr` its "
              "distributor and redistributor programming, `hvc_psci` its PSCI calls.", ""]
    if bad:
        lines += ["**%d run(s) did not end by power-off and are left out:** %s." % (
            len(bad), ", ".join("%s smp%d rep %d" % (r["config"], r["smp"], r["rep"]) for r in bad)), ""]
    lines += ["Command (CSV columns are described in `scripts/bench-linux.py`):", "", "```", command, "```", "",
              "Machine: %s. Host load average (1 min) as each run started: median %.2f, max %.2f." % (
                  note, statistics.median([r["load1"] for r in rows]), max(r["load1"] for r in rows)), ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--smp", default="2 4")
    ap.add_argument("--csv", required=True)
    ap.add_argument("--md", required=True)
    args = ap.parse_args()
    args.smp = [int(x) for x in args.smp.split()]
    command = 'LINUX_BENCH_REPS=%d LINUX_BENCH_SMP="%s" bash scripts/bench-linux.sh %s %s' % (
        args.reps, " ".join(map(str, args.smp)), args.csv, args.md)
    rows, kernel = [], None
    for rep in range(1, args.reps + 1):
        for n in args.smp:
            # Alternate which configuration goes first, so a drift in host speed favours neither.
            order = ["hyp", "plain"] if (rep + n) % 2 else ["plain", "hyp"]
            for config in order:
                row, k = run_once(config, n)
                row["rep"] = rep
                kernel = kernel or k
                rows.append(row)
                print("bench-linux: rep %d smp %d %-5s ok %d boot-to-init %s s total %.2f s%s" % (
                    rep, n, config, row["ok"], fmt(row.get("boot_to_init_s", "-")), row["total_s"],
                    " exits %d" % row["exits_total"] if row.get("exits_total") else ""), flush=True)
    write_csv(args.csv, rows)
    write_md(args.md, rows, args, command, kernel, machine_note())
    missing = [(c, n) for n in args.smp for c in ("hyp", "plain") if not good(rows, c, n)]
    if missing:
        print("bench-linux: no successful run for %s" % missing, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
