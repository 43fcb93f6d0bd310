#!/usr/bin/env bash
# Put what mlc's generated pipelines run on into the e2e cluster
# (scripts/e2e/cluster.sh up, then eval "$(scripts/e2e/cluster.sh env)"):
#
#   scripts/e2e/install.sh images argo tekton
#
# images  mlc's own image (a static mlc from this checkout on the Debian
#         image of scripts/e2e/images.sh, built by mlc package itself,
#         MLC_PLAIN_HTTP=true for the loopback registry) and the helper
#         images the Kubernetes targets
#         name (git, kubectl), under the names examples' e2e.cue files give
#         in mlc.image and mlc.helpers
# argo    Argo Workflows (scripts/e2e/engines.sh argo): the controller in
#         namespace argo, its CRDs and RBAC from the module's own manifests,
#         executor image local
# tekton  Tekton Pipelines (scripts/e2e/engines.sh tekton): the release
#         config with every ko:// image replaced by a local one
#
# Images are imported into the cluster's containerd, never pulled.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/e2e/names.sh
source "$here/names.sh"
cache=${MLC_E2E_CACHE:-$HOME/.cache/mlc-e2e}
mkdir -p "$cache/images"
cache=$(cd "$cache" && pwd)

log() { echo "e2e/install.sh: $*" >&2; }
: "${KUBECONFIG:?eval \"\$(scripts/e2e/cluster.sh env)\" first}"
: "${CONTAINERD_ADDRESS:?eval \"\$(scripts/e2e/cluster.sh env)\" first}"

