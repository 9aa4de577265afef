#!/usr/bin/env python3
"""Generate the reference datasets and expected values for concord-stats.

Run from anywhere:  tests/reference/.venv/bin/python tests/reference/make_reference.py
Writes tests/reference/data/*.csv and tests/reference/expected.json. Every expected value is
computed by a third-party package (pingouin, krippendorff, statsmodels, scikit-learn, irrCAC,
scipy); the only hand formula is the Fisher-z interval for Spearman's rho, which scipy lacks.
"""
import json
import math
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import krippendorff
from irrCAC.raw import CAC
from scipy import stats
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SEED = 20240601
SCALE = (1, 5)
CATS = list(range(SCALE[0], SCALE[1] + 1))

pingouin.options["round"] = None
pingouin.options["round.column.CI95"] = None


def make_data():
    rng = np.random.default_rng(SEED)
    n, k = 40, 4
    latent = rng.normal(3.0, 1.0, n)
    rater_bias = np.array([0.0, 0.3, -0.2, 0.5])
    noise = rng.normal(0.0, 0.7, (n, k))
    balanced = np.clip(np.rint(latent[:, None] + rater_bias[None, :] + noise), 1, 5)
    missing = balanced.copy()
    mask = rng.random((n, k)) < 0.10
    missing[mask] = np.nan
    judge = np.clip(np.rint(latent + 0.7 + rng.normal(0.0, 0.6, n)), 1, 5)
    return balanced, missing, judge


def write_matrix(path, m):
    cols = [f"r{j + 1}" for j in range(m.shape[1])]
    df = pd.DataFrame(m, columns=cols)
    df.insert(0, "target", [f"t{i + 1}" for i in range(m.shape[0])])
    df.to_csv(path, index=False, float_format="%.0f", na_rep="")


def icc_expected(m):
    n, k = m.shape
    long = pd.DataFrame(
        [(i, j, m[i, j]) for i in range(n) for j in range(k)], columns=["t", "r", "y"]
    )
    res = pingouin.intraclass_corr(long, targets="t", raters="r", ratings="y", nan_policy="omit")
    keys = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    out = {}
    for key, (_, row) in zip(keys, res.iterrows()):
        out[key] = {
            "value": float(row["ICC"]),
            "ci95": [float(row["CI95"][0]), float(row["CI95"][1])],
            "F": float(row["F"]),
            "df1": float(row["df1"]),
            "df2": float(row["df2"]),
            "p": float(row["pval"]),
        }
    return out


def alpha_expected(m):
    return {
        lvl: float(krippendorff.alpha(reliability_data=m.T, level_of_measurement=lvl))
        for lvl in ["nominal", "ordinal", "interval", "ratio"]
    }


def pairs_expected(m):
    out = []
    k = m.shape[1]
    for a in range(k):
        for b in range(a + 1, k):
            ok = ~np.isnan(m[:, a]) & ~np.isnan(m[:, b])
            x, y = m[ok, a].astype(int), m[ok, b].astype(int)
            table = np.zeros((len(CATS), len(CATS)))
            for u, v in zip(x, y):
                table[u - SCALE[0], v - SCALE[0]] += 1
            entry = {"raters": [a, b], "n": int(ok.sum())}
            for name, wt in [("unweighted", None), ("linear", "linear"), ("quadratic", "quadratic")]:
                r = cohens_kappa(table, wt=wt)
                entry[name] = {
                    "value": float(r.kappa),
                    "se": float(r.std_kappa),
                    "ci95": [float(r.kappa_low), float(r.kappa_upp)],
                    "sklearn": float(
                        cohen_kappa_score(x, y, labels=CATS, weights=None if wt is None else wt)
                    ),
                }
            entry["exact"] = float(np.mean(x == y))
            entry["within_one"] = float(np.mean(np.abs(x - y) <= 1))
            out.append(entry)
    return out


def cac_entry(est):
    e = est["est"]
    return {
        "value": float(e["coefficient_value"]),
        "se": float(e["se"]),
        "ci95": [float(e["confidence_interval"][0]), float(e["confidence_interval"][1])],
    }


