#!/usr/bin/env python3
# gen_seeds.py: writes the seed corpus (fuzz/corpus/) for vgic_fuzz in its input format.
# Seeds are small programs: the Linux GICv3 boot sequence, 1-of-N routing with WAKER changes,
# register writes racing list registers, every width on every register kind, SGI decode.
import os
import struct
import sys

OPS = {"GICD": 0, "GICR": 1, "GICD_REG": 2, "GICR_REG": 3, "SGI": 4, "DIR": 5, "LINE": 6,
       "ENTER": 7, "EXIT": 8, "ACK": 9, "EOI": 10, "GUEST_CFG": 11, "DUMP": 12}
NR_OPS = 13
ARGS = 14
WIDTH_SEL = {1: 0, 2: 1, 4: 2, 8: 3}
SPI_COUNTS = [0, 32, 64, 96, 988]

GICD_CTLR, GICD_TYPER, GICD_PIDR2 = 0x0, 0x4, 0xFFE8
GICD_IGROUPR, GICD_ISENABLER, GICD_ICENABLER = 0x80, 0x100, 0x180
GICD_ISPENDR, GICD_ICPENDR, GICD_ISACTIVER, GICD_ICACTIVER = 0x200, 0x280, 0x300, 0x380
GICD_IPRIORITYR, GICD_ICFGR, GICD_IROUTER, GICD_SETSPI = 0x400, 0xC00, 0x6000, 0x40
GICR_CTLR, GICR_TYPER, GICR_WAKER, GICR_PROPBASER, GICR_PIDR2 = 0x0, 0x8, 0x14, 0x70, 0xFFE8
SGI = 0x10000
IRM = 1 << 31


def shape(nv, spis, layout):
    """The first input byte that gives this VM (see setup() in vgic_fuzz.c)."""
    for b in range(256):
        if 1 + (b & 7) % 8 == nv and SPI_COUNTS[(b >> 3) % 5] == spis and (b >> 6) == layout:
            return b
    raise ValueError((nv, spis, layout))


class Prog:
    def __init__(self, nv, spis, lrs, layout):
        self.b = bytearray([shape(nv, spis, layout), lrs - 1])

    def rec(self, op, args):
        args = bytes(args)[:ARGS]
        self.b += bytes([OPS[op]]) + args + bytes(ARGS - len(args))

    def gicd(self, vcpu, off, width, write=False, val=0):
        mode = WIDTH_SEL[width] | 0x40 | (0x80 if write else 0)
        self.rec("GICD", [vcpu, mode] + list(struct.pack("<H", off)) + list(struct.pack("<Q", val)))

    def gicr(self, vcpu, rd, off, width, write=False, val=0):
        mode = WIDTH_SEL[width] | 0x40 | (0x80 if write else 0)
        self.rec("GICR", [vcpu, rd, mode] + list(struct.pack("<I", off)[:3]) + list(struct.pack("<Q", val)))

    def sgi(self, vcpu, which, val):
        self.rec("SGI", [vcpu, which] + list(struct.pack("<Q", val)))

    def dir(self, vcpu, val):
        self.rec("DIR", [vcpu] + list(struct.pack("<I", val)) + [0])

    def line(self, action, line, ppi_vcpu=None):
        sel = (action << 4) | ((1 | (ppi_vcpu << 1)) if ppi_vcpu is not None else 0)
        self.rec("LINE", [sel, line])

    def enter(self, v):
        self.rec("ENTER", [v])

    def exit(self, v):
        self.rec("EXIT", [v])

    def ack(self, v, grp=1):
        self.rec("ACK", [v, grp])

    def eoi(self, v, grp=1, dir=False):
        self.rec("EOI", [v, 1 | (grp << 2) | (8 if dir else 0)])

    def eoimode(self, v, split):
        self.rec("GUEST_CFG", [v, 0x10 if split else 0])

    def dump(self):
        self.b += bytes([OPS["DUMP"] + NR_OPS * 9]) + bytes(ARGS)

    def run(self, v, n=1, split=False):
        self.enter(v)
        for _ in range(n):
            self.ack(v)
            self.eoi(v, dir=split)
        self.exit(v)


RAISE, LOWER, PULSE = 0, 1, 2


