#!/usr/bin/env bash
# Run mlc's compiled pipelines on the real engines of the e2e cluster and
# report every job:
#
#   scripts/e2e/run.sh argo|tekton [SPEC_DIR...]   (default: examples/minimal)
#
# For each spec directory: `mlc compile -t e2e` for the target, apply the
# files it wrote, unmodified, to a namespace of their own, start the runs of
# the spec's plan (scripts/e2e/plans.sh) from this checkout (served by a git
# daemon on the cluster's node address), wait, and check that every job
# succeeded, or was skipped exactly where the plan says. Rows go to
# $MLC_E2E_REPORT (default $MLC_E2E_DIR/report.tsv): target, spec,
# workflow, run, job, status, seconds, reason. Exit status 1 when a run
# failed.
#
# Needs the cluster (scripts/e2e/cluster.sh up) and the engine
# (scripts/e2e/install.sh images TARGET); installs jq, git, python3 and curl
# from Debian where missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/e2e/names.sh
source "$here/names.sh"
# shellcheck source=scripts/e2e/plans.sh
source "$here/plans.sh"
# shellcheck source=scripts/e2e/engine-argo.sh
source "$here/engine-argo.sh"
# shellcheck source=scripts/e2e/engine-tekton.sh
source "$here/engine-tekton.sh"

: "${KUBECONFIG:?eval \"\$(scripts/e2e/cluster.sh env)\" first}"
target=${1:?usage: scripts/e2e/run.sh argo|tekton [SPEC_DIR...]}
shift
case $target in argo | tekton) ;; *)
	echo "e2e/run.sh: unknown target '$target' (argo tekton)" >&2
	exit 2
	;;
