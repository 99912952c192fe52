#!/usr/bin/env bash
# run-linux-arm64.sh: boot Debian's unmodified arm64 cloud kernel, SMP, with a busybox initramfs whose /init
# is tests/integration/linux-guest-init, under the EL2 hypervisor (default) or on plain QEMU (--plain).
#
#   scripts/run-linux-arm64.sh [--smp N] [--cpus M] [--mem SIZE] [--plain] [--timeout S] [--hyp-args "hyp.*"]
#                              [--disk FILE] [--append "WORDS"] [--icount SHIFT]   the check run
#   scripts/run-linux-arm64.sh --shell [--smp N] [--mem SIZE] [--plain] [--disk FILE] [--append "WORDS"]
#                                                                    a busybox shell on the console (make run-linux)
#   scripts/run-linux-arm64.sh --fetch                               only fetch the packages and build the images
#
# Under the hypervisor the kernel goes through scripts/run-guest.sh, which places the Image, the initramfs and
# the device tree as QEMU would and gives the guest SIZE of RAM (default 512M); plain QEMU gets -m SIZE.
# --disk FILE: a disk image (scripts/mkdisk.py) for the guest's virtio-blk disk, /dev/vda: under the hypervisor
# passed to run-guest.sh --disk (the hypervisor's own virtio-blk-pci device serves it); on plain QEMU, QEMU's
# virtio-blk-pci (modern only, read-only). --append WORDS: more words for the kernel command line, after the
# script's own (console, earlycon, rdinit); linuxtest.disk=MD5 makes the init read and check the disk
# (tests/integration/linux-guest-init). --icount SHIFT: QEMU's deterministic clock, -icount shift=SHIFT,sleep=off,
# in both modes (scripts/run-guest.sh explains it; scripts/bench-pingpong.py uses it).
#
# The kernel (linux-image-cloud-arm64) and busybox-static come for arm64 through apt (`apt-get download`)
# into build/linux/ on first use; the arm64 architecture is enabled and apt-get update run if needed. The
# kernel package stays in build/linux/debs/: the initramfs takes the virtio-blk and virtio-pci modules (and
# what they depend on) from it (scripts/mkinitramfs.py kmods:).
# Exit status: 0 the run ended by power-off (the hypervisor's status 0, or plain QEMU's own exit 0);
# 124 timeout; 3 the packages could not be fetched; 2 bad usage; 1 anything else.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

EXIT_NO_KERNEL=3
smp=2 cpus= timeout_s=120 mode=check plain=0 hyp_args= mem=512M disk= append= icount=
# Bad usage: a message and exit 2, as run-guest.sh's refuse.
bad_usage() { echo "run-linux-arm64: $*" >&2; exit 2; }
# An option that takes a value must have one: bad usage, not an unbound-variable error under set -u.
need_arg() { (($# >= 2)) || bad_usage "$1 needs a value"; }
while (($#)); do
	case $1 in
	--smp) need_arg "$@"; smp=$2; shift 2 ;;
	--cpus) need_arg "$@"; cpus=$2; shift 2 ;;
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	--hyp-args) need_arg "$@"; hyp_args=$2; shift 2 ;;
	--disk) need_arg "$@"; disk=$2; shift 2 ;;
	--append) need_arg "$@"; append=$2; shift 2 ;;
	--icount) need_arg "$@"; icount=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift 2 ;;
	--plain) plain=1; shift ;;
	--shell) mode=shell; shift ;;
	--fetch) mode=fetch; shift ;;
	*) bad_usage "unknown argument $1" ;;
	esac
done

dir=build/linux
init=tests/integration/linux-guest-init
hyp=build/arm64/hyp.elf
image_magic=' 41 52 4d 64' # "ARM\x64" at offset 56 of an arm64 Image
bootargs="console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init"
# The modules the init loads to drive the disk (/lib/modules/modules.load gives their order with what they need).
disk_modules=virtio_blk,virtio_pci

die_fetch() { echo "run-linux-arm64: cannot fetch the kernel: $*" >&2; exit $EXIT_NO_KERNEL; }

as_root() {
	if ((EUID == 0)); then "$@"; else sudo -n "$@"; fi
}

# The package manager must know arm64 packages: the architecture enabled, the lists updated.
apt_ready() {
	apt-cache show linux-image-cloud-arm64:arm64 >/dev/null 2>&1 && return 0
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		as_root dpkg --add-architecture arm64 || die_fetch "dpkg --add-architecture arm64 failed (not root?)"
	fi
	as_root apt-get -o DPkg::Lock::Timeout=300 update >&2 || die_fetch "apt-get update failed (no network?)"
	apt-cache show linux-image-cloud-arm64:arm64 >/dev/null 2>&1 ||
		die_fetch "apt knows no linux-image-cloud-arm64:arm64 even after apt-get update"
}

# The kernel package kept from the fetch (its modules go into the initramfs), or nothing.
kernel_deb() { compgen -G "$dir/debs/linux-image-*.deb" | head -n1; }

# Is what build/linux/ holds complete: the Image, busybox, and the kernel package the Image came from?
fetched() {
	local deb pkg
	[[ -f $dir/Image && -f $dir/busybox ]] || return 1
	deb=$(kernel_deb)
	[[ -n $deb ]] || return 1
	pkg=$(dpkg-deb -f "$deb" Package 2>/dev/null) || return 1
	grep -qaF "Linux version ${pkg#linux-image-} " "$dir/Image"
}

