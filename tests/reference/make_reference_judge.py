#!/usr/bin/env python3
"""Reference values for "can an LLM judge replace a clinician?" (issue 16).

Run:  /path/to/venv/bin/python tests/reference/make_reference_judge.py
Writes tests/reference/data/judge_panel.csv, data/judge_complete.csv and expected_judge.json.

Everything here is written from the published definitions, independently of the Rust code and
of the Alternative Annotator Test authors' code (their repository has no licence):
- Alternative Annotator Test (Calderon, Reichart & Dror 2025, arXiv 2501.10970): item filter
  (judge + >= 2 humans), >= 30 items per tested human, S = -RMSE against the other humans'
  labels, ties count for both, scipy ttest_1samp(d, epsilon, alternative='less') on
  d = W_h - W_f, statsmodels multipletests(method='fdr_by') at q = 0.05, omega over tested
  humans, unweighted mean advantage probability.
- Replacement (ACORN-style): Krippendorff's interval alpha (`krippendorff` package) and
  ICC(A,1) (pingouin "ICC(A,1)", complete data) of the humans, and with the judge taking over each
  human's cells in turn, on the responses rated by the judge and >= 2 humans; the summary is
  the mean difference weighted by the number of ratings the judge took over.
- Bias diagnostics, judge vs the mean of the humans per response: SD ratio with the
  Pitman-Morgan interval found by root-finding on scipy's t-test of corr(X - cY, X + cY);
  Bland-Altman proportional bias and length bias as scipy linregress slopes with t_{n-2}
  intervals; self-preference as the Welch difference of mean bias (own models - others) with
  scipy's ttest_ind(equal_var=False).confidence_interval().
"""
import json
import math
from importlib.metadata import version
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pingouin
from scipy import optimize, stats
from statsmodels.stats.multitest import multipletests

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SEED = 20261126
HUMANS = ["h1", "h2", "h3", "h4"]
JUDGES = ["j_near", "j_biased", "j_noisy"]
OWN = {"j_biased": ["m2"]}  # exclude_own: the judge's own model family
EPS, Q, MIN_ITEMS = 0.2, 0.05, 30

pingouin.options["round"] = None
pingouin.options["round.column.CI95"] = None


def make_panel():
    """160 responses of 4 models; 4 humans with missing cells (h4 rates only 25); 3 judges."""
    rng = np.random.default_rng(SEED)
    n = 160
    models = np.array([f"m{i % 4 + 1}" for i in range(n)])
    length = np.rint(np.exp(rng.normal(6.0, 0.6, n)))
    latent = rng.normal(3.0, 1.0, n)
    hb = {"h1": 0.0, "h2": 0.3, "h3": -0.2, "h4": 0.1}
    df = pd.DataFrame({"target": [f"r{i + 1}" for i in range(n)], "model": models,
                       "length": length})
    for h in HUMANS:
        v = np.clip(np.rint(latent + hb[h] + rng.normal(0.0, 0.6, n)), 1, 5)
        rated = rng.random(n) < (0.85 if h != "h4" else 0.0)
        if h == "h4":
            rated[:25] = True
        df[h] = np.where(rated, v, np.nan)
    loglen = np.log(length) - 6.0
    near = latent + rng.normal(0.0, 0.6, n)
    biased = latent + 1.0 + 0.6 * (models == "m2") + rng.normal(0.0, 0.6, n)
    noisy = 3.0 + 0.3 * (latent - 3.0) + 0.4 * loglen + rng.normal(0.0, 1.2, n)
    for j, v in zip(JUDGES, [near, biased, noisy]):
        v = np.clip(np.rint(v), 1, 5)
        df[j] = np.where(rng.random(n) < 0.95, v, np.nan)
    return df


def make_complete():
    """60 responses, 3 humans and 2 judges, every cell rated (for pingouin's ICC)."""
    rng = np.random.default_rng(SEED + 1)
    n = 60
    latent = rng.normal(3.0, 1.0, n)
    df = pd.DataFrame({"target": [f"c{i + 1}" for i in range(n)]})
    for h, b in zip(HUMANS[:3], [0.0, 0.4, -0.3]):
        df[h] = np.clip(np.rint(latent + b + rng.normal(0.0, 0.6, n)), 1, 5)
    df["j_near"] = np.clip(np.rint(latent + rng.normal(0.0, 0.6, n)), 1, 5)
    df["j_noisy"] = np.clip(np.rint(3.0 + 0.3 * (latent - 3.0) + rng.normal(0.0, 1.2, n)), 1, 5)
    return df


