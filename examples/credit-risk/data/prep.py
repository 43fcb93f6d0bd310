"""Prepares raw credit applications for training and drift checks.

Reads every CSV in $MLC_DATA (the fetched files, in name order), drops the
applicant id (an identifier, not a feature), adds the debt-to-income ratio
and writes one CSV to $MLC_PREPARED/credit.csv.
"""

import csv
import glob
import os

COLUMNS = ["age", "income", "debt", "debt_to_income", "gender", "label"]


def prepare(row):
    income = float(row["income"])
    debt = float(row["debt"])
    return {
        "age": int(row["age"]),
        "income": income,
        "debt": debt,
        "debt_to_income": round(debt / income, 6) if income > 0 else 0.0,
        "gender": row["gender"],
        "label": int(row["label"]),
    }


def main():
    src, dst = os.environ["MLC_DATA"], os.environ["MLC_PREPARED"]
    files = sorted(glob.glob(os.path.join(src, "**", "*.csv"), recursive=True))
    if not files:
        raise SystemExit(f"prep.py: no CSV files in {src}")
    os.makedirs(dst, exist_ok=True)
    count = 0
    with open(os.path.join(dst, "credit.csv"), "w", newline="") as f:
        out = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        out.writeheader()
        for path in files:
            with open(path, newline="") as rows:
                for row in csv.DictReader(rows):
                    out.writerow(prepare(row))
                    count += 1
    print(f"prepared {count} rows from {len(files)} file(s) into {dst}/credit.csv")


if __name__ == "__main__":
    main()