fetch() {
	local meta=linux-image-cloud-arm64:arm64 pkg deb
	fetched && return 0
	apt_ready
	# The metapackage only depends on the versioned image package, which holds the kernel.
	pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ :]*\).*$/\1/p' | head -n1)
	[[ -n $pkg ]] || die_fetch "cannot resolve $meta to a kernel package"
	rm -rf "$dir/debs" && mkdir -p "$dir/debs"
	(cd "$dir/debs" && apt-get download "$pkg:arm64" busybox-static:arm64) ||
		die_fetch "apt-get download $pkg busybox-static failed (no network?)"
	for deb in "$dir"/debs/*.deb; do
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards './boot/vmlinuz-*' './bin/busybox' 2>/dev/null
	done
	# Debian's arm64 vmlinuz is an uncompressed Image despite its name.
	[[ $(od -An -tx1 -j56 -N4 "$dir"/boot/vmlinuz-* 2>/dev/null) == "$image_magic" ]] ||
		die_fetch "no arm64 Image in $pkg"
	mv "$dir"/boot/vmlinuz-* "$dir/Image.tmp" && mv "$dir/bin/busybox" "$dir/busybox" &&
		mv "$dir/Image.tmp" "$dir/Image" || die_fetch "could not unpack the packages"
	rmdir "$dir/boot" "$dir/bin" 2>/dev/null
	echo "run-linux-arm64: fetched $pkg and busybox-static into $dir" >&2
}

initramfs() {
	local out=$dir/initrd.gz
	local deb
	deb=$(kernel_deb)
	[[ -f $out && $out -nt $init && $out -nt $dir/busybox && $out -nt scripts/mkinitramfs.py && $out -nt $deb ]] &&
		return 0
	python3 scripts/mkinitramfs.py "$out" dir:/bin dir:/dev dir:/proc dir:/sys chr:/dev/console=5,1:600 \
		file:/init="$init":755 file:/bin/busybox="$dir/busybox":755 kmods:"$deb"="$disk_modules" || exit 1
}

mkdir -p "$dir"
fetch
initramfs
[[ $mode == fetch ]] && exit 0
[[ $mode == shell ]] && bootargs+=" linuxtest=shell"
[[ -n $append ]] && bootargs+=" $append"
if [[ -n $disk && (! -f $disk || $disk == *,*) ]]; then
	bad_usage "--disk $disk: no such file, or a comma in its name (QEMU's option syntax)"
fi

if ((plain)); then
	# SVE and SME are hidden as under the hypervisor (which traps them rather than switch them), so that
	# both kernels see the same CPU.
	qemu=(qemu-system-aarch64 -cpu max,sve=off,sme=off -smp "$smp" -nographic -no-reboot -nic none
	      -M virt,gic-version=3 -m "$mem" -kernel "$dir/Image" -initrd "$dir/initrd.gz" -append "$bootargs")
	[[ -n $icount ]] && qemu+=(-icount "shift=$icount,sleep=off")
	# QEMU's own virtio-blk-pci behind its ITS, modern only like the hypervisor's device; QEMU gives it a
	# queue per vCPU.
	[[ -n $disk ]] && qemu+=(-drive "file=$disk,if=none,id=disk0,format=raw,readonly=on"
	                         -device virtio-blk-pci,drive=disk0,disable-legacy=on)
	if [[ $mode == shell ]]; then
		echo "run-linux-arm64: busybox shell on the console; 'poweroff -f' or Ctrl-A x ends it" >&2
		exec "${qemu[@]}"
	fi
	out=$(mktemp)
	trap 'rm -f "$out"' EXIT
	# sed -u: lines reach the caller as they come (scripts/bench-linux.sh timestamps them).
	timeout --foreground -k 5 "$timeout_s" "${qemu[@]}" 2>&1 | sed -u 's/\r$//' | tee "$out"
	rc=${PIPESTATUS[0]}
	((rc == 124 || rc == 137)) && { echo "run-linux-arm64: TIMEOUT after ${timeout_s}s" >&2; exit 124; }
	((rc == 0)) && grep -q 'reboot: Power down' "$out" && exit 0
	echo "run-linux-arm64: the run did not end by power-off (QEMU exit $rc)" >&2
	exit 1
fi

[[ -f $hyp ]] || { echo "run-linux-arm64: $hyp missing (make arm64)" >&2; exit 1; }
# run-guest.sh reads the Image header, puts the initramfs and the DTB where QEMU would, and checks the fit.
guest=(bash scripts/run-guest.sh --kernel "$dir/Image" --initrd "$dir/initrd.gz" --smp "$smp" ${cpus:+--cpus "$cpus"} --mem "$mem"
       ${disk:+--disk "$disk"} ${icount:+--icount "$icount"} --append "${hyp_args:+$hyp_args }$bootargs")
if [[ $mode == shell ]]; then
	echo "run-linux-arm64: busybox shell on the console; 'poweroff -f' or Ctrl-A x ends it" >&2
	exec "${guest[@]}" --interactive
fi
"${guest[@]}" --timeout "$timeout_s"
rc=$?
((rc == 0 || rc == 124)) && exit $rc   # power-off with status 0, or the timeout run-guest.sh reported
echo "run-linux-arm64: the run did not end by power-off (status $rc)" >&2
exit 1