# image NAME TAG MKIMAGE-ARGS...: build NAME's tarball (again only when an
# input file is newer) and import it into the cluster's containerd.
image() {
	local name=$1 tag=$2 out arg newer=
	shift 2
	out="$cache/images/$name.tar"
	for arg in "$@"; do
		arg=${arg%%=/*}
		if [[ -f $arg && $arg -nt $out ]]; then newer=1; fi
	done
	if [[ ! -f $out || -n $newer ]]; then
		"$(bash "$here/tools.sh" mkimage)" -tag "$tag" -o "$out.tmp" "$@" >/dev/null
		mv -f "$out.tmp" "$out"
	fi
	ctr images import "$out" >/dev/null
}

# mlc_image BIN: mlc's own image, built the way generated pipelines build
# app images: `mlc package` (no daemon) puts BIN in /usr/local/bin on the
# Debian python image, pushed to the registry with the stock crane first
# (it stays there as the base credit-risk's app is packaged on); containerd
# then pulls mlc's image by digest and names it $MLC_IMAGE.
mlc_image() {
	local ctx ref base=${MLC_E2E_REGISTRY:?}/e2e/python:3.12-slim
	"$(bash "$repo/scripts/tools.sh" crane)" push --insecure "$(bash "$here/images.sh" python)" "$base" >/dev/null 2>"$cache/images/crane.log" ||
		{ log "crane push $base: $(tail -1 "$cache/images/crane.log")"; return 1; }
	ctx=$(mktemp -d)
	cp "$1" "$ctx/mlc"
	ref=$("$1" package mlc "$MLC_E2E_REGISTRY/e2e/mlc:e2e" --plain-http --cache-dir "" --base "$base" --context "$ctx" \
		--workdir /usr/local/bin --env MLC_PLAIN_HTTP=true --env LANG=C.UTF-8)
	rm -rf "$ctx"
	ctr images pull --plain-http "$ref" >/dev/null
	ctr images tag --force "$ref" "$MLC_IMAGE" >/dev/null
}

images() {
	local fs bin kubectl
	fs=$(bash "$here/images.sh" rootfs)
	bin="$cache/images/mlc-bin"
	(cd "$repo" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/mlc-project/mlc/internal/version.Version=$MLC_E2E_VERSION" -o "$bin.tmp" ./cmd/mlc && mv -f "$bin.tmp" "$bin")
	mlc_image "$bin"
	image git "$GIT_IMAGE" -rootfs "$fs"
	# /usr/bin: the rootfs's /bin is a link to it, so /bin/kubectl works too.
	kubectl=$(bash "$here/tools.sh" kubectl)
	image kubectl "$KUBECTL_IMAGE" -rootfs "$fs" -add "$kubectl=/usr/bin/kubectl"
	log "images: $MLC_IMAGE $GIT_IMAGE $KUBECTL_IMAGE"
}

# wait_rollout NAMESPACE: every Deployment of the namespace available.
wait_rollout() {
	kubectl -n "$1" wait --for=condition=Available deployment --all --timeout=180s >/dev/null
}

argo() {
	local dir fs k
	dir=$(bash "$here/engines.sh" argo)
	fs=$(bash "$here/images.sh" rootfs)
	image argoexec "$ARGOEXEC_IMAGE" -rootfs "$fs" -add "$dir/bin/argoexec=/bin/argoexec" -entrypoint argoexec
	image workflow-controller "$ARGO_CONTROLLER_IMAGE" -add "$dir/bin/workflow-controller=/bin/workflow-controller" -entrypoint /bin/workflow-controller
	# The module's manifests through a kustomization of our own: CRDs,
	# controller and its RBAC (no argo-server), local images, and a user for
	# runAsNonRoot, which the upstream image sets and ours does not.
	k=$(mktemp -d "$cache/.argo-install.XXXXXX")
	cp -r "$dir/manifests" "$k/manifests"
	cat >"$k/manifests/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: argo
resources:
- base/crds/minimal
- base/workflow-controller
- cluster-install-no-crds/workflow-controller-rbac
images:
- name: quay.io/argoproj/workflow-controller
  newName: ${ARGO_CONTROLLER_IMAGE%:*}
  newTag: ${ARGO_CONTROLLER_IMAGE##*:}
patches:
- target: {kind: Deployment, name: workflow-controller}
  patch: |
    - op: replace
      path: /spec/template/spec/containers/0/args
      value: [--executor-image, $ARGOEXEC_IMAGE, --executor-image-pull-policy, IfNotPresent]
    - op: add
      path: /spec/template/spec/securityContext/runAsUser
      value: 8737
EOF
	kubectl create namespace argo --dry-run=client -o yaml | kubectl apply -f - >/dev/null
	kubectl kustomize "$k/manifests" | kubectl apply --server-side -f - >/dev/null
	rm -rf "$k"
	wait_rollout argo
	log "argo: workflow-controller $ARGO_VERSION ready"
}

tekton() {
	local dir bin sed=() f
	dir=$(bash "$here/engines.sh" tekton)
	for bin in controller webhook entrypoint nop sidecarlogresults workingdirinit; do
		image "tekton-$bin" "$(tekton_image "$bin")" -add "$dir/bin/$bin=/ko-app/$bin" -entrypoint "/ko-app/$bin"
		sed+=(-e "s|ko://github.com/tektoncd/pipeline/cmd/$bin\b|$(tekton_image "$bin")|")
	done
	# Script mode's init container needs a shell image: the Debian rootfs.
	sed+=(-e "s|cgr.dev/chainguard/busybox@sha256:[0-9a-f]*|$GIT_IMAGE|")
	# The release config, less what needs images or APIs this install does
	# not build or serve (events, resolvers, autoscaling).
	for f in "$dir"/manifests/100-namespace/*.yaml "$dir"/manifests/*.yaml "$dir"/manifests/300-crds/*.yaml; do
		case ${f##*/} in events.yaml | webhook-hpa.yaml | config-leader-election-events.yaml) continue ;; esac
		sed "${sed[@]}" "$f"
		printf '\n---\n'
	done | kubectl apply --server-side -f - >/dev/null
	if kubectl get -A -o yaml deployments | grep -q 'ko://'; then
		log "tekton: a ko:// image is left in the release config"
		return 1
	fi
	wait_rollout tekton-pipelines
	log "tekton: pipelines $TEKTON_VERSION ready"
}

if [[ $# -eq 0 ]]; then
	echo "usage: scripts/e2e/install.sh images|argo|tekton..." >&2
	exit 2
fi
for what in "$@"; do
	case $what in
	images | argo | tekton) "$what" ;;
	*)
		echo "e2e/install.sh: unknown component '$what' (images argo tekton)" >&2
		exit 2
		;;
	esac
done
