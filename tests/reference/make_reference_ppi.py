#!/usr/bin/env python3
"""Reference values for concord-stats' prediction-powered model scores (ppi.rs) and planning (plan.rs).

Run:  /var/tmp/venv-ppi/bin/python tests/reference/make_reference_ppi.py
      (venv: python3 -m venv V && V/bin/pip install ppi-python==0.2.3)
Writes tests/reference/ppi/study.csv and tests/reference/ppi/expected.json.

The study is synthetic and MentalBench-like: 9 models × 2 attributes × 400 responses, 1–5
scores, a judge biased by +0.7 with noise, and a 10% human-rated sample (two clinicians per
rated response, Y = their mean). Model m9's judge is pure noise so PPI++'s λ is clipped at 0.
Every PPI/classical value comes from ppi_py itself; the judge-only mean is numpy's mean, the
model differences combine ppi_py's interval half-widths (independent samples), the planning
sizes are Bonett (2002) / (2z·s_d/w)² formulas and ppi_py's `ppi_mean_power`.
"""
import json
import math
from importlib.metadata import version
from pathlib import Path

import numpy as np
from scipy.stats import norm
from ppi_py import ppi_mean_ci, ppi_mean_pointestimate, classical_mean_ci
from ppi_py.ppi import _calc_lam_glm
from ppi_py import ppi_mean_power

HERE = Path(__file__).resolve().parent / "ppi"
SEED = 20261126
MODELS = [f"m{i + 1}" for i in range(9)]
ATTRIBUTES = ["empathy", "safety"]
PER_MODEL = 400
LABELLED_SHARE = 0.10


def make_study():
    rng = np.random.default_rng(SEED)
    rows = []
    for a_i, attr in enumerate(ATTRIBUTES):
        for m_i, model in enumerate(MODELS):
            quality = 2.6 + 0.12 * m_i + 0.2 * a_i
            latent = rng.normal(quality, 0.9, PER_MODEL)
            h1 = np.clip(np.rint(latent + rng.normal(0, 0.6, PER_MODEL)), 1, 5)
            h2 = np.clip(np.rint(latent + rng.normal(0, 0.6, PER_MODEL)), 1, 5)
            if model == "m9":
                judge = np.clip(np.rint(rng.normal(3.7, 1.0, PER_MODEL)), 1, 5)
            else:
                judge = np.clip(np.rint(latent + 0.7 + rng.normal(0, 0.8, PER_MODEL)), 1, 5)
            labelled = rng.random(PER_MODEL) < LABELLED_SHARE
            for r in range(PER_MODEL):
                human = (h1[r] + h2[r]) / 2 if labelled[r] else None
                rows.append((model, attr, f"{model}-{attr}-{r}", human, judge[r]))
    return rows


def write_csv(rows):
    HERE.mkdir(exist_ok=True)
    with open(HERE / "study.csv", "w") as f:
        f.write("model,attribute,response,human,judge\n")
        for model, attr, resp, human, judge in rows:
            h = "" if human is None else repr(float(human))
            f.write(f"{model},{attr},{resp},{h},{judge:.0f}\n")


def arrays(rows, model, attr):
    y = np.array([h for m, a, _, h, _ in rows if m == model and a == attr and h is not None])
    yhat = np.array([j for m, a, _, h, j in rows if m == model and a == attr and h is not None])
    yu = np.array([j for m, a, _, h, j in rows if m == model and a == attr and h is None])
    return y, yhat, yu


def ppi_lambda(y, yhat, yu):
    """The λ ppi_mean_ci(lam=None) uses, by its own code path."""
    theta = ppi_mean_pointestimate(y, yhat, yu, lam=1)
    return float(
        _calc_lam_glm(
            (y - theta).reshape(-1, 1),
            (yhat - theta).reshape(-1, 1),
            (yu - theta).reshape(-1, 1),
            np.eye(1),
            clip=True,
        )
    )


def f(x):
    return float(np.asarray(x).squeeze())


