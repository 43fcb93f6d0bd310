#!/usr/bin/env bash
# Print the e2e report (run.sh's TSV rows) as a Markdown table, one row per
# target × spec × workflow × job, and last the line `e2e: N passed, M failed`
# with one count per check: a run of a workflow (job "(run)") and each check
# after it (a run it triggered, an artifact's signature).
#
#   scripts/e2e/report.sh REPORT.tsv
set -euo pipefail
tsv=${1:?usage: scripts/e2e/report.sh REPORT.tsv}
echo '| target | spec | workflow | run | job | status | seconds | reason |'
echo '|---|---|---|---|---|---|---|---|'
awk -F'\t' '{ gsub(/\|/, "\\|"); printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$tsv"
echo
awk -F'\t' '$5 ~ /^\(.*\)$/ { if ($6 == "passed" || $6 == "ok") p++; else f++ } END { printf "e2e: %d passed, %d failed\n", p, f }' "$tsv"
