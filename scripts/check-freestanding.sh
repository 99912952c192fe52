#!/usr/bin/env bash
# check-freestanding.sh NM ARCHIVE
# Fails if any object in ARCHIVE references a symbol (nm type U) that no
# object in ARCHIVE defines: the vgic core must link with nothing else,
# not even libc or libgcc (memset, memcpy, __udivti3, ... included).
set -euo pipefail

nm=${1:?usage: check-freestanding.sh NM ARCHIVE}
lib=${2:?usage: check-freestanding.sh NM ARCHIVE}

command -v "$nm" >/dev/null 2>&1 || { echo "check-freestanding: $nm not found (run: make deps)" >&2; exit 1; }
[[ -f $lib ]] || { echo "check-freestanding: $lib not found" >&2; exit 1; }

# -A: "archive:member.o:0000000000000000 T symbol"
# (An archive without symbols makes nm complain; that is not an error here.)
defined=$({ "$nm" -A --defined-only "$lib" 2>/dev/null || true; } | awk 'NF >= 2 {print $NF}' | sort -u)
# -A: "archive:member.o:    U symbol"
undefined=$({ "$nm" -A -u "$lib" 2>/dev/null || true; } | awk '$(NF-1) == "U" {obj = $1; sub(/:$/, "", obj); print $NF, obj}' | sort -u)

bad=0
while read -r sym obj; do
	[[ -n $sym ]] || continue
	if ! grep -qxF -- "$sym" <<<"$defined"; then
		echo "check-freestanding: error: undefined symbol '$sym' referenced by $obj (not defined in $lib)" >&2
		bad=1
	fi
done <<<"$undefined"

if ((bad)); then
	echo "check-freestanding: the aarch64 vgic core must not depend on libc/libgcc or any symbol outside itself" >&2
	exit 1
fi
echo "check-freestanding: $lib has no external undefined symbols"
