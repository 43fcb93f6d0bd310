#!/usr/bin/env bash
# make e2e: bring the e2e cluster up, install the engines, run every spec
# on every target, write the report, and take the cluster down again
# (also on failure).
#
#   scripts/e2e/e2e.sh                                  every example, argo and tekton
#   SPECS='examples/minimal' TARGETS=argo scripts/e2e/e2e.sh
#
# The report goes to ${MLC_E2E_OUT:-.mlc/e2e}/report.md (and report.tsv);
# its last line is `e2e: N passed, M failed`. Exit status 1 when a run failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
read -r -a specs <<<"${SPECS:-examples/minimal examples/iris-duo examples/credit-risk}"
read -r -a targets <<<"${TARGETS:-argo tekton}"
out=${MLC_E2E_OUT:-$repo/.mlc/e2e}
mkdir -p "$out"

t0=$SECONDS
bash "$here/cluster.sh" up
trap 'bash "$here/cluster.sh" down' EXIT
eval "$(bash "$here/cluster.sh" env)"
export MLC_E2E_REPORT=$out/report.tsv
: >"$MLC_E2E_REPORT"
bash "$here/install.sh" images "${targets[@]}"
echo "e2e: cluster and engines ready in $((SECONDS - t0))s" >&2
rc=0
for target in "${targets[@]}"; do
	bash "$here/run.sh" "$target" "${specs[@]}" || rc=1
done
bash "$here/report.sh" "$MLC_E2E_REPORT" >"$out/report.md"
cat "$out/report.md"
echo "e2e: $((SECONDS - t0))s in all" >&2
exit "$rc"
