#!/usr/bin/python3
"""Dataset-level reference for gate/drift (mlc check drift).

Writes two reference/current CSV pairs (small: Evidently picks KS,
chi-squared and Z; large: Wasserstein and Jensen-Shannon) and the expected
per-column results for the automatic choice and for every method forced on
every column it applies to. Regenerate with Debian's packages:

    /usr/bin/python3 testdata/gate/drift_columns.py testdata/gate

Evidently is not packaged in Debian; its documented rules are written out
below with pandas, numpy and scipy: drop null/NaN/Inf, choose the test by
reference size n and distinct count k, Sturges bins on the concatenation
for numeric columns with more than 20 distinct reference values, PSI's
zero-share fill, and dataset drift at a drifted share >= 0.5.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import scipy
from scipy import stats
from scipy.spatial import distance

THRESHOLDS = {"ks": 0.05, "chisquare": 0.05, "ztest": 0.05, "wasserstein": 0.1, "jensenshannon": 0.1, "psi": 0.1}


def make(rng, n, shift):
    nulls = rng.random(n) < 0.1
    with_nulls = np.round(rng.normal(10 + shift, 2, n), 2).astype(object)
    with_nulls[nulls] = ""
    with_nulls[rng.random(n) < 0.03] = "NaN"
    with_nulls[rng.random(n) < 0.03] = "inf"
    return pd.DataFrame({
        "num_cont": np.round(rng.normal(0, 1, n), 4),
        "num_shift": np.round(rng.normal(shift, 1, n), 3),
        "num_int": rng.integers(18, 90 + int(20 * shift), n),
        "num_k4": rng.integers(0, 4, n),
        "num_k2": (rng.random(n) < 0.3 + 0.2 * shift).astype(int),
        "cat_k3": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2] if shift == 0 else [0.3, 0.3, 0.4]),
        "cat_bin": rng.choice(["yes", "no"], n),
        "cat_unicode": rng.choice(["été", "東京", "naïve", "😀"], n),
        "with_nulls": with_nulls,
        "constant": np.full(n, 7),
        "cat_new": rng.choice(["x", "y"] if shift == 0 else ["x", "y", "z"], n),
    })


def shares(ref, cur, numeric):
    if numeric and ref.nunique() > 20:
        edges = np.histogram_bin_edges(pd.concat([ref, cur]).values, bins="sturges")
        return np.histogram(ref, edges)[0] / len(ref), np.histogram(cur, edges)[0] / len(cur)
    keys = sorted(set(ref.unique()) | set(cur.unique()))  # sorted: reproducible sums
    rc, cc = ref.value_counts(), cur.value_counts()
    return (np.array([rc.get(k, 0) / len(ref) for k in keys]),
            np.array([cc.get(k, 0) / len(cur) for k in keys]))


def fill(p):
    p = p.copy()
    least = min(p[p != 0])
    np.place(p, p == 0, least / 10**6 if least <= 0.0001 else 0.0001)
    return p


def score(method, ref, cur, numeric):
    if method == "ks":
        return float(stats.ks_2samp(ref, cur)[1])
    if method == "wasserstein":
        return float(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001))
    if method == "chisquare":
        keys = sorted(set(ref.unique()) | set(cur.unique()))  # sorted: reproducible sums
        rc, cc = ref.value_counts(), cur.value_counts()
        k = len(cur) / len(ref)
        return float(stats.chisquare([cc.get(x, 0) for x in keys], [rc.get(x, 0) * k for x in keys])[1])
    if method == "ztest":
        if ref.nunique() == 1 and cur.nunique() == 1 and ref.unique()[0] == cur.unique()[0]:
            return 1.0
        first = sorted(set(ref.unique()) | set(cur.unique()))[0]
        p1, p2 = float((ref != first).sum()) / len(ref), float((cur != first).sum()) / len(cur)
        pooled = (p1 * len(ref) + p2 * len(cur)) / (len(ref) + len(cur))
        z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / len(ref) + 1 / len(cur)))
        return float(2 * (1 - stats.norm.cdf(abs(z))))
    r, c = shares(ref, cur, numeric)
    if method == "jensenshannon":
        return float(distance.jensenshannon(r, c))
    r, c = fill(r), fill(c)
    return float(np.sum((r - c) * np.log(r / c)))


def auto(ref, cur, numeric):
    k = pd.concat([ref, cur]).nunique()
    if len(ref) <= 1000:
        if numeric and k > 5:
            return "ks"
        return "chisquare" if k > 2 else "ztest"
    return "wasserstein" if numeric and k > 5 else "jensenshannon"


def drifted(method, s, t):
    if method == "ks":
        return s <= t
    if method in ("chisquare", "ztest"):
        return s < t
    return s >= t


def expected(ref_df, cur_df, all_methods=True):
    out = {}
    for col in ref_df.columns:
        ref = ref_df[col].replace([np.inf, -np.inf], np.nan).dropna()
        cur = cur_df[col].replace([np.inf, -np.inf], np.nan).dropna()
        numeric = pd.api.types.is_numeric_dtype(ref_df[col]) and not pd.api.types.is_bool_dtype(ref_df[col])
        methods = ["auto"]
        if all_methods:
            methods += ["psi", "jensenshannon", "chisquare", "ztest"] + (["ks", "wasserstein"] if numeric else [])
        res = {"type": "numeric" if numeric else "categorical", "reference_values": len(ref),
               "current_values": len(cur), "distinct_values": int(pd.concat([ref, cur]).nunique())}
        for m in methods:
            real = auto(ref, cur, numeric) if m == "auto" else m
            s = score(real, ref, cur, numeric)
            # chisquare of a single category is NaN in scipy (0 degrees of freedom): JSON null.
            res[m] = {"method": real, "score": None if np.isnan(s) else s,
                      "drifted": bool(drifted(real, s, THRESHOLDS[real]))}
        out[col] = res
    drifted_cols = sum(r["auto"]["drifted"] for r in out.values())
    return {"columns": out, "drifted_columns": drifted_cols, "drifted_share": drifted_cols / len(out),
            "drift": drifted_cols / len(out) >= 0.5}


def main(outdir):
    rng = np.random.default_rng(6)
    result = {"generator": "/usr/bin/python3 testdata/gate/drift_columns.py testdata/gate",
              "versions": {"scipy": scipy.__version__, "numpy": np.__version__, "pandas": pd.__version__}}
    for name, n_ref, n_cur in [("small", 300, 250), ("large", 1500, 1200)]:
        paths = {}
        for side, n, shift in [("ref", n_ref, 0.0), ("cur", n_cur, 0.5)]:
            paths[side] = os.path.join(outdir, f"drift_{name}_{side}.csv")
            make(rng, n, shift).to_csv(paths[side], index=False)
        # Read back as pandas would in a monitoring job, so types and NaN/Inf parse the same way.
        result[name] = expected(pd.read_csv(paths["ref"]), pd.read_csv(paths["cur"]))
    json.dump(result, sys.stdout, indent=1, ensure_ascii=False, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
