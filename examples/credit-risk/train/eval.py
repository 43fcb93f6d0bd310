"""Evaluates the model in $MLC_MODEL_DIR on the held-out rows.

Writes $MLC_METRICS (JSON: accuracy, auc) for the metric gates and
$MLC_PREDICTIONS (CSV: gender,label,prediction) for the fairness gate.
"""

import csv
import os

import model


def main():
    _, holdout = model.split(model.load_rows(os.environ["MLC_DATA_CREDIT"]))
    fitted = model.load(os.environ["MLC_MODEL_DIR"])
    metrics, predictions = model.evaluate(fitted, holdout)
    model.write_metrics(metrics, os.environ["MLC_METRICS"])
    os.makedirs(os.path.dirname(os.environ["MLC_PREDICTIONS"]) or ".", exist_ok=True)
    with open(os.environ["MLC_PREDICTIONS"], "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["gender", "label", "prediction"])
        for r, p in zip(holdout, predictions):
            out.writerow([r["gender"], r["label"], p])
    print(f"evaluated on {len(holdout)} held-out rows: {metrics}")


if __name__ == "__main__":
    main()
