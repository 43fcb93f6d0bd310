"""Scores labelled production data with the model in production.

Reads the applications in $MLC_DATA whose outcome is now known, prepared
by data/prep.py as the training data was (monitor.quality.prepare), and
writes the model's accuracy and AUC on them to $MLC_METRICS for the
monitor's quality gates.
"""

import os

import model


def main():
    rows = model.load_rows(os.environ["MLC_DATA"])
    fitted = model.load(os.environ["MLC_MODEL_DIR"])
    metrics, _ = model.evaluate(fitted, rows)
    model.write_metrics(metrics, os.environ["MLC_METRICS"])
    print(f"scored {len(rows)} labelled production rows: {metrics}")


if __name__ == "__main__":
    main()
