#!/usr/bin/env python3
"""report_linux.py DIR REPS PINGPONG VCPUS MEM_MIB [CSV MD]: the figures of scripts/kvm-truth-linux.sh.

DIR holds plain-R.log, ours-R.log and kvm-R.log for R = 1..REPS (the timed runs), kvm-traced.log and trace.txt
(QEMU's gicv3_ich_* events of the traced KVM run). Times are the L2 guest's own (/proc/uptime lines of
tests/integration/linux-guest-init): boot = to "linux-init: started"; loops = from there to "workload done";
pingpong = the init's own measure of its round trips; whole = to "linux-init: done".
Interrupts delivered = the sum of the IPI and arch_timer counts of the init's last /proc/interrupts snapshot.
CSV columns: config, rep, metric, value (rep 0 and metric exits/ich_*/irqs for the counted runs: ours' first
timed run, KVM's traced run).
"""
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import KINDS, emit, ich_trace_counts, ours_counts  # noqa: E402  (the same counting as kvm-truth.sh's)

PHASES = ["boot", "loops", "pingpong", "whole"]
RE_STARTED = re.compile(r"linux-init: started, uptime ([0-9.]+) s")
RE_LOOPS = re.compile(r"linux-init: workload done, uptime ([0-9.]+) s")
RE_PP = re.compile(r"linux-init: pingpong (\d+) round trips in ([0-9.]+) s")
RE_DONE = re.compile(r"linux-init: done, uptime ([0-9.]+) s")
RE_SNAP = re.compile(r"linux-init: interrupts (\S+)")
RE_IRQ_ROW = re.compile(r"^\s*(?:IPI\d+|\d+):((?:\s+\d+)+)\s")


def strip(line):
    """The L2 console line without the KVM VMM's "l2: " prefix."""
    return line[4:] if line.startswith("l2: ") else line


def times(path):
    t = {}
    for raw in open(path, errors="replace"):
        line = strip(raw.rstrip("\r\n"))
        for key, rx in (("started", RE_STARTED), ("loops_end", RE_LOOPS), ("done", RE_DONE)):
            m = rx.search(line)
            if m:
                t[key] = float(m.group(1))
        m = RE_PP.search(line)
        if m:
            t["pingpong"] = float(m.group(2))
    if len(t) != 4:
        sys.exit("report_linux: %s lacks the init's time lines (%s)" % (path, sorted(t)))
    return {"boot": t["started"], "loops": t["loops_end"] - t["started"], "pingpong": t["pingpong"],
            "whole": t["done"]}


def irqs_delivered(path):
    """Interrupts the guest took by its last snapshot (IPIs and the timer: nearly all it takes)."""
    lines = [strip(raw.rstrip("\r\n")) for raw in open(path, errors="replace")]
    marks = [i for i, line in enumerate(lines) if RE_SNAP.match(line)]
    if not marks:
        return None
    total = 0
    for line in lines[marks[-1] + 1:]:
        m = RE_IRQ_ROW.match(line)
        if not m:
            if line.strip().startswith("CPU"):
                continue
            break
        total += sum(int(x) for x in m.group(1).split())
    return total


def kvm_stats(d):
    """The traced KVM run's debugfs counts ("vmm: stat NAME N"), and the L1 kernel's version."""
    stats = {}
    for line in open(d + "/kvm-traced.log", errors="replace"):
        m = re.match(r"^vmm: stat (\w+) (\d+)", line)
        if m:
            stats[m.group(1)] = int(m.group(2))
        m = re.search(r"Linux version (\S+)", line)
        if m and not line.startswith("l2: "):
            stats["version"] = m.group(1)
    return stats


def rng(vals, fmt):
    lo, hi = min(vals), max(vals)
    return fmt % lo if fmt % lo == fmt % hi else (fmt % lo) + "-" + (fmt % hi)


