"""The two iris models of iris-duo, in pure Python: Gaussian naive Bayes
and nearest centroid. load() reads the CSVs of every $MLC_DATA_<DATASET>
the job was given and holds out every fifth row for evaluation.
"""

import csv
import glob
import math
import os

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def load():
    rows = []
    for name in sorted(k for k in os.environ if k.startswith("MLC_DATA_")):
        for path in sorted(glob.glob(os.path.join(os.environ[name], "*.csv"))):
            with open(path, newline="") as f:
                rows.extend(csv.DictReader(f))
    return [r for i, r in enumerate(rows) if i % 5 != 4], [r for i, r in enumerate(rows) if i % 5 == 4]


def fit(kind, rows):
    model = {"kind": kind, "classes": {}}
    for label in sorted({r["species"] for r in rows}):
        xs = [[float(r[f]) for f in FEATURES] for r in rows if r["species"] == label]
        means = [sum(col) / len(xs) for col in zip(*xs)]
        c = {"means": means}
        if kind == "bayes":
            c["variances"] = [sum((v - m) ** 2 for v in col) / len(xs) + 1e-6 for col, m in zip(zip(*xs), means)]
            c["prior"] = len(xs) / len(rows)
        model["classes"][label] = c
    return model


def predict(model, row):
    x = [float(row[f]) for f in FEATURES]

    def score(c):
        if model["kind"] == "centroid":
            return -sum((v - m) ** 2 for v, m in zip(x, c["means"]))
        return math.log(c["prior"]) - sum(0.5 * (math.log(2 * math.pi * s) + (v - m) ** 2 / s)
                                          for v, m, s in zip(x, c["means"], c["variances"]))

    return max(model["classes"], key=lambda label: score(model["classes"][label]))