def gwet_expected(m):
    df = pd.DataFrame(m)
    return {
        "ac1": cac_entry(CAC(df, weights="identity", categories=CATS, digits=15).gwet()),
        "ac2_linear": cac_entry(CAC(df, weights="linear", categories=CATS, digits=15).gwet()),
        "ac2_quadratic": cac_entry(
            CAC(df, weights="quadratic", categories=CATS, digits=15).gwet()
        ),
    }


def fleiss_expected(m):
    complete = m[~np.isnan(m).any(axis=1)]
    table, _ = aggregate_raters(complete.astype(int), n_cat=None)
    cac = cac_entry(CAC(pd.DataFrame(complete), categories=CATS, digits=15).fleiss())
    cac["statsmodels"] = float(fleiss_kappa(table, method="fleiss"))
    cac["n"] = int(complete.shape[0])
    return cac


def judge_expected(judge, human):
    n = len(judge)
    long = pd.DataFrame(
        [(i, r, v) for i in range(n) for r, v in ((0, judge[i]), (1, human[i]))],
        columns=["t", "r", "y"],
    )
    res = pingouin.intraclass_corr(long, targets="t", raters="r", ratings="y").set_index("Type")
    icc = {}
    for key, typ in [("ICC_A1", "ICC(A,1)"), ("ICC_C1", "ICC(C,1)")]:
        icc[key] = {
            "value": float(res.loc[typ, "ICC"]),
            "ci95": [float(res.loc[typ, "CI95"][0]), float(res.loc[typ, "CI95"][1])],
        }
    d = judge - human
    se = stats.sem(d)
    lo, hi = stats.t.interval(0.95, n - 1, loc=d.mean(), scale=se)
    pr = stats.pearsonr(judge, human)
    pci = pr.confidence_interval(0.95)
    sr = stats.spearmanr(judge, human)
    z = math.atanh(sr.statistic)
    h = stats.norm.ppf(0.975) / math.sqrt(n - 3)
    kt = stats.kendalltau(judge, human, method="asymptotic")
    return {
        "n": n,
        "icc": icc,
        "bias": {"value": float(d.mean()), "se": float(se), "ci95": [float(lo), float(hi)]},
        "pearson": {
            "value": float(pr.statistic),
            "p": float(pr.pvalue),
            "ci95": [float(pci.low), float(pci.high)],
        },
        "spearman": {
            "value": float(sr.statistic),
            "p": float(sr.pvalue),
            "ci95": [math.tanh(z - h), math.tanh(z + h)],
        },
        "kendall_tau_b": {"value": float(kt.statistic), "p": float(kt.pvalue)},
    }


def main():
    DATA.mkdir(parents=True, exist_ok=True)
    balanced, missing, judge = make_data()
    write_matrix(DATA / "balanced.csv", balanced)
    write_matrix(DATA / "missing.csv", missing)
    human = balanced.mean(axis=1)
    pd.DataFrame(
        {"target": [f"t{i + 1}" for i in range(len(judge))], "judge": judge, "human_mean": human}
    ).to_csv(DATA / "judge.csv", index=False, float_format="%.17g")

    expected = {
        "generated_by": "tests/reference/make_reference.py",
        "numpy_seed": SEED,
        "scale": list(SCALE),
        "versions": {
            "python": sys.version.split()[0],
            **{
                p: version(p)
                for p in [
                    "numpy",
                    "pandas",
                    "scipy",
                    "pingouin",
                    "krippendorff",
                    "statsmodels",
                    "scikit-learn",
                    "irrCAC",
                ]
            },
        },
        "balanced": {
            "file": "data/balanced.csv",
            "icc": icc_expected(balanced),
            "alpha": alpha_expected(balanced),
            "pairs": pairs_expected(balanced),
            "fleiss_kappa": fleiss_expected(balanced),
            "gwet": gwet_expected(balanced),
        },
        "missing": {
            "file": "data/missing.csv",
            "icc": icc_expected(missing),
            "alpha": alpha_expected(missing),
            "pairs": pairs_expected(missing),
            "fleiss_kappa": fleiss_expected(missing),
            "gwet": gwet_expected(missing),
        },
        "judge": {"file": "data/judge.csv", **judge_expected(judge, human)},
    }
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    print("wrote", HERE / "expected.json")


if __name__ == "__main__":
    main()
