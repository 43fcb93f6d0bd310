#!/usr/bin/env bash
# Checks every generated Tekton manifest (testdata/golden/*/tekton) with
# Tekton's own v1 Go types and validation, in the nested module
# testdata/conformance/tekton so the mlc binary never links Tekton.
set -euo pipefail
cd "$(dirname "$0")/../testdata/conformance/tekton"
go vet ./...
go test -count=1 ./...
