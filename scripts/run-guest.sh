#!/usr/bin/env bash
# run-guest.sh: boot any arm64 guest (an arm64 Image, an ELF, or a raw binary) under the EL2 hypervisor in QEMU.
# Works out every guest address, checks that the layout fits in guest RAM, and exits with the guest's status.
#
#   scripts/run-guest.sh --kernel FILE[@ADDR] [--initrd FILE] [--dtb FILE] [--append "ARGS"] [--mem SIZE]
#                        [--smp N] [--dtb-addr ADDR] [--disk FILE] [--icount SHIFT] [--timeout S] [--log FILE]
#                        [--interactive] [--dry-run]
#
#   --kernel FILE      an arm64 Image (the 64-byte header: loaded at RAM + text_offset, as QEMU does), an
#                      AArch64 ELF (its PT_LOAD segments at their physical addresses, entered at e_entry),
#                      or anything else as a raw binary at QEMU's default RAM + 0x80000. A gzip-compressed
#                      file is decompressed first, as QEMU does for an Image.
#   --kernel FILE@ADDR the file's bytes as they are at guest address ADDR, entered there (not for an ELF)
#   --initrd FILE      at RAM + min(RAM/2, 128 MiB), or the first page above the kernel if that is higher;
#                      the guest finds it in /chosen/linux,initrd-start/-end
#   --dtb FILE         the guest's device tree instead of dts/guest.dts (a .dtb, at most 60 KiB). It must
#                      describe this machine (GICv3 distributor where QEMU virt has it); the hypervisor
#                      still rewrites the cpu nodes, the memory node, the GICR span and /chosen
#   --append ARGS      the guest's command line (/chosen/bootargs); hyp.* words go to the hypervisor
#   --mem SIZE         guest RAM, 64M to 1G, a multiple of 2M (K/M/G suffixes; a bare number is MiB, as
#                      for QEMU's -m). Default 128M. QEMU's own -m is 256M more: the hypervisor lives there.
#   --smp N            vCPUs, 1 to 8 (default 2)
#   --cpus M           QEMU's CPUs, 1 to N (default N: one vCPU per CPU). Fewer than N: the hypervisor
#                      schedules the vCPUs on them (hyp.vcpus=N; docs/arm64.md "Scheduling")
#   --dtb-addr ADDR    put the guest's device tree here instead of QEMU's place (2 MiB above the initrd's
#                      end, or above where the initrd would go)
#   --disk FILE        a disk image for the hypervisor's virtio-blk device (a non-zero multiple of 512 bytes,
#                      at most 256 MiB): QEMU's loader puts it in host memory after the guest RAM (and the
#                      second VM's), outside every guest's RAM; QEMU's -m grows by its size rounded up to
#                      2 MiB, and the hypervisor is told hyp.disk=PA,SIZE (PA in hex, SIZE in bytes)
#   --vm2 "ARGS"       a second VM beside this one, sharing the CPUs: the test guest (build/arm64/guest.bin)
#                      with ARGS as its command line ("" runs the suite, "hostile" the hostile guest...).
#                      Both consoles are then emulated: each line comes out prefixed [vm0] or [vm1]
#   --vm2-smp N        the second VM's vCPUs (default 1; both VMs' together at most 8)
#   --vm2-mem SIZE     the second VM's RAM (default 128M); its host memory follows the first VM's
#   --icount SHIFT     QEMU's deterministic clock, -icount shift=SHIFT,sleep=off: every instruction any CPU
#                      executes advances virtual time by 2^SHIFT ns, and an idle machine jumps to its next
#                      timer. Timings then count instructions, free of the host's noise (one TCG thread,
#                      so slower in host time). 0 to 10
#   --interactive      hand the terminal to QEMU (no timeout, no status; Ctrl-A x quits)
#   --dry-run          print the layout and the QEMU command, run nothing
#
# Every guest gets x0 = its device tree, whose memory node says the RAM size, and "guest.ram=SIZE" at the
# end of its command line so that a test can check what it was given (Linux ignores dotted words it does
# not know). ACCEL=kvm: nested virtualisation on an arm64 host (docs/arm64.md). The layout rule and the
# exit accounting are in docs/arm64.md, "Running your own guest".
#
# Exit codes: the guest's status (from the hypervisor's last line "hyp: run ended: status N"); 124 timeout;
# 125 no status line; 2 refused before QEMU started (bad option, file or layout; one line on stderr says why).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The fixed layout (arch-arm64/hyp.h; QEMU virt): guest RAM at IPA 0x40000000 is host PA 0x50000000, and
# below that, from QEMU's RAM base, sit QEMU's DTB and the hypervisor.
readonly HOST_RAM_BASE=$((0x40000000)) GUEST_RAM_PA=$((0x50000000)) RAM_IPA=$((0x40000000))
readonly KIB=1024 MIB=$((1024 * 1024)) GIB=$((1024 * 1024 * 1024))
readonly MEM_MIN=$((64 * MIB)) MEM_MAX=$GIB MEM_ALIGN=$((2 * MIB)) MEM_DEFAULT=$((128 * MIB))
readonly MAX_SMP=8
readonly DTB_MAX=$((64 * KIB))   # GUEST_DTB_MAX: the room the hypervisor gives the guest DTB
readonly DTB_FILE_MAX=$((DTB_MAX - 4 * KIB))   # fdt_guest.c GUEST_DTB_SLACK: room for the edits
readonly DTB_MAGIC=" 208 13 254 237 "
readonly DTB_MIN_ALIGN=8         # the arm64 boot protocol's DTB alignment (for --dtb-addr)
readonly BOOTARGS_MAX=255        # arch-arm64/platform.h: PLATFORM_BOOTARGS_MAX - 1
readonly DISK_SECTOR=512 DISK_MAX=$((256 * MIB)) DISK_ALIGN=$((2 * MIB))   # --disk: virtio-blk sectors
# QEMU's rules (hw/arm/boot.c): an image without a header at RAM + 0x80000; an Image at RAM + text_offset,
# moved up 2 MiB when that would overlap QEMU's 4 KiB boot stub; the initrd at RAM + min(RAM/2, 128 MiB)
# or page-aligned above the kernel; for AArch64 the DTB at the next 2 MiB boundary after the initrd.
readonly RAW_OFFSET=$((0x80000)) STUB_MAX=$((4 * KIB)) STUB_SKIP=$((2 * MIB))
readonly INITRD_OFFSET_MAX=$((128 * MIB)) PAGE=$((4 * KIB)) DTB_ALIGN=$((2 * MIB))
readonly IMAGE_HEADER_SIZE=64 IMAGE_MAGIC=$((0x644d5241)) IMAGE_FLAG_BE=1
readonly ELF_HEADER_SIZE=64 ELF_PHDR_SIZE=56 EM_AARCH64=183 PT_LOAD=1 ELF_MAX_PHDRS=64
readonly ICOUNT_SHIFT_MAX=10     # QEMU's limit for a fixed -icount shift
readonly EXIT_REFUSED=2 EXIT_TIMEOUT=124 EXIT_NO_STATUS=125

