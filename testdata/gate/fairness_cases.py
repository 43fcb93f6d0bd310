#!/usr/bin/python3
"""Reference values for gate/fairness (mlc check fairness).

Writes fairness_data.csv and fairness_one_group.csv and prints the expected
figures. Regenerate with Debian's packages:

    /usr/bin/python3 testdata/gate/fairness_cases.py testdata/gate > testdata/gate/fairness_cases.json

Fairlearn and AIF360 are not packaged in Debian; their definitions are
written out with pandas and scikit-learn as those libraries compute them:
selection rate = weighted mean of (y == positive) per group (Fairlearn's
selection_rate); true/false positive rates from
sklearn.metrics.confusion_matrix(normalize="true", sample_weight=w), which
turns 0/0 into 0 (Fairlearn's true_positive_rate); differences max - min
and ratio min / max between groups (MetricFrame, "between_groups");
equalized odds = max of the TPR and FPR differences ("worst_case");
AIF360's disparate impact and statistical parity difference of the pooled
unprivileged rows against the privileged group.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.metrics import confusion_matrix


def rates(y, p, w):
    tn, fp, fn, tp = confusion_matrix(y, p, labels=[0, 1], sample_weight=w, normalize="true").ravel()
    return float(tp), float(fp)


def figures(df, col, label, pred, weight, privileged):
    y = (df[label] == 1).astype(int)
    sel = y if pred is None else (df[pred] == 1).astype(int)
    w = df[weight] if weight else pd.Series(1.0, index=df.index)
    groups, srs, tprs, fprs = {}, [], [], []
    # "a+b" is the intersection of columns a and b (Fairlearn's groups for
    # several sensitive features), named "x & y".
    by = col.split("+") if "+" in col else col
    for value, idx in df.groupby(by, sort=True).groups.items():
        value = " & ".join(map(str, value)) if isinstance(value, tuple) else value
        g = {"rows": len(idx), "selection_rate": float(np.average(sel[idx], weights=w[idx]))}
        srs.append(g["selection_rate"])
        if pred is not None:
            g["true_positive_rate"], g["false_positive_rate"] = rates(y[idx], sel[idx], w[idx])
            tprs.append(g["true_positive_rate"])
            fprs.append(g["false_positive_rate"])
        groups[str(value)] = g
    out = {"groups": groups, "demographic_parity_difference": max(srs) - min(srs),
           "demographic_parity_ratio": min(srs) / max(srs) if max(srs) else None}
    out["disparate_impact"] = out["demographic_parity_ratio"]
    if privileged is not None:
        priv = df[col] == privileged
        pr = np.average(sel[priv], weights=w[priv])
        ur = np.average(sel[~priv], weights=w[~priv])
        out["disparate_impact"] = float(ur / pr)
        out["statistical_parity_difference"] = float(ur - pr)
    if pred is not None:
        out["equal_opportunity_difference"] = max(tprs) - min(tprs)
        out["equalized_odds_difference"] = max(max(tprs) - min(tprs), max(fprs) - min(fprs))
    return out


def main(outdir):
    rng = np.random.default_rng(7)
    n = 400
    sex = rng.choice(["f", "m", "x", "ñ"], n, p=[0.45, 0.45, 0.05, 0.05])
    label = (rng.random(n) < np.where(sex == "m", 0.6, 0.4)).astype(int)
    label[sex == "x"] = 0  # a group with no positive labels: TPR 0/0
    pred = np.where(rng.random(n) < 0.8, label, 1 - label)
    df = pd.DataFrame({
        "sex": sex,
        "race": rng.choice(["A", "B", "C"], n),
        "label": label,
        "pred": pred,
        "w": np.round(rng.uniform(0.5, 2.0, n), 3),
    })
    data = os.path.join(outdir, "fairness_data.csv")
    df.to_csv(data, index=False)
    one = os.path.join(outdir, "fairness_one_group.csv")
    df.assign(sex="f").head(50).to_csv(one, index=False)

    cases = []
    for name, path, opts in [
        ("labels", data, {"protected": ["sex", "race"], "label": "label"}),
        ("labels weighted", data, {"protected": ["sex"], "label": "label", "weight": "w"}),
        ("predictions", data, {"protected": ["sex", "race"], "label": "label", "prediction": "pred"}),
        ("predictions weighted privileged", data,
         {"protected": ["sex"], "label": "label", "prediction": "pred", "weight": "w", "privileged": "m"}),
        ("one group", one, {"protected": ["sex"], "label": "label", "prediction": "pred"}),
        ("intersection", data, {"protected": ["sex+race"], "label": "label", "prediction": "pred", "weight": "w"}),
    ]:
        d = pd.read_csv(path)
        cases.append({"name": name, "file": os.path.basename(path), "options": opts, "attributes": {
            col: figures(d, col, opts["label"], opts.get("prediction"), opts.get("weight"), opts.get("privileged"))
            for col in opts["protected"]}})
    json.dump({"generator": "/usr/bin/python3 testdata/gate/fairness_cases.py testdata/gate",
               "versions": {"pandas": pd.__version__, "sklearn": sklearn.__version__, "numpy": np.__version__},
               "cases": cases}, sys.stdout, indent=1, ensure_ascii=False, allow_nan=False)
    sys.stdout.write("\n")


main(sys.argv[1])
