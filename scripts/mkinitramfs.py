#!/usr/bin/env python3
"""mkinitramfs.py: write a gzip'd newc cpio archive (a Linux initramfs) without the cpio tool.

usage: mkinitramfs.py OUT.cpio.gz SPEC...
  SPEC is one of   dir:PATH   file:PATH=HOSTFILE:MODE(octal)   chr:PATH=MAJOR,MINOR:MODE
"""
import gzip
import os
import stat
import sys

NEWC_MAGIC = "070701"
ALIGN = 4


def pad(n):
    return (ALIGN - n % ALIGN) % ALIGN


def entry(ino, name, mode, data=b"", rdev=(0, 0), nlink=1):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    hdr = NEWC_MAGIC + "".join("%08x" % f for f in fields)
    out = hdr.encode() + name_b
    out += b"\0" * pad(len(out))
    out += data + b"\0" * pad(len(data))
    return out


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    blob, ino = b"", 1
    for spec in argv[2:]:
        kind, rest = spec.split(":", 1)
        if kind == "dir":
            blob += entry(ino, rest.lstrip("/"), stat.S_IFDIR | 0o755, nlink=2)
        elif kind == "file":
            path, rest = rest.split("=", 1)
            host, mode = rest.rsplit(":", 1)
            with open(host, "rb") as f:
                blob += entry(ino, path.lstrip("/"), stat.S_IFREG | int(mode, 8), f.read())
        elif kind == "chr":
            path, rest = rest.split("=", 1)
            devs, mode = rest.split(":", 1)
            major, minor = (int(x) for x in devs.split(","))
            blob += entry(ino, path.lstrip("/"), stat.S_IFCHR | int(mode, 8), rdev=(major, minor))
        else:
            sys.exit("mkinitramfs: unknown spec " + spec)
        ino += 1
    blob += entry(0, "TRAILER!!!", 0)
    blob += b"\0" * ((512 - len(blob) % 512) % 512)
    with open(argv[1], "wb") as f:
        f.write(gzip.compress(blob))


if __name__ == "__main__":
    main(sys.argv)
