"""Scores the model in $MLC_MODEL_DIR on the held-out rows: writes
$MLC_METRICS (accuracy) and $MLC_PREDICTIONS (label,prediction)."""

import csv
import json
import os
import sys

import model


def main():
    _, holdout = model.load()
    with open(os.path.join(os.environ["MLC_MODEL_DIR"], "model.json")) as f:
        m = json.load(f)
    predictions = [model.predict(m, r) for r in holdout]
    accuracy = sum(p == r["species"] for p, r in zip(predictions, holdout)) / len(holdout)
    for path in (os.environ["MLC_METRICS"], os.environ["MLC_PREDICTIONS"]):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(os.environ["MLC_METRICS"], "w") as f:
        json.dump({"accuracy": round(accuracy, 4)}, f)
    with open(os.environ["MLC_PREDICTIONS"], "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["label", "prediction"])
        out.writerows((r["species"], p) for r, p in zip(holdout, predictions))
    print(f"{sys.argv[1]}: accuracy {accuracy:.4f} on {len(holdout)} held-out rows")


if __name__ == "__main__":
    main()