def main(argv):
    d, reps, pp, vcpus, mem = argv[1], int(argv[2]), int(argv[3]), int(argv[4]), int(argv[5])
    csv_out = argv[6] if len(argv) > 6 else ""
    md_out = argv[7] if len(argv) > 7 else ""
    configs = ["plain", "ours", "kvm"]
    t = {c: [times("%s/%s-%d.log" % (d, c, r)) for r in range(1, reps + 1)] for c in configs}
    ks, ours_by_cause = kvm_stats(d), {}
    counted = {"kvm": (ks.get("exits"), ich_trace_counts(d + "/trace.txt"), irqs_delivered(d + "/kvm-traced.log")),
               "ours": ours_counts(d + "/ours-1.log", ours_by_cause) + (irqs_delivered(d + "/ours-1.log"),)}
    for c, (exits, counts, irqs) in counted.items():
        if not exits or not counts or not irqs:
            sys.exit("report_linux: no counts for %s (exits %s, irqs %s)" % (c, exits, irqs))

    rows = []
    for c in configs:
        for r, tr in enumerate(t[c], 1):
            for p in PHASES:
                rows.append((c, r, p + "_s", "%.2f" % tr[p]))
    for c, (exits, counts, irqs) in counted.items():
        rows.append((c, 0, "exits", exits))
        rows.append((c, 0, "irqs", irqs))
        rows.append((c, 0, "ich_total", sum(counts.values())))
        for k in KINDS:
            rows.append((c, 0, "ich_" + k, counts.get(k, 0)))
    if csv_out:
        with open(csv_out, "w") as f:
            f.write("config,rep,metric,value\n")
            for row in rows:
                f.write("%s,%s,%s,%s\n" % row)

    # Time against plain QEMU, round by round (each round ran the three back to back).
    def ratios(c, p, base="plain"):
        return [t[c][i][p] / t[base][i][p] for i in range(reps)]

    lines = ["## Ground truth with Linux: plain QEMU, ours and KVM's own vgic", "",
             "The same Debian arm64 kernel and initramfs (`tests/integration/linux-guest-init`) on %d vCPUs with "
             "%d MiB: boot, a pinned busy loop on every CPU feeding a reader on the next CPU, then %d cross-CPU "
             "ping-pong round trips between tasks pinned to CPU 0 and CPU 1. Plain: QEMU's own GICv3, no EL2. "
             "Ours: under the EL2 hypervisor. KVM: Debian's kernel at EL2 under QEMU TCG as L1 runs KVM (VHE) and "
             "`scripts/kvm-truth/vmm.c` runs the L2 Linux on KVM's vGICv3 (unmodified). The command lines carry "
             "`quiet`: the VMM serves the console in userspace, so each character KVM's guest printed would be an "
             "exit to L1's userspace (the hypervisor passes the UART through), and the kernel's boot messages "
             "would time the VMM, not the vgic. Times are the guest's own clock, median over %d rounds (range "
             "in brackets), each round running the three back to back in a rotated order." % (
                 vcpus, mem, pp, reps), "",
             "| phase | plain (s) | ours (s) | KVM (s) | ours / plain | KVM / plain | KVM / ours |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for p in PHASES:
        med = {c: statistics.median(x[p] for x in t[c]) for c in configs}
        lines.append("| %s | %.2f | %.2f | %.2f | %.2fx (%s) | %.2fx (%s) | %.2fx (%s) |" % (
            p, med["plain"], med["ours"], med["kvm"], statistics.median(ratios("ours", p)),
            rng(ratios("ours", p), "%.2f"), statistics.median(ratios("kvm", p)), rng(ratios("kvm", p), "%.2f"),
            statistics.median(ratios("kvm", p, "ours")), rng(ratios("kvm", p, "ours"), "%.2f")))
    lines += ["", "Plain QEMU's `virt` board gives Linux more to probe at boot (32 virtio-mmio slots, PCIe, an RTC, "
              "fw_cfg) than the device tree the hypervisor and the VMM give it (`dts/guest.dts`; the VMM's without the ITS), so "
              "boot under a hypervisor can be the shorter; KVM / ours compares the two that see the same machine."]
    (ke, kc, ki), (oe, oc, oi) = counted["kvm"], counted["ours"]
    kt, ot = sum(kc.values()), sum(oc.values())

    def per(v, n):
        return "%.2f" % (v / n)

    lines += ["", "Every `ICH_*` access, counted in one run each (KVM: QEMU's `gicv3_ich_*` trace events in a run of "
              "its own, since tracing slows QEMU; ours: the hypervisor's LR-backend accounting, in its first timed "
              "run). Interrupts delivered: the IPI and timer counts of the guest's last `/proc/interrupts`.", "",
              "| | KVM %s (real, traced) | ours |" % ks.get("version", "?"), "|---|---:|---:|",
              "| exits | %s | %s |" % (format(ke, ","), format(oe, ",")),
              "| interrupts delivered | %s | %s |" % (format(ki, ","), format(oi, ",")),
              "| exits per interrupt | %s | %s |" % (per(ke, ki), per(oe, oi)),
              "| `ICH_*` accesses per exit | %s | %s |" % (per(kt, ke), per(ot, oe)),
              "| `ICH_*` accesses per interrupt | %s | %s |" % (per(kt, ki), per(ot, oi))]
    for k in KINDS:
        if kc.get(k, 0) or oc.get(k, 0):
            lines.append("| %s per exit | %s | %s |" % (k, per(kc.get(k, 0), ke), per(oc.get(k, 0), oe)))
    k_other = ke - ks.get("wfi_exit_stat", 0) - ks.get("mmio_exit_user", 0) - ks.get("mmio_exit_kernel", 0)
    o_other = oe - sum(ours_by_cause.get(c, 0) for c in ("wfi", "irq", "sgi_sysreg"))
    lines += ["", "Where the exits came from. KVM (its debugfs): WFI %s, MMIO served in L1's userspace %s (the "
              "console: the VMM's UART), MMIO in the kernel %s, the other %s physical interrupts (L1's own timer "
              "ticks among them: KVM's host has a tick, our hypervisor has none) and trapped `ICC_SGI1R` writes. "
              "Ours: WFI %s, physical interrupts %s (kicks and the timer), `ICC_SGI1R` %s, the other %s MMIO "
              "(GIC, ITS) and PSCI." % (
                  format(ks.get("wfi_exit_stat", 0), ","), format(ks.get("mmio_exit_user", 0), ","),
                  format(ks.get("mmio_exit_kernel", 0), ","), format(k_other, ","),
                  format(ours_by_cause.get("wfi", 0), ","), format(ours_by_cause.get("irq", 0), ","),
                  format(ours_by_cause.get("sgi_sysreg", 0), ","), format(o_other, ","))]
    pairs = kc.get("vtr_read", 0) // 2
    lines += ["",
              "Against the model: KVM classic's model (`bench/pol_kvm_classic.c`) saves and restores VMCR and the "
              "AP registers only at vCPU put and load (from v4.17), and so does real KVM here: it read ICH_VTR "
              "%s times, which its AP save and its AP restore each do once, so about %s put+load pairs, %s per "
              "exit. They follow the exits that leave KVM's run loop: those to L1's userspace (%s) and the WFIs "
              "that block (%s), and a vCPU thread preempted in L1. The model's rounds have none of these, so its 2 "
              "to 5 accesses per exit are the floor real KVM starts from; in this run it averaged %s. Ours keeps "
              "its LRs loaded across exits, serves its devices at EL2, and reads VMCR only when a WFI finds "
              "something queued." % (
                  format(kc.get("vtr_read", 0), ","), format(pairs, ","), per(pairs, ke),
                  format(ks.get("mmio_exit_user", 0), ","), format(ks.get("halt_wakeup", 0), ","), per(kt, ke)), "",
              "Command (`bench/results/kvm_truth_linux.csv` has every run's phases and the counts; the consoles and "
              "QEMU's trace are kept in `build/kvm-truth-linux/`):", "", "```",
              "KVM_TRUTH_LINUX_REPS=%d KVM_TRUTH_LINUX_PINGPONG=%d bash scripts/kvm-truth-linux.sh "
              "bench/results/kvm_truth_linux.csv bench/results/kvm_truth_linux.md" % (reps, pp), "```", ""]
    emit("\n".join(lines), md_out)


if __name__ == "__main__":
    main(sys.argv)
