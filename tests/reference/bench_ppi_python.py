#!/usr/bin/env python3
"""Time ppi_py on the arrays of the Rust benchmark `crates/concord-stats/benches/ppi.rs`.

Run:  /var/tmp/venv-ppi/bin/python tests/reference/bench_ppi_python.py
Writes tests/reference/ppi/bench_python.json, which the Rust bench prints beside its own time.

The study: 70,000 responses (model = response mod 9), 7 attributes, 4 judges, ~10% of
(response, attribute) pairs human-rated. Every random number is splitmix64 of a key, so this
script and the Rust bench build bit-identical arrays (checked by the checksum both print).
Timed: for each of the 4 × 9 × 7 = 252 (judge, model, attribute) groups, what `concord
estimate` reports from ppi_py: classical_mean_ci, ppi_mean_pointestimate (λ tuned),
ppi_mean_ci (λ tuned) and ppi_mean_ci (λ = 1). Best of 5 runs; grouping the arrays is not timed.
"""
import json
import platform
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import numpy as np
from ppi_py import classical_mean_ci, ppi_mean_ci, ppi_mean_pointestimate

RESPONSES, ATTRIBUTES, JUDGES, MODELS = 70_000, 7, 4, 9
JUDGE_BIAS = [0.7, 0.5, 0.3, 0.6]
M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix64(x):
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def unit(r, a, kind, sub):
    key = (((r * ATTRIBUTES + a) * 8 + kind) * 4 + sub).astype(np.uint64)
    return (splitmix64(key) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def noise(r, a, kind):
    return unit(r, a, kind, 0) + unit(r, a, kind, 1) + unit(r, a, kind, 2) - 1.5


def score(x):
    return np.clip(np.floor(x + 0.5), 1.0, 5.0)


def study():
    r = np.arange(RESPONSES, dtype=np.uint64)
    model = (r % np.uint64(MODELS)).astype(np.int64)
    out = []
    for a in range(ATTRIBUTES):
        a64 = np.uint64(a)
        latent = 3.0 + 0.1 * model + 1.6 * noise(r, a64, np.uint64(0))
        judges = [
            score(latent + JUDGE_BIAS[j] + 1.4 * noise(r, a64, np.uint64(1 + j)))
            for j in range(JUDGES)
        ]
        human = score(latent + 1.0 * noise(r, a64, np.uint64(5)))
        labelled = unit(r, a64, np.uint64(6), np.uint64(0)) < 0.1
        out.append((judges, human, labelled))
    return model, out


def main():
    model, data = study()
    groups = []
    for a, (judges, human, labelled) in enumerate(data):
        for j in range(JUDGES):
            for m in range(MODELS):
                sel = model == m
                groups.append((human[sel & labelled], judges[j][sel & labelled],
                               judges[j][sel & ~labelled]))
    runs = []
    checksum = 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        total = 0.0
        for y, yhat, yu in groups:
            classical_mean_ci(y, alpha=0.05)
            total += float(np.asarray(ppi_mean_pointestimate(y, yhat, yu)).squeeze())
            ppi_mean_ci(y, yhat, yu, alpha=0.05)
            ppi_mean_ci(y, yhat, yu, alpha=0.05, lam=1)
        runs.append(time.perf_counter() - t0)
        checksum = total
    res = {
        "what": "ppi_py: classical_mean_ci + ppi_mean_pointestimate + ppi_mean_ci (tuned, λ=1) "
                "for 252 (judge, model, attribute) groups of the 70k-response study",
        "best_seconds": min(runs),
        "runs_seconds": runs,
        "checksum_ppi_plus_sum": checksum,
        "n_groups": len(groups),
        "n_labelled": int(sum(len(g[0]) for g in groups)),
        "versions": {p: version(p) for p in ["ppi-python", "numpy", "scipy", "statsmodels"]},
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.node()}",
        "measured_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
    }
    out = Path(__file__).resolve().parent / "ppi" / "bench_python.json"
    out.write_text(json.dumps(res, indent=1) + "\n")
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
