"""Trains a Gaussian naive Bayes iris classifier, in pure Python.

Reads the CSVs in $MLC_DATA_IRIS, holds out every fifth row for eval.py,
and writes the per-species feature means and variances to
$MLC_MODEL_DIR/model.json.
"""

import csv
import glob
import json
import math
import os

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def load(data_dir):
    rows = []
    for path in sorted(glob.glob(os.path.join(data_dir, "*.csv"))):
        with open(path, newline="") as f:
            rows.extend(csv.DictReader(f))
    train = [r for i, r in enumerate(rows) if i % 5 != 4]
    holdout = [r for i, r in enumerate(rows) if i % 5 == 4]
    return train, holdout


def fit(rows):
    model = {}
    for label in sorted({r["species"] for r in rows}):
        xs = [[float(r[f]) for f in FEATURES] for r in rows if r["species"] == label]
        means = [sum(col) / len(xs) for col in zip(*xs)]
        variances = [sum((v - m) ** 2 for v in col) / len(xs) + 1e-6 for col, m in zip(zip(*xs), means)]
        model[label] = {"means": means, "variances": variances, "prior": len(xs) / len(rows)}
    return model


def predict(model, row):
    def log_likelihood(params):
        ll = math.log(params["prior"])
        for f, m, v in zip(FEATURES, params["means"], params["variances"]):
            ll -= 0.5 * (math.log(2 * math.pi * v) + (float(row[f]) - m) ** 2 / v)
        return ll

    return max(model, key=lambda label: log_likelihood(model[label]))


def main():
    train, _ = load(os.environ["MLC_DATA_IRIS"])
    model = fit(train)
    os.makedirs(os.environ["MLC_MODEL_DIR"], exist_ok=True)
    with open(os.path.join(os.environ["MLC_MODEL_DIR"], "model.json"), "w") as f:
        json.dump(model, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"trained on {len(train)} rows: {', '.join(model)}")


if __name__ == "__main__":
    main()
