#!/usr/bin/env bash
# test-install.sh: `make install` into a temporary DESTDIR, then use only that copy, as an outside
# hypervisor would: pkg-config, the example in examples/walkthrough (shared and static), an aarch64 link.
# Prints PASS/FAIL per check and ends with "N passed, M failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. tests/integration/report.sh
pass=0 fail=0

d=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$d" "$work"' EXIT
prefix=/usr
multiarch=$(${HOST_CC:-gcc} -print-multiarch)
libdir=$prefix/lib/$multiarch
log=build/test-logs/install
mkdir -p "$log"

make --no-print-directory install DESTDIR="$d" PREFIX=$prefix >"$log/install.log" 2>&1
result install $(($? == 0)) "make install DESTDIR=\$tmp PREFIX=$prefix" "$log/install.log"

expect=(include/vgic/vgic.h include/vgic/irq_line.h include/vgic/vgic_version.h lib/$multiarch/libvgic.a
	lib/$multiarch/libvgic.so lib/$multiarch/pkgconfig/vgic.pc lib/aarch64-linux-gnu/libvgic-freestanding.a
	lib/aarch64-linux-gnu/pkgconfig/vgic-freestanding.pc)
missing=()
for f in "${expect[@]}"; do [[ -e $d$prefix/$f ]] || missing+=("$f"); done
result layout $((${#missing[@]} == 0)) "${#expect[@]} expected files${missing:+; missing: ${missing[*]}}" "$log/install.log"

private=$(ls "$d$prefix/include/vgic" | grep -E 'internal|mmio|gic_regs' || true)
result headers-public-only $([[ -z $private ]] && echo 1 || echo 0) "no internal header installed${private:+; found: $private}" -

soname=$(readelf -d "$d$libdir/libvgic.so" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
major=$(sed -n 's/^#define VGIC_VERSION_MAJOR \([0-9]*\).*/\1/p' vgic/vgic_version.h)
result soname $([[ $soname == "libvgic.so.$major" ]] && echo 1 || echo 0) "SONAME '$soname', symlink chain $(readlink "$d$libdir/libvgic.so") -> $(readlink "$d$libdir/$soname")" -

dyn=$(nm -D --defined-only "$d$libdir/libvgic.so" | awk 'NF == 3 {print $3}')
bad=$(grep -Ev '^(vgic_|irq_|lr_|icv_)' <<<"$dyn" || true)
internal=$(grep -E '^(vgic_zero|vgic_line_set|vgic_queue|vgic_aplist_)' <<<"$dyn" || true)
result exports $([[ -z $bad && -z $internal && -n $dyn ]] && echo 1 || echo 0) \
	"nm -D: $(wc -l <<<"$dyn") public symbols, none without a public prefix, no internal helper${bad:+; bad: $bad}${internal:+; internal: $internal}" -

export PKG_CONFIG_SYSROOT_DIR=$d PKG_CONFIG_PATH=$d$libdir/pkgconfig PKG_CONFIG_LIBDIR=$d$libdir/pkgconfig
pc=$(pkg-config --modversion vgic 2>&1)
result pkg-config $([[ $pc == "$(sed -n 's/^#define VGIC_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' vgic/vgic_version.h | paste -sd.)" ]] && echo 1 || echo 0) \
	"vgic $pc: $(pkg-config --cflags --libs vgic 2>&1)" -

# The example is copied out of the tree so that nothing of the checkout can be found by accident.
cp -r examples/walkthrough "$work/"
make --no-print-directory -C "$work/walkthrough" >"$log/example-shared.log" 2>&1
result example-build-shared $(($? == 0)) "examples/walkthrough against the installed libvgic.so" "$log/example-shared.log"
LD_LIBRARY_PATH=$d$libdir "$work/walkthrough/walkthrough" >"$log/example-shared-run.log" 2>&1
rc=$?
result example-run-shared $((rc == 0)) "exit $rc, $(grep -c '^  ok' "$log/example-shared-run.log") steps ok, \
$(grep -c '^  FAIL' "$log/example-shared-run.log") failed; loaded $(LD_LIBRARY_PATH=$d$libdir ldd "$work/walkthrough/walkthrough" | awk '/libvgic/ {print $3}')" \
	"$log/example-shared-run.log"

make --no-print-directory -C "$work/walkthrough" clean >/dev/null
make --no-print-directory -C "$work/walkthrough" STATIC=1 >"$log/example-static.log" 2>&1
result example-build-static $(($? == 0)) "the same against libvgic.a" "$log/example-static.log"
needs_so=$(readelf -d "$work/walkthrough/walkthrough" 2>/dev/null | grep -c 'libvgic' || true)
"$work/walkthrough/walkthrough" >"$log/example-static-run.log" 2>&1
rc=$?
result example-run-static $((rc == 0 && needs_so == 0)) "exit $rc, no libvgic.so dependency ($needs_so)" "$log/example-static-run.log"

# The freestanding aarch64 core: a bare EL2-style program links it with no libc at all.
cat >"$work/el2.c" <<'C'
#include <vgic/vgic.h>
static struct vgic vm;
static struct vgic_vcpu vcpus[1];
static struct vgic_irq spis[32];
static const struct vgic_hooks hooks;
int el2_entry(void)
{
	struct vgic_config cfg = { .nr_vcpus = 1, .nr_spis = 32, .prio_bits = 5 };
	return vgic_init(&vm, &cfg, &hooks, 0, vcpus, spis);
}
C
a64=$(PKG_CONFIG_PATH=$d$prefix/lib/aarch64-linux-gnu/pkgconfig PKG_CONFIG_LIBDIR=$d$prefix/lib/aarch64-linux-gnu/pkgconfig \
	pkg-config --cflags --libs vgic-freestanding 2>&1)
aarch64-linux-gnu-gcc -std=c11 -O2 -nostdlib -static -e el2_entry -o "$work/el2.elf" "$work/el2.c" $a64 >"$log/el2.log" 2>&1
result freestanding-link $(($? == 0)) "aarch64 -nostdlib link against vgic-freestanding ($a64)" "$log/el2.log"

make --no-print-directory uninstall DESTDIR="$d" PREFIX=$prefix >"$log/uninstall.log" 2>&1
left=$(find "$d" -type f -o -type l | sed "s|^$d||")
result uninstall $([[ -z $left ]] && echo 1 || echo 0) "make uninstall leaves no file${left:+; left: $left}" "$log/uninstall.log"

echo "$pass passed, $fail failed"
((fail == 0))
