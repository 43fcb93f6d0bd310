"""Batch prediction (apps.api.batch): scores every applicant in the CSV
files of $MLC_DATA with the production model in $MLC_MODEL_DIR, the same
scoring the service runs (app.py), and writes
$MLC_PREDICTIONS/predictions.csv: id, default_probability.
"""

import csv
import glob
import os

import app


def main():
    model = app.load_model(os.environ["MLC_MODEL_DIR"])
    src, dst = os.environ["MLC_DATA"], os.environ["MLC_PREDICTIONS"]
    files = sorted(glob.glob(os.path.join(src, "**", "*.csv"), recursive=True))
    if not files:
        raise SystemExit(f"score.py: no CSV files in {src}")
    os.makedirs(dst, exist_ok=True)
    count = 0
    with open(os.path.join(dst, "predictions.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["id", "default_probability"])
        for path in files:
            with open(path, newline="") as rows:
                for row in csv.DictReader(rows):
                    out.writerow([row["id"], round(app.default_probability(model, row), 6)])
                    count += 1
    print(f"scored {count} applicants from {len(files)} file(s) into {dst}/predictions.csv")


if __name__ == "__main__":
    main()
