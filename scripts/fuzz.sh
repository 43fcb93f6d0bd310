#!/usr/bin/env bash
# Runs every fuzz target of the module (every func FuzzX in a _test.go file,
# found, not listed) for a fixed time each, one after the other. CI runs it
# with a short time; run longer before a release:
#
#   scripts/fuzz.sh [SECONDS]     # default 20
#
# go test keeps each failing input in the package's testdata/fuzz/FuzzX/,
# which then runs as a regular test case: commit it with the fix.
set -euo pipefail

secs=${1:-20}
cd "$(dirname "$0")/.."
# file:func FuzzX lines of the main module (nested modules fuzz on their own).
found=$(git grep -o -E '^func Fuzz[A-Za-z0-9_]+' -- '*_test.go' ':!e2e' ':!testdata' | sort)
echo "fuzz: $(wc -l <<<"$found") targets, ${secs}s each"
while IFS=: read -r file decl; do
	pkg=./$(dirname "$file")
	target=${decl#func }
	echo "fuzz $pkg $target (${secs}s)"
	go test -run '^$' -fuzz "^${target}\$" -fuzztime "${secs}s" -parallel 1 "$pkg"
done <<<"$found"