def linux_boot():
    p = Prog(4, 64, 3, 1)  # MPIDRs 0.0.0.0, 0.0.0.1, 0.0.1.0, 0.0.1.1
    p.gicd(0, GICD_PIDR2, 4)
    p.gicd(0, GICD_TYPER, 4)
    for rd in range(4):
        p.gicr(0, rd, GICR_PIDR2, 4)
        p.gicr(0, rd, GICR_TYPER, 8)
    p.gicd(0, GICD_CTLR, 4, True, 0)
    p.gicd(0, GICD_CTLR, 4)
    for i in range(32, 96, 32):
        p.gicd(0, GICD_IGROUPR + i // 8, 4, True, 0xFFFFFFFF)
    for i in range(32, 96, 16):
        p.gicd(0, GICD_ICFGR + i // 4, 4, True, 0)
    for i in range(32, 96, 4):
        p.gicd(0, GICD_IPRIORITYR + i, 4, True, 0xA0A0A0A0)
    for i in range(32, 96, 32):
        p.gicd(0, GICD_ICACTIVER + i // 8, 4, True, 0xFFFFFFFF)
        p.gicd(0, GICD_ICENABLER + i // 8, 4, True, 0xFFFFFFFF)
    p.gicd(0, GICD_CTLR, 4, True, 0x13)
    for i in range(32, 96, 5):
        p.gicd(0, GICD_IROUTER + 8 * i, 8, True, 0)
    for c in range(4):
        p.gicr(c, c, GICR_TYPER, 8)
        p.gicr(c, c, GICR_WAKER, 4, True, 0)
        p.gicr(c, c, GICR_WAKER, 4)
        p.gicr(c, c, SGI + 0x80, 4, True, 0xFFFFFFFF)
        p.gicr(c, c, SGI + 0x380, 4, True, 0xFFFFFFFF)
        p.gicr(c, c, SGI + 0x180, 4, True, 0xFFFFFFFF)
        for i in range(0, 32, 4):
            p.gicr(c, c, SGI + 0x400 + i, 4, True, 0xA0A0A0A0)
        p.gicr(c, c, GICR_CTLR, 4)
        p.gicr(c, c, SGI + 0x100, 4, True, 0xFF | (1 << 27))
    p.gicd(0, GICD_ICFGR + 8, 4)
    p.gicd(0, GICD_IROUTER + 8 * 33, 8, True, 0x100)
    p.gicd(0, GICD_ISENABLER + 4, 4, True, 1 << 1)
    p.line(RAISE, 1)
    p.run(2)
    p.line(LOWER, 1)
    p.sgi(0, 0, (1 << 16) | (1 << 24) | 0b10)
    p.run(3)
    p.line(RAISE, 11, ppi_vcpu=1)
    p.run(1)
    p.dump()
    return p.b


def irm_waker():
    p = Prog(4, 32, 2, 0)
    p.gicd(0, GICD_IGROUPR + 4, 4, True, 0xFFFFFFFF)
    p.gicd(0, GICD_ISENABLER + 4, 4, True, 0xF)
    p.gicd(0, GICD_IROUTER + 8 * 32, 8, True, IRM)
    p.gicd(0, GICD_IROUTER + 8 * 33, 4, True, IRM | 2)
    p.line(RAISE, 0)
    p.gicd(1, GICD_SETSPI, 4, True, 33)
    for rd in (2, 1, 3):
        p.gicr(rd, rd, GICR_WAKER, 4, True, 0)
    p.gicr(1, 1, GICR_WAKER, 4, True, 2)
    p.run(2)
    p.gicr(2, 2, GICR_WAKER, 4, True, 2)
    p.run(3)
    p.gicd(0, GICD_IROUTER + 8 * 32 + 4, 4, True, 0)
    p.gicd(0, GICD_IROUTER + 8 * 32, 4, True, 3)
    p.dump()
    return p.b


def lr_interplay():
    p = Prog(2, 32, 1, 0)
    p.gicd(0, GICD_IGROUPR + 4, 4, True, 0xFFFFFFFF)
    p.gicd(0, GICD_ISENABLER + 4, 4, True, 0xFF)
    p.gicd(0, GICD_ICFGR + 8, 4, True, 0xAAAA)
    for i in range(4):
        p.gicd(0, GICD_IPRIORITYR + 32 + i, 1, True, 0x80 - 8 * i)
        p.gicd(0, GICD_ISPENDR + 4, 4, True, 1 << i)
    p.eoimode(0, True)
    p.enter(0)
    p.gicd(1, GICD_ISPENDR + 4, 4)
    p.gicd(1, GICD_ICPENDR + 4, 4, True, 1)
    p.gicd(1, GICD_ISACTIVER + 4, 4, True, 2)
    p.gicd(1, GICD_ISACTIVER + 4, 4)
    p.ack(0)
    p.eoi(0, dir=True)
    p.ack(0)
    p.eoi(0, dir=False)
    p.gicd(1, GICD_ICACTIVER + 4, 4, True, 0xF)
    p.ack(0)
    p.eoi(0, dir=True)
    p.exit(0)
    p.dir(0, 35)
    p.gicd(1, GICD_IROUTER + 8 * 34, 8, True, 1)
    p.run(1, 3, split=True)
    p.dump()
    return p.b


def widths_and_holes():
    p = Prog(2, 64, 4, 0)
    for off in (GICD_CTLR, GICD_TYPER, 0x10, 0x14, GICD_SETSPI, 0x42, 0x50, 0x84, 0x420, 0x421,
                0x7F8, 0x7FC, 0x820, 0xC08, 0xD00, 0xE00, 0xF00, 0xF10, 0x1000, 0x6100, 0x6104,
                0x7FD8, 0x7FE0, 0x8000, 0xFFD0, 0xFFE8, 0xFFFC):
        for w in (1, 2, 4, 8):
            if off % w == 0:
                p.gicd(0, off, w)
                p.gicd(1, off, w, True, 0xFFFFFFFFFFFFFFFF)
    for off in (0x0, 0x4, 0x8, 0xC, 0x14, 0x40, 0x70, 0x74, 0x78, 0xFFE8, SGI + 0x80, SGI + 0x84,
                SGI + 0x400, SGI + 0x41C, SGI + 0x420, SGI + 0xC00, SGI + 0xC04, SGI + 0xD00,
                SGI + 0xF80, 0x1FFFC):
        for w in (1, 2, 4, 8):
            if off % w == 0:
                p.gicr(1, 0, off, w)
                p.gicr(0, 1, off, w, True, 0xFFFFFFFFFFFFFFFF)
    return p.b


def sgi_decode():
    p = Prog(8, 0, 4, 2)  # Aff0 = 17 * index: RS selects
    for c in range(8):
        p.gicr(c, c, SGI + 0x80, 4, True, 0xFFFF)
        p.gicr(c, c, SGI + 0x100, 4, True, 0xFFFF)
    p.sgi(0, 0, (1 << 44) | (1 << 1) | (3 << 24))
    p.sgi(1, 0, (7 << 44) | 0xFFFF | (15 << 24))
    p.sgi(2, 0, (1 << 40) | (5 << 24))
    p.sgi(3, 2, (2 << 44) | (1 << 2) | (6 << 24))
    p.sgi(4, 1, 0xFFFFFFFFFFFFFFFF)
    for c in range(8):
        p.run(c, 2)
    return p.b


def big_vm():
    p = Prog(8, 988, 1, 3)
    p.gicd(0, GICD_CTLR, 4, True, 0x3)
    p.gicd(0, GICD_IGROUPR + 0x7C, 4, True, 0xFFFFFFFF)
    p.gicd(0, GICD_ISENABLER + 0x7C, 4, True, 0xFFFFFFFF)
    p.gicd(0, GICD_IROUTER + 8 * 1019, 8, True, (7 << 32) | (7 << 16))
    p.gicd(0, GICD_SETSPI, 2, True, 1019)
    p.run(7)
    return p.b


SEEDS = {
    "linux_boot": linux_boot,
    "irm_waker": irm_waker,
    "lr_interplay": lr_interplay,
    "widths_and_holes": widths_and_holes,
    "sgi_decode": sgi_decode,
    "big_vm": big_vm,
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, fn in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(fn())
    print(f"gen_seeds: {len(SEEDS)} seeds in {out}")


if __name__ == "__main__":
    main()
