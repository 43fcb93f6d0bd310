#!/usr/bin/env bash
# Check every Argo manifest in testdata/golden/*/argo against Argo Workflows'
# own Go types and validation (github.com/argoproj/argo-workflows/v3 v3.7.0).
# Runs in the nested module testdata/conformance/argo so the mlc binary never
# links Argo. -count=1: the golden files live outside that module, so Go's
# test cache would not notice when they change.
#
#   scripts/conformance-argo.sh
set -euo pipefail
cd "$(dirname "$0")/../testdata/conformance/argo"
go vet ./...
go test -count=1 ./...
