#!/usr/bin/env python3
"""report.py DIR SGIS VCPUS [CSV MD]: the side-by-side figures of scripts/kvm-truth.sh.

KVM side: DIR/trace.log (QEMU's gicv3_ich_* trace events: one line per ICH_* access by the L1 kernel,
KVM's init included, a handful) and DIR/kvm.log ("vmm: stat exits N", KVM's debugfs count for the VM).
Our side: DIR/ours.log (the hypervisor's "hyp: exits N total" and the LR-backend line by kind).
CSV columns: side, metric, value (metric: exits, ich_total, or ich_<kind>; per whole run).
"""
import collections
import re
import sys

KINDS = ["lr_read", "lr_write", "elrsr_read", "eisr_read", "misr_read", "hcr_read", "hcr_write",
         "vmcr_read", "vmcr_write", "apr_read", "apr_write", "vtr_read"]
# QEMU's event names -> ours (the AP registers are "ap" there, "apr" in the hypervisor's accounting)
QEMU_KIND = {"ap_read": "apr_read", "ap_write": "apr_write"}


def ich_trace_counts(path):
    """ICH_* accesses by kind in a QEMU log of gicv3_ich_* trace events."""
    counts = collections.Counter()
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"^(?:\d+@[\d.]+:)?gicv3_ich_(\w+)\s", line)
            if m:
                k = m.group(1)
                counts[QEMU_KIND.get(k, k)] += 1
    return counts


def ours_counts(path, by_cause=None):
    """(exits, LR-backend accesses by kind) from the hypervisor's accounting in a console log; by_cause, a
    dict, also gets its exits by cause."""
    counts = collections.Counter()
    exits = None
    for line in open(path, errors="replace"):
        m = re.match(r"^hyp: exits (\d+) total", line)
        if m:
            exits = int(m.group(1))
        m = re.match(r"^hyp:\s+exit (\w+)\s+(\d+)", line)
        if m and by_cause is not None:
            by_cause[m.group(1)] = int(m.group(2))
        # the LR-backend line by kind: "hyp:   lr_read N lr_write N ..."
        if re.match(r"^hyp:\s+(lr_|elrsr|hcr|vmcr|apr|vtr)", line):
            for k, v in re.findall(r"(\w+) (\d+)", line):
                counts[k] += int(v)
    return exits, counts


def emit(text, md_out):
    """The Markdown fragment: to md_out, or printed when there is none."""
    if md_out:
        with open(md_out, "w") as f:
            f.write(text)
    else:
        print(text)


def kvm_side(d):
    counts = ich_trace_counts(d + "/trace.log")
    exits = None
    for line in open(d + "/kvm.log", errors="replace"):
        m = re.match(r"^vmm: stat exits (\d+)", line)
        if m:
            exits = int(m.group(1))
    return exits, counts


def ours_side(d):
    return ours_counts(d + "/ours.log")


