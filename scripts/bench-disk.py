#!/usr/bin/env python3
"""bench-disk.py: Linux reading the PCI disk under the EL2 hypervisor and on plain QEMU, alternated; write the figures.

Called by scripts/bench-disk.sh (which fetches the kernel and makes the image first). Every run goes through
scripts/bench-linux.py's run_once (the same console parsing and exit accounting as the Linux boot figures):
`bash scripts/run-linux-arm64.sh --smp N --disk IMG --append linuxtest.disk=MD5 [--plain]`, whose init
(tests/integration/linux-guest-init) reads the whole disk with O_DIRECT from every CPU in several block sizes.
A baseline run (hyp_base) is the same under the hypervisor without linuxtest.disk: the disk is there and the
kernel enumerates it, but no driver loads and nothing is read. The hypervisor's accounting covers the whole
run, so the per-MSI figures are (disk run - median baseline) / the disk run's MSIs: the driver's probe and
the read phase, with everything else that happened meanwhile (timer ticks above all).

CSV columns, one row per run:
  config          hyp (under the EL2 hypervisor), plain (QEMU -M virt,gic-version=3, no EL2), hyp_base
                  (under the hypervisor, the disk unread)
  smp, rep        vCPUs; repetition from 1 (hyp and plain run back to back within one, in alternating order)
  ok              1 if the run ended by power-off and, for hyp and plain, every reader's md5 matched and
                  O_DIRECT held (the init's own verdicts)
  load1           the host's 1-minute load average as the run started
  total_s         host seconds from the start of the run to QEMU's exit
  uptime_done_s   the guest's uptime at "linux-init: done" (the read phase and what precedes it)
  disk_mib        the image's size
  readers, bytes, read_s   the init's "disk md5" line: readers, bytes read in all, the read phase's length
                  (guest uptime from before the first reader started to after the last ended)
  read_host_s     the same span on the host clock (the "disk: N readers" line to the first "disk read" line)
  mib_per_s       bytes / 2^20 / read_s
  dev_irqs        the rise of the virtio queue vectors (ITS-MSI, not -config) between the init's
                  /proc/interrupts snapshots around the reads, summed over the vectors and CPUs
  dev_irqs_per_s  dev_irqs / read_s
  reader_s_bs<B>  the reader with block size B: dd's start to its exit (the init's "disk time" line)
  exits_total, exit_<cause>..., irq_<cause>..., lr_accesses, lr_per_exit   the hypervisor's accounting
                  (bench-linux.py's columns; hyp and hyp_base rows only)
  disk_notifies, disk_requests, disk_msis, disk_bytes_read   the device's counters ("hyp: disk ...")
  disk_errors     the sum of its error counters (io_errors unsupported bad_chains misses queues_refused
                  bad_accesses) and the ITS's dropped MSIs
"""
import argparse
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

RUN_TIMEOUT_S = 240
LOG_DIR = "build/linux/bench-disk"
HZ = 250   # Debian's arm64 kernel: CONFIG_HZ_250 (linux-guest-init says so too)
CONFIG_NAMES = {"hyp": "under the hypervisor", "plain": "plain QEMU", "hyp_base": "hypervisor, disk unread"}
DISK_ERRORS = ["io_errors", "unsupported", "bad_chains", "misses", "queues_refused", "bad_accesses"]

RE_READERS = re.compile(r"^linux-init: disk: (\d+) readers of /dev/vda")
RE_READ = re.compile(r"^linux-init: disk read cpu=")
RE_MD5 = re.compile(r"^linux-init: disk md5 (\S+) \((\d+) of (\d+) readers match \S+; (\d+) bytes in ([0-9.]+) s\)")
RE_DIRECT = re.compile(r"^linux-init: disk page cache .*O_DIRECT (\S+)")
RE_TIME = re.compile(r"^linux-init: disk time cpu=(\d+) bs=(\d+) ([0-9.]+) s")
RE_DONE = re.compile(r"^linux-init: done, uptime ([0-9.]+) s")
RE_SNAP = re.compile(r"^linux-init: interrupts (\S+)")
RE_HYP_DISK = re.compile(r"^hyp: disk (.*)")
RE_ITS = re.compile(r"^hyp: its commands \d+ errors (\d+) msis \d+ dropped (\d+)")
RE_PAIR = re.compile(r"(\w+) (\d+)")