esac
specs=("$@")
[[ ${#specs[@]} -gt 0 ]] || specs=(examples/minimal)

E2E_DIR=${MLC_E2E_DIR:-/tmp/mlc-e2e}
work="$E2E_DIR/runs/$target"
report=${MLC_E2E_REPORT:-$E2E_DIR/report.tsv}
node=10.250.0.2
git_url="git://$node/mlc.git"
webhook_url="http://$node:8099/alerts"
s3_access=e2e-access
s3_secret=e2e-secret-key
run_timeout=${MLC_E2E_RUN_TIMEOUT:-1200}

log() { echo "e2e/run.sh [$target]: $*" >&2; }

# await_run ENGINE NAMESPACE RESOURCE NAME JSONPATH DECISION START TERMINAL...:
# polls the run's JSONPATH until it is one of TERMINAL, answering its
# approvals with DECISION (ENGINE_decide; - for none) meanwhile, and prints
# the last value, or Timeout run_timeout seconds after START. Called from
# the engine files this script sources.
# shellcheck disable=SC2317
await_run() {
	local engine=$1 ns=$2 kind=$3 name=$4 path=$5 decision=$6 start=$7 value
	shift 7
	while :; do
		value=$(kubectl -n "$ns" get "$kind" "$name" -o jsonpath="$path")
		[[ -n $value && " $* " == *" $value "* ]] && break
		if ((SECONDS - start > run_timeout)); then
			log "$engine: $name still ${value:-pending} after ${run_timeout}s"
			value=Timeout
			break
		fi
		[[ $decision == - ]] || "${engine}_decide" "$ns" "$name" "$decision"
		sleep 3
	done
	printf '%s' "$value"
}

# serve_checkout: this checkout's work tree as it is (uncommitted changes
# included), committed in a bare repository the git daemon serves on the
# node address. main is that commit; refs/pull/1/head a commit on top of it
# that no branch reaches, as a pull request from a fork is.
serve_checkout() {
	local src=$E2E_DIR/git/src bare=$E2E_DIR/git/mlc.git
	rm -rf "$E2E_DIR/git"
	mkdir -p "$src"
	# Files deleted but not yet committed are listed too; cp skips them.
	(cd "$repo" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src" 2>/dev/null) || true
	# The public key verify steps read (signing.public_key, cosign.pub in
	# the spec directory), as a repository using mlc commits it.
	run_keys
	find "$src" -name pipeline.cue -not -path '*/.mlc/*' -execdir cp "$E2E_DIR/keys/cosign.pub" cosign.pub \;
	git -C "$src" init -q -b main
	# A repository using mlc commits its generated GitHub workflows
	# (git.generated), compiled in the repository so their paths are its;
	# the pull-request runs check them against pipeline.cue.
	local spec
	for spec in "${specs[@]}"; do
		if grep -qs '^git: generated: .*"github"' "$repo/$spec/pipeline.cue"; then
			go run -C "$repo" ./cmd/mlc compile "$src/$spec" -t e2e --target github --out "$src/.github/workflows" >/dev/null
		fi
	done
	git -C "$src" add -A
	git -C "$src" -c user.name=e2e -c user.email=e2e@mlc.invalid commit -qm "e2e snapshot"
	git -C "$src" -c user.name=e2e -c user.email=e2e@mlc.invalid commit -q --allow-empty -m "e2e pull request"
	git clone -q --bare "$src" "$bare"
	git -C "$bare" update-ref refs/heads/main "$(git -C "$src" rev-parse HEAD~1)"
	git -C "$bare" update-ref refs/pull/1/head "$(git -C "$src" rev-parse HEAD)"
	# The same commit as a branch: a push on top of main that changes nothing.
	git -C "$bare" update-ref refs/heads/next "$(git -C "$src" rev-parse HEAD)"
	git -C "$bare" config uploadpack.allowAnySHA1InWant true
	stop_pid git-daemon
	setsid nsenter --net="/run/netns/${MLC_E2E_NETNS:-mlc-e2e}" git daemon --reuseaddr --export-all \
		--listen="$node" --port=9418 --base-path="$E2E_DIR/git" "$E2E_DIR/git" \
		>"$E2E_DIR/logs/git-daemon.log" 2>&1 </dev/null &
	echo $! >"$E2E_DIR/pids/git-daemon"
	local i
	for ((i = 0; i < 50; i++)); do
		git ls-remote "$git_url" main >/dev/null 2>&1 && return
		sleep 0.2
	done
	log "the git daemon does not answer on $git_url"
	return 1
}

# revision_of REVISION: what a run is started with (plans.sh).
# shellcheck disable=SC2317 # called from the engine files
revision_of() {
	case ${1%%/*} in
	pr) git -C "$E2E_DIR/git/mlc.git" rev-parse refs/pull/1/head ;;
	*) echo "${1%%/*}" ;;
	esac
}

# base_of REVISION: the base commit a REV/BASE revision names, else nothing.
# shellcheck disable=SC2317 # called from the engine files
base_of() {
	[[ $1 == */* ]] && git -C "$E2E_DIR/git/mlc.git" rev-parse "${1#*/}"
	return 0
}

# serve_webhook: an alert receiver on the node address that answers every
# POST with 204 and appends its body to logs/alerts.jsonl.
serve_webhook() {
	stop_pid webhook
	setsid nsenter --net="/run/netns/${MLC_E2E_NETNS:-mlc-e2e}" python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[2], "ab") as f:
            f.write(body + b"\n")
        self.send_response(204)
        self.end_headers()
http.server.HTTPServer((sys.argv[1], 8099), H).serve_forever()
' "$node" "$E2E_DIR/logs/alerts.jsonl" >"$E2E_DIR/logs/webhook.log" 2>&1 </dev/null &
	echo $! >"$E2E_DIR/pids/webhook"
}

# seed SPEC_DIR: what the runs of a spec expect a delivery to have left in
# the registry (plans.sh's seeds), pushed and signed with this checkout's
# mlc and the run's key, as a delivery would: the monitor verifies it.
seed() {
	local spec=$1 ref dir prepared
	while read -r ref dir; do
		[[ -n $ref ]] || continue
		prepared=$(mktemp -d "$E2E_DIR/seed.XXXXXX")
		MLC_DATA="$repo/$spec/$dir" MLC_PREPARED="$prepared" python3 "$repo/$spec/data/prep.py"
		run_keys
		(cd "$repo" && COSIGN_PASSWORD=e2e go run ./cmd/mlc push dataset "$prepared" "$ref" --plain-http --sign --key "$E2E_DIR/keys/cosign.key" >/dev/null)
		rm -rf "$prepared"
	done < <(registry_seeds "$spec")
}

# verify SPEC_DIR WORKFLOW REVISION: stock `cosign verify` of every artifact
# the run published (plans.sh's signed), against the run's public key.
verify() {
	local spec=$1 workflow=$2 commit ref bad=0 cosign
	commit=$(git -C "$E2E_DIR/git/mlc.git" rev-parse "$(revision_of "$3")")
	cosign=$(bash "$repo/scripts/tools.sh" cosign)
	while read -r ref; do
		[[ -n $ref ]] || continue
		ref=${ref//REV/$commit}
		if "$cosign" verify --key "$E2E_DIR/keys/cosign.pub" --insecure-ignore-tlog --allow-http-registry --trusted-root "$E2E_DIR/keys/trusted-root.json" "$ref" >"$E2E_DIR/logs/verify.log" 2>&1; then
			row "$pipeline-$workflow" - "(cosign verify)" ok 0 "$ref"
		else
			row "$pipeline-$workflow" - "(cosign verify)" failed 0 "$ref: $(tail -1 "$E2E_DIR/logs/verify.log")"
			bad=1
		fi
	done < <(signed "$spec" "$workflow")
	return "$bad"
}

# stop_pid NAME: stop a server run.sh started.
stop_pid() {
	local f=$E2E_DIR/pids/$1
	[[ -f $f ]] || return 0
	kill "$(cat "$f")" 2>/dev/null || true
	rm -f "$f"
}

# run_keys: the cosign key pair made for this run (password e2e), once,
# and an empty trusted root: the key is the trust, so cosign verify asks
# no TUF server on the internet for Sigstore's.
run_keys() {
	local keys=$E2E_DIR/keys
	mkdir -p "$keys"
	echo '{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}' >"$keys/trusted-root.json"
	[[ -f $keys/cosign.key ]] && return
	(cd "$keys" && COSIGN_PASSWORD=e2e "$(bash "$repo/scripts/tools.sh" cosign)" generate-key-pair >/dev/null 2>&1)
}

# secrets NAMESPACE PIPELINE DIR: the pipeline's Secret (named like it):
# the run's cosign key pair, the S3 server's keys, and every other key the
# compiled files in DIR read set to a placeholder, but the KUBECONFIG_<ENV>
# that app_env made.
secrets() {
	local ns=$1 name=$2 dir=$3 keys=$E2E_DIR/keys key kube args=()
	run_keys
	args=(--from-literal=COSIGN_PASSWORD=e2e --from-file=COSIGN_PRIVATE_KEY="$keys/cosign.key"
		--from-file=COSIGN_PUBLIC_KEY="$keys/cosign.pub"
		--from-literal=AWS_ACCESS_KEY_ID="$s3_access" --from-literal=AWS_SECRET_ACCESS_KEY="$s3_secret")
	while read -r key; do
		case $key in COSIGN_PASSWORD | COSIGN_PRIVATE_KEY | COSIGN_PUBLIC_KEY | AWS_ACCESS_KEY_ID | AWS_SECRET_ACCESS_KEY) ;;
		SLACK_WEBHOOK) args+=(--from-literal="$key=$webhook_url") ;;
		KUBECONFIG_*)
			kube="$E2E_DIR/kube/$(tr '[:upper:]' '[:lower:]' <<<"${key#KUBECONFIG_}").kubeconfig"
			if [[ -f $kube ]]; then args+=(--from-file="$key=$kube"); else args+=(--from-literal="$key=e2e-placeholder"); fi ;;
		*) args+=(--from-literal="$key=e2e-placeholder") ;;
		esac
	done < <(grep -rhoE 'key: [A-Z_][A-Z0-9_]*$' "$dir" | sort -u | cut -d' ' -f2)
	kubectl -n "$ns" create secret generic "$name" "${args[@]}" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
}

