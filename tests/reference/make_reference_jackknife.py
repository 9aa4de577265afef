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

`paired_complete_items` and `humans_complete_items` hold the same jackknife of every other
statistic the report gives on responses nested in items (`ci_method` "cluster-jackknife-t"):
each judge against the human mean (scipy pearsonr, spearmanr, kendalltau; pingouin ICC2/ICC3;
Lin's CCC, the bias and the Bland-Altman limits from their formulas), and among the humans
(pingouin ICC3/ICC3k, statsmodels Fleiss, irrCAC Gwet, scikit-learn Cohen kappas, each rater
against the others' mean).
"""
import json
import math
from importlib.metadata import version
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pingouin as pg
from irrCAC.raw import CAC
from scipy import stats
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

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


CATS = [1, 2, 3, 4, 5]


def icc_forms(m):
    """pingouin's six ICCs of a complete targets x raters matrix, in its row order (named
    ICC1..ICC3k by older pingouin, ICC(1,1)..ICC(C,k) by newer)."""
    n, k = m.shape
    long = pd.DataFrame({"t": np.repeat(np.arange(n), k), "r": np.tile(np.arange(k), n),
                         "y": m.ravel()})
    table = pg.intraclass_corr(long, targets="t", raters="r", ratings="y")
    keys = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    return dict(zip(keys, table["ICC"].astype(float)))


def paired(x, y):
    """The judge-vs-human statistics of pairs (x = judge, y = human mean)."""
    d = x - y
    sd = float(np.std(d, ddof=1))
    bias = float(np.mean(d))
    vx, vy = np.var(x), np.var(y)
    cov = float(np.mean((x - x.mean()) * (y - y.mean())))
    icc = icc_forms(np.column_stack([x, y]))
    return {
        "ICC_A1": icc["ICC2"],
        "ICC_C1": icc["ICC3"],
        "bias": bias,
        "loa_lower": bias - 1.96 * sd,
        "loa_upper": bias + 1.96 * sd,
        "pearson": float(stats.pearsonr(x, y)[0]),
        "spearman": float(stats.spearmanr(x, y)[0]),
        "kendall_tau_b": float(stats.kendalltau(x, y)[0]),
        "ccc": 2 * cov / (vx + vy + (x.mean() - y.mean()) ** 2),
    }


def paired_jackknife(df, judge, humans, size):
    """Every paired statistic of `judge` against the humans' mean, items of `size` left out."""
    cluster = np.arange(len(df)) // size
    used = df[judge].notna() & df[humans].notna().any(axis=1)

    def stat(keep):
        d = df[used & keep]
        return paired(d[judge].to_numpy(float), d[humans].mean(axis=1).to_numpy(float))

    full = stat(np.ones(len(df), bool))
    reps = [stat(cluster != c) for c in sorted(set(cluster[used]))]
    return {k: jackknife(v, [r[k] for r in reps]) for k, v in full.items()}


def humans_stats(m):
    """Every human statistic the report leaves out items for, on a complete matrix."""
    icc = icc_forms(m)
    table, _ = aggregate_raters(m.astype(int), n_cat=None)
    df = pd.DataFrame(m)
    gwet = {w: float(CAC(df, weights=w, categories=CATS, digits=15).gwet()["est"]
                     ["coefficient_value"]) for w in ["identity", "linear", "quadratic"]}
    out = {
        "ICC3": icc["ICC3"],
        "ICC3k": icc["ICC3k"],
        "fleiss_kappa": float(fleiss_kappa(table, method="fleiss")),
        "gwet_ac1": gwet["identity"],
        "gwet_ac2_linear": gwet["linear"],
        "gwet_ac2_quadratic": gwet["quadratic"],
    }
    k = m.shape[1]
    for a in range(k):
        for b in range(a + 1, k):
            for name, w in [("unweighted", None), ("linear", "linear"),
                            ("quadratic", "quadratic")]:
                out[f"kappa_{a}_{b}_{name}"] = float(
                    cohen_kappa_score(m[:, a], m[:, b], labels=CATS, weights=w))
    for j in range(k):
        x = m[:, j]
        y = np.delete(m, j, axis=1).mean(axis=1)
        out[f"rater_{j}_ICC_C1"] = icc_forms(np.column_stack([x, y]))["ICC3"]
        out[f"rater_{j}_bias"] = float(np.mean(x - y))
    return out


def humans_jackknife(df, humans, size):
    m = df[humans].to_numpy(float)
    cluster = np.arange(len(m)) // size
    full = humans_stats(m)
    reps = [humans_stats(m[cluster != c]) for c in sorted(set(cluster))]
    return {k: jackknife(v, [r[k] for r in reps]) for k, v in full.items()}


def main():
    panel = pd.read_csv(DATA / "judge_panel.csv")
    complete = pd.read_csv(DATA / "judge_complete.csv")
    out = {
        "versions": {p: version(p) for p in ["numpy", "scipy", "pandas", "pingouin",
                                             "krippendorff", "irrCAC", "scikit-learn",
                                             "statsmodels"]},
        "panel_item": PANEL_ITEM,
        "complete_item": COMPLETE_ITEM,
        "alpha_panel_responses": alpha_jackknife(panel, None),
        "alpha_panel_items": alpha_jackknife(panel, PANEL_ITEM),
        "replacement_panel_items": {
            "j_noisy": replacement_jackknife(panel, "j_noisy", HUMANS, PANEL_ITEM, False)},
        "replacement_complete_items": {
            j: replacement_jackknife(complete, j, HUMANS[:3], COMPLETE_ITEM, True)
            for j in ["j_near", "j_noisy"]},
        "paired_complete_items": {
            j: paired_jackknife(complete, j, HUMANS[:3], COMPLETE_ITEM)
            for j in ["j_near", "j_noisy"]},
        "humans_complete_items": humans_jackknife(complete, HUMANS[:3], COMPLETE_ITEM),
    }
    with open(HERE / "expected_jackknife.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
