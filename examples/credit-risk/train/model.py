"""Logistic regression for credit risk, in pure Python (no dependencies).

train.py fits it, eval.py scores it, and the service loads model.json.
Gender is deliberately not a feature.
"""

import csv
import glob
import json
import math
import os

FEATURES = ["age", "income", "debt", "debt_to_income"]


def load_rows(data_dir):
    """Rows of every CSV in data_dir, in file-name order."""
    rows = []
    for path in sorted(glob.glob(os.path.join(data_dir, "*.csv"))):
        with open(path, newline="") as f:
            rows.extend(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"no CSV rows in {data_dir}")
    return rows


def split(rows):
    """Every fifth row is held out for evaluation: train and eval agree on it
    without sharing state."""
    train = [r for i, r in enumerate(rows) if i % 5 != 4]
    holdout = [r for i, r in enumerate(rows) if i % 5 == 4]
    return train, holdout


def fit(rows, epochs=200, learning_rate=0.1):
    """Fits standardised features by batch gradient descent."""
    xs = [[float(r[f]) for f in FEATURES] for r in rows]
    ys = [int(r["label"]) for r in rows]
    n = len(xs)
    means = [sum(x[j] for x in xs) / n for j in range(len(FEATURES))]
    stds = [math.sqrt(sum((x[j] - means[j]) ** 2 for x in xs) / n) or 1.0 for j in range(len(FEATURES))]
    zs = [[(x[j] - means[j]) / stds[j] for j in range(len(FEATURES))] for x in xs]
    weights, bias = [0.0] * len(FEATURES), 0.0
    for _ in range(epochs):
        grad, grad_bias = [0.0] * len(FEATURES), 0.0
        for z, y in zip(zs, ys):
            err = _sigmoid(bias + sum(w * v for w, v in zip(weights, z))) - y
            grad_bias += err
            for j, v in enumerate(z):
                grad[j] += err * v
        bias -= learning_rate * grad_bias / n
        weights = [w - learning_rate * g / n for w, g in zip(weights, grad)]
    return {"features": FEATURES, "means": means, "stds": stds, "weights": weights, "bias": bias}


def score(model, row):
    """Probability of default for one row (a dict of feature values)."""
    z = model["bias"]
    for f, m, s, w in zip(model["features"], model["means"], model["stds"], model["weights"]):
        z += w * (float(row[f]) - m) / s
    return _sigmoid(z)


def auc(labels, scores):
    """Area under the ROC curve: the chance a random positive outranks a
    random negative (ties count half)."""
    pairs = sorted(zip(scores, labels))
    pos = sum(labels)
    neg = len(labels) - pos
    if pos == 0 or neg == 0:
        return 0.5
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + j + 1) / 2  # ranks are 1-based
        rank_sum += avg_rank * sum(label for _, label in pairs[i:j])
        i = j
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


def evaluate(fitted, rows):
    """Accuracy and AUC of fitted on labelled rows, and its predictions."""
    scores = [score(fitted, r) for r in rows]
    labels = [int(r["label"]) for r in rows]
    predictions = [1 if s >= 0.5 else 0 for s in scores]
    metrics = {
        "accuracy": round(sum(p == y for p, y in zip(predictions, labels)) / len(labels), 4),
        "auc": round(auc(labels, scores), 4),
    }
    return metrics, predictions


def write_metrics(metrics, path):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")


def save(model, model_dir):
    os.makedirs(model_dir, exist_ok=True)
    with open(os.path.join(model_dir, "model.json"), "w") as f:
        json.dump(model, f, indent=2, sort_keys=True)
        f.write("\n")


def load(model_dir):
    with open(os.path.join(model_dir, "model.json")) as f:
        return json.load(f)


def _sigmoid(z):
    if z < -60:
        return 0.0
    return 1 / (1 + math.exp(-z))