# serve_s3 SPEC_DIR: the S3 server (versitygw) on the node address, its
# buckets seeded from the spec's fixtures as plans.sh's s3_seeds says.
serve_s3() {
	local spec=$1 data=$E2E_DIR/s3 bin bucket dir
	stop_pid s3
	rm -rf "$data"
	mkdir -p "$data"
	while read -r bucket dir; do
		[[ -n $bucket ]] || continue
		mkdir -p "$data/$bucket"
		cp -r "$repo/$spec/$dir/." "$data/$bucket/"
	done < <(s3_seeds "$spec")
	bin=$(bash "$here/engines.sh" s3)/bin/versitygw
	setsid nsenter --net="/run/netns/${MLC_E2E_NETNS:-mlc-e2e}" env ROOT_ACCESS_KEY_ID="$s3_access" ROOT_SECRET_ACCESS_KEY="$s3_secret" \
		"$bin" --port "$node:7070" --region eu-west-1 posix "$data" >"$E2E_DIR/logs/s3.log" 2>&1 </dev/null &
	echo $! >"$E2E_DIR/pids/s3"
	local i
	for ((i = 0; i < 50; i++)); do
		curl -s -o /dev/null "http://$node:7070/" && return
		sleep 0.2
	done
	log "the S3 server does not answer on $node:7070"
	return 1
}

