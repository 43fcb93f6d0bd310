#!/usr/bin/env bash
# Benchmark `mlc check drift` against the pandas + scipy equivalent on a
# generated reference and current CSV of ROWS rows (default 1,000,000) and 20
# columns each (16 numeric with ties, 4 categorical), with Evidently's default
# tests for large samples, and check the goals of issue 16: at least
# MIN_SPEEDUP (10) times faster and at most MAX_MEMORY (0.5) times the
# memory of pandas + scipy, the same columns flagged, the same statistics
# to 1e-9.
#
# Needs Debian's python3-scipy python3-pandas and GNU time (apt-get install
# -y python3-scipy python3-pandas time). LIMITS=0 reports without failing.
set -euo pipefail

rows=${ROWS:-1000000}
min_speedup=${MIN_SPEEDUP:-10}
max_memory=${MAX_MEMORY:-0.5}
root=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
for tool in "$py" /usr/bin/time go; do
	command -v "$tool" >/dev/null || { echo "bench-drift: $tool is missing (apt-get install -y python3-scipy python3-pandas time)" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/mlc" ./cmd/mlc)

# Deterministic data shaped like a feature table: 16 numeric columns of
# 4-decimal values (so many ties) and 4 categorical columns of 4 levels;
# the current data shifts 6 numeric and 2 categorical columns.
"$py" - "$tmp" "$rows" <<'PY'
import sys
import numpy as np
import pandas as pd

out, n = sys.argv[1], int(sys.argv[2])
levels = ["bronze", "silver", "gold", "platinum"]
for name, seed, shift in [("ref", 1, 0.0), ("cur", 2, 1.0)]:
    rng = np.random.default_rng(seed)
    cols = {}
    for i in range(16):
        s = shift if i < 6 else 0.0
        cols[f"x{i}"] = np.round(rng.normal(i + 0.4 * s, 1 + i % 4, n), 4)
    for i in range(4):
        p = np.array([0.4, 0.3, 0.2, 0.1])
        if i < 2 and shift:
            p = p[::-1]
        cols[f"c{i}"] = rng.choice(levels, n, p=p)
    pd.DataFrame(cols).to_csv(f"{out}/{name}.csv", index=False)
PY
for f in "$tmp"/ref.csv "$tmp"/cur.csv; do echo "bench-drift: $f $(($(stat -c %s "$f") / 1000000)) MB"; done

# measure NAME CMD...: run under GNU time, keep seconds and peak RSS (MiB).
measure() {
	local name=$1
	shift
	local rc=0
	/usr/bin/time -v "$@" >"$tmp/$name.out" 2>"$tmp/$name.time" || rc=$?
	if [ "$rc" -gt 1 ]; then
		cat "$tmp/$name.time" >&2
		echo "bench-drift: $name failed (exit $rc)" >&2
		exit 1
	fi
	awk -v name="$name" '
		/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); s = t[n] + 60 * t[n-1] + (n > 2 ? 3600 * t[n-2] : 0) }
		/User time|System time/ { cpu += $NF }
		/Maximum resident set size/ { rss = $NF / 1024 }
		END { printf "%s %.2f %.2f %.0f\n", name, s, cpu, rss }' "$tmp/$name.time" >"$tmp/$name.figures"
}

measure mlc "$tmp/mlc" check drift --reference "$tmp/ref.csv" --current "$tmp/cur.csv" --json
measure pandas "$py" -c '
import json, sys
import pandas as pd
sys.path.insert(0, sys.argv[1])
from drift_columns import expected
print(json.dumps(expected(pd.read_csv(sys.argv[2]), pd.read_csv(sys.argv[3]), all_methods=False)))
' "$root/testdata/gate" "$tmp/ref.csv" "$tmp/cur.csv"

# The two must agree column by column.
"$py" - "$tmp/mlc.out" "$tmp/pandas.out" <<'PY'
import json, sys
mlc = {c["column"]: c for c in json.load(open(sys.argv[1]))["details"]["columns"]}
ref = json.load(open(sys.argv[2]))["columns"]
bad = [c for c, r in ref.items()
       if mlc[c]["method"] != r["auto"]["method"] or mlc[c]["drifted"] != r["auto"]["drifted"]
       or abs(mlc[c]["score"] - r["auto"]["score"]) > 1e-9 * max(1, abs(r["auto"]["score"]))]
print(f"bench-drift: {len(ref) - len(bad)} of {len(ref)} columns agree with pandas+scipy (method, verdict, score to 1e-9)")
for c in bad:
    print(f"  {c}: mlc {mlc[c]['method']} {mlc[c]['score']} {mlc[c]['drifted']}, pandas {ref[c]['auto']}")
sys.exit(1 if bad else 0)
PY

read -r _ mlc_s mlc_cpu mlc_rss <"$tmp/mlc.figures"
read -r _ py_s py_cpu py_rss <"$tmp/pandas.figures"
printf 'bench-drift: %s rows x 20 columns, reference and current; %s CPUs, load average %s\n' \
	"$rows" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-14s %8s %8s %10s\n' tool seconds "cpu s" "peak MiB"
printf '  %-14s %8.2f %8.2f %10.0f\n' "mlc" "$mlc_s" "$mlc_cpu" "$mlc_rss" "pandas+scipy" "$py_s" "$py_cpu" "$py_rss"
awk -v a="$py_s" -v b="$mlc_s" -v c="$py_rss" -v d="$mlc_rss" \
	'BEGIN { printf "  ratio: mlc is %.1fx faster and uses %.2fx the memory\n", a / b, d / c }'

if [ "${LIMITS:-1}" != 0 ]; then
	awk -v a="$py_s" -v b="$mlc_s" -v c="$py_rss" -v d="$mlc_rss" -v ms="$min_speedup" -v mm="$max_memory" 'BEGIN {
		if (a / b < ms || d / c > mm) { printf "bench-drift: FAIL: goals are at least %sx faster and at most %sx the memory of pandas+scipy\n", ms, mm; exit 1 }
		printf "bench-drift: goals met (at least %sx faster, at most %sx the memory)\n", ms, mm }'
fi
