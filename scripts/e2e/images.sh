#!/usr/bin/env bash
# Build the e2e cluster's base images without a registry on the internet, once,
# and print one image tarball (docker-save format, for `ctr images import`)
# per requested name.
#
#   scripts/e2e/images.sh pause python
#
#   pause   registry.k8s.io/pause:3.10 — the pod sandbox (e2e/cmd/pause, static)
#   python  docker.io/library/python:3.12-slim — what the examples name; really
#           Debian bookworm minbase from debootstrap with python3 (3.11), git,
#           curl and ca-certificates, and `python` linked to python3
#   rootfs  (prints the cached bookworm rootfs tarball itself, to layer more on)
#
# Cache: ${MLC_E2E_CACHE:-$HOME/.cache/mlc-e2e}/images/, the rootfs keyed by
# suite and package list. debootstrap from Debian's mirror: about 3 min cold.
# Needs root (debootstrap) and the Debian package debootstrap.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${MLC_E2E_CACHE:-$HOME/.cache/mlc-e2e}
mkdir -p "$cache/images"
cache=$(cd "$cache" && pwd)
suite=bookworm
packages=python3,ca-certificates,curl,git
pause_tag=registry.k8s.io/pause:3.10
python_tag=docker.io/library/python:3.12-slim

# rootfs: the debootstrap tree as a tarball, without device nodes, apt caches
# or machine identity, so it is a plain image layer.
rootfs() {
	local key out tmp
	key=$(printf '%s %s' "$suite" "$packages" | sha256sum | cut -c1-12)
	out="$cache/images/rootfs-$suite-$key.tar"
	if [[ ! -f $out ]]; then
		bash "$repo/scripts/apt-install.sh" debootstrap >&2
		tmp=$(mktemp -d "$cache/images/.rootfs.XXXXXX")
		echo "e2e/images.sh: debootstrap $suite with $packages (once; cached in $out)" >&2
		if ! nice debootstrap --variant=minbase --include="$packages" "$suite" "$tmp/root" >"$tmp/log" 2>&1; then
			tail -20 "$tmp/log" >&2
			rm -rf "$tmp"
			echo "e2e/images.sh: debootstrap failed (log above)" >&2
			return 1
		fi
		ln -s /usr/bin/python3 "$tmp/root/usr/local/bin/python"
		rm -rf "$tmp"/root/var/cache/apt/archives/*.deb "$tmp"/root/var/lib/apt/lists/* "$tmp"/root/var/log/* "$tmp/root/etc/machine-id"
		tar -C "$tmp/root" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
			-cf "$tmp/rootfs.tar" .
		mv -f "$tmp/rootfs.tar" "$out"
		rm -rf "$tmp"
	fi
	echo "$out"
}

# image NAME TAG MKIMAGE-ARGS...: (re)build NAME's tarball, atomically (a
# concurrent caller sees the old file or the new one).
image() {
	local name=$1 tag=$2 mkimage tmp
	shift 2
	mkimage=$(bash "$here/tools.sh" mkimage)
	tmp=$(mktemp "$cache/images/.$name.XXXXXX")
	"$mkimage" -tag "$tag" -o "$tmp" "$@" >/dev/null
	chmod 644 "$tmp"
	mv -f "$tmp" "$cache/images/$name.tar"
	echo "$cache/images/$name.tar"
}

# pause is rebuilt each time (go's build cache makes that cheap): its source
# is in this repository.
pause() {
	local bin
	bin=$(mktemp "$cache/images/.pause-bin.XXXXXX")
	(cd "$repo/e2e" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$bin" ./cmd/pause) >&2
	image pause "$pause_tag" -add "$bin=/pause" -entrypoint /pause
	rm -f "$bin"
}

python() {
	local fs
	fs=$(rootfs)
	if [[ -f "$cache/images/python.tar" && "$cache/images/python.tar" -nt "$fs" ]]; then
		echo "$cache/images/python.tar"
		return
	fi
	image python "$python_tag" -rootfs "$fs" -cmd python3 -env LANG=C.UTF-8
}

if [[ $# -eq 0 ]]; then
	echo "usage: scripts/e2e/images.sh NAME... (pause python rootfs)" >&2
	exit 2
fi
for name in "$@"; do
	case "$name" in
	pause | python | rootfs) "$name" ;;
	*)
		echo "e2e/images.sh: unknown image '$name' (pause python rootfs)" >&2
		exit 2
		;;
	esac
done
