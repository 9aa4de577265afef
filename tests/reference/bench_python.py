#!/usr/bin/env python3
"""Time pingouin.intraclass_corr and krippendorff.alpha on the Rust bench's data.

Builds the same deterministic matrix as crates/concord-stats/benches/agreement.rs (attribute 0,
10,000 targets × 3 humans, xorshift64* noise, ~5% missing), then times, best of 5:
  - pingouin.intraclass_corr (complete targets, nan_policy="omit"),
  - krippendorff.alpha at the four levels (no bootstrap: the package has none),
Run: tests/reference/.venv/bin/python tests/reference/bench_python.py
"""
import time

import numpy as np
import pandas as pd
import pingouin
import krippendorff

N_TARGETS, N_ATTR, N_MODELS = 10_000, 7, 8
MASK = (1 << 64) - 1


class Noise:
    def __init__(self, seed):
        self.s = seed

    def next(self):
        s = self.s
        s ^= s >> 12
        s ^= (s << 25) & MASK
        s ^= s >> 27
        self.s = s
        return (((s * 0x2545F4914F6CDD1D) & MASK) >> 11) / float(1 << 53)

    def normal(self):
        return sum(self.next() for _ in range(12)) - 6.0


def study_attr0():
    rng = Noise(0x9E3779B97F4A7C15)
    bias = [0.0, 0.3, -0.2, 0.7, 0.2, -0.4, 0.5]
    m = np.full((N_TARGETS, 7), np.nan)
    for t in range(N_TARGETS):
        for a in range(N_ATTR):
            latent = 3.0 + 0.9 * rng.normal() + 0.1 * (t % N_MODELS)
            for r, b in enumerate(bias):
                if r < 3 and rng.next() < 0.05:
                    continue
                v = min(max(np.round(latent + b + 0.7 * rng.normal()), 1.0), 5.0)
                if a == 0:
                    m[t, r] = v
    return m[:, :3]


def best_of(n, f):
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best * 1e3


def main():
    m = study_attr0()
    long = pd.DataFrame(
        {"t": np.repeat(np.arange(N_TARGETS), 3), "r": np.tile(np.arange(3), N_TARGETS), "y": m.ravel()}
    ).dropna()
    print(f"data: {N_TARGETS} targets x 3 humans, {int((~np.isnan(m)).sum())} ratings, "
          f"mean {np.nanmean(m):.6f}")
    ms = best_of(5, lambda: pingouin.intraclass_corr(long, "t", "r", "y", nan_policy="omit"))
    print(f"pingouin.intraclass_corr (6 ICCs + CIs)   {ms:9.3f} ms")
    for lvl in ["nominal", "ordinal", "interval", "ratio"]:
        ms = best_of(5, lambda: krippendorff.alpha(reliability_data=m.T, level_of_measurement=lvl))
        print(f"krippendorff.alpha {lvl:<9}               {ms:9.3f} ms")
    res = pingouin.intraclass_corr(long, "t", "r", "y", nan_policy="omit")
    print("ICC values:", [round(float(x), 6) for x in res["ICC"]])
    print("alpha interval:", round(float(krippendorff.alpha(reliability_data=m.T, level_of_measurement="interval")), 6))


if __name__ == "__main__":
    main()
