#!/usr/bin/env bash
# Benchmark mlc push/pull against oras on a real loopback registry
# (distribution's registry), in the same run:
#   - a 1 GiB model (one file) and a dataset of 10,000 small files;
#   - push and pull times, printed with the oras/mlc ratio (> 1: mlc faster);
#   - re-push of the unchanged model: wall time (target < 1 s) and layer
#     bytes sent (target 0);
#   - peak RSS of the 1 GiB push (target < 100 MiB), from /usr/bin/time -v.
#
#   scripts/bench-artifacts.sh            # MODEL_MIB=1024 FILES=10000
#   MODEL_MIB=256 FILES=2000 scripts/bench-artifacts.sh   # quicker
#   MLC_BIN=/path/to/mlc scripts/bench-artifacts.sh        # a prebuilt mlc
#
# Needs /usr/bin/time (Debian: apt-get install -y time). The oras and
# registry binaries come from scripts/tools.sh (built once, cached).
# Exits 1 when a target is missed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
model_mib=${MODEL_MIB:-1024}
files=${FILES:-10000}

if [[ ! -x /usr/bin/time ]]; then
	echo "bench-artifacts: /usr/bin/time is missing (apt-get install -y time)" >&2
	exit 2
fi
read -r oras registry < <("$root/scripts/tools.sh" oras registry | paste -sd' ')

# shellcheck source=scripts/registry.sh
source "$root/scripts/registry.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/mlc-bench.XXXXXX")
cleanup() {
	registry_stop
	rm -rf "$work"
}
trap cleanup EXIT

mlc=${MLC_BIN:-}
if [[ -z $mlc ]]; then
	(cd "$root" && go build -trimpath -o "$work/mlc" ./cmd/mlc)
	mlc=$work/mlc
fi

registry_start "$registry" "$work/registry"
reg=$registry_addr

# --- inputs --------------------------------------------------------------
echo "bench-artifacts: generating a ${model_mib} MiB model and ${files} small files" >&2
mkdir -p "$work/model" "$work/dataset"
head -c "$((model_mib << 20))" /dev/urandom >"$work/model/model.safetensors"
python3 - "$work/dataset" "$files" <<'EOF'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)
for i in range(n):
    d = os.path.join(root, f"shard-{i // 1000:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"rows-{i:05d}.csv"), "w") as f:
        f.write("id,x,y\n" + "".join(f"{j},{rng.random():.6f},{rng.randint(0, 9)}\n" for j in range(rng.randint(20, 80))))
EOF

# seconds runs a command and prints its wall time in seconds.
seconds() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>"$work/last.err" || { cat "$work/last.err" >&2; return 1; }
	t1=$(date +%s.%N)
	python3 -c "print(f'{$t1 - $t0:.3f}')"
}

export MLC_CACHE_DIR=$work/mlc-cache
results=()
fail=0
compare() { # name mlc_seconds oras_seconds
	local ratio
	ratio=$(python3 -c "print(f'{$3 / $2:.2f}')")
	results+=("$(printf '%-26s mlc %8.3f s   oras %8.3f s   oras/mlc %5sx' "$1" "$2" "$3" "$ratio")")
}

# --- 1 GiB model -----------------------------------------------------------
o_push=$(cd "$work/model" && seconds "$oras" push --plain-http "$reg/bench/oras-model:v1" model.safetensors)
/usr/bin/time -v -o "$work/push.time" "$mlc" push model "$work/model" "$reg/bench/mlc-model:v1" --plain-http >"$work/push.out" 2>"$work/push.err"
m_push=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/push.time")
rss_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/push.time")
compare "push ${model_mib} MiB model" "$m_push" "$o_push"

repush_start=$(date +%s.%N)
"$mlc" push model "$work/model" "$reg/bench/mlc-model:v1" --plain-http >/dev/null 2>"$work/repush.err"
repush=$(python3 -c "print(f'{$(date +%s.%N) - $repush_start:.3f}')")
repush_sent=$(grep -o '[0-9.]* [KMGT]*i*B of layers sent' "$work/repush.err" || echo "unknown")

o_pull=$(seconds "$oras" pull --plain-http -o "$work/oras-model-out" "$reg/bench/oras-model:v1")
m_pull=$(seconds "$mlc" pull --plain-http "$reg/bench/mlc-model:v1" "$work/mlc-model-out")
compare "pull ${model_mib} MiB model" "$m_pull" "$o_pull"
cmp "$work/model/model.safetensors" "$work/mlc-model-out/model.safetensors"

# --- 10,000 small files ------------------------------------------------------
# oras packs a directory argument into one tar+gzip layer; mlc packs small
# files into one uncompressed reproducible tar.
o_push=$(cd "$work" && seconds "$oras" push --plain-http "$reg/bench/oras-data:v1" dataset)
m_push=$(seconds "$mlc" push dataset "$work/dataset" "$reg/bench/mlc-data:v1" --plain-http)
compare "push ${files} small files" "$m_push" "$o_push"
o_pull=$(seconds "$oras" pull --plain-http -o "$work/oras-data-out" "$reg/bench/oras-data:v1")
m_pull=$(seconds "$mlc" pull --plain-http "$reg/bench/mlc-data:v1" "$work/mlc-data-out")
compare "pull ${files} small files" "$m_pull" "$o_pull"
diff -r "$work/dataset" "$work/mlc-data-out" >/dev/null

# --- report ------------------------------------------------------------------
echo
echo "mlc vs oras $("$oras" version 2>/dev/null | awk '/^Version/ {print $2}') on $reg (distribution registry), $(nproc) CPUs"
printf '%s\n' "${results[@]}"
printf '%-26s %.3f s, %s (targets: < 1 s, 0 B)\n' "re-push unchanged model" "$repush" "$repush_sent"
printf '%-26s %d MiB (target: < 100 MiB)\n' "peak RSS, model push" "$((rss_kib / 1024))"

if python3 -c "import sys; sys.exit(0 if $repush < 1 else 1)"; then :; else echo "FAIL: re-push took ${repush}s" >&2; fail=1; fi
if [[ $repush_sent != "0 B of layers sent" ]]; then echo "FAIL: re-push sent $repush_sent" >&2; fail=1; fi
if ((rss_kib >= 100 * 1024)); then echo "FAIL: peak RSS $((rss_kib / 1024)) MiB" >&2; fail=1; fi
exit "$fail"
