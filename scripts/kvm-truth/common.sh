# common.sh: sourced by scripts/kvm-truth.sh and kvm-truth-linux.sh: what both do the same way. Debian's kernel
# (the L1, and for Linux the L2 too) fetched, the hypervisor built for our side, the static VMM built (the L1
# initramfs has no libc); the L2's device tree; the L1 initramfs; and the L1 run under QEMU with KVM at EL2.
kvm_truth_prepare() { # kvm_truth_prepare DIR NAME: 0 ready; 2 when the kernel cannot be fetched (SKIP printed); 1 else
	if ! bash scripts/run-linux-arm64.sh --fetch >"$1/fetch.txt" 2>&1; then
		echo "SKIP $2: *** NOT MEASURED ***: the Linux kernel could not be fetched ($(tail -n1 "$1/fetch.txt"))"
		return 2
	fi
	make --no-print-directory arm64 >/dev/null || return 1
	${CROSS_COMPILE:-aarch64-linux-gnu-}gcc -static -O2 -Wall -Wextra -Werror -o "$1/vmm" scripts/kvm-truth/vmm.c \
		-lpthread || return 1
}

kvm_truth_l2_dtb() { # kvm_truth_l2_dtb DIR VCPUS BOOTARGS [MEM_MIB INITRD_LEN]: DIR/l2.dts and DIR/l2.dtb
	local dir=$1
	shift
	python3 scripts/kvm-truth/l2_dts.py "$@" >"$dir/l2.dts" && dtc -q -I dts -O dtb -o "$dir/l2.dtb" "$dir/l2.dts"
}

# kvm_truth_l1_initrd OUT DIR VMM_ARGS SPEC...: the L1 initramfs: busybox, the init, DIR/vmm, /vmm.args holding
# VMM_ARGS (the init's command line for it), and the L2's files as mkinitramfs.py SPECs.
kvm_truth_l1_initrd() {
	local out=$1 dir=$2
	echo "$3" >"$dir/vmm.args"
	shift 3
	python3 scripts/mkinitramfs.py "$out" dir:/bin dir:/dev dir:/proc dir:/sys chr:/dev/console=5,1:600 \
		file:/init=scripts/kvm-truth/init:755 file:/bin/busybox=build/linux/busybox:755 file:/vmm="$dir/vmm":755 \
		file:/vmm.args="$dir/vmm.args":644 "$@" >/dev/null
}

# kvm_truth_l1_run LOG INITRD VCPUS TIMEOUT [TRACE]: Debian's kernel at EL2 under QEMU (KVM in VHE mode on QEMU's
# GICv3 CPU interface) with that initramfs, as many vCPUs as the L2 has; with TRACE, every ICH_* access logged
# there (QEMU's gicv3_ich_* trace events).
kvm_truth_l1_run() {
	local trace=()
	[[ -n ${5:-} ]] && trace=(-d 'trace:gicv3_ich_*' -D "$5")
	timeout -k 5 "$4" qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max,sve=off,sme=off \
		-smp "$3" -m 1G -nographic -no-reboot -nic none -kernel build/linux/Image -initrd "$2" \
		-append "console=ttyAMA0 rdinit=/init" "${trace[@]}" >"$1" 2>&1
}