def usable(df, judge, humans):
    """Rows the judge is scored on: judge rated, >= 1 human, own models excluded."""
    ok = df[judge].notna() & (df[humans].notna().sum(axis=1) >= 1)
    if judge in OWN:
        ok &= ~df["model"].isin(OWN[judge]) if "model" in df else True
    return df[ok]


def neg_rmse(pred, labels):
    return -math.sqrt(sum((pred - a) ** 2 for a in labels) / len(labels))


def alt_test(df, judge, humans):
    d = usable(df, judge, humans)
    d = d[d[humans].notna().sum(axis=1) >= 2]
    tested, untested, pvals = [], [], []
    for h in humans:
        w_f, w_h = [], []
        for _, row in d[d[h].notna()].iterrows():
            others = [row[o] for o in humans if o != h and not math.isnan(row[o])]
            s_f, s_h = neg_rmse(row[judge], others), neg_rmse(row[h], others)
            w_f.append(1 if s_f >= s_h else 0)
            w_h.append(1 if s_h >= s_f else 0)
        if len(w_f) < MIN_ITEMS:
            untested.append({"human": h, "n": len(w_f)})
            continue
        diff = np.array(w_h, float) - np.array(w_f, float)
        res = stats.ttest_1samp(diff, EPS, alternative="less")
        pvals.append(float(res.pvalue))
        tested.append({"human": h, "n": len(w_f), "rho_f": float(np.mean(w_f)),
                       "rho_h": float(np.mean(w_h)), "sd_difference": float(np.std(diff, ddof=1)),
                       "t": float(res.statistic), "p_value": float(res.pvalue)})
    rejected = multipletests(pvals, alpha=Q, method="fdr_by")[0] if pvals else []
    for t, r in zip(tested, rejected):
        t["rejected"] = bool(r)
    omega = float(np.mean(rejected)) if tested else None
    return {"n_items": int(len(d)), "winning_rate": omega,
            "passed": None if omega is None else omega >= 0.5,
            "advantage_probability": float(np.mean([t["rho_f"] for t in tested])) if tested else None,
            "humans": tested, "untested": untested}


def alpha_interval(m):
    return float(krippendorff.alpha(reliability_data=m.T, level_of_measurement="interval"))


def icc_a1(m):
    n, k = m.shape
    long = pd.DataFrame([(i, j, m[i, j]) for i in range(n) for j in range(k)],
                        columns=["t", "r", "y"])
    res = pingouin.intraclass_corr(long, targets="t", raters="r", ratings="y")
    return float(res.set_index("Type").loc["ICC(A,1)", "ICC"])


def replacement(df, judge, humans, with_icc):
    d = usable(df, judge, humans)
    d = d[d[humans].notna().sum(axis=1) >= 2]
    base = d[humans].to_numpy(float)
    out = {"n": int(len(d)), "all": {"alpha_interval": alpha_interval(base)}, "replaced": {}}
    if with_icc:
        out["all"]["ICC_A1"] = icc_a1(base)
    for i, h in enumerate(humans):
        m = base.copy()
        took = ~np.isnan(m[:, i])
        m[took, i] = d[judge].to_numpy(float)[took]
        r = {"alpha_interval": alpha_interval(m)}
        if with_icc:
            r["ICC_A1"] = icc_a1(m)
        r["n_ratings"] = int(took.sum())
        out["replaced"][h] = r
    # The summary: the humans' differences weighted by the ratings the judge took over.
    out["mean_delta"] = {}
    reps = [r for r in out["replaced"].values() if r["n_ratings"] > 0]
    out["replaced"] = {h: r for h, r in out["replaced"].items() if r["n_ratings"] > 0}
    for key in (["alpha_interval", "ICC_A1"] if with_icc else ["alpha_interval"]):
        w = np.array([r["n_ratings"] for r in reps], float)
        dl = np.array([r[key] - out["all"][key] for r in reps])
        out["mean_delta"][key] = float(np.sum(w * dl) / np.sum(w))
    return out


