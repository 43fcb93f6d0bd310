"""Evaluates the model in $MLC_MODEL_DIR on the held-out rows.

Writes $MLC_METRICS (JSON: accuracy, auc) for the metric gates and
$MLC_PREDICTIONS (CSV: gender,label,prediction) for the fairness gate.
"""

import csv
import json
import os

import model


def main():
    _, holdout = model.split(model.load_rows(os.environ["MLC_DATA_CREDIT"]))
    fitted = model.load(os.environ["MLC_MODEL_DIR"])
    scores = [model.score(fitted, r) for r in holdout]
    labels = [int(r["label"]) for r in holdout]
    predictions = [1 if s >= 0.5 else 0 for s in scores]
    metrics = {
        "accuracy": round(sum(p == y for p, y in zip(predictions, labels)) / len(labels), 4),
        "auc": round(model.auc(labels, scores), 4),
    }
    for path in (os.environ["MLC_METRICS"], os.environ["MLC_PREDICTIONS"]):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(os.environ["MLC_METRICS"], "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.environ["MLC_PREDICTIONS"], "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["gender", "label", "prediction"])
        for r, p in zip(holdout, predictions):
            out.writerow([r["gender"], r["label"], p])
    print(f"evaluated on {len(holdout)} held-out rows: {metrics}")


if __name__ == "__main__":
    main()
