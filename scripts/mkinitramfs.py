#!/usr/bin/env python3
"""mkinitramfs.py: write a gzip'd newc cpio archive (a Linux initramfs) without the cpio tool.

usage: mkinitramfs.py OUT.cpio.gz SPEC...
  SPEC is one of   dir:PATH   file:PATH=HOSTFILE:MODE(octal)   chr:PATH=MAJOR,MINOR:MODE
                   kmods:DEB=MODULE[,MODULE...]
  kmods: the named kernel modules and every module they depend on, taken from the Debian kernel package
  DEB (read with dpkg-deb), decompressed if the package compresses them (busybox insmod takes only plain
  .ko files), flat in /lib/modules/, and /lib/modules/modules.load naming them one a line in an order
  that loads each after its dependencies (for `insmod`). The dependencies come from the package's
  modules.dep when it ships one, else from each module's own .modinfo "depends=" (Debian's packages
  leave modules.dep to depmod at install time).
"""
import gzip
import lzma
import re
import stat
import subprocess
import sys
import tarfile

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


MODULE_RE = re.compile(r"^\./(?:usr/)?lib/modules/([^/]+)/(.*)$")
KO_RE = re.compile(r"([^/]+)\.ko(\.xz|\.gz|\.zst)?$")


def modname(s):
    """The module name as the kernel and modules.dep know it: no directory or suffix, '-' as '_'."""
    m = KO_RE.search(s)
    return (m.group(1) if m else s).replace("-", "_")


def decompress(path, data):
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".zst"):
        try:
            return subprocess.run(["zstd", "-dc"], input=data, stdout=subprocess.PIPE, check=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            sys.exit(f"mkinitramfs: {path} is zstd-compressed and zstd -dc failed ({e}): apt-get install zstd")
    return data


def modinfo_depends(name, ko):
    """The "depends=" list of a module's .modinfo section (ELF64 little-endian, as every arm64 .ko)."""
    if ko[:6] != b"\x7fELF\x02\x01":
        sys.exit(f"mkinitramfs: module {name} is not a 64-bit little-endian ELF")
    u16 = lambda o: int.from_bytes(ko[o:o + 2], "little")
    u64 = lambda o: int.from_bytes(ko[o:o + 8], "little")
    shoff, shentsize, shnum, shstrndx = u64(0x28), u16(0x3A), u16(0x3C), u16(0x3E)
    sections = [(int.from_bytes(ko[h:h + 4], "little"), u64(h + 0x18), u64(h + 0x20))
                for h in (shoff + i * shentsize for i in range(shnum))]
    strtab = sections[shstrndx][1]
    for name_off, off, size in sections:
        sname = ko[strtab + name_off:ko.index(b"\0", strtab + name_off)]
        if sname == b".modinfo":
            for item in ko[off:off + size].split(b"\0"):
                if item.startswith(b"depends="):
                    return [modname(d) for d in item[8:].decode().split(",") if d]
            return []
    sys.exit(f"mkinitramfs: module {name} has no .modinfo section")


def deb_modules(deb, wanted):
    """(kernel version, [(file name, plain .ko bytes)] in load order) for the modules named and their
    dependencies, from the kernel package deb."""
    kos, depfile, version = {}, None, None
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
    with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
        for m in tar:
            path = MODULE_RE.match(m.name)
            if not m.isfile() or not path:
                continue
            version = path.group(1)
            if path.group(2) == "modules.dep":
                depfile = tar.extractfile(m).read().decode()
            elif KO_RE.search(path.group(2)):
                kos[modname(path.group(2))] = (path.group(2), tar.extractfile(m).read())
    if proc.wait() != 0 or not kos:
        sys.exit(f"mkinitramfs: no kernel modules could be read from {deb}")
    deps = {}
    if depfile is not None:
        for line in depfile.splitlines():
            if ":" in line:
                mod, rest = line.split(":", 1)
                deps[modname(mod)] = [modname(d) for d in rest.split()]
    order, seen = [], set()

    def visit(name, chain):
        if name in seen:
            return
        if name in chain:
            sys.exit("mkinitramfs: module dependency loop: " + " -> ".join(chain + [name]))
        if name not in kos:
            sys.exit(f"mkinitramfs: module {name} is not in {deb}" +
                     (f" (needed by {chain[-1]})" if chain else ""))
        path, data = kos[name]
        data = decompress(path, data)
        kos[name] = (path, data)
        for d in (deps[name] if name in deps else modinfo_depends(name, data)):
            visit(d, chain + [name])
        seen.add(name)
        order.append(name)

    for name in wanted:
        visit(modname(name), [])
    # A module's file keeps its own name (insmod takes a path; the kernel reads the name from the .ko).
    return version, [(KO_RE.search(kos[n][0]).group(1) + ".ko", kos[n][1]) for n in order]


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    blob, ino, dirs = b"", 1, set()
    for spec in argv[2:]:
        kind, rest = spec.split(":", 1)
        if kind == "dir":
            dirs.add(rest.strip("/"))
            blob += entry(ino, rest.lstrip("/"), stat.S_IFDIR | 0o755, nlink=2)
        elif kind == "kmods":
            deb, names = rest.split("=", 1)
            version, mods = deb_modules(deb, names.split(","))
            for d in ("lib", "lib/modules"):
                if d not in dirs:
                    dirs.add(d)
                    blob += entry(ino, d, stat.S_IFDIR | 0o755, nlink=2)
                    ino += 1
            for fname, data in mods:
                blob += entry(ino, "lib/modules/" + fname, stat.S_IFREG | 0o644, data)
                ino += 1
            load = "".join(f + "\n" for f, _ in mods).encode()
            blob += entry(ino, "lib/modules/modules.load", stat.S_IFREG | 0o644, load)
            print(f"mkinitramfs: {len(mods)} modules of {version} from {deb}, in load order: " +
                  " ".join(f for f, _ in mods) + f" ({sum(len(d) for _, d in mods) // 1024} KiB)",
                  file=sys.stderr)
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