def on_line(row, line, t):
    """The disk's lines, for scripts/bench-linux.py's run_once."""
    m = RE_SNAP.match(line)
    if m:
        row["_snap"] = m.group(1)
        return
    if line.startswith("linux-init:"):
        row["_snap"] = None
    snap = row.get("_snap")
    if snap in ("disk-before", "disk-after"):
        f = line.split()
        # "IRQ: c0 c1 ... ITS-MSI EVENT Edge virtio0-req.N": the queue vectors, not the config one.
        if len(f) > row["smp"] + 1 and "MSI" in line and "virtio" in f[-1] and not f[-1].endswith("-config"):
            try:
                n = sum(int(x) for x in f[1:row["smp"] + 1])
            except ValueError:
                return
            row["_irqs_" + snap] = row.get("_irqs_" + snap, 0) + n
        return
    m = RE_READERS.match(line)
    if m:
        row["_t_read0"] = t
        return
    if RE_READ.match(line) and "_t_read1" not in row:
        row["_t_read1"] = t
        return
    m = RE_TIME.match(line)
    if m:
        row["reader_s_bs" + m.group(2)] = float(m.group(3))
        return
    m = RE_MD5.match(line)
    if m:
        row["_md5_ok"] = m.group(1) == "ok"
        row["readers"] = int(m.group(3))
        row["bytes"] = int(m.group(4))
        row["read_s"] = float(m.group(5))
        return
    m = RE_DIRECT.match(line)
    if m:
        row["_direct_ok"] = m.group(1) == "ok"
        return
    m = RE_DONE.match(line)
    if m:
        row["uptime_done_s"] = float(m.group(1))
        return
    m = RE_HYP_DISK.match(line)
    if m:
        for k, v in RE_PAIR.findall(m.group(1)):
            if k in DISK_ERRORS:
                row["disk_errors"] = row.get("disk_errors", 0) + int(v)
            elif k in ("notifies", "requests", "msis", "bytes_read"):
                row["disk_" + k] = int(v)
        return
    m = RE_ITS.match(line)
    if m:
        row["disk_errors"] = row.get("disk_errors", 0) + int(m.group(2))


def run(config, smp, rep, args):
    extra = ["--disk", args.disk]
    if config != "hyp_base":
        extra += ["--append", "linuxtest.disk=" + args.md5]
    log = os.path.join(LOG_DIR, "%s-smp%d-rep%d.log" % (config, smp, rep))
    row, kernel = BL.run_once("plain" if config == "plain" else "hyp", smp, extra, on_line, RUN_TIMEOUT_S, log)
    row.update(config=config, rep=rep, disk_mib=args.mib)
    if config != "hyp_base":
        readers_ok = row.get("readers", 0) >= min_readers(smp)
        row["ok"] = int(row["ok"] and row.get("_md5_ok", False) and row.get("_direct_ok", False) and readers_ok)
        if row.get("read_s"):
            row["mib_per_s"] = row["bytes"] / 2 ** 20 / row["read_s"]
            if "_irqs_disk-after" in row:
                row["dev_irqs"] = row["_irqs_disk-after"] - row.get("_irqs_disk-before", 0)
                row["dev_irqs_per_s"] = row["dev_irqs"] / row["read_s"]
        if "_t_read0" in row and "_t_read1" in row:
            row["read_host_s"] = row["_t_read1"] - row["_t_read0"]
    return row, kernel, log


def min_readers(smp):
    return max(smp, 4)   # linux-guest-init: one reader per CPU and at least one per block size (4 of them)


def columns(rows):
    bss = sorted({int(k[len("reader_s_bs"):]) for r in rows for k in r if k.startswith("reader_s_bs")})
    return (["config", "smp", "rep", "ok", "load1", "total_s", "uptime_done_s", "disk_mib", "readers", "bytes",
             "read_s", "read_host_s", "mib_per_s", "dev_irqs", "dev_irqs_per_s"]
            + ["reader_s_bs%d" % b for b in bss]
            + [c for c in BL.COLUMNS if c.startswith(("exit", "irq_", "lr_"))]
            + ["disk_notifies", "disk_requests", "disk_msis", "disk_bytes_read", "disk_errors"])


