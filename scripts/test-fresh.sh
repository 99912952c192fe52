#!/usr/bin/env bash
# test-fresh.sh: prove the README's set-up on a clean Debian 12: debootstrap a minimal bookworm root, clone
# the checkout into it, and run make deps, the full build, the unit tests, make run and the install test there.
#
# Nothing is cached between runs: a machine that already has packages hides a broken install step, and
# that is the class of defect this guards against (issue 10: libfdt-dev and libfdt-dev:arm64 conflict).
#
#   FRESH_DEPS_SH=FILE   replace the clone's scripts/deps.sh with FILE (to show an old deps.sh fails)
#   FRESH_MIRROR=URL     Debian mirror (default: the first deb.debian.org-style URI in the host's apt sources)
#   FRESH_KEEP=1         keep the root afterwards (for debugging; it is still unmounted)
#
# Needs root (debootstrap and chroot). Prints PASS/FAIL per step, a loud SKIP when it cannot run here,
# and ends with "N passed, M failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
. tests/integration/report.sh

pass=0 fail=0
skip() { echo "SKIP test-fresh: $*"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }

((EUID == 0)) || skip "needs root for debootstrap and chroot (run as root, or let CI run it)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (make deps installs it)"
command -v git >/dev/null || skip "git is not installed (make deps installs it)"
git -C "$repo" rev-parse --verify -q HEAD >/dev/null || skip "$repo is not a git checkout with a commit"

host_mirror() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list; do
		[[ -r $f ]] || continue
		uri=$(sed -n -e 's/^URIs: *\([^ ]*\).*/\1/p' -e 's/^deb \(\[[^]]*\] \)\{0,1\}\(http[^ ]*\) bookworm .*/\2/p' "$f" |
			grep -v -- '-security' | head -n1)
		[[ -n $uri ]] && { echo "${uri%/}"; return; }
	done
	echo http://deb.debian.org/debian
}
mirror=${FRESH_MIRROR:-$(host_mirror)}
security=${mirror%/debian}/debian-security

# Reachability first, so an offline machine gets a SKIP that names the cause, not a FAIL.
probe=$(mktemp)
if ! wget -q -T 20 -t 2 -O "$probe" "$mirror/dists/bookworm/Release" 2>/dev/null || ! [[ -s $probe ]]; then
	rm -f "$probe"
	skip "the Debian mirror $mirror cannot be reached (no network?): cannot build a fresh root"
fi
rm -f "$probe"

root=$(mktemp -d /var/tmp/vgic-fresh.XXXXXX)
mounts=()
cleanup() {
	local m i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount -l "${mounts[$i]}" 2>/dev/null
	done
	# Never delete through a mount: a bound /dev under the root would take the host's /dev with it.
	if grep -q " $root/" /proc/mounts; then
		echo "test-fresh: WARNING: mounts remain under $root; not deleting it" >&2
		return
	fi
	if [[ ${FRESH_KEEP:-0} == 1 ]]; then
		echo "test-fresh: kept $root"
	else
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT

# step NAME LOG CMD...: run one step, print its PASS/FAIL line with its time; return its status.
step() {
	local name=$1 log=$2 t0 rc
	shift 2
	t0=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	if ((rc == 0)); then
		result "$name" 1 "($(($(date +%s) - t0)) s)" "$log"
	else
		result "$name" 0 "exit $rc after $(($(date +%s) - t0)) s; last lines:" "$log"
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
	return $rc
}

logs=build/test-logs/fresh
mkdir -p "$logs"
rm -f "$logs"/*.log
commit=$(git -C "$repo" rev-parse --short HEAD)
echo "test-fresh: Debian 12 minbase root in $root from $mirror; testing commit $commit (a clean clone: uncommitted changes are not part of it)"
[[ -n $(git -C "$repo" status --porcelain 2>/dev/null) ]] && echo "test-fresh: note: the work tree has uncommitted changes; they are not tested"

finish() {
	echo "$pass passed, $fail failed"
	((fail == 0))
	exit $?
}

step debootstrap "$logs/debootstrap.log" \
	debootstrap --variant=minbase bookworm "$root" "$mirror" || finish

# What a freshly installed Debian 12 has: the release, its updates and security. DNS from the host.
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

for d in proc sys dev; do
	mkdir -p "$root/$d"
	mount --bind "/$d" "$root/$d" && mounts+=("$root/$d") || { result mount-$d 0 "mount --bind /$d failed" -; finish; }
done

step clone "$logs/clone.log" git clone -q "$repo" "$root/root/vgic" || finish
if [[ -n ${FRESH_DEPS_SH:-} ]]; then
	echo "test-fresh: replacing the clone's scripts/deps.sh with $FRESH_DEPS_SH"
	cp "$FRESH_DEPS_SH" "$root/root/vgic/scripts/deps.sh" || { result replace-deps 0 "cannot copy $FRESH_DEPS_SH" -; finish; }
fi

# in_root CMD: run a shell command in the clone inside the root, with a clean environment.
in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 CI="${CI:-}" DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		bash -c "cd /root/vgic && $1"
}

# The README's prerequisite: make itself (a clone already implies git, which the host supplied).
step prerequisite-make "$logs/make.log" \
	in_root 'apt-get -q update && apt-get install -y -q --no-install-recommends make' || finish
step make-deps "$logs/deps.log" in_root 'make deps' || finish
# Every later step needs the build; each runs even if an earlier one of them failed.
step build "$logs/build.log" in_root 'make -j"$(nproc)" all' || finish
step test-unit "$logs/test-unit.log" in_root 'make test-unit'
grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/test-unit.log" | tail -n1 | sed 's/^/    unit tests in the fresh root: /'
step make-run "$logs/run.log" in_root 'make run'
step test-install "$logs/test-install.log" in_root 'make test-install'
finish
