#!/usr/bin/env bash
# Print the path of Debian's static busybox for a Debian architecture
# (amd64, arm64, ...): the mlc image's /bin/sh on that platform, since the
# engines run mlc steps as sh -ec "mlc ...". Downloaded once per package
# version into the tools cache; apt runs in a private state directory, so
# the machine's package lists and architectures are left alone, and
# Debian's archive keyring verifies what it fetches.
#
#   scripts/busybox.sh arm64
#
# Cache: ${MLC_TOOLS_CACHE:-$HOME/.cache/mlc-tools}/busybox-static/<version>_<arch>/busybox
set -euo pipefail

arch=${1:?usage: scripts/busybox.sh DEBIAN_ARCH}
cache=${MLC_TOOLS_CACHE:-$HOME/.cache/mlc-tools}
state=$cache/busybox-static/apt-$arch
mkdir -p "$state/lists/partial" "$state/archives/partial"
state=$(cd "$state" && pwd)
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -f $keyring ]] || { echo "busybox.sh: $keyring is missing (apt-get install debian-archive-keyring)" >&2; exit 1; }
echo "deb [arch=$arch signed-by=$keyring] ${DEBIAN_MIRROR:-http://deb.debian.org/debian} ${DEBIAN_SUITE:-bookworm} main" >"$state/sources.list"
apt_opts=(-qq -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state" -o "Dir::Cache::archives=$state/archives"
	-o "Dir::Etc::SourceList=$state/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
	-o "APT::Architectures::=$arch" -o "APT::Architecture=$arch" -o "APT::Sandbox::User=root")

# The version the lists name; the lists are fetched again when they name
# none or their .deb is gone from the mirror (a newer one replaced it).
version() { { apt-cache "${apt_opts[@]}" show --no-all-versions "busybox-static:$arch" 2>/dev/null || true; } | sed -n 's/^Version: //p' | head -n 1; }
fetch() {
	local v=$1 dir
	dir=$cache/busybox-static/${v//:/%3a}_$arch
	if [[ ! -x "$dir/busybox" ]]; then
		(cd "$state/archives" && rm -f ./*.deb && apt-get "${apt_opts[@]}" download "busybox-static:$arch=$v" 2>/dev/null) || return 1
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
		dpkg-deb -x "$state"/archives/*.deb "$dir.tmp/root"
		mv "$dir.tmp/root/bin/busybox" "$dir.tmp/busybox"
		rm -rf "$dir.tmp/root" "$state"/archives/*.deb
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir/busybox"
}

v=$(version)
if [[ -z $v ]] || ! fetch "$v"; then
	echo "busybox.sh: fetching Debian's package lists for $arch" >&2
	apt-get "${apt_opts[@]}" update >&2
	v=$(version)
	[[ -n $v ]] || { echo "busybox.sh: Debian has no busybox-static for $arch" >&2; exit 1; }
	fetch "$v" || { echo "busybox.sh: downloading busybox-static $v for $arch failed" >&2; exit 1; }
fi