good = BL.good


def med(rows, key):
    return statistics.median([r[key] for r in rows])


def mr(vals, digits=1):
    """median [min–max]"""
    return BL.median_range([float(v) for v in vals], digits)


def bs_name(b):
    return "%d KiB" % (b // 1024) if b < 2 ** 20 else "%d MiB" % (b // 2 ** 20)


def hyp_keys():
    return (["exits_total"] + ["exit_" + c for c in BL.EXIT_CAUSES] + ["irq_" + c for c in BL.IRQ_CAUSES]
            + ["lr_accesses", "uptime_done_s"])


def per_msi(rows, smps):
    """{n: (per-run dicts of (disk run - median baseline) / MSIs, the baseline medians)} for the vCPU counts that
    have both."""
    out = {}
    for n in smps:
        h = [r for r in good(rows, "hyp", n, "exits_total") if r.get("disk_msis")]
        b = good(rows, "hyp_base", n, "exits_total")
        if not h or not b:
            continue
        base = {k: statistics.median([r.get(k, 0) for r in b]) for k in hyp_keys()}
        runs = []
        for r in h:
            d = {k: (r.get(k, 0) - base[k]) / r["disk_msis"] for k in hyp_keys() if k != "uptime_done_s"}
            d["extra_s"] = r["uptime_done_s"] - base["uptime_done_s"] if "uptime_done_s" in r else None
            d["run"] = r
            runs.append(d)
        out[n] = (runs, base)
    return out


def write_md(path, rows, args, command, kernel, note):
    smps = args.smp
    lines = ["### Linux reading the PCI disk: under the hypervisor against plain QEMU", "",
             "Debian's unmodified `%s` kernel, the initramfs of `make test-linux`, and a %d MiB disk image "
             "(`scripts/mkdisk.py`). With `linuxtest.disk=MD5` the init loads `virtio_blk` and `virtio_pci`, then "
             "reads the whole of `/dev/vda` with `O_DIRECT` from max(vCPUs, 4) readers at once, reader *r* pinned "
             "to CPU *r* mod vCPUs with blocks of 4 KiB, 64 KiB, 512 KiB or 1 MiB (*r* mod 4), each piping into "
             "`md5sum` on its CPU, and checks every md5 against the host's. Under the hypervisor the disk is its "
             "own virtio-blk-pci device (docs/arm64.md section 14: one queue per vCPU, served at the notify, "
             "MSI-X through the emulated ITS); on plain QEMU it is QEMU's virtio-blk-pci (modern only, "
             "read-only, a queue per vCPU) behind QEMU's ITS. %d run(s) per configuration and vCPU count, the "
             "two alternated run by run (which goes first alternates too). Medians, [min–max] in brackets; "
             "*ratio* is hypervisor / plain (above 1: the hypervisor reads faster, or takes more interrupts "
             "per second)." % (kernel or "linux-image-cloud-arm64", args.mib, args.reps), "",
             "| vCPUs | readers | read MiB/s, hypervisor | read MiB/s, plain | ratio | device interrupts/s, "
             "hypervisor | device interrupts/s, plain | ratio |", "|---|---|---|---|---|---|---|---|"]
    for n in smps:
        h, p = good(rows, "hyp", n, "mib_per_s"), good(rows, "plain", n, "mib_per_s")
        if not h or not p:
            lines.append("| %d | | %d good runs | %d good runs | | | | |" % (n, len(h), len(p)))
            continue
        hi, pi = [r for r in h if "dev_irqs_per_s" in r], [r for r in p if "dev_irqs_per_s" in r]
        irq_cells = ("%s | %s | %.2f" % (mr([r["dev_irqs_per_s"] for r in hi], 0),
                                         mr([r["dev_irqs_per_s"] for r in pi], 0),
                                         med(hi, "dev_irqs_per_s") / med(pi, "dev_irqs_per_s"))
                     if hi and pi else "– | – |")
        lines.append("| %d | %d | %s | %s | %.2f | %s |" % (
            n, h[0]["readers"], mr([r["mib_per_s"] for r in h]), mr([r["mib_per_s"] for r in p]),
            med(h, "mib_per_s") / med(p, "mib_per_s"), irq_cells))
    lines += ["", "*Read MiB/s* is every reader's bytes (readers x disk size) over the read phase: the guest's "
              "uptime from before the first reader starts to after the last one ends, not the boot. It includes "
              "what the guest does with the data, `md5sum` of every byte under TCG, and it ends with the slowest "
              "reader, so the 4 KiB reader (one request per 4 KiB) sets it; the table below gives each block "
              "size's own rate. *Device interrupts/s* is the rise of the virtio queue vectors (`ITS-MSI`, not "
              "`-config`) in the guest's `/proc/interrupts` around the reads, over the same span."]
    lines += read_notes(rows, smps)
    lines += ["", "Each reader's own rate, the disk size over its `dd`'s time (the init's `linux-init: disk time` "
              "line); the readers run at the same time, so a reader's rate also depends on what the others "
              "leave it:", "",
              "| vCPUs | block size | MiB/s, hypervisor | MiB/s, plain | ratio |", "|---|---|---|---|---|"]
    bss = sorted({int(k[len("reader_s_bs"):]) for r in rows for k in r if k.startswith("reader_s_bs")})
    for n in smps:
        for b in bss:
            key = "reader_s_bs%d" % b
            h, p = good(rows, "hyp", n, key), good(rows, "plain", n, key)
            if not h or not p:
                continue
            hv = [args.mib / r[key] for r in h if r[key] > 0]
            pv = [args.mib / r[key] for r in p if r[key] > 0]
            if hv and pv:
                lines.append("| %d | %s | %s | %s | %.2f |" % (n, bs_name(b), mr(hv), mr(pv),
                                                               statistics.median(hv) / statistics.median(pv)))
    lines += sec_per_msi(rows, smps)
    bad = [r for r in rows if not r["ok"]]
    lines += [""]
    if bad:
        lines += ["**%d run(s) failed (no power-off, a bad md5, O_DIRECT not held, or too few readers) and are "
                  "left out:** %s; their consoles are in `%s/`." % (
                      len(bad), ", ".join("%s smp%d rep %d" % (r["config"], r["smp"], r["rep"]) for r in bad),
                      LOG_DIR), ""]
    lines += ["Command (CSV columns are described in `scripts/bench-disk.py`; each run's console is kept in "
              "`%s/`):" % LOG_DIR, "", "```", command, "```", "",
              "Each run it makes is one of (N vCPUs, IMG the image, MD5 its md5 as `scripts/mkdisk.py` prints it):",
              "", "```",
              "bash scripts/run-linux-arm64.sh --smp N --timeout %d --disk IMG --append linuxtest.disk=MD5"
              "           # hypervisor" % RUN_TIMEOUT_S,
              "bash scripts/run-linux-arm64.sh --smp N --timeout %d --disk IMG --append linuxtest.disk=MD5 --plain"
              "   # plain QEMU" % RUN_TIMEOUT_S,
              "bash scripts/run-linux-arm64.sh --smp N --timeout %d --disk IMG"
              "                                   # baseline" % RUN_TIMEOUT_S, "```", "",
              "Machine: %s. Host load average (1 min) as each run started: median %.2f, max %.2f; it includes the "
              "previous run's QEMU, and other work on the machine, which the alternation spreads over both "
              "configurations." % (note, statistics.median([r["load1"] for r in rows]),
                                   max(r["load1"] for r in rows)), ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def read_notes(rows, smps):
    """Cross-checks stated from the data: the host's clock against the guest's, interrupts per request."""
    out = []
    both = [r for r in rows if r["ok"] and r["config"] != "hyp_base" and r.get("read_s") and r.get("read_host_s")]
    if both:
        dev = [r["read_host_s"] / r["read_s"] - 1 for r in both]
        out.append("The host's clock, from the init's line announcing the readers to its first result line, gives "
                   "read phases %+.1f%% to %+.1f%% of the guest's (console latency and the md5 files' reads "
                   "included)." % (100 * min(dev), 100 * max(dev)))
    for n in smps:
        h = [r for r in good(rows, "hyp", n) if r.get("disk_msis") and r.get("disk_requests") and "dev_irqs" in r]
        p = [r for r in good(rows, "plain", n) if "dev_irqs" in r]
        if not h or not p:
            continue
        out.append("On %d vCPUs the guest counted %s device interrupts per run under the hypervisor and %s on "
                   "plain QEMU; the hypervisor's device served %s requests and sent %s MSIs per run "
                   "(medians, the driver's probe included)." % (
                       n, "{:,.0f}".format(med(h, "dev_irqs")), "{:,.0f}".format(med(p, "dev_irqs")),
                       "{:,.0f}".format(med(h, "disk_requests")), "{:,.0f}".format(med(h, "disk_msis"))))
    return ["", " ".join(out)] if out else []


def sec_per_msi(rows, smps):
    pm = per_msi(rows, smps)
    if not pm:
        return ["", "No per-MSI figures: no good hypervisor run with its baseline."]
    ns = [n for n in smps if n in pm]
    lines = ["", "#### Exits and LR accesses per MSI, under the hypervisor", "",
             "The hypervisor's accounting (`hyp: exits`, `hyp: lr accesses`, `hyp: disk ... msis`) is printed once, "
             "at the end of the run, and covers the whole boot; running totals come only at the test guest's "
             "`@@mark` console call, an HVC that Linux's user space cannot make. So each figure is the disk run's "
             "count **minus the median of %d baseline run(s)** under the hypervisor with the same disk but "
             "without `linuxtest.disk` (the kernel enumerates the device; no driver loads, nothing is read), "
             "**divided by the disk run's MSIs**: the driver's probe and the read phase, with everything that "
             "happened meanwhile, timer ticks and IPIs included. Medians over the disk runs; cause rows that "
             "round to 0.00 everywhere are left out." % min(len(good(rows, "hyp_base", n)) for n in ns), "",
             "| per MSI |" + "".join(" %d vCPUs |" % n for n in ns), "|---|" + "---|" * len(ns)]

    def cell(n, key, digits=2, rng=False):
        vals = [d[key] for d in pm[n][0]]
        return mr(vals, digits) if rng else "%.*f" % (digits, statistics.median(vals))

    lines.append("| **exits** |" + "".join(" %s |" % cell(n, "exits_total", rng=True) for n in ns))
    for c in BL.EXIT_CAUSES:
        key = "exit_" + c
        if all(abs(statistics.median([d[key] for d in pm[n][0]])) < 0.005 for n in ns):
            continue
        lines.append("| exit `%s` |" % c + "".join(" %s |" % cell(n, key) for n in ns))
    for c in BL.IRQ_CAUSES:
        key = "irq_" + c
        if all(abs(statistics.median([d[key] for d in pm[n][0]])) < 0.005 for n in ns):
            continue
        lines.append("| physical interrupt `%s` |" % c + "".join(" %s |" % cell(n, key) for n in ns))
    lines.append("| **LR accesses** |" + "".join(" %s |" % cell(n, "lr_accesses", rng=True) for n in ns))
    lines.append("| MSIs per run (the device's count) |" + "".join(
        " %s |" % "{:,.0f}".format(statistics.median([d["run"]["disk_msis"] for d in pm[n][0]])) for n in ns))
    lines.append("| exits per run, disk run / baseline |" + "".join(
        " %s / %s |" % ("{:,.0f}".format(statistics.median([d["run"]["exits_total"] for d in pm[n][0]])),
                        "{:,.0f}".format(pm[n][1]["exits_total"])) for n in ns))
    lines.append("| guest seconds added by the disk (uptime at `linux-init: done`) |" + "".join(
        " %s |" % ("%.1f" % statistics.median([d["extra_s"] for d in pm[n][0] if d["extra_s"] is not None])
                   if any(d["extra_s"] is not None for d in pm[n][0]) else "–") for n in ns))
    lines += ["", " ".join(msi_notes(pm, ns))]
    return lines


def msi_notes(pm, ns):
    """Where the exits per MSI go, stated from the data."""
    out = []
    for n in ns:
        runs = pm[n][0]
        pci = statistics.median([d["exit_mmio_pci"] * d["run"]["disk_msis"] / d["run"]["disk_requests"]
                                 for d in runs if d["run"].get("disk_requests")])
        notif = statistics.median([d["run"]["disk_notifies"] / d["run"]["disk_requests"]
                                   for d in runs if d["run"].get("disk_requests")])
        msis = statistics.median([d["run"]["disk_msis"] / d["run"]["disk_requests"]
                                  for d in runs if d["run"].get("disk_requests")])
        rest = statistics.median([d["exits_total"] - d["exit_mmio_pci"] for d in runs])
        ticks = [d["exit_irq"] * d["run"]["disk_msis"] / d["extra_s"] / n for d in runs if d["extra_s"]]
        one = abs(notif - 1) < 0.01 and abs(msis - 1) < 0.01
        s = ("On %d vCPUs: %.2f `mmio_pci` exits per request (%.2f notifies and %.2f MSIs per request%s), and "
             "%.2f exits per MSI besides them" % (n, pci, notif, msis, ": every request is its own notify and its "
                                                  "own interrupt" if one else "", rest))
        if ticks:
            t = statistics.median(ticks)
            s += ("; the added `irq` exits come to %.0f per vCPU per second of the added guest time, %s the "
                  "guest's %d Hz tick%s" % (t, "within" if t <= HZ * 1.1 else "above", HZ,
                                            ", so they follow the read phase's length rather than its MSIs"
                                            if t <= HZ * 1.1 else ""))
        out.append(s + ".")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--base-reps", type=int, default=1)
    ap.add_argument("--smp", default="2 4")
    ap.add_argument("--disk", required=True)
    ap.add_argument("--md5", required=True)
    ap.add_argument("--mib", type=int, required=True)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--md", required=True)
    args = ap.parse_args()
    args.smp = [int(x) for x in args.smp.split()]
    command = ('DISK_BENCH_MIB=%d DISK_BENCH_REPS=%d DISK_BENCH_BASE_REPS=%d DISK_BENCH_SMP="%s" '
               'bash scripts/bench-disk.sh %s %s' % (args.mib, args.reps, args.base_reps,
                                                     " ".join(map(str, args.smp)), args.csv, args.md))
    os.makedirs(LOG_DIR, exist_ok=True)
    plan = []
    for rep in range(1, args.reps + 1):
        for n in args.smp:
            # Alternate which configuration goes first, so a drift in host speed favours neither.
            plan += [(c, n, rep) for c in (["hyp", "plain"] if (rep + n) % 2 else ["plain", "hyp"])]
    plan += [("hyp_base", n, rep) for rep in range(1, args.base_reps + 1) for n in args.smp]
    rows, kernel = [], None
    for config, n, rep in plan:
        row, k, log = run(config, n, rep, args)
        kernel = kernel or k
        rows.append(row)
        print("bench-disk: rep %d smp %d %-8s ok %d total %.1f s%s%s%s%s" % (
            rep, n, config, row["ok"], row["total_s"],
            " read %.2f s %.1f MiB/s" % (row["read_s"], row["mib_per_s"]) if "mib_per_s" in row else "",
            " irqs %d" % row["dev_irqs"] if "dev_irqs" in row else "",
            " exits %d msis %d" % (row["exits_total"], row.get("disk_msis", 0)) if row.get("exits_total") else "",
            "" if row["ok"] else " (FAILED: %s)" % log), flush=True)
    for r in rows:
        for k in [k for k in r if k.startswith("_")]:
            del r[k]
    BL.write_csv(args.csv, rows, columns(rows))
    write_md(args.md, rows, args, command, kernel, BL.machine_note())
    missing = [(c, n) for n in args.smp for c in ("hyp", "plain", "hyp_base") if not good(rows, c, n)]
    if missing:
        print("bench-disk: no successful run for %s" % missing, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
