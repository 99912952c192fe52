#!/usr/bin/env bash
# run-linux-arm64.sh: boot Debian's unmodified arm64 cloud kernel, SMP, with a busybox initramfs whose /init
# is tests/integration/linux-guest-init, under the EL2 hypervisor (default) or on plain QEMU (--plain).
#
#   scripts/run-linux-arm64.sh [--smp N] [--plain] [--timeout S] [--hyp-args "hyp.*"]   the check run, console on stdout
#   scripts/run-linux-arm64.sh --shell [--smp N] [--plain]          a busybox shell on the console (make run-linux)
#   scripts/run-linux-arm64.sh --fetch                               only fetch the packages and build the images
#
# The kernel (linux-image-cloud-arm64) and busybox-static come for arm64 through apt (`apt-get download`)
# into build/linux/ on first use; the arm64 architecture is enabled and apt-get update run if needed.
# Exit status: 0 the run ended by power-off (the hypervisor's status 0, or plain QEMU's own exit 0);
# 124 timeout; 3 the packages could not be fetched; 2 bad usage; 1 anything else.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

EXIT_NO_KERNEL=3
smp=2 timeout_s=120 mode=check plain=0 hyp_args=
while (($#)); do
	case $1 in
	--smp) smp=$2; shift 2 ;;
	--hyp-args) hyp_args=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--plain) plain=1; shift ;;
	--shell) mode=shell; shift ;;
	--fetch) mode=fetch; shift ;;
	*) echo "run-linux-arm64: unknown argument $1" >&2; exit 2 ;;
	esac
done

dir=build/linux
init=tests/integration/linux-guest-init
hyp=build/arm64/hyp.elf
# Guest RAM as the hypervisor gives it (arch-arm64/hyp.h): IPA 0x40000000, 128 MiB, host PA 0x50000000.
# Plain QEMU gets the same 128 MiB so both kernels size themselves alike.
guest_ram_ipa=$((0x40000000))
guest_ram_pa=$((0x50000000))
guest_ram_mib=128
hyp_host_ram=512M          # the hypervisor, then guest RAM at host PA 0x50000000
kernel_base=$((0x40200000)) # 2 MiB aligned (arm64 boot protocol), above the guest DTB at the start of RAM
align_2m=$((0x200000))
image_magic=' 41 52 4d 64' # "ARM\x64" at offset 56 of an arm64 Image
bootargs="console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init"

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

fetch() {
	local meta=linux-image-cloud-arm64:arm64 pkg deb
	[[ -f $dir/Image && -f $dir/busybox ]] && return 0
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
	[[ -f $out && $out -nt $init && $out -nt $dir/busybox && $out -nt scripts/mkinitramfs.py ]] && return 0
	python3 scripts/mkinitramfs.py "$out" dir:/bin dir:/dev dir:/proc dir:/sys chr:/dev/console=5,1:600 \
		file:/init="$init":755 file:/bin/busybox="$dir/busybox":755 || exit 1
}

mkdir -p "$dir"
fetch
initramfs
[[ $mode == fetch ]] && exit 0
[[ $mode == shell ]] && bootargs+=" linuxtest=shell"

# SVE and SME are hidden in both configurations: the hypervisor traps them (CPTR_EL2) rather than switch them.
qemu=(qemu-system-aarch64 -cpu max,sve=off,sme=off -smp "$smp" -nographic -no-reboot -nic none)
if ((plain)); then
	qemu+=(-M virt,gic-version=3 -m "${guest_ram_mib}M" -kernel "$dir/Image" -initrd "$dir/initrd.gz"
	       -append "$bootargs")
else
	[[ -f $hyp ]] || { echo "run-linux-arm64: $hyp missing (make arm64)" >&2; exit 1; }
	# The Image header (offsets 8 and 16) says where the kernel starts above its base and how much
	# memory from there it uses; the initramfs goes at the next 2 MiB boundary after that.
	read -r text_offset image_size < <(od -An -tu8 -j8 -N16 "$dir/Image")
	entry=$((kernel_base + text_offset))
	initrd=$(((entry + image_size + align_2m - 1) / align_2m * align_2m))
	initrd_size=$(stat -c %s "$dir/initrd.gz")
	((initrd + initrd_size <= guest_ram_ipa + guest_ram_mib * 1024 * 1024)) ||
		{ echo "run-linux-arm64: kernel and initramfs do not fit in guest RAM" >&2; exit 1; }
	pa() { printf '0x%x' $(($1 - guest_ram_ipa + guest_ram_pa)); }
	qemu+=(-M virt,virtualization=on,gic-version=3 -m "$hyp_host_ram" -kernel "$hyp"
	       -device loader,file="$dir/Image",addr="$(pa $entry)",force-raw=on
	       -device loader,file="$dir/initrd.gz",addr="$(pa $initrd)",force-raw=on
	       -append "$(printf 'hyp.entry=0x%x hyp.initrd=0x%x,%d %s %s' $entry $initrd "$initrd_size" "$hyp_args" "$bootargs")")
fi

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
if ((plain)); then
	((rc == 0)) && grep -q 'reboot: Power down' "$out" && exit 0
elif grep -q '^hyp: run ended: status 0 ' "$out"; then
	exit 0
fi
echo "run-linux-arm64: the run did not end by power-off (QEMU exit $rc)" >&2
exit 1