def pitman_morgan_ci(x, y):
    """95% CI of sd(x)/sd(y) for paired data: the c with |t| of corr(x - c y, x + c y) at the
    two-sided 5% point, found numerically (an independent route to the closed form)."""
    n = len(x)
    tcrit = stats.t.ppf(0.975, n - 2)

    def excess(c):
        r = np.corrcoef(x - c * y, x + c * y)[0, 1]
        return abs(r) * math.sqrt(n - 2) / math.sqrt(1 - r * r) - tcrit

    ratio = np.std(x, ddof=1) / np.std(y, ddof=1)
    lo = optimize.brentq(excess, ratio * 1e-3, ratio, xtol=1e-14)
    hi = optimize.brentq(excess, ratio, ratio * 1e3, xtol=1e-14)
    return float(ratio), [float(lo), float(hi)]


def slope_ci(x, y):
    r = stats.linregress(x, y)
    h = stats.t.ppf(0.975, len(x) - 2) * r.stderr
    return float(r.slope), [float(r.slope - h), float(r.slope + h)]


def bias_diagnostics(df, judge, humans):
    d = usable(df, judge, humans)
    j = d[judge].to_numpy(float)
    hm = d[humans].mean(axis=1).to_numpy(float)
    ratio, ratio_ci = pitman_morgan_ci(j, hm)
    diff = j - hm
    ba, ba_ci = slope_ci((j + hm) / 2.0, diff)
    ln, ln_ci = slope_ci(np.log(d["length"].to_numpy(float)), diff)
    out = {"n": int(len(d)), "sd_ratio": ratio, "sd_ratio_ci": ratio_ci,
           "proportional_bias": ba, "proportional_bias_ci": ba_ci,
           "length_bias": ln, "length_bias_ci": ln_ci}
    # Each clinician against the mean of the other clinicians on the same responses.
    out["clinicians"] = {}
    for h in humans:
        others = [o for o in humans if o != h]
        c = d[d[h].notna() & (d[others].notna().sum(axis=1) >= 1)]
        x, y = c[h].to_numpy(float), c[others].mean(axis=1).to_numpy(float)
        r, r_ci = pitman_morgan_ci(x, y)
        s_, s_ci = slope_ci((x + y) / 2.0, x - y)
        out["clinicians"][h] = {"n": int(len(c)), "sd_ratio": r, "sd_ratio_ci": r_ci,
                                "proportional_bias": s_, "proportional_bias_ci": s_ci}
    if judge in OWN:
        ok = df[judge].notna() & (df[humans].notna().sum(axis=1) >= 1)
        a = df[ok]
        own = a["model"].isin(OWN[judge])
        dd = a[judge] - a[humans].mean(axis=1)
        t = stats.ttest_ind(dd[own], dd[~own], equal_var=False)
        ci = t.confidence_interval(0.95)
        out["self_preference"] = {
            "n_own": int(own.sum()), "n_other": int((~own).sum()),
            "value": float(dd[own].mean() - dd[~own].mean()),
            "ci": [float(ci.low), float(ci.high)], "p": float(t.pvalue)}
    return out


def main():
    DATA.mkdir(exist_ok=True)
    panel = make_panel()
    complete = make_complete()
    panel.to_csv(DATA / "judge_panel.csv", index=False, float_format="%.0f", na_rep="")
    complete.to_csv(DATA / "judge_complete.csv", index=False, float_format="%.0f", na_rep="")
    # Round-trip through the CSVs so the expected values are those of the committed data.
    panel = pd.read_csv(DATA / "judge_panel.csv")
    complete = pd.read_csv(DATA / "judge_complete.csv")
    out = {
        "versions": {p: version(p) for p in
                     ["numpy", "scipy", "statsmodels", "pandas", "pingouin", "krippendorff"]},
        "options": {"epsilon": EPS, "q": Q, "min_items": MIN_ITEMS, "exclude_own": OWN},
        "alt_test": {j: alt_test(panel, j, HUMANS) for j in JUDGES},
        "replacement_panel": {j: replacement(panel, j, HUMANS, False) for j in JUDGES},
        "replacement_complete": {j: replacement(complete, j, HUMANS[:3], True)
                                 for j in ["j_near", "j_noisy"]},
        "bias": {j: bias_diagnostics(panel, j, HUMANS) for j in JUDGES},
    }
    with open(HERE / "expected_judge.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