# app_env ENV: the namespace e2e-app-ENV the environment deploys to, made
# afresh: the Deployment "api" (the pause image until a delivery rolls
# the app out; ready only once /healthz answers), its Service on port 80,
# and a deployer account that may only update Deployments there, whose
# kubeconfig goes to $E2E_DIR/kube/ENV.kubeconfig for secrets().
app_env() {
	local ns=e2e-app-$1 token ca
	kubectl delete namespace "$ns" --ignore-not-found --wait=true >/dev/null
	kubectl create namespace "$ns" >/dev/null
	kubectl -n "$ns" apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: api
          image: registry.k8s.io/pause:3.10
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 2}
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec: {selector: {app: api}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer}
rules:
  - {apiGroups: [apps], resources: [deployments], verbs: [get, list, watch, patch]}
  - {apiGroups: [apps], resources: [replicasets], verbs: [get, list, watch]}
  - {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects: [{kind: ServiceAccount, name: deployer}]
EOF
	token=$(kubectl -n "$ns" create token deployer --duration=2h)
	ca=$(kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
	mkdir -p "$E2E_DIR/kube"
	cat >"$E2E_DIR/kube/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: e2e, cluster: {server: "https://$node:6443", certificate-authority-data: "$ca"}}]
users: [{name: deployer, user: {token: "$token"}}]
contexts: [{name: deployer, context: {cluster: e2e, user: deployer, namespace: "$ns"}}]
current-context: deployer
EOF
}

# deployed SPEC_DIR WORKFLOW: after a passed run, every app environment
# runs one image, by digest, ready, and that image verifies with the stock
# cosign: the digest tested in staging is the digest in production.
deployed() {
	local env image first='' bad=0 cosign
	cosign=$(bash "$repo/scripts/tools.sh" cosign)
	for env in $(app_envs "$1"); do
		image=$(kubectl -n "e2e-app-$env" get deployment api -o jsonpath='{.spec.template.spec.containers[0].image}')
		if [[ $image != *@sha256:* ]] || ! kubectl -n "e2e-app-$env" wait --for=condition=Available deployment/api --timeout=60s >/dev/null 2>&1; then
			row "$pipeline-$2" - "(deployed $env)" failed 0 "deployment api runs ${image:-nothing}, not a ready image by digest"
			bad=1
		elif [[ -n $first && $image != "$first" ]]; then
			row "$pipeline-$2" - "(deployed $env)" failed 0 "runs $image, not $first"
			bad=1
		elif ! "$cosign" verify --key "$E2E_DIR/keys/cosign.pub" --insecure-ignore-tlog --allow-http-registry --trusted-root "$E2E_DIR/keys/trusted-root.json" "$image" >"$E2E_DIR/logs/verify.log" 2>&1; then
			row "$pipeline-$2" - "(deployed $env)" failed 0 "$image: $(tail -1 "$E2E_DIR/logs/verify.log")"
			bad=1
		else
			row "$pipeline-$2" - "(deployed $env)" ok 0 "ready, signed: $image"
		fi
		first=${first:-$image}
	done
	return "$bad"
}

# row WORKFLOW RUN JOB STATUS SECONDS REASON: one report line.
# shellcheck disable=SC2317 # called from the engine files
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$spec" "$@" >>"$report"
}

