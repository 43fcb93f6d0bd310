#!/usr/bin/env bash
# The credit-risk pipeline end to end on this machine, with no cluster, no
# registry server and no network (what `make demo` runs; docs/run.md):
#
#   1. the delivery workflow: fetch (offline fixtures), schema, fairness and
#      PII tests, code lint and unit tests, training, metric and fairness
#      gates, signed datasets, code, model and app in the local OCI store,
#      a staging deploy to a directory and its smoke test. Production needs
#      a person's approval; nobody can give it here (stdin is not a
#      terminal), so the run stops there and says how to approve.
#   2. the same run resumed with --approve production: everything already
#      done is reused, production is deployed and smoke-tested.
#   3. the batch workflow: the day's applicants scored with the model
#      production runs (its signature verified), the predictions checked
#      and versioned as a signed dataset naming that model and the data.
#   4. the monitor workflow on a shifted sample of production data and on
#      the outcomes of earlier applications: the production model still
#      passes its quality gates on the outcomes, drift is detected, and the
#      retraining delivery run it starts follows at once: a new model through the same gates to staging, production
#      waiting for a person's approval again.
#
# MLC_BIN names an mlc binary to use; by default this script builds one.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS
spec=examples/credit-risk
mlc=${MLC_BIN:-bin/mlc}
if [[ -z ${MLC_BIN:-} ]]; then
  echo "== building $mlc"
  go build -trimpath -o "$mlc" ./cmd/mlc
fi
mlc=$(cd "$(dirname "$mlc")" && pwd)/$(basename "$mlc")

# Start from nothing, so the demo shows first-deployment behaviour every time.
rm -rf "$spec/.mlc" "$spec/service/model"

# The canary environment (gitops.cue) deploys by commit: its GitOps
# repository is a bare repository here, holding the kustomization Argo CD
# or Flux would sync (docs/gitops.md). mlc itself needs no git binary;
# the stock git sets the repository up and reads the commits back.
envrepo=$(pwd)/$spec/.mlc/credit-risk-env.git
seed=$(mktemp -d)
trap 'rm -rf "$seed"' EXIT
git init -q --bare -b main "$envrepo"
mkdir -p "$seed/canary"
cat >"$seed/canary/kustomization.yaml" <<'YAML'
# The credit-risk API in the canary environment; mlc deploy sets the image.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: credit-risk-api
    newTag: latest
YAML
cat >"$seed/canary/deployment.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: credit-risk-api}
spec:
  selector: {matchLabels: {app: credit-risk-api}}
  template:
    metadata: {labels: {app: credit-risk-api}}
    spec:
      containers:
        - {name: api, image: credit-risk-api}
YAML
git -C "$seed" init -q -b main
git -C "$seed" add .
git -C "$seed" -c user.name=demo -c user.email=demo@localhost commit -q -m "canary: the credit-risk API"
git -C "$seed" push -q "$envrepo" main

flags=(-t local -t gitops -t "gitops_repo=file://$envrepo" --offline --fixtures "$spec/fixtures")

banner() { printf '\n== %s\n\n' "$*"; }

banner "1/4 delivery: data → model → staging and canary (by commit); production waits for approval"
set +e
"$mlc" run "$spec" "${flags[@]}" </dev/null
code=$?
set -e
if [[ $code -ne 1 ]]; then
  echo "demo: expected the first run to stop at the production approval (exit 1), got exit $code" >&2
  exit 1
fi
run_id=$(find "$spec/.mlc/runs" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tail -n 1)

banner "2/4 approve production: resume run $run_id with --approve production"
"$mlc" run "$spec" "${flags[@]}" --resume "$run_id" --approve production </dev/null

banner "3/4 batch prediction with the production model"
"$mlc" run "$spec" "${flags[@]}" --workflow batch </dev/null

banner "4/4 monitor: the model still passes on the outcomes, but production data has shifted: retraining follows"
set +e
"$mlc" run "$spec" "${flags[@]}" --workflow monitor </dev/null
code=$?
set -e
if [[ $code -ne 1 ]]; then
  echo "demo: expected the retraining run to stop at the production approval (exit 1), got exit $code" >&2
  exit 1
fi

# The retraining run, which signed what canary runs now.
last_run=$(find "$spec/.mlc/runs" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tail -n 1)

banner "what the demo left behind"
store=$spec/.mlc/store
echo "artifacts in the local OCI store $store (tags; revisions shortened):"
for repo in "$store"/*/; do
  python3 - "$repo/index.json" <<'PY'
import json, os, re, sys
index = json.load(open(sys.argv[1]))
tags = sorted({m.get("annotations", {}).get("org.opencontainers.image.ref.name", "") for m in index["manifests"]} - {""})
tags = [re.sub(r"[0-9a-f]{40}", lambda h: h.group()[:12], t) for t in tags if not t.startswith("sha256-")]
print(f"  {os.path.basename(os.path.dirname(sys.argv[1])):28} {' '.join(tags)}")
PY
done
echo
echo "provenance of the production model, signatures checked with the local store's key:"
# References in the store are relative to the spec directory, as in the runs.
(cd "$spec" && "$mlc" lineage oci:.mlc/store/credit-risk-model-scorer:production --key ".mlc/runs/$run_id/keys/cosign.pub")
echo
echo "canary's GitOps repository (git log; a run whose digests are already deployed commits nothing):"
git --git-dir="$envrepo" log --format='  %h %s' main
echo "  the last one's trailers (git show):"
git --git-dir="$envrepo" show -s --format=%b main | sed -n 's/^\(Mlc-[A-Za-z]*\): \(.*\)$/    \1: \2/p' | cut -c1-110
git --git-dir="$envrepo" show main:canary/kustomization.yaml | sed -n '/^images:/,$s/^/    /p'
echo
echo "what canary runs, traced from its last deployment commit:"
(cd "$spec" && "$mlc" lineage --deployed canary -t local -t gitops -t "gitops_repo=file://$envrepo" --key ".mlc/runs/$last_run/keys/cosign.pub" | grep -v "^\s*\(metrics\|params\|built by\)")
echo
echo "provenance of the batch predictions: the production model and the applicants scored:"
rev=$(git rev-parse HEAD 2>/dev/null || true)
if [[ -n $rev ]]; then
  (cd "$spec" && "$mlc" lineage "oci:.mlc/store/credit-risk-predictions-api:$rev" --key ".mlc/runs/$run_id/keys/cosign.pub" | grep -v "^\s*\(metrics\|params\|built by\)")
fi
echo
for env in staging production; do
  python3 - "$spec/.mlc/deploy/$env/release.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
short = lambda ref: ref.rsplit("/", 1)[-1].split(":")[0] + ":" + ref.rsplit(":", 1)[-1][:12]
print(f"deployed to {sys.argv[1].rsplit('/', 1)[0]}: {short(r['image'])} with {short(r['model'])}")
PY
done
echo "alerts (local sink): $(cat "$spec"/.mlc/runs/*/alerts.log | paste -sd ';' -)"
echo "demo finished in $((SECONDS - start))s"
