# prepare.sh: sourced by scripts/kvm-truth.sh and kvm-truth-linux.sh: Debian's kernel fetched (it is both L1
# and, for Linux, L2), the hypervisor built for our side, and the VMM built, static (the initramfs has no libc).
kvm_truth_prepare() { # kvm_truth_prepare DIR NAME: 0 ready; 2 when the kernel cannot be fetched (SKIP printed); 1 else
	if ! bash scripts/run-linux-arm64.sh --fetch >"$1/fetch.txt" 2>&1; then
		echo "SKIP $2: *** NOT MEASURED ***: the Linux kernel could not be fetched ($(tail -n1 "$1/fetch.txt"))"
		return 2
	fi
	make --no-print-directory arm64 >/dev/null || return 1
	${CROSS_COMPILE:-aarch64-linux-gnu-}gcc -static -O2 -Wall -Wextra -Werror -o "$1/vmm" scripts/kvm-truth/vmm.c \
		-lpthread || return 1
}
