#!/usr/bin/env python3
"""mkdisk.py: write a deterministic test disk image and print its md5 (md5sum's format: "MD5  OUT").

usage: mkdisk.py OUT SIZE_MIB

The image is SIZE_MIB MiB of pseudo-random bytes that depend on nothing but the size's MiB index: MiB k
is the first MiB of SHAKE-256("vgic-mkdisk-v1" || k as 8 little-endian bytes) (FIPS 202, so the bytes are
the same on every Python and every machine). Sector 0 is then overwritten with a zero-padded text label,
so that no random bytes there can look like a partition table (an MBR's 0x55 0xaa) to the guest's kernel.
The Linux guest reads the whole disk and compares its md5 with the one printed here
(tests/integration/linux-arm64.sh; scripts/run-guest.sh --disk places the image).
"""
import hashlib
import os
import sys

MIB = 1024 * 1024
SECTOR = 512
SEED = b"vgic-mkdisk-v1"
SIZE_MIB_MAX = 4096


def chunk(k):
    return hashlib.shake_256(SEED + k.to_bytes(8, "little")).digest(MIB)


def main(argv):
    if len(argv) != 3 or not argv[2].isdigit() or not 1 <= int(argv[2]) <= SIZE_MIB_MAX:
        sys.exit(__doc__.split("\n\n")[1] + f"\n(SIZE_MIB 1 to {SIZE_MIB_MAX})")
    out, size_mib = argv[1], int(argv[2])
    label = (f"vgic test disk: scripts/mkdisk.py, {size_mib} MiB, "
             f"MiB k = SHAKE-256({SEED.decode()} || k), sector 0 this label\n").encode()
    md5 = hashlib.md5()
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        for k in range(size_mib):
            data = chunk(k)
            if k == 0:
                data = label.ljust(SECTOR, b"\0") + data[SECTOR:]
            md5.update(data)
            f.write(data)
    os.replace(tmp, out)  # a reader never sees a half-written image under the final name
    print(f"{md5.hexdigest()}  {out}")


if __name__ == "__main__":
    main(sys.argv)