hyp=build/arm64/hyp.elf
kernel_arg="" initrd="" dtb_file="" append="" mem_arg="" smp=2 dtb_arg="" timeout_s=${RUN_TIMEOUT:-60} log=""
interactive=0 dry_run=0 cpus="" vm2=0 vm2_args="" vm2_smp=1 vm2_mem_arg="" disk="" icount=""

refuse() { echo "run-guest: refused: $*" >&2; exit $EXIT_REFUSED; }
hex() { printf '0x%x' "$1"; }
align_up() { echo $((($1 + $2 - 1) / $2 * $2)); }

need_arg() { (($# >= 2)) || refuse "$1 needs a value"; }
while (($#)); do
	case $1 in
	--kernel) need_arg "$@"; kernel_arg=$2; shift 2 ;;
	--initrd) need_arg "$@"; initrd=$2; shift 2 ;;
	--append) need_arg "$@"; append=$2; shift 2 ;;
	--mem) need_arg "$@"; mem_arg=$2; shift 2 ;;
	--smp) need_arg "$@"; smp=$2; shift 2 ;;
	--cpus) need_arg "$@"; cpus=$2; shift 2 ;;
	--dtb) need_arg "$@"; dtb_file=$2; shift 2 ;;
	--dtb-addr) need_arg "$@"; dtb_arg=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift 2 ;;
	--log) need_arg "$@"; log=$2; shift 2 ;;
	--vm2) need_arg "$@"; vm2=1; vm2_args=$2; shift 2 ;;
	--vm2-smp) need_arg "$@"; vm2_smp=$2; shift 2 ;;
	--vm2-mem) need_arg "$@"; vm2_mem_arg=$2; shift 2 ;;
	--disk) need_arg "$@"; disk=$2; shift 2 ;;
	--icount) need_arg "$@"; icount=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--dry-run) dry_run=1; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) refuse "unknown argument '$1' (--help lists them)" ;;
	esac
