#!/usr/bin/env python3
"""Reference values for the delete-one-cluster jackknife intervals of alpha and the replacement
test.

Run:  /path/to/venv/bin/python tests/reference/make_reference_jackknife.py
Reads data/judge_panel.csv and data/judge_complete.csv (made by make_reference_judge.py) and
writes expected_jackknife.json.

Written from the definitions, independently of the Rust code: each cluster is left out in turn
and the statistic recomputed from scratch, with the `krippendorff` package (alpha at four
levels) and make_reference_judge's replacement analysis (krippendorff and pingouin); then
SE = sqrt((C - 1)/C * sum_c (theta_c - mean)^2) and the interval theta +/- t_{C-1, 0.975} * SE
with scipy's t quantile. Clusters are items of consecutive responses (item = row // size) or,
for alpha, every response with at least two ratings.
"""
import json
import math
from importlib.metadata import version
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
from scipy import stats

from make_reference_judge import HUMANS, replacement

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
LEVELS = ["nominal", "ordinal", "interval", "ratio"]
PANEL_ITEM = 4  # responses per item in judge_panel.csv
COMPLETE_ITEM = 3  # responses per item in judge_complete.csv


def jackknife(theta, reps):
    reps = np.asarray(reps, float)
    c = len(reps)
    se = math.sqrt((c - 1) / c * float(np.sum((reps - reps.mean()) ** 2)))
    h = float(stats.t.ppf(0.975, c - 1)) * se
    return {"value": theta, "se": se, "ci95": [theta - h, theta + h], "clusters": c}


def alpha(m, level):
    return float(krippendorff.alpha(reliability_data=m.T, level_of_measurement=level))


def alpha_jackknife(df, size):
    """Alpha of the humans with items of `size` rows (or single responses when None) left out."""
    m = df[HUMANS].to_numpy(float)
    pairable = np.sum(~np.isnan(m), axis=1) >= 2
    cluster = np.arange(len(m)) // size if size else np.arange(len(m))
    left_out = sorted(set(cluster[pairable]))
    return {level: jackknife(alpha(m, level),
                             [alpha(m[cluster != c], level) for c in left_out])
            for level in LEVELS}


def replacement_jackknife(df, judge, humans, size, with_icc):
    """mean delta of the replacement test with items of `size` rows left out."""
    cluster = np.arange(len(df)) // size
    used = replacement(df, judge, humans, with_icc)
    keys = ["alpha_interval", "ICC_A1"] if with_icc else ["alpha_interval"]
    # Only clusters with a used response move the statistic; the Rust side counts those.
    d = df[df[judge].notna() & (df[humans].notna().sum(axis=1) >= 2)]
    present = sorted(set(cluster[d.index]))
    reps = [replacement(df[cluster != c], judge, humans, with_icc)["mean_delta"]
            for c in present]
    return {k: jackknife(used["mean_delta"][k], [r[k] for r in reps]) for k in keys}


def main():
    panel = pd.read_csv(DATA / "judge_panel.csv")
    complete = pd.read_csv(DATA / "judge_complete.csv")
    out = {
        "versions": {p: version(p) for p in ["numpy", "scipy", "pandas", "pingouin",
                                             "krippendorff"]},
        "panel_item": PANEL_ITEM,
        "complete_item": COMPLETE_ITEM,
        "alpha_panel_responses": alpha_jackknife(panel, None),
        "alpha_panel_items": alpha_jackknife(panel, PANEL_ITEM),
        "replacement_panel_items": {
            "j_noisy": replacement_jackknife(panel, "j_noisy", HUMANS, PANEL_ITEM, False)},
        "replacement_complete_items": {
            j: replacement_jackknife(complete, j, HUMANS[:3], COMPLETE_ITEM, True)
            for j in ["j_near", "j_noisy"]},
    }
    with open(HERE / "expected_jackknife.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
