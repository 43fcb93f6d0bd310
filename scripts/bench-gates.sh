#!/usr/bin/env bash
# Benchmarks `mlc check pii` on a generated 1,000,000-row, 20-column CSV
# against an equivalent pandas implementation, and prints wall time, peak
# RSS and the speed ratio. Needs /usr/bin/time and Debian's python3-pandas
# (apt-get install -y time python3-pandas python3-scipy).
#
#   scripts/bench-gates.sh [ROWS]     (default 1000000; data under a temp dir)
set -euo pipefail

rows=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3 # Debian's, with pandas; not a pyenv python on PATH
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in /usr/bin/time "$py"; do
	[[ -x $tool ]] || { echo "bench-gates: $tool is missing (apt-get install -y time python3-pandas python3-scipy)" >&2; exit 2; }
done
"$py" -c 'import pandas' 2>/dev/null || { echo "bench-gates: $py has no pandas (apt-get install -y python3-pandas)" >&2; exit 2; }

echo "building mlc"
(cd "$root" && go build -o "$work/mlc" ./cmd/mlc)

echo "generating $rows rows x 20 columns"
"$py" - "$rows" "$work/data.csv" <<'EOF'
# Deterministic: the same rows on every run. About 1 cell in 400 holds
# personal data, the rest looks like ordinary tabular data (numbers, dates,
# categories, free text) that a PII scanner must not flag.
import random, sys
rows, path = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(42)
cities = ["Berlin", "Paris", "Lyon", "Austin", "Leeds", "Porto", "Oslo", "Kyoto"]
products = ["basic", "plus", "pro", "enterprise"]
words = "the order was late again please refund shipping box damaged great service thanks".split()
pii = ["ana.silva@example.com", "+1 650-253-0000", "4012-8888-8888-1881", "536-22-1234",
       "DE89 3704 0044 0532 0130 00", "192.168.1.10", "(650) 253-0000", "jo@mail.co.uk"]
with open(path, "w") as f:
    f.write(",".join(["id", "age", "income", "debt", "score", "gender", "city", "product", "signup", "last_login",
                      "amount", "quantity", "rating", "flag", "ref", "note", "contact", "zip", "version", "label"]) + "\n")
    for i in range(rows):
        note = " ".join(rnd.choice(words) for _ in range(rnd.randint(2, 8)))
        contact = ""
        if rnd.random() < 0.01:
            contact = rnd.choice(pii)
        if rnd.random() < 0.005:
            note += " call " + rnd.choice(pii)
        f.write(f"{i},{rnd.randint(18, 90)},{rnd.randint(0, 250000)},{rnd.random() * 5000:.2f},{rnd.random():.6f},"
                f"{rnd.choice('fmx')},{rnd.choice(cities)},{rnd.choice(products)},"
                f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d},"
                f"2025-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d} {rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:00,"
                f"{rnd.random() * 999:.2f},{rnd.randint(1, 20)},{rnd.randint(1, 5)},{rnd.choice(['true', 'false'])},"
                f"ORD-{rnd.randint(10000000, 99999999)},\"{note}\",{contact},{rnd.randint(10000, 99999)},"
                f"{rnd.randint(1, 9)}.{rnd.randint(0, 20)}.{rnd.randint(0, 99)},{rnd.randint(0, 1)}\n")
EOF
echo "data: $(($(stat -c %s "$work/data.csv") / 1000000)) MB"

# pandas equivalent: the same entities, regex candidates per column, then
# the same validations (Luhn, mod-97, SSN rules, TLD list not available:
# any alphabetic TLD; phone numbers by pattern only, without libphonenumber).
cat >"$work/pii.py" <<'EOF'
import re, sys
import pandas as pd
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
pats = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    "phone": r"(?:\+\d[\d ().-]{6,}\d|\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4})",
    "ssn": r"\b\d{3}[- .]\d{2}[- .]\d{4}\b",
    "credit_card": r"\b(?:\d[ -]?){12,18}\d\b",
    "iban": r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b",
    "ip": r"\b\d{1,3}(?:\.\d{1,3}){3}\b",
}
def luhn(s):
    d = [int(c) for c in s if c.isdigit()]
    if not 13 <= len(d) <= 19: return False
    t = sum(d[-1::-2]) + sum(sum(divmod(2 * x, 10)) for x in d[-2::-2])
    return t % 10 == 0
def iban(s):
    s = s.replace(" ", "")
    r = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in r)) % 97 == 1
def ssn(s):
    d = re.sub(r"\D", "", s)
    return s[3] == s[6] and not (len(set(d)) == 1 or d[3:5] == "00" or d[5:] == "0000" or
                any(d.startswith(p) for p in ("000", "666", "123456789", "98765432", "078051120")))
def ip(s):
    return all(int(p) < 256 for p in s.split("."))
valid = {"credit_card": luhn, "iban": iban, "ssn": ssn, "ip": ip}
total = 0
for col in df.columns:
    s = df[col]
    for ent, pat in pats.items():
        m = s.str.extract("(" + pat + ")", expand=True)[0].dropna()
        if ent in valid:
            m = m[m.map(valid[ent])]
        total += len(m)
print(f"pandas: {total} findings")
EOF

measure() { # label, command...: prints seconds and peak RSS
	local label=$1
	shift
	/usr/bin/time -v "$@" >"$work/$label.out" 2>"$work/$label.time" || true
	local secs rss
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/$label.time")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$work/$label.time")
	printf '%-8s %6.2f s  %5d MiB  %s\n' "$label" "$secs" "$rss" "$(grep -m1 -E 'check (pii|schema)|pandas:' "$work/$label.out" | sed -E "s/scanned for [a-z_, ]+: //" | cut -c1-120)"
	echo "$secs" >"$work/$label.secs"
}

# The same data's schema, for `mlc check schema` (no pandas counterpart).
mkdir -p "$work/spec"
cat >"$work/spec/pipeline.cue" <<'CUE'
package pipeline

name: "bench"
datasets: bench: {
	source: local: path: "data"
	schema: {
		id: int & >=0, age: int & >=18 & <=120, income: number & >=0, debt: number & >=0
		score: number & >=0 & <=1, gender: "f" | "m" | "x", city: string
		product: "basic" | "plus" | "pro" | "enterprise", signup: =~"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
		last_login: string, amount: number, quantity: int & >0, rating: 1 | 2 | 3 | 4 | 5
		flag: bool, ref: =~"^ORD-[0-9]{8}$", note: string, contact: string | null
		zip: int, version: string, label: 0 | 1
	}
	rows: min: 1
}
models: m: {
	train: {data: ["bench"], image: "python:3.12-slim", run: "python train.py"}
	evaluate: {run: "python eval.py", gates: accuracy: ">= 0.9"}
}
CUE

echo "check pii (all entities):"
measure mlc "$work/mlc" check pii "$work/data.csv"
measure pandas "$py" "$work/pii.py" "$work/data.csv"
awk -v m="$(cat "$work/mlc.secs")" -v p="$(cat "$work/pandas.secs")" 'BEGIN { printf "ratio   pandas / mlc = %.1fx\n", p / m }'
echo "check schema (20 compiled column constraints):"
measure schema "$work/mlc" check schema "$work/data.csv" --spec "$work/spec" --dataset bench