done

# A guest address: hex (0x...) or decimal, below 2^63 so that shell arithmetic holds it.
parse_addr() { # parse_addr WHAT VALUE
	[[ $2 =~ ^0[xX][0-9a-fA-F]{1,15}$ || $2 =~ ^[0-9]{1,18}$ ]] || refuse "$1 '$2' is not an address (0x... or decimal)"
	echo $(($2))
}

# A size as QEMU's -m takes it: N (MiB), NK, NM, NG, optionally with B or iB.
parse_mem() {
	local v=$1 n unit
	[[ $v =~ ^([0-9]{1,7})([KkMmGg]?)(i?B)?$ ]] || refuse "--mem '$v' is not a size (e.g. 256M, 1G)"
	n=$((10#${BASH_REMATCH[1]})) unit=${BASH_REMATCH[2]:-M}
	case $unit in
	[Kk]) n=$((n * KIB)) ;; [Mm]) n=$((n * MIB)) ;; [Gg]) n=$((n * GIB)) ;;
	esac
	((n >= MEM_MIN && n <= MEM_MAX && n % MEM_ALIGN == 0)) ||
		refuse "--mem $v: guest RAM must be 64M to 1G, a multiple of 2M"
	echo $n
}

# Little-endian fields of a file; empty output means the file is too short.
u8s() { od -An -v -tu1 -j "$2" -N "$3" "$1" | tr -s ' \n' ' '; }
u16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' \n'; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' \n'; }
u64() { # a 64-bit field; values that shell arithmetic cannot hold are refused as absurd
	local v
	v=$(od -An -tu8 -j "$2" -N8 "$1" | tr -d ' \n')
	[[ -n $v ]] || refuse "$1: too short to be what its header says"
	((${#v} <= 18)) || refuse "$1: header field at offset $2 is absurd ($v)"
	echo "$v"
}

[[ -n $kernel_arg ]] || refuse "--kernel FILE is required"
[[ $smp =~ ^[0-9]+$ ]] && ((smp >= 1 && smp <= MAX_SMP)) || refuse "--smp '$smp': 1 to $MAX_SMP vCPUs"
cpus=${cpus:-$smp}
[[ $cpus =~ ^[0-9]+$ ]] && ((cpus >= 1 && cpus <= smp)) || refuse "--cpus '$cpus': 1 to the vCPU count ($smp)"
[[ -z $icount ]] || { [[ $icount =~ ^[0-9]+$ ]] && ((icount <= ICOUNT_SHIFT_MAX)); } ||
	refuse "--icount '$icount': a shift from 0 to $ICOUNT_SHIFT_MAX"
[[ $timeout_s =~ ^[0-9]+$ ]] || refuse "--timeout '$timeout_s' is not a number of seconds"
mem=$MEM_DEFAULT
[[ -n $mem_arg ]] && mem=$(parse_mem "$mem_arg")
ram_end=$((RAM_IPA + mem))
[[ -f $hyp ]] || refuse "$hyp missing (make arm64)"
vm2_mem=0 vm2_image=build/arm64/guest.bin
if ((vm2)); then
	[[ $vm2_smp =~ ^[0-9]+$ ]] && ((vm2_smp >= 1 && smp + vm2_smp <= MAX_SMP)) ||
		refuse "--vm2-smp '$vm2_smp': 1 or more, and both VMs' vCPUs together at most $MAX_SMP"
	vm2_mem=$MEM_DEFAULT
	[[ -n $vm2_mem_arg ]] && vm2_mem=$(parse_mem "$vm2_mem_arg")
	[[ -f $vm2_image ]] || refuse "$vm2_image missing (make arm64): the second VM runs the test guest"
	[[ $vm2_args != *,* ]] || refuse "--vm2 '$vm2_args': no commas (they stand for spaces on the hypervisor's command line)"
fi
# The disk image sits in host memory right after the guests' RAM, in no guest's RAM (the hypervisor maps
# nothing of it into stage 2; its virtio-blk device copies from it).
disk_size=0 disk_pa=0
if [[ -n $disk ]]; then
	[[ -f $disk && -r $disk ]] || refuse "--disk $disk: no such readable file"
	[[ $disk != *,* ]] || refuse "--disk $disk: file names with a comma cannot be passed to QEMU's loader"
	disk_size=$(stat -L -c %s "$disk")
	((disk_size > 0 && disk_size % DISK_SECTOR == 0 && disk_size <= DISK_MAX)) ||
		refuse "--disk $disk: $disk_size bytes; a disk image must be a non-zero multiple of $DISK_SECTOR bytes, at most $((DISK_MAX / MIB)) MiB"
	disk_pa=$((GUEST_RAM_PA + mem + vm2_mem))
fi

for w in $append; do
	case $w in
	hyp.mem=*|hyp.entry=*|hyp.initrd=*|hyp.dtb=*|hyp.dtb-loaded|hyp.vcpus=*|hyp.vm2.*|hyp.disk=*)
		refuse "'$w' in --append: the runner sets it (use --mem, --kernel FILE@ADDR, --initrd, --dtb, --dtb-addr, --vm2*, --disk)" ;;
	esac
done

# The kernel argument: FILE or FILE@ADDR (the last @ followed by an address).
kernel=$kernel_arg load_addr=""
if [[ $kernel_arg =~ ^(.+)@([0-9a-fA-FxX]+)$ && ! -e $kernel_arg ]]; then
	kernel=${BASH_REMATCH[1]}
	load_addr=$(parse_addr "load address" "${BASH_REMATCH[2]}")
fi
[[ -f $kernel && -r $kernel ]] || refuse "--kernel $kernel: no such readable file"
# QEMU's option syntax takes a comma as a separator: such a name cannot be handed to its loader.
[[ $kernel != *,* && $initrd != *,* ]] || refuse "file names with a comma cannot be passed to QEMU's loader"
ksize=$(stat -c %s "$kernel")
((ksize > 0)) || refuse "--kernel $kernel is empty"

tmpdir=$(mktemp -d)
trap 'rm -rf "$tmpdir"' EXIT

# QEMU gunzips an Image; so do we, so that the header can be read.
if [[ $(u8s "$kernel" 0 2) == " 31 139 " ]]; then
	gzip -dc "$kernel" >"$tmpdir/kernel" 2>/dev/null || refuse "--kernel $kernel: gzip data that does not decompress"
	kernel=$tmpdir/kernel
	ksize=$(stat -c %s "$kernel")
	((ksize > 0)) || refuse "--kernel $kernel_arg decompresses to nothing"
fi

# Loads: "IPA FILE" pairs for QEMU's loader; the kernel's extent [kstart, kend) and its entry.
declare -a loads=()
kind="" kstart=0 kend=0 entry=0

load_elf() {
	local ehdr phoff phentsize phnum i ph ptype off paddr filesz memsz n=0
	((ksize >= ELF_HEADER_SIZE)) || refuse "--kernel $kernel: ELF header cut short"
	ehdr=$(u8s "$kernel" 4 2)
	[[ $ehdr == " 2 1 " ]] || refuse "--kernel $kernel: not a 64-bit little-endian ELF"
	[[ $(u16 "$kernel" 18) == "$EM_AARCH64" ]] || refuse "--kernel $kernel: an ELF for another machine (e_machine $(u16 "$kernel" 18), want AArch64 $EM_AARCH64)"
	entry=$(u64 "$kernel" 24) phoff=$(u64 "$kernel" 32)
	phentsize=$(u16 "$kernel" 54) phnum=$(u16 "$kernel" 56)
	((phentsize == ELF_PHDR_SIZE && phnum >= 1 && phnum <= ELF_MAX_PHDRS)) ||
		refuse "--kernel $kernel: ELF program headers malformed ($phnum of $phentsize bytes)"
	((phoff + phnum * phentsize <= ksize)) || refuse "--kernel $kernel: ELF program headers past the end of the file"
	kstart=-1 kend=0
	for ((i = 0; i < phnum; i++)); do
		ph=$((phoff + i * phentsize))
		ptype=$(u32 "$kernel" "$ph")
		((ptype == PT_LOAD)) || continue
		off=$(u64 "$kernel" $((ph + 8))) paddr=$(u64 "$kernel" $((ph + 24)))
		filesz=$(u64 "$kernel" $((ph + 32))) memsz=$(u64 "$kernel" $((ph + 40)))
		((memsz > 0)) || continue
		((filesz <= memsz && off + filesz <= ksize)) ||
			refuse "--kernel $kernel: segment $i malformed (offset $off, file $filesz, memory $memsz bytes)"
		((paddr >= RAM_IPA && paddr + memsz <= ram_end)) ||
			refuse "--kernel $kernel: segment $i ($(hex "$paddr")-$(hex $((paddr + memsz - 1)))) is outside guest RAM $(hex $RAM_IPA)-$(hex $((ram_end - 1))) ($((mem / MIB)) MiB)"
		((kstart < 0 || paddr < kstart)) && kstart=$paddr
		((paddr + memsz > kend)) && kend=$((paddr + memsz))
		# The bytes in the file; the rest up to memsz (BSS) is RAM QEMU has zeroed.
		if ((filesz > 0)); then
			dd if="$kernel" of="$tmpdir/seg$i" bs=64K iflag=skip_bytes,count_bytes skip="$off" count="$filesz" status=none
			loads+=("$paddr $tmpdir/seg$i")
		fi
		n=$((n + 1))
	done
	((n > 0)) || refuse "--kernel $kernel: an ELF with no loadable segment"
	((entry >= kstart && entry < kend)) || refuse "--kernel $kernel: ELF entry $(hex "$entry") is in none of its segments"
	kind="ELF ($n loadable segment(s))"
}

load_image() {
	local text_offset image_size flags base
	text_offset=$(u64 "$kernel" 8) image_size=$(u64 "$kernel" 16) flags=$(u64 "$kernel" 24)
	((image_size > 0)) || refuse "--kernel $kernel: arm64 Image with image_size 0 (a kernel before 3.17): its footprint is unknown"
	((!(flags & IMAGE_FLAG_BE))) || refuse "--kernel $kernel: a big-endian arm64 Image"
	if [[ -n $load_addr ]]; then
		entry=$load_addr
	else
		base=$RAM_IPA
		((text_offset < STUB_MAX)) && base=$((base + STUB_SKIP))
		entry=$((base + text_offset))
	fi
	kstart=$entry kend=$((entry + (image_size > ksize ? image_size : ksize)))
	loads+=("$entry $kernel")
	kind="arm64 Image (text_offset $(hex "$text_offset"), image_size $((image_size / KIB)) KiB)"
}

if [[ $(u8s "$kernel" 0 4) == " 127 69 76 70 " ]]; then
	[[ -z $load_addr ]] || refuse "--kernel $kernel_arg: an ELF loads at its own addresses; drop @ADDR"
	load_elf
elif ((ksize >= IMAGE_HEADER_SIZE)) && [[ $(u32 "$kernel" 56) == "$IMAGE_MAGIC" ]]; then
	load_image
else
	entry=${load_addr:-$((RAM_IPA + RAW_OFFSET))}
	kstart=$entry kend=$((entry + ksize))
	loads+=("$entry $kernel")
	kind="raw binary${load_addr:+ at the given address}"
fi
((entry % 4 == 0)) || refuse "--kernel $kernel_arg: entry $(hex "$entry") is not 4-byte aligned"
((kstart >= RAM_IPA && kend <= ram_end)) ||
	refuse "--kernel $kernel_arg: $((kend - kstart)) bytes at $(hex "$kstart")-$(hex $((kend - 1))) do not fit in guest RAM $(hex $RAM_IPA)-$(hex $((ram_end - 1))) ($((mem / MIB)) MiB)"

# The initrd, as QEMU places it: RAM/2 or 128 MiB in, but never below the kernel's end.
initrd_start=$((RAM_IPA + (mem / 2 < INITRD_OFFSET_MAX ? mem / 2 : INITRD_OFFSET_MAX)))
((initrd_start < kend)) && initrd_start=$(align_up "$kend" $PAGE)
initrd_size=0
if [[ -n $initrd ]]; then
	[[ -f $initrd && -r $initrd ]] || refuse "--initrd $initrd: no such readable file"
	initrd_size=$(stat -c %s "$initrd")
	((initrd_size > 0)) || refuse "--initrd $initrd is empty"
	((initrd_start + initrd_size <= ram_end)) ||
		refuse "--initrd $initrd: $initrd_size bytes at $(hex "$initrd_start") run past the end of guest RAM $(hex $((ram_end - 1))) ($((mem / MIB)) MiB)"
	loads+=("$initrd_start $initrd")
fi

# The device tree: QEMU's place, the next 2 MiB boundary after the initrd (or where it would be).
overlaps() { (($2 > 0 && $4 > 0 && $1 < $3 + $4 && $3 < $1 + $2)); }
if [[ -n $dtb_arg ]]; then
	dtb=$(parse_addr "--dtb-addr" "$dtb_arg")
	((dtb % DTB_MIN_ALIGN == 0)) || refuse "--dtb-addr $dtb_arg is not 8-byte aligned"
	((dtb >= RAM_IPA && dtb + DTB_MAX <= ram_end)) || refuse "--dtb-addr $dtb_arg: the 64 KiB device tree does not fit in guest RAM there"
	! overlaps "$dtb" $DTB_MAX "$kstart" $((kend - kstart)) || refuse "--dtb-addr $dtb_arg overlaps the kernel"
	! overlaps "$dtb" $DTB_MAX "$initrd_start" "$initrd_size" || refuse "--dtb-addr $dtb_arg overlaps the initrd"
else
	dtb=$(align_up $((initrd_start + initrd_size)) $DTB_ALIGN)
	((dtb + DTB_MAX <= ram_end)) ||
		refuse "no room for the 64 KiB device tree above the kernel and initrd (at $(hex "$dtb"); RAM ends at $(hex $((ram_end - 1))))"
fi

if [[ -n $dtb_file ]]; then
	[[ -f $dtb_file && -r $dtb_file ]] || refuse "--dtb $dtb_file: no such readable file"
	[[ $dtb_file != *,* ]] || refuse "file names with a comma cannot be passed to QEMU's loader"
	[[ $(u8s "$dtb_file" 0 4) == "$DTB_MAGIC" ]] || refuse "--dtb $dtb_file: not a flattened device tree (no 0xd00dfeed magic; compile a .dts with dtc)"
	(($(stat -c %s "$dtb_file") <= DTB_FILE_MAX)) || refuse "--dtb $dtb_file: larger than $((DTB_FILE_MAX / KIB)) KiB (the hypervisor edits it in a 64 KiB slot)"
	loads+=("$dtb $dtb_file")
fi

bootargs="hyp.mem=$(hex "$mem") hyp.entry=$(hex "$entry") hyp.dtb=$(hex "$dtb")"
((initrd_size > 0)) && bootargs+=" hyp.initrd=$(hex "$initrd_start"),$initrd_size"
[[ -n $dtb_file ]] && bootargs+=" hyp.dtb-loaded"
((cpus < smp)) && bootargs+=" hyp.vcpus=$smp"
((disk_size > 0)) && bootargs+=" hyp.disk=$(hex "$disk_pa"),$disk_size"
if ((vm2)); then
	w=${vm2_args:+$vm2_args guest.ram=$((vm2_mem / MIB))M}
	w=${w:-guest.ram=$((vm2_mem / MIB))M}
	bootargs+=" hyp.vm2.mem=$(hex "$vm2_mem") hyp.vm2.vcpus=$vm2_smp hyp.vm2.args=${w// /,}"
fi
bootargs+="${append:+ $append} guest.ram=$((mem / MIB))M"
((${#bootargs} <= BOOTARGS_MAX)) ||
	refuse "--append is too long: with the runner's own words the command line is ${#bootargs} bytes, the hypervisor takes $BOOTARGS_MAX"

accel=${ACCEL:-tcg} cpu=max,sve=off,sme=off
# SVE and SME are hidden: the hypervisor traps them (CPTR_EL2) rather than switch their state. Under KVM
# (nested virtualisation) the host's KVM must expose EL2 and QEMU accept virtualization=on with KVM.
[[ $accel == kvm ]] && cpu=host
qemu=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -accel "$accel" -cpu "$cpu" -smp "$cpus"
      -m "$(((GUEST_RAM_PA - HOST_RAM_BASE + mem + vm2_mem + $(align_up "$disk_size" $DISK_ALIGN)) / MIB))M" -nographic -no-reboot -nic none -kernel "$hyp")
for l in "${loads[@]}"; do
	read -r ipa file <<<"$l"
	qemu+=(-device "loader,file=$file,addr=$(hex $((ipa - RAM_IPA + GUEST_RAM_PA))),force-raw=on")
done
# The second VM's RAM follows the first's in host memory (arch-arm64/bootparams.c, bootparams_vm2).
((vm2)) && qemu+=(-device "loader,file=$vm2_image,addr=$(hex $((GUEST_RAM_PA + mem + RAW_OFFSET))),force-raw=on")
((disk_size > 0)) && qemu+=(-device "loader,file=$disk,addr=$(hex "$disk_pa"),force-raw=on")
[[ -n $icount ]] && qemu+=(-icount "shift=$icount,sleep=off")
qemu+=(-append "$bootargs")

{
	echo "run-guest: $kernel_arg: $kind, $(hex "$kstart")-$(hex $((kend - 1))), entry $(hex "$entry")"
	((initrd_size > 0)) && echo "run-guest: initrd $initrd: $(hex "$initrd_start")-$(hex $((initrd_start + initrd_size - 1)))"
	echo "run-guest: DTB $(hex "$dtb")${dtb_file:+ ($dtb_file)}, RAM $(hex $RAM_IPA)-$(hex $((ram_end - 1))) ($((mem / MIB)) MiB, host PA $(hex $GUEST_RAM_PA)), $smp vCPU(s) on $cpus CPU(s)"
	((vm2)) && echo "run-guest: second VM: $vm2_image, $vm2_smp vCPU(s), $((vm2_mem / MIB)) MiB at host PA $(hex $((GUEST_RAM_PA + mem))), args \"$vm2_args\""
	((disk_size > 0)) && echo "run-guest: disk $disk: $disk_size bytes ($((disk_size / DISK_SECTOR)) sectors) at host PA $(hex "$disk_pa")-$(hex $((disk_pa + disk_size - 1)))"
} >&2

if ((dry_run)); then
	printf '%q ' "${qemu[@]}"
	echo
	exit 0
fi
if ((interactive)); then
	echo "run-guest: QEMU has the terminal; Ctrl-A x quits" >&2
	"${qemu[@]}"   # not exec: the EXIT trap still removes the extracted segments afterwards
	exit 0
fi

out=$tmpdir/console
set +e
timeout --foreground -k 5 "$timeout_s" "${qemu[@]}" 2>&1 | sed -u 's/\r$//' | tee "$out"
rc=${PIPESTATUS[0]}
set -e
[[ -n $log ]] && cp "$out" "$log"

if ((rc == 124 || rc == 137)); then
	echo "run-guest: TIMEOUT after ${timeout_s}s ($kernel_arg, smp $smp)" >&2
	exit $EXIT_TIMEOUT
fi
status=$(sed -n 's/^hyp: run ended: status \([0-9]*\).*/\1/p' "$out" | tail -n1)
if [[ -z $status ]]; then
	echo "run-guest: the run ended without a status line (QEMU exit code $rc)" >&2
	exit $EXIT_NO_STATUS
fi
((status > 255)) && status=255   # an exit code has 8 bits; a failure must not wrap to 0
exit "$status"
