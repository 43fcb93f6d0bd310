#!/usr/bin/env bash
# Build the e2e cluster's binaries from the Go module proxy, once, into a
# version-keyed cache, and print one absolute path per requested binary.
#
#   scripts/e2e/tools.sh kubectl kubelet etcd ...
#
# Binaries (and the group each is built with; one group is one `go build`, so
# shared packages compile once):
#   kubernetes v1.34.2: kube-apiserver kube-controller-manager kube-scheduler
#                       kube-proxy kubelet kubectl
#   etcd v3.6.16:       etcd etcdctl
#   e2e:                mkimage svcdns, from this repository's nested module
#                       e2e/ (rebuilt on every call; go's build cache makes
#                       that cheap)
#
# Cache: ${MLC_E2E_CACHE:-$HOME/.cache/mlc-e2e}/<group>-<version>/<binary>
# (e2e: .../e2e/<binary>). Each versioned group is built in a scratch module
# in a temp dir (never the repo's go.mod) and renamed into place whole, so a
# half-built group is never cached. Cold, on 2 cores: kubernetes about 8 min
# idle (15.8 min measured here under load), etcd about 2.7 min.
set -euo pipefail

k8s_version=v1.34.2
etcd_version=v3.6.16
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${MLC_E2E_CACHE:-$HOME/.cache/mlc-e2e}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

group_of() {
	case "$1" in
	kube-apiserver | kube-controller-manager | kube-scheduler | kube-proxy | kubelet | kubectl)
		echo "kubernetes-$k8s_version" ;;
	etcd | etcdctl) echo "etcd-$etcd_version" ;;
	mkimage | svcdns) echo e2e ;;
	*) return 1 ;;
	esac
}

# scratch_kubernetes DIR: a module requiring k8s.io/kubernetes with each of its
# staging modules (required as v0.0.0 and replaced by ./staging upstream)
# replaced by the published v0.<minor>.<patch>.
scratch_kubernetes() {
	local dir=$1 mod staging
	mod=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$k8s_version" |
		sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
	staging=$(awk '$2 == "=>" && $3 ~ /^\.\/staging\// {print $1}' "$mod")
	{
		echo "module scratch"
		echo "go 1.24.0"
		echo "require k8s.io/kubernetes $k8s_version"
		for m in $staging; do echo "replace $m => $m v0${k8s_version#v1}"; done
	} >"$dir/go.mod"
}

build_kubernetes() {
	local out=$1 tmp=$2 cb=k8s.io/component-base/version cg=k8s.io/client-go/pkg/version x='' p
	scratch_kubernetes "$tmp"
	for p in $cb $cg; do
		x+=" -X $p.gitVersion=$k8s_version -X $p.gitMajor=1 -X $p.gitMinor=34"
		x+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
	done
	(cd "$tmp" && GOFLAGS=-mod=mod CGO_ENABLED=0 nice go build -trimpath -ldflags "-s -w$x" -o "$out/" \
		k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
		k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kube-proxy \
		k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kubectl)
}

build_etcd() {
	local out=$1 tmp=$2
	printf 'module scratch\ngo 1.26.0\nrequire (\n\tgo.etcd.io/etcd/server/v3 %s\n\tgo.etcd.io/etcd/etcdctl/v3 %s\n)\n' \
		"$etcd_version" "$etcd_version" >"$tmp/go.mod"
	(cd "$tmp" && GOFLAGS=-mod=mod CGO_ENABLED=0 nice go build -trimpath -ldflags "-s -w" -o "$out/" \
		go.etcd.io/etcd/server/v3 go.etcd.io/etcd/etcdctl/v3)
	mv "$out/server" "$out/etcd" # go names a /vN main after the element before /vN
}

# ensure_group GROUP: build a missing group into a temp dir and rename it into place.
ensure_group() {
	local group=$1 tmp
	[[ -d "$cache/$group" ]] && return 0
	tmp=$(mktemp -d "$cache/.build-$group.XXXXXX")
	echo "e2e/tools.sh: building $group (once; cached in $cache/$group)" >&2
	mkdir "$tmp/out" "$tmp/mod"
	if ! "build_${group%%-*}" "$tmp/out" "$tmp/mod" >&2; then
		rm -rf "$tmp"
		echo "e2e/tools.sh: building $group failed" >&2
		return 1
	fi
	mv -T "$tmp/out" "$cache/$group" 2>/dev/null || true # a concurrent build may have won
	rm -rf "$tmp"
}

# The e2e commands live in this repository, so they are rebuilt on each call
# rather than keyed by a version.
build_e2e() {
	local tmp
	mkdir -p "$cache/e2e"
	tmp=$(mktemp "$cache/e2e/.$1.XXXXXX")
	if ! (cd "$repo/e2e" && CGO_ENABLED=0 go build -trimpath -o "$tmp" "./cmd/$1") >&2; then
		rm -f "$tmp"
		return 1
	fi
	mv -f "$tmp" "$cache/e2e/$1"
}

if [[ $# -eq 0 ]]; then
	echo "usage: scripts/e2e/tools.sh NAME... (kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubectl etcd etcdctl mkimage svcdns)" >&2
	exit 2
fi
for name in "$@"; do
	if ! group=$(group_of "$name"); then
		echo "e2e/tools.sh: unknown binary '$name'" >&2
		exit 2
	fi
	if [[ $group == e2e ]]; then
		build_e2e "$name"
	else
		ensure_group "$group"
	fi
	echo "$cache/$group/$name"
done
