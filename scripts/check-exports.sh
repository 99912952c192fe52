#!/usr/bin/env bash
# check-exports.sh: the installed libraries export only the core's public API.
#   check-exports.sh --static NM ARCHIVE          every global defined symbol is vgic_/irq_/lr_/icv_
#   check-exports.sh --shared NM SO HEADER...     the dynamic symbols are exactly the VGIC_API functions
#                                                 declared in HEADER... (none missing, none extra)
set -euo pipefail

mode=${1:?usage: check-exports.sh --static|--shared NM LIB [HEADER...]}
nm=${2:?nm tool}
lib=${3:?library}
shift 3
prefixes='^(vgic_|irq_|lr_|icv_)'

die() { echo "check-exports: error: $*" >&2; exit 1; }
command -v "$nm" >/dev/null 2>&1 || die "$nm not found (run: make deps)"
[[ -f $lib ]] || die "$lib not found"

case $mode in
--static)
	# Archive members print "sym T addr"-style lines; keep only defined global symbols.
	mapfile -t leaks < <("$nm" -g --defined-only -P "$lib" 2>/dev/null | awk 'NF >= 2 && $1 !~ /:$/ {print $1}' |
		grep -Ev "$prefixes" | sort -u)
	((${#leaks[@]} == 0)) || die "$lib defines global symbols outside the vgic_/irq_/lr_/icv_ prefixes: ${leaks[*]}"
	echo "check-exports: $lib: every global symbol has a public prefix"
	;;
--shared)
	(($# > 0)) || die "--shared needs the public headers"
	exported=$("$nm" -D --defined-only -P "$lib" | awk '$2 ~ /^[TDBRVWi]$/ {print $1}' | sort -u)
	# A VGIC_API declaration: the mark, a return type, then the name before "(".
	declared=$(grep -hv '^[[:space:]]*#' "$@" | tr '\n' ' ' | grep -oE 'VGIC_API [^;(]*\(' | sed -E 's/.*[^A-Za-z0-9_]([A-Za-z_][A-Za-z0-9_]*)\($/\1/' | sort -u)
	extra=$(comm -23 <(echo "$exported") <(echo "$declared"))
	missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
	[[ -z $extra ]] || die "$lib exports symbols that no public header declares VGIC_API: $(echo $extra)"
	[[ -z $missing ]] || die "$lib does not export these VGIC_API functions: $(echo $missing)"
	echo "check-exports: $lib exports exactly the $(echo "$declared" | wc -l) VGIC_API functions"
	;;
*) die "unknown mode $mode" ;;
esac
