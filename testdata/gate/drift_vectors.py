#!/usr/bin/python3
"""Reference vectors for gate/stats (mlc check drift numerics).

Regenerate with Debian's packages (not a pyenv python):
    apt-get install -y python3-scipy python3-pandas python3-sklearn
    /usr/bin/python3 testdata/gate/drift_vectors.py > testdata/gate/drift_vectors.json

scipy.stats.ks_2samp, scipy.stats.kstwo, scipy.stats.chisquare,
scipy.stats.wasserstein_distance, scipy.spatial.distance.jensenshannon and
numpy.histogram_bin_edges are called directly. Evidently is not packaged in
Debian, so its Z-test and its PSI zero-share fill are written out below from
its documented definitions (evidently/legacy/calculations/stattests).
"""
import json
import sys

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance


def evidently_z(p1, n1, p2, n2):
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    return float(2 * (1 - stats.norm.cdf(np.abs(z))))


def spread(n, mult, mod, scale, shift):
    """A deterministic sample Go rebuilds exactly: ((i*mult) % mod)/mod*scale + shift."""
    return np.array([((i * mult) % mod) / mod * scale + shift for i in range(n)])


def evidently_fill(shares):
    shares = np.array(shares, dtype=float)
    least = min(shares[shares != 0])
    np.place(shares, shares == 0, least / 10**6 if least <= 0.0001 else 0.0001)
    return shares


rng = np.random.default_rng(20261125)
out = {"generator": "/usr/bin/python3 testdata/gate/drift_vectors.py",
       "versions": {"scipy": scipy.__version__, "numpy": np.__version__}}

# Two-sample KS: exact (equal and unequal sizes, ties) and asymptotic (n > 10000).
ks_cases = [
    ("equal sizes", rng.normal(0, 1, 40), rng.normal(0.5, 1, 40)),
    ("unequal sizes", rng.normal(0, 1, 30), rng.normal(0.3, 1.2, 47)),
    ("ties", rng.integers(0, 8, 200).astype(float), rng.integers(1, 9, 150).astype(float)),
    ("identical", np.arange(10.0), np.arange(10.0)),
    ("one each", np.array([1.0]), np.array([2.0])),
    ("disjoint", np.arange(5.0), np.arange(5.0) + 100),
    ("large exact", rng.normal(0, 1, 1000), rng.normal(0.05, 1, 3000)),
]
out["ks_2samp"] = []
for name, a, b in ks_cases:
    r = stats.ks_2samp(a, b)
    out["ks_2samp"].append({"name": name, "a": a.tolist(), "b": b.tolist(),
                            "statistic": float(r.statistic), "pvalue": float(r.pvalue)})
# Large samples as generator parameters (see spread) to keep this file small.
for name, sa, sb in [
    ("asymptotic small n", (100, 7919, 10007, 1.0, 0.0), (12000, 104729, 10009, 1.0, 0.05)),
    ("asymptotic large n", (900, 7919, 10007, 1.0, 0.0), (20000, 104729, 10009, 1.0, 0.01)),
    ("asymptotic shift", (500, 7919, 10007, 1.0, 0.0), (15000, 104729, 10009, 1.2, 0.1)),
    ("exact large", (4000, 7919, 10007, 1.0, 0.0), (9000, 104729, 10009, 1.0, 0.02)),
]:
    r = stats.ks_2samp(spread(*sa), spread(*sb))
    out["ks_2samp"].append({"name": name, "spread_a": sa, "spread_b": sb,
                            "statistic": float(r.statistic), "pvalue": float(r.pvalue)})

