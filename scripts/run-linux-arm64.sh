#!/usr/bin/env bash
# run-linux-arm64.sh: boot Debian's unmodified arm64 cloud kernel, SMP, as the hypervisor's guest, with
# a busybox initramfs (tests/linux/init) that checks timer and IPI counts in /proc/interrupts.
#
#   scripts/run-linux-arm64.sh [--smp N] [--timeout SECONDS]      (make run-linux)
#
# Fetches linux-image-cloud-arm64 and busybox-static for arm64 with `apt-get download` into
# build/linux/ the first time (needs the arm64 architecture enabled, as scripts/deps.sh does).
# Exits 0 when the guest printed its PASS line and the hypervisor ended the run with status 0.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

smp=2 timeout_s=120
while (($#)); do
	case $1 in
	--smp) smp=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	*) echo "run-linux-arm64: unknown argument $1" >&2; exit 2 ;;
	esac
done

dir=build/linux
mkdir -p "$dir/debs"
# Guest IPAs (arch-arm64/hyp.h: guest RAM IPA 0x40000000 is host PA 0x50000000, 128 MiB).
kernel_ipa=0x40200000    # 2 MiB aligned, text_offset 0 (arm64 boot protocol)
initrd_ipa=0x46000000
ipa_to_pa() { printf '0x%x' $(($1 - 0x40000000 + 0x50000000)); }

if [[ ! -f $dir/Image ]]; then
	meta=linux-image-cloud-arm64:arm64
	pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n1)
	[[ -n $pkg ]] || { echo "run-linux-arm64: cannot resolve $meta (apt-get update? arm64 enabled?)" >&2; exit 2; }
	(cd "$dir/debs" && apt-get download "$pkg" busybox-static:arm64) || exit 2
	rm -rf "$dir/x" && mkdir -p "$dir/x"
	for d in "$dir"/debs/*.deb; do dpkg-deb -x "$d" "$dir/x"; done
	cp "$dir"/x/boot/vmlinuz-* "$dir/Image"
	cp "$dir/x/bin/busybox" "$dir/busybox"
fi
python3 scripts/mkinitramfs.py "$dir/initrd.gz" dir:/bin dir:/dev dir:/proc dir:/sys \
	chr:/dev/console=5,1:600 file:/init=tests/linux/init:755 file:/bin/busybox="$dir/busybox":755 || exit 2
initrd_size=$(stat -c %s "$dir/initrd.gz")

out=$(mktemp)
trap 'rm -f "$out"' EXIT
# SVE and SME are hidden from the guest: the hypervisor traps them (CPTR_EL2) rather than switch them.
timeout --foreground -k 5 "$timeout_s" qemu-system-aarch64 \
	-M virt,virtualization=on,gic-version=3 -cpu max,sve=off,sme=off -smp "$smp" -m 512M \
	-nographic -no-reboot -kernel build/arm64/hyp.elf \
	-device loader,file="$dir/Image",addr="$(ipa_to_pa $kernel_ipa)",force-raw=on \
	-device loader,file="$dir/initrd.gz",addr="$(ipa_to_pa $initrd_ipa)",force-raw=on \
	-append "hyp.entry=$kernel_ipa hyp.initrd=$initrd_ipa,$initrd_size console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init" \
	2>&1 | tr -d '\r' | tee "$out"
rc=${PIPESTATUS[0]}
((rc == 124 || rc == 137)) && { echo "run-linux-arm64: TIMEOUT after ${timeout_s}s" >&2; exit 124; }
grep -q 'linux-guest: PASS' "$out" && grep -q '^hyp: run ended: status 0' "$out" && exit 0
echo "run-linux-arm64: the Linux guest did not report PASS" >&2
exit 1
