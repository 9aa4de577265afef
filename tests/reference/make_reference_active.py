#!/usr/bin/env python3
"""Reference values for the estimate after active sampling (issue 12, item 3).

Builds `active/design.csv`: 3 models × 600 responses, one judge (bias +0.6, noisier on "hard"
responses), a uniform base sample of 5% per model, then one active round of 60 picks per model
drawn with π ∝ the judge's uncertainty mixed with 20% uniform (Poisson sampling), so every
response's probability of being rated is π = 1 − (1 − 0.05)(1 − π_round). Columns: model, f
(judge score), pi, y (human score, blank when not rated).

Writes `active/expected.json`: per model the active-inference mean of Zrnic & Candès (2024)
with power tuning, computed here independently of the Rust code: Z_i = λ f_i + c + (y_i − λ f_i
− c) ξ_i/π_i with (λ, c) the least-squares fit that minimises the sample variance of Z
(numpy `lstsq` of A = ξy/π on B = f(1 − ξ/π) and C = 1 − ξ/π with an intercept), λ clipped to
[0, 1] and c refitted given λ; estimate mean(Z), se = std(Z, ddof=0)/√N, interval ± z(0.975)·se
(scipy `norm.ppf`). Seed 20261126.

Run: /var/tmp/venv-ppi/bin/python tests/reference/make_reference_active.py
"""
import csv
import json
from importlib.metadata import version
from pathlib import Path

import numpy as np
from scipy.stats import norm

HERE = Path(__file__).parent / "active"
MODELS, N, BASE, PICKS, MIX = 3, 600, 0.05, 60, 0.2


def design(rng, m):
    quality = 3.0 + 0.4 * m
    latent = quality + 0.8 * rng.standard_normal(N)
    hard = rng.random(N) < 0.3
    judge_sd = np.where(hard, 1.3, 0.3)
    f = np.clip(np.round(latent + 0.6 + judge_sd * rng.standard_normal(N)), 1, 5)
    y_all = np.clip(np.round(latent + 0.5 * rng.standard_normal(N)), 1, 5)
    u = np.where(hard, 1.3, 0.3)  # the sampler's uncertainty: known hard responses
    pi_round = (1 - MIX) * PICKS * u / u.sum() + MIX * PICKS / N
    pi_round = np.minimum(pi_round, 1.0)
    rated = (rng.random(N) < BASE) | (rng.random(N) < pi_round)
    pi = 1 - (1 - BASE) * (1 - pi_round)
    return f, pi, np.where(rated, y_all, np.nan)


def active_mean(f, pi, y, alpha=0.05):
    xi = ~np.isnan(y)
    w = np.where(xi, 1.0 / pi, 0.0)
    a = w * np.nan_to_num(y)
    b = f * (1 - w)
    c = 1 - w
    design_matrix = np.column_stack([b, c, np.ones_like(b)])
    coef, *_ = np.linalg.lstsq(design_matrix, a, rcond=None)
    lam = float(np.clip(-coef[0], 0.0, 1.0))
    coef_c, *_ = np.linalg.lstsq(np.column_stack([c, np.ones_like(c)]), a + lam * b, rcond=None)
    shift = -coef_c[0]
    z_terms = a + lam * b + shift * c
    value = z_terms.mean()
    se = z_terms.std(ddof=0) / np.sqrt(len(f))
    z = norm.ppf(1 - alpha / 2)
    return {"value": value, "se": se, "lambda": lam, "ci95": [value - z * se, value + z * se],
            "n": int(len(f)), "n_rated": int(xi.sum())}


def main():
    rng = np.random.default_rng(20261126)
    HERE.mkdir(exist_ok=True)
    expected = {"models": {}}
    with (HERE / "design.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["model", "f", "pi", "y"])
        for m in range(MODELS):
            f, pi, y = design(rng, m)
            for fi, pii, yi in zip(f, pi, y):
                writer.writerow([f"m{m}", f"{fi:.0f}", repr(float(pii)),
                                 "" if np.isnan(yi) else f"{yi:.0f}"])
            # Read back what the file holds, so Rust and this script see the same numbers.
            expected["models"][f"m{m}"] = None
    rows = list(csv.DictReader((HERE / "design.csv").open()))
    for m in expected["models"]:
        mine = [r for r in rows if r["model"] == m]
        f = np.array([float(r["f"]) for r in mine])
        pi = np.array([float(r["pi"]) for r in mine])
        y = np.array([float(r["y"]) if r["y"] else np.nan for r in mine])
        expected["models"][m] = active_mean(f, pi, y)
    expected["versions"] = {p: version(p) for p in ("numpy", "scipy")}
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(json.dumps(expected, indent=1))


if __name__ == "__main__":
    main()
