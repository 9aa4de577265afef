#!/usr/bin/env python3
"""Reference values for the missing-data ICC by REML (concord-stats `reml`).

Run:  /path/to/venv/bin/python tests/reference/make_reference_reml.py
Writes tests/reference/data/reml_missing.csv (a new crossed design with ~30% missing cells)
and tests/reference/expected_reml.json with statsmodels MixedLM REML variance components of
score ~ 1 + (1|target) + (1|rater) for that file and for data/missing.csv, and the other
references of issue 14: irrCAC `fleiss` with missing ratings (both files), the Spearman CI with
Bonett & Wright's SE, the Bland-Altman limits with z = 1.96 and Lin's CCC with epiR's z-transform
interval (data/judge.csv; scipy quantiles).

statsmodels fits crossed random effects as variance components of one all-encompassing group
(vc_formula, re_formula="0"). Each fit is run with several optimizers; the spread between them
is recorded so the tolerance of the Rust test (1e-4) is seen to exceed the reference's own
convergence noise.
"""
import json
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from irrCAC.raw import CAC
from scipy import stats

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SEED = 20261126


def make_data():
    rng = np.random.default_rng(SEED)
    n, k = 60, 5
    target = rng.normal(3.0, 1.0, n)
    rater = rng.normal(0.0, 0.5, k)
    y = np.clip(np.rint(target[:, None] + rater[None, :] + rng.normal(0, 0.7, (n, k))), 1, 5)
    y[rng.random((n, k)) < 0.30] = np.nan
    # Every target keeps at least one rating (a fully blank row carries no information).
    for i in range(n):
        if np.all(np.isnan(y[i])):
            y[i, rng.integers(k)] = 3.0
    return y


def write_matrix(path, m):
    cols = [f"r{j + 1}" for j in range(m.shape[1])]
    df = pd.DataFrame(m, columns=cols)
    df.insert(0, "target", [f"t{i + 1}" for i in range(m.shape[0])])
    df.to_csv(path, index=False, float_format="%.0f", na_rep="")


def read_matrix(path):
    return pd.read_csv(path).drop(columns="target").to_numpy(dtype=float)


def reml(m):
    n, k = m.shape
    rows = [(i, j, m[i, j]) for i in range(n) for j in range(k) if not np.isnan(m[i, j])]
    df = pd.DataFrame(rows, columns=["target", "rater", "score"])
    df["all"] = 1
    model = smf.mixedlm(
        "score ~ 1",
        df,
        groups="all",
        re_formula="0",
        vc_formula={"target": "0 + C(target)", "rater": "0 + C(rater)"},
    )
    fits = []
    for method in ["lbfgs", "bfgs", "powell"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = model.fit(reml=True, method=[method], maxiter=5000)
        names = list(model.exog_vc.names)
        vc = dict(zip(names, (float(v) for v in r.vcomp)))
        fits.append(
            {
                "method": method,
                "target": vc["target"],
                "rater": vc["rater"],
                "residual": float(r.scale),
                "mean": float(r.fe_params.iloc[0]),
                "llf": float(r.llf),
            }
        )
    best = max(fits, key=lambda f: f["llf"])
    spread = max(
        abs(f[c] - best[c]) for f in fits for c in ("target", "rater", "residual")
    )
    s, r_, e = best["target"], best["rater"], best["residual"]
    kbar = len(df) / df["target"].nunique()
    return {
        "optimizer": best["method"],
        "optimizer_spread": spread,
        "components": {"target": s, "rater": r_, "residual": e},
        "mean": best["mean"],
        "k": kbar,
        "ICC_A1": s / (s + r_ + e),
        "ICC_C1": s / (s + e),
        "ICC_Ak": s / (s + (r_ + e) / kbar),
        "ICC_Ck": s / (s + e / kbar),
        "n_ratings": len(df),
    }


def fleiss_missing(m):
    """irrCAC's Fleiss kappa on every subject, missing ratings as NaN (categories 1..5)."""
    cac = CAC(pd.DataFrame(m), categories=[1, 2, 3, 4, 5], digits=15).fleiss()["est"]
    lo, hi = cac["confidence_interval"]
    return {"value": cac["coefficient_value"], "se": cac["se"], "ci95": [lo, hi]}


def judge_refs():
    d = pd.read_csv(DATA / "judge.csv")
    x, y = d["judge"].to_numpy(), d["human_mean"].to_numpy()
    n = len(x)
    rho = float(stats.spearmanr(x, y).statistic)
    # Bonett & Wright (2000): SE of atanh(rho) = sqrt((1 + rho^2/2) / (n - 3)).
    h = stats.norm.ppf(0.975) * np.sqrt((1 + rho**2 / 2) / (n - 3))
    z = np.arctanh(rho)
    diff = x - y
    bias, sd = float(diff.mean()), float(diff.std(ddof=1))
    zl = 1.96  # Bland & Altman (1986, 1999); pingouin.plot_blandaltman(agreement=1.96)
    se = sd * np.sqrt(1 / n + zl**2 / (2 * (n - 1)))
    t = stats.t.ppf(0.975, n - 1)
    lo, hi = bias - zl * sd, bias + zl * sd
    # Lin's CCC with the z-transform interval, transcribed from epiR::epi.ccc (ci = "z-transform").
    mx, my = x.mean(), y.mean()
    sx2, sy2 = x.var(ddof=0), y.var(ddof=0)
    sxy = ((x - mx) * (y - my)).sum() / n
    p = 2 * sxy / (sx2 + sy2 + (mx - my) ** 2)
    r = stats.pearsonr(x, y).statistic
    u = (my - mx) / np.sqrt(np.sqrt(sx2) * np.sqrt(sy2))
    sep = np.sqrt(
        ((1 - r**2) * p**2 * (1 - p**2) / r**2 + 2 * p**3 * (1 - p) * u**2 / r
         - 0.5 * p**4 * u**4 / r**2) / (n - 2)
    )
    t_ = np.arctanh(p)
    set_ = sep / (1 - p**2)
    zv = stats.norm.ppf(0.975)
    ccc = {
        "value": float(p),
        "se": float(set_),
        "ci95": [float(np.tanh(t_ - zv * set_)), float(np.tanh(t_ + zv * set_))],
    }
    return {
        "ccc": ccc,
        "spearman": {"value": rho, "ci95": [float(np.tanh(z - h)), float(np.tanh(z + h))]},
        "bland_altman": {
            "bias": bias,
            "sd": sd,
            "loa": [lo, hi],
            "loa_ci95": [[lo - t * se, lo + t * se], [hi - t * se, hi + t * se]],
        },
    }


def main():
    m = make_data()
    write_matrix(DATA / "reml_missing.csv", m)
    out = {
        "versions": {
            p: version(p) for p in ["statsmodels", "numpy", "pandas", "scipy", "irrCAC"]
        },
        "seed": SEED,
        "reml_missing": reml(read_matrix(DATA / "reml_missing.csv")),
        "missing": reml(read_matrix(DATA / "missing.csv")),
        "fleiss_missing": {
            "reml_missing": fleiss_missing(read_matrix(DATA / "reml_missing.csv")),
            "missing": fleiss_missing(read_matrix(DATA / "missing.csv")),
        },
        "judge": judge_refs(),
    }
    (HERE / "expected_reml.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
