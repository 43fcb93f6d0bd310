#!/usr/bin/env bash
# Benchmark `mlc compile` against `cue eval` of the same file, the stock cue
# CLI (scripts/tools.sh cue): the scale spec of bench/scalespec at MODELS
# models (default "100 1000 10000"), every target, as processes, best of
# RUNS (default 3; 1 from 10,000 models on). Prints time, peak RSS and
# output bytes, the ratio to cue eval, and the load average, and checks the
# goals of issue 16: each target within MAX_RATIO (1.5) of cue eval, memory
# within MAX_RSS_RATIO (2) of cue eval's. LIMITS=0 reports without failing.
#
# Profile with the Go benchmark instead: go test ./bench -run '^$' \
#   -bench 'BenchmarkCompile/models=1000/' -cpuprofile cpu.prof
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
models=${MODELS:-100 1000 10000}
runs=${RUNS:-3}
max_ratio=${MAX_RATIO:-1.5}
max_rss_ratio=${MAX_RSS_RATIO:-2}
[ -x /usr/bin/time ] || { echo "bench-compile: GNU time is missing (apt-get install -y time)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cue=$(bash "$root/scripts/tools.sh" cue)
(cd "$root" && go build -trimpath -o "$tmp/mlc" ./cmd/mlc && go build -o "$tmp/scalespec" ./bench/cmd/scalespec)

# measure N CMD...: the best of N runs of CMD; prints "seconds peak-KiB exit".
measure() {
	local n=$1 best="" rc
	shift
	for _ in $(seq "$n"); do
		rc=0
		/usr/bin/time -o "$tmp/time" -f '%e %M' "$@" >/dev/null 2>"$tmp/stderr" || rc=$?
		read -r s kib < <(tail -1 "$tmp/time")
		if [ -z "$best" ] || awk -v a="$s" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
			best="$s $kib $rc"
		fi
	done
	echo "$best"
}

fail=0
printf 'bench-compile: %s CPUs, load average %s (before)\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-7s %-8s %9s %9s %12s %8s %8s  %s\n' models tool seconds "peak MiB" "output B" "x cue" "x mem" note
for n in $models; do
	spec="$tmp/spec-$n"
	mkdir -p "$spec"
	"$tmp/scalespec" -models "$n" >"$spec/pipeline.cue"
	r=$runs
	[ "$n" -ge 10000 ] && r=1
	read -r cue_s cue_kib cue_rc < <(measure "$r" "$cue" eval "$spec/pipeline.cue")
	# cue eval exits 1 on the column schemas, which are constraints by design.
	[ "$cue_rc" -le 1 ] || { cat "$tmp/stderr" >&2; exit 1; }
	"$cue" eval "$spec/pipeline.cue" 2>/dev/null | wc -c >"$tmp/cue.bytes" || true
	printf '  %-7s %-8s %9.2f %9.0f %12s %8s %8s  %s\n' "$n" "cue eval" "$cue_s" "$((cue_kib / 1024))" "$(cat "$tmp/cue.bytes")" "" "" \
		"$(du -b "$spec/pipeline.cue" | cut -f1) B of CUE"
	for t in github tekton argo; do
		out="$tmp/out-$n-$t"
		read -r s kib rc < <(measure "$r" "$tmp/mlc" compile "$spec" --target "$t" --out "$out")
		mkdir -p "$out"
		note="$(find "$out" -type f | wc -l) files"
		if [ "$rc" != 0 ]; then
			if grep -q 'more than the .* Kubernetes stores in one object' "$tmp/stderr"; then
				note="refused: an object over etcd's limit (time to the refusal)"
			elif grep -q 'more than the .* GitHub starts runs of' "$tmp/stderr"; then
				note="refused: a workflow file over GitHub's 500 KB (time to the refusal)"
			else
				cat "$tmp/stderr" >&2
				echo "bench-compile: mlc compile --target $t failed (exit $rc)" >&2
				exit 1
			fi
		fi
		bytes=$(find "$out" -type f -printf '%s\n' | awk '{ b += $1 } END { print b + 0 }')
		rm -rf "$out"
		ratio=$(awk -v a="$s" -v b="$cue_s" 'BEGIN { printf "%.2f", a / b }')
		mem=$(awk -v a="$kib" -v b="$cue_kib" 'BEGIN { printf "%.2f", a / b }')
		if awk -v r="$ratio" -v m="$mem" -v mr="$max_ratio" -v mm="$max_rss_ratio" 'BEGIN { exit !(r > mr || m > mm) }'; then
			note="$note; MISSED"
			fail=1
		fi
		printf '  %-7s %-8s %9.2f %9.0f %12s %8s %8s  %s\n' "$n" "$t" "$s" "$((kib / 1024))" "$bytes" "$ratio" "$mem" "$note"
	done
done
printf 'bench-compile: load average %s (after); goals: at most %sx cue eval in time, %sx in memory\n' \
	"$(cut -d' ' -f1-3 /proc/loadavg)" "$max_ratio" "$max_rss_ratio"
if [ "$fail" = 1 ] && [ "${LIMITS:-1}" != 0 ]; then
	echo "bench-compile: FAIL: a target missed its goal (MISSED above)" >&2
	exit 1
fi
