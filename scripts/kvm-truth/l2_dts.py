#!/usr/bin/env python3
"""l2_dts.py VCPUS BOOTARGS [MEM_MIB INITRD_LEN]: the L2 guest's device tree for scripts/kvm-truth*.sh, on stdout.

dts/guest.dts with VCPUS cpu nodes, without the ITS (the VMM creates no KVM ITS) and the PCIe bridge, BOOTARGS
as its command line. With MEM_MIB and INITRD_LEN (a Linux L2): the memory node that size, and /chosen's
initramfs at RAM + 64 MiB, where scripts/kvm-truth/vmm.c puts it (LINUX_INITRD_OFF).
"""
import re
import sys

RAM = 0x40000000
INITRD = RAM + 0x4000000

n, args = int(sys.argv[1]), sys.argv[2]
s = open("dts/guest.dts").read()
s = re.sub(r"\t\tcpu@([0-9]) \{[^\n]*\n", lambda m: m.group(0) if int(m.group(1)) < n else "", s)
s = re.sub(r"\n\t\tits: msi-controller@[0-9a-f]+ \{.*?\n\t\t\};\n", "\n", s, flags=re.S)
s = re.sub(r"\t/\*\n\t \* PCIe host bridge.*?\n\t\};\n\n", "", s, flags=re.S)
chosen = 'bootargs = "%s";' % args
if len(sys.argv) > 4:
    mem_mib, initrd_len = int(sys.argv[3]), int(sys.argv[4])
    s = re.sub(r"reg = <0x0 0x40000000 0x0 0x[0-9a-f]+>;", "reg = <0x0 0x%x 0x0 0x%x>;" % (RAM, mem_mib << 20), s)
    chosen += "\n\t\tlinux,initrd-start = <0x0 0x%x>;\n\t\tlinux,initrd-end = <0x0 0x%x>;" % (INITRD, INITRD + initrd_len)
s = s.replace('bootargs = "";', chosen)
assert "msi-controller" not in s and "pcie@" not in s and args in s
sys.stdout.write(s)
