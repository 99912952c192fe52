#!/usr/bin/env bash
# deps.sh: make sure the Debian packages this project needs are installed.
# Checks each one for its own architecture and installs only the missing ones, without recommends.
#
# To need a new package, add it to PACKAGES below; nothing else changes.
# A bare name means the host's architecture (or an Architecture: all package); NAME:ARCH means that
# foreign architecture only. Each is checked with its architecture, so an arm64 package can never
# stand in for the host's one (the defect of issue 10: `dpkg-query -W libfdt-dev` matched libfdt-dev:arm64).
set -euo pipefail

PACKAGES=(
	build-essential
	gcc-aarch64-linux-gnu
	binutils-aarch64-linux-gnu
	libc6-dev-arm64-cross # only a Recommends of the cross gcc; libfdt_env.h includes <stdlib.h> and <string.h>
	qemu-system-arm
	libcmocka-dev
	device-tree-compiler
	# The aarch64 static libfdt.a linked into the EL2 hypervisor and the guest, and libfdt's headers
	# (in /usr/include, shared by every architecture). The host's libfdt-dev is NOT listed: nothing on
	# the host links libfdt, and the two are not Multi-Arch: same, so apt refuses to install both.
	libfdt-dev:arm64
	clang
	libclang-rt-14-dev    # libFuzzer's runtime (make fuzz, test-fuzz): only a Recommends of clang
	gnuplot-nox
	valgrind              # callgrind instruction counts per round (make bench: bench/instructions.sh)
	python3
	pkg-config            # the example consumer builds against the installed core through pkg-config
	git                   # test-fresh clones the checkout into a clean root
	debootstrap           # test-fresh builds that clean Debian 12 root
)

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

command -v dpkg-query >/dev/null 2>&1 ||
	die "dpkg-query not found: this script expects Debian 12 (or a Debian derivative). Install these by hand: ${PACKAGES[*]}"

HOST_ARCH=$(dpkg --print-architecture)

# is_installed NAME[:ARCH]: true when that package is installed for that architecture. A bare name
# accepts the host architecture or "all"; a qualified one accepts exactly its own architecture.
is_installed() {
	local spec=$1 name arch want line
	name=${spec%%:*}
	if [[ $spec == *:* ]]; then want=${spec#*:}; else want=$HOST_ARCH; fi
	while IFS=' ' read -r arch line; do
		[[ $line == "install ok installed" ]] || continue
		[[ $arch == "$want" ]] && return 0
		[[ $spec != *:* && $arch == all ]] && return 0
	done < <(dpkg-query -W -f='${Architecture} ${Status}\n' "$name:*" 2>/dev/null || true)
	return 1
}

missing_packages() {
	local p
	for p in "${PACKAGES[@]}"; do
		is_installed "$p" || printf '%s\n' "$p"
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
		die "not root and sudo is not available; as root run: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
	fi
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=300)

# Packages named PKG:ARCH need that foreign architecture enabled before `apt-get update`.
for p in "${missing[@]}"; do
	[[ $p == *:* ]] || continue
	arch=${p#*:}
	if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		say "enabling the $arch architecture for $p"
		"${SUDO[@]}" dpkg --add-architecture "$arch" || die "dpkg --add-architecture $arch failed"
	fi
done

say "running apt-get update"
"${SUDO[@]}" apt-get "${apt_opts[@]}" update ||
	die "apt-get update failed; cannot install: ${missing[*]}"

# A bare name is given to apt with the host architecture, so apt, too, cannot pick a foreign one.
to_install=()
for p in "${missing[@]}"; do
	if [[ $p == *:* ]]; then to_install+=("$p"); else to_install+=("$p:$HOST_ARCH"); fi
done
# Arch-all packages (debootstrap) are not found as NAME:amd64 by older apt; let apt resolve those bare.
for i in "${!to_install[@]}"; do
	p=${missing[$i]}
	[[ $p == *:* ]] && continue
	if [[ $(apt-cache show --no-all-versions "$p" 2>/dev/null | sed -n 's/^Architecture: //p' | head -n1) == all ]]; then
		to_install[$i]=$p
	fi
done

say "installing: ${to_install[*]}"
"${SUDO[@]}" apt-get "${apt_opts[@]}" install -y --no-install-recommends "${to_install[@]}" ||
	die "apt-get install failed; still missing: ${missing[*]}"

mapfile -t still < <(missing_packages)
((${#still[@]} == 0)) || die "still missing after apt-get install: ${still[*]}"
say "installed: ${missing[*]}"