# task_row WORKFLOW RUN TASK STATUS SECONDS REASON SKIPPED: a task's row;
# status 1 unless it succeeded (ok), or was skipped where SKIPPED (a comma-
# separated list) says it must be.
# shellcheck disable=SC2317 # called from the engine files
task_row() {
	local task=$3 status=$4 reason=${6:--} rc=0
	if [[ ,$7, == *,$task,* ]]; then
		[[ $status == skipped ]] || { rc=1; reason="expected skipped; $reason"; }
	elif [[ $status != ok ]]; then
		rc=1
	fi
	row "$1" "$2" "$task" "$status" "$5" "$reason"
	return "$rc"
}

# verdict BAD: the run row's status.
# shellcheck disable=SC2317 # called from the engine files
verdict() { if [[ $1 == 0 ]]; then echo passed; else echo failed; fi; }

failed=0
# jq reads the engines' objects; git serves the checkout; python3 runs the
# alert receiver and the seeds' prep.py.
bash "$repo/scripts/apt-install.sh" jq git python3 curl
mkdir -p "$E2E_DIR/logs" "$E2E_DIR/pids" "$(dirname "$report")"
serve_checkout
serve_webhook
trap 'stop_pid git-daemon; stop_pid s3; stop_pid webhook' EXIT
for spec in "${specs[@]}"; do
	name=$(basename "$spec")
	out="$work/$name"
	rm -rf "$out"
	go run -C "$repo" ./cmd/mlc compile "$spec" -t e2e --target "$target" --out "$out" >/dev/null
	ns="e2e-$target-$name"
	kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
	pipeline=$(sed -n 's/^name: *"\(.*\)"/\1/p' "$repo/$spec/pipeline.cue")
	rm -rf "$E2E_DIR/kube"
	for env in $(app_envs "$spec"); do app_env "$env"; done
	secrets "$ns" "$pipeline" "$out"
	serve_s3 "$spec"
	seed "$spec"
	for f in "$out"/*.yaml; do
		kubectl -n "$ns" apply -f "$f" >/dev/null
	done
	while read -r workflow revision decision skipped triggers; do
		[[ -n $workflow ]] || continue
		log "$name: $workflow at $revision (approval: $decision)"
		since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
		if ! "${target}_run" "$ns" "$pipeline-$workflow" "$revision" "$decision" "$skipped"; then
			failed=1
		# A run with a base that changes nothing publishes nothing to verify.
		elif [[ $revision != */* ]] && ! verify "$spec" "$workflow" "$revision"; then
			failed=1
		elif [[ $workflow == delivery && $decision != reject && -n $(app_envs "$spec") ]] && ! deployed "$spec" "$workflow"; then
			failed=1
		fi
		if [[ ${triggers:--} != - ]] && ! "${target}_triggered" "$ns" "$pipeline-$triggers" "$since"; then
			failed=1
		fi
	done < <(plan "$spec")
done
exit "$failed"
