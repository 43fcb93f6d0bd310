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
#   4. the monitor workflow on a shifted sample of production data: drift
#      is detected and the retraining delivery run it starts follows at
#      once: a new model through the same gates to staging, production
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
flags=(-t local --offline --fixtures "$spec/fixtures")

banner() { printf '\n== %s\n\n' "$*"; }

banner "1/4 delivery: data → model → staging; production waits for approval"
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

banner "4/4 monitor: production data has shifted, retraining follows"
set +e
"$mlc" run "$spec" "${flags[@]}" --workflow monitor </dev/null
code=$?
set -e
if [[ $code -ne 1 ]]; then
  echo "demo: expected the retraining run to stop at the production approval (exit 1), got exit $code" >&2
  exit 1
fi

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