def estimate(y, yhat, yu, alpha):
    h_lo, h_hi = classical_mean_ci(y, alpha=alpha)
    p_lo, p_hi = ppi_mean_ci(y, yhat, yu, alpha=alpha)
    q_lo, q_hi = ppi_mean_ci(y, yhat, yu, alpha=alpha, lam=1)
    return {
        "n_labelled": int(len(y)),
        "n_unlabelled": int(len(yu)),
        "human_only": {"value": float(y.mean()), "ci95": [f(h_lo), f(h_hi)]},
        "judge_only": {"value": float(np.concatenate([yhat, yu]).mean())},
        "ppi_plus": {
            "value": f(ppi_mean_pointestimate(y, yhat, yu)),
            "ci95": [f(p_lo), f(p_hi)],
            "lambda": ppi_lambda(y, yhat, yu),
        },
        "ppi": {
            "value": f(ppi_mean_pointestimate(y, yhat, yu, lam=1)),
            "ci95": [f(q_lo), f(q_hi)],
        },
    }


def differences(estimates, alpha):
    z = norm.ppf(1 - alpha / 2)
    out = []
    for i, a in enumerate(estimates):
        for b in estimates[i + 1:]:
            if a["attribute"] != b["attribute"]:
                continue
            d = {"attribute": a["attribute"], "model_a": a["model"], "model_b": b["model"]}
            for key in ["human_only", "ppi_plus", "ppi"]:
                ha = (a[key]["ci95"][1] - a[key]["ci95"][0]) / 2
                hb = (b[key]["ci95"][1] - b[key]["ci95"][0]) / 2
                v = a[key]["value"] - b[key]["value"]
                half = math.hypot(ha, hb)
                d[key] = {"value": v, "ci95": [v - half, v + half]}
            d["judge_only"] = {"value": a["judge_only"]["value"] - b["judge_only"]["value"]}
            out.append(d)
    return out


def plans(rows):
    """ppi_mean_power's cheapest mix within each model's responses, and the bias/LoA sizes."""
    out = {"ppi": [], "bias": []}
    alpha = 0.05
    z = norm.ppf(1 - alpha / 2)
    for model in MODELS:
        y, yhat, yu = arrays(rows, model, "empathy")
        n_total = len(y) + len(yu)
        for width in [0.12, 0.2, 0.3, 0.5]:
            for judge_cost in [0.01, 0.5]:
                n0 = math.ceil((2 * z * y.std() / width) ** 2)
                res = ppi_mean_power(y, yhat, cost_Y=1.0, cost_Yhat=judge_cost,
                                     effective_n=n0, n_max=n_total)
                out["ppi"].append({
                    "model": model, "width": width, "judge_cost": judge_cost,
                    "n_total": n_total, "n_classical": n0,
                    "n": int(res["n"]), "N": int(res["N"]), "cost": float(res["cost"]),
                    "effective_n": int(res["effective_n"]), "ppi_corr": float(res["ppi_corr"]),
                })
        s_d = float(np.std(yhat - y, ddof=1))
        for width in [0.2, 0.5]:
            base = (2 * z * s_d / width) ** 2
            out["bias"].append({"model": model, "width": width, "sd_diff": s_d,
                                "bias_n": math.ceil(base), "loa_n": math.ceil(3 * base)})
    return out


def main():
    rows = make_study()
    write_csv(rows)
    expected = {
        "versions": {p: version(p) for p in ["ppi-python", "numpy", "scipy", "statsmodels"]},
        "seed": SEED,
        "estimate": {},
    }
    for alpha in [0.05, 0.1]:
        ests = []
        for attr in ATTRIBUTES:
            for model in MODELS:
                y, yhat, yu = arrays(rows, model, attr)
                e = {"model": model, "attribute": attr, **estimate(y, yhat, yu, alpha)}
                ests.append(e)
        expected["estimate"][str(alpha)] = {
            "estimates": ests,
            "differences": differences(ests, alpha),
        }
    expected["plan"] = plans(rows)
    with open(HERE / "expected.json", "w") as fh:
        json.dump(expected, fh, indent=1)
    lams = [e["ppi_plus"]["lambda"] for e in expected["estimate"]["0.05"]["estimates"]]
    print("lambda range", min(lams), max(lams))


if __name__ == "__main__":
    main()
