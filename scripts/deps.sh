#!/usr/bin/env bash
# deps.sh: make sure the Debian packages this project needs are installed.
# Checks each one with dpkg-query and installs only the missing ones with
# apt-get (after one `apt-get update`). A no-op when everything is present.
#
# To need a new package, add it to PACKAGES below; nothing else changes.
set -euo pipefail

PACKAGES=(
	build-essential
	gcc-aarch64-linux-gnu
	binutils-aarch64-linux-gnu
	qemu-system-arm
	libcmocka-dev
	device-tree-compiler
	libfdt-dev
	libfdt-dev:arm64      # the aarch64 static libfdt.a linked into the EL2 hypervisor and the guest
	clang
	gnuplot-nox
	python3
)

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

command -v dpkg-query >/dev/null 2>&1 ||
	die "dpkg-query not found: this script expects Debian 12 (or a Debian derivative). Install these by hand: ${PACKAGES[*]}"

missing_packages() {
	local p status
	for p in "${PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[[ $status == "install ok installed" ]] || printf '%s\n' "$p"
	done
}

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} == 0)); then
	say "all ${#PACKAGES[@]} packages present"
	exit 0
fi

say "missing: ${missing[*]}"

SUDO=()
if ((EUID != 0)); then
	if command -v sudo >/dev/null 2>&1; then
		# No terminal (CI): never wait for a password prompt.
		if [[ -t 0 ]]; then SUDO=(sudo); else SUDO=(sudo -n); fi
	else
		die "not root and sudo is not available; as root run: apt-get update && apt-get install -y ${missing[*]}"
	fi
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=300)

# Packages named PKG:ARCH need that foreign architecture enabled before `apt-get update`.
for p in "${missing[@]}"; do
	arch=${p#*:}
	[[ $p == *:* ]] || continue
	if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		say "enabling the $arch architecture for $p"
		"${SUDO[@]}" dpkg --add-architecture "$arch" || die "dpkg --add-architecture $arch failed"
	fi
done

say "running apt-get update"
"${SUDO[@]}" apt-get "${apt_opts[@]}" update ||
	die "apt-get update failed; cannot install: ${missing[*]}"

say "installing: ${missing[*]}"
"${SUDO[@]}" apt-get "${apt_opts[@]}" install -y "${missing[@]}" ||
	die "apt-get install failed; still missing: ${missing[*]}"

mapfile -t still < <(missing_packages)
((${#still[@]} == 0)) || die "still missing after apt-get install: ${still[*]}"
say "installed: ${missing[*]}"
