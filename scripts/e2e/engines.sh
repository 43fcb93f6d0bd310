#!/usr/bin/env bash
# Build the workflow engines the e2e runs mlc's pipelines on, from the Go
# module proxy, once, into a version-keyed cache; print the cache directory of
# each requested engine.
#
#   scripts/e2e/engines.sh argo tekton s3
#
# argo   github.com/argoproj/argo-workflows/v3: workflow-controller, argoexec
# tekton github.com/tektoncd/pipeline: controller, webhook and the images the
#        controller injects into every TaskRun pod (entrypoint, nop,
#        sidecarlogresults, workingdirinit)
# s3     github.com/versity/versitygw: an S3 server on a directory, which the
#        examples' s3 sources read from in the e2e
#
# Cache: ${MLC_E2E_CACHE:-$HOME/.cache/mlc-e2e}/<engine>-<version>/ holding the
# binaries and the engine's release manifests (manifests/), copied from the
# same module so binaries and manifests always match.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/e2e/names.sh
source "$here/names.sh"

cache=${MLC_E2E_CACHE:-$HOME/.cache/mlc-e2e}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# module, version, manifest directory (- for none) and main packages.
spec_of() {
	case "$1" in
	argo) echo "github.com/argoproj/argo-workflows/v3 $ARGO_VERSION manifests ./cmd/workflow-controller ./cmd/argoexec" ;;
	tekton) echo "github.com/tektoncd/pipeline $TEKTON_VERSION config ./cmd/controller ./cmd/webhook ./cmd/entrypoint ./cmd/nop ./cmd/sidecarlogresults ./cmd/workingdirinit" ;;
	s3) echo "github.com/versity/versitygw $VERSITYGW_VERSION - ./cmd/versitygw" ;;
	*) return 1 ;;
	esac
}

# The module zip drops argoexec's signal_linux.go (a symlink to
# signal_darwin.go in the repository), so Setpgid is undefined on Linux. The
# darwin file has no build constraint beyond its name and only uses syscalls
# Linux has: a copy under the Linux name is the file upstream builds with.
patch_argo() {
	local os=$1/workflow/executor/osspecific
	[[ -e $os/signal_linux.go ]] || cp "$os/signal_darwin.go" "$os/signal_linux.go"
}

build() {
	local name=$1 spec module version manifests dir src mod out
	if ! spec=$(spec_of "$name"); then
		echo "engines.sh: unknown engine '$name' (known: argo tekton s3)" >&2
		return 2
	fi
	read -r module version manifests pkgs <<<"$spec"
	dir="$cache/$name-$version"
	if [[ -f $dir/.complete ]]; then
		echo "$dir"
		return
	fi
	echo "engines.sh: building $module@$version (once; cached in $dir)" >&2
	mod=$(cd "$cache" && GOFLAGS=-mod=mod go mod download -json "$module@$version" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	if [[ -z $mod ]]; then
		echo "engines.sh: $module@$version is not in the Go module proxy" >&2
		return 1
	fi
	# Build in a writable copy: the module cache is read-only and argo needs
	# a file added. Its own go.mod and go.sum pin every dependency.
	src=$(mktemp -d "$cache/.build-$name.XXXXXX")
	out="$src/.out"
	cp -r "$mod/." "$src/"
	chmod -R u+w "$src"
	[[ $name != argo ]] || patch_argo "$src"
	mkdir -p "$out/bin"
	# shellcheck disable=SC2086 # pkgs is a list of package paths
	if ! (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=readonly nice -n 10 \
		go build -trimpath -ldflags '-s -w' -o "$out/bin/" $pkgs >&2); then
		rm -rf "$src"
		echo "engines.sh: building $name failed" >&2
		return 1
	fi
	[[ $manifests == - ]] || cp -r "$src/$manifests" "$out/manifests"
	rm -rf "$dir"
	mv "$out" "$dir"
	touch "$dir/.complete" # atomic: a half-built engine is never used
	rm -rf "$src"
	echo "$dir"
}

if [[ $# -eq 0 ]]; then
	echo "usage: scripts/e2e/engines.sh ENGINE... (argo tekton s3)" >&2
	exit 2
fi
for name in "$@"; do
	build "$name"
done
