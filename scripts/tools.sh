#!/usr/bin/env bash
# Build the pinned tools (cosign, oras, registry, crane, act, cyclonedx-gomod, cue) from the Go module
# proxy, once, into a version-keyed cache, and print one absolute path per
# requested tool. Builds run outside the repository so go.mod is untouched.
#
#   scripts/tools.sh cosign oras registry act
#
# Cache: ${MLC_TOOLS_CACHE:-$HOME/.cache/mlc-tools}/<name>-<version>/<name>
set -euo pipefail

cache=${MLC_TOOLS_CACHE:-$HOME/.cache/mlc-tools}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd) # absolute, whatever MLC_TOOLS_CACHE was

# name → module@version of its main package.
pkg_of() {
	case "$1" in
	cosign) echo github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5 ;;
	oras) echo oras.land/oras/cmd/oras@v1.3.6 ;;
	registry) echo github.com/distribution/distribution/v3/cmd/registry@v3.1.2 ;;
	act) echo github.com/nektos/act@v0.2.89 ;;
	crane) echo github.com/google/go-containerregistry/cmd/crane@v0.22.1 ;;
	cyclonedx-gomod) echo github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@v1.10.0 ;;
	cue) echo cuelang.org/go/cmd/cue@v0.17.1 ;;
	*) return 1 ;;
	esac
}

build() {
	local name=$1 pkg version dir gobin
	if ! pkg=$(pkg_of "$name"); then
		echo "tools.sh: unknown tool '$name' (known: cosign oras registry act crane cyclonedx-gomod cue)" >&2
		return 2
	fi
	version=${pkg##*@}
	dir="$cache/$name-$version"
	if [[ ! -x "$dir/$name" ]]; then
		gobin=$(mktemp -d "$cache/.build-$name.XXXXXX")
		echo "tools.sh: building $pkg (once; cached in $dir)" >&2
		# go install pkg@version ignores the current module; run it from the
		# temp dir anyway so no go.mod is ever consulted or changed.
		if ! (cd "$gobin" && GOFLAGS=-mod=mod GOBIN="$gobin" CGO_ENABLED=0 \
			go install -trimpath "$pkg" >&2); then
			rm -rf "$gobin"
			echo "tools.sh: building $name failed" >&2
			return 1
		fi
		mkdir -p "$dir"
		mv -f "$gobin/$name" "$dir/$name.tmp"
		mv -f "$dir/$name.tmp" "$dir/$name" # atomic: a half-built binary is never cached
		rm -rf "$gobin"
	fi
	echo "$dir/$name"
}

if [[ $# -eq 0 ]]; then
	echo "usage: scripts/tools.sh NAME... (cosign oras registry act crane cyclonedx-gomod cue)" >&2
	exit 2
fi
for name in "$@"; do
	build "$name"
done