# A sweep over sample sizes (equal, coprime, one a multiple of the other) and
# tie patterns, through scipy's exact and asymptotic paths.
for n1, n2, mod in [(1, 7, 5), (3, 3, 7), (5, 10, 13), (7, 11, 3), (20, 30, 17), (25, 25, 101), (64, 48, 29),
                    (100, 101, 1009), (150, 40, 11), (333, 777, 10007), (512, 1024, 2), (999, 1000, 997),
                    (2000, 2500, 10007), (10000, 10000, 10007), (10001, 50, 10007), (20000, 300, 101)]:
    sa, sb = (n1, 7919, mod, 1.0, 0.0), (n2, 104729, mod + 2, 1.0, 0.01)
    r = stats.ks_2samp(spread(*sa), spread(*sb))
    out["ks_2samp"].append({"name": f"sweep {n1}x{n2} mod {mod}", "spread_a": sa, "spread_b": sb,
                            "statistic": float(r.statistic), "pvalue": float(r.pvalue)})

# The one-sample Kolmogorov distribution over every branch scipy takes.
out["kstwo_sf"] = []
for n in [5, 20, 100, 140, 141, 500, 1000, 5000, 100001]:
    for x in [0.001, 0.004, 0.01, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.9]:
        out["kstwo_sf"].append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})

# Chi-squared (the issue's known vector first), Z-test (known vector first).
out["chisquare"] = [
    {"observed": [16, 16, 16, 16, 16, 8], "expected": [16, 18, 16, 14, 12, 12]},
    {"observed": [5, 0, 7], "expected": [4, 4, 4]},
    {"observed": [30, 10], "expected": [20, 20]},
]
for c in out["chisquare"]:
    r = stats.chisquare(c["observed"], c["expected"])
    c["statistic"], c["pvalue"] = float(r.statistic), float(r.pvalue)
out["ztest"] = []
for p1, n1, p2, n2 in [(0.5, 20, 0.5, 20), (0.3, 100, 0.45, 80), (0.9, 1000, 0.85, 1200), (0.0, 10, 1.0, 10)]:
    out["ztest"].append({"p1": p1, "n1": n1, "p2": p2, "n2": n2, "pvalue": evidently_z(p1, n1, p2, n2)})

# Distances.
out["wasserstein"] = []
for a, b in [(rng.normal(0, 1, 50), rng.normal(1, 2, 70)),
             (np.array([0.0, 1, 3]), np.array([5.0, 6, 8])),
             (rng.integers(0, 4, 30).astype(float), rng.integers(0, 5, 40).astype(float))]:
    out["wasserstein"].append({"a": a.tolist(), "b": b.tolist(),
                               "distance": float(stats.wasserstein_distance(a, b)),
                               "std_a": float(np.std(a))})
out["jensenshannon"] = []
for p, q in [([0.3, 0.7, 0.0], [0.0, 0.9, 0.1]), ([1, 2, 3, 4], [4, 3, 2, 1]), ([0.5, 0.5], [0.5, 0.5])]:
    out["jensenshannon"].append({"p": p, "q": q, "distance": float(distance.jensenshannon(p, q))})
out["psi"] = []
for r, c in [([0.2, 0.3, 0.5, 0.0], [0.25, 0.25, 0.4, 0.1]), ([0.00005, 0.99995, 0.0], [0.0, 0.5, 0.5])]:
    rf, cf = evidently_fill(r), evidently_fill(c)
    out["psi"].append({"ref": r, "cur": c, "ref_filled": rf.tolist(), "cur_filled": cf.tolist(),
                       "psi": float(np.sum((rf - cf) * np.log(rf / cf)))})

# Sturges binning on the concatenation, then numpy.histogram with those edges.
out["histogram"] = []
for a, b in [(rng.normal(0, 1, 64), rng.normal(0.3, 1, 100)),
             (np.array([1.0, 1.0, 1.0]), np.array([1.0])),
             (np.array([0.0, 0.1, 0.2, 0.3]), np.array([0.3, 0.3, 1.0, 1.0]))]:
    edges = np.histogram_bin_edges(np.concatenate([a, b]), bins="sturges")
    out["histogram"].append({"a": a.tolist(), "b": b.tolist(), "edges": edges.tolist(),
                             "counts_a": np.histogram(a, edges)[0].tolist(),
                             "counts_b": np.histogram(b, edges)[0].tolist()})

json.dump(out, sys.stdout)
sys.stdout.write("\n")