def main(argv):
    d, sgis, vcpus = argv[1], int(argv[2]), int(argv[3])
    csv_out = argv[4] if len(argv) > 4 else ""
    md_out = argv[5] if len(argv) > 5 else ""
    sides = {"kvm": kvm_side(d), "ours": ours_side(d)}
    for name, (exits, counts) in sides.items():
        if exits is None or not counts:
            sys.exit("report: no figures for %s in %s" % (name, d))
    rows = []
    for name, (exits, counts) in sides.items():
        rows.append((name, "exits", exits))
        rows.append((name, "ich_total", sum(counts.values())))
        for k in KINDS:
            rows.append((name, "ich_" + k, counts.get(k, 0)))
    if csv_out:
        with open(csv_out, "w") as f:
            f.write("side,metric,value\n")
            for r in rows:
                f.write("%s,%s,%d\n" % r)
    (ke, kc), (oe, oc) = sides["kvm"], sides["ours"]
    kt, ot = sum(kc.values()), sum(oc.values())

    def per(v, n):
        return "%.2f" % (v / n)

    lines = ["## Ground truth: KVM's own vgic against ours, the same guest", "",
             "Debian's unmodified `6.1` arm64 kernel boots at EL2 under QEMU TCG (`-M virt,virtualization=on`) and "
             "brings up KVM in VHE mode on QEMU's GICv3 CPU interface; a tiny static VMM "
             "(`scripts/kvm-truth/vmm.c`: RAM, KVM's vGICv3, PSCI vCPUs, a PL011 that prints what is written) runs our test guest "
             "under it. QEMU's trace events `gicv3_ich_*` count every `ICH_*` register access the L1 kernel makes "
             "(KVM's initialisation included: a handful), and KVM's debugfs gives the VM's exit count. The same "
             "guest runs under our hypervisor, whose accounting counts its exits and LR-backend accesses by kind. "
             "The workload is the guest's `sgi-stress=%d` mode on %d vCPUs: SGIs round a ring, each sender waiting "
             "for its last one to arrive (only the GIC and PSCI are needed, so it runs unchanged under both); "
             "%d SGIs arrived exactly once under each." % (sgis, vcpus, sgis), "",
             "| per SGI delivered | KVM 6.1 (real, traced) | ours |", "|---|---|---|",
             "| exits | %s | %s |" % (per(ke, sgis), per(oe, sgis)),
             "| `ICH_*` accesses | %s | %s |" % (per(kt, sgis), per(ot, sgis)),
             "| `ICH_*` accesses per exit | %s | %s |" % (per(kt, ke), per(ot, oe))]
    for k in KINDS:
        if kc.get(k, 0) or oc.get(k, 0):
            lines.append("| %s | %s | %s |" % (k, per(kc.get(k, 0), sgis), per(oc.get(k, 0), sgis)))
    lines += ["",
              "Whole runs: KVM %s exits and %s `ICH_*` accesses; ours %s exits and %s accesses." % (
                  format(ke, ","), format(kt, ","), format(oe, ","), format(ot, ",")), "",
              "What it says about the model: KVM classic's model in the LR-policy benchmark makes 5 accesses per "
              "one-interrupt round (entry: an LR write and ICH_HCR; exit: ELRSR, clearing the LR, ICH_HCR). Real "
              "KVM here makes %s LR writes, %s ICH_HCR writes and %s ELRSR reads per SGI: %s in all against the "
              "model's 5, plus the VMCR and AP-register save and restore (%s per SGI) of its put and load when a "
              "vCPU blocks in WFI, which the round-based scenarios do not have. Neither sends the kick SGI to a "
              "vCPU whose CPU is at EL2 (KVM's `IN_GUEST_MODE`; ours since this comparison showed the "
              "difference: 2.01 exits per SGI before, in a quiet run), so the exits left over the SGI "
              "traps are the kicks that found their target in the guest, which depends on timing: a nested "
              "KVM exit under TCG is much slower than ours, and the run's load moves both." % (
                  per(kc["lr_write"], sgis), per(kc["hcr_write"], sgis), per(kc["elrsr_read"], sgis),
                  per(kc["lr_write"] + kc["hcr_write"] + kc["elrsr_read"], sgis),
                  per(kc["vmcr_read"] + kc["vmcr_write"] + kc["apr_read"] + kc["apr_write"], sgis)), "",
              "Command (`bench/results/kvm_truth.csv` has the whole-run counts; the consoles and QEMU's trace "
              "are kept in `build/kvm-truth/`):", "", "```",
              "KVM_TRUTH_SGIS=%d KVM_TRUTH_VCPUS=%d bash scripts/kvm-truth.sh bench/results/kvm_truth.csv "
              "bench/results/kvm_truth.md" % (sgis, vcpus), "```", ""]
    emit("\n".join(lines), md_out)


if __name__ == "__main__":
    main(sys.argv)
