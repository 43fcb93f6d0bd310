#!/usr/bin/env bash
# Runs each fuzz target of the gates for a short while (default 10s each),
# one after the other: the CSV and JSON Lines parsers against encoding/csv
# and encoding/json, the PII detectors, and the metric gate parser.
# Failing inputs are written to the package's testdata/fuzz/ by go test.
#
#   scripts/gates-fuzz.sh [SECONDS]
set -euo pipefail

secs=${1:-10}
cd "$(dirname "$0")/.."
while read -r pkg target; do
	echo "fuzz $pkg $target (${secs}s)"
	go test -run '^$' -fuzz "^${target}\$" -fuzztime "${secs}s" -parallel 1 "$pkg"
done <<'TARGETS'
./gate/table FuzzCSV
./gate/table FuzzJSONObject
./gate/table FuzzOpen
./gate/pii FuzzDetectors
./gate/metrics FuzzParseGate
TARGETS
