#!/usr/bin/env python3
"""Print the verdicts of `concord agreement --json` as a Markdown table, one row per
judge × attribute: the verdict and the numbers it rests on (alternative annotator test,
the replacement effect on ICC(A,1), ICC(A,1) against the human mean with its Koo & Li
reading, the mean bias). Usage: concord agreement STUDY --json | verdict_table.py
"""

import json
import sys


def ci(e: dict, digits: int = 2) -> str:
    if e.get("value") is None:
        return "–"
    lo, hi = e.get("ci95") or (None, None)
    v = f"{e['value']:.{digits}f}"
    return v if lo is None else f"{v} [{lo:.{digits}f}, {hi:.{digits}f}]"


def main() -> None:
    report = json.load(sys.stdin)
    print("| attribute | judge | verdict | alt-test ω (avg. adv.) | Δ ICC(A,1) replacing a rater "
          "| ICC(A,1) judge vs human mean | bias judge − human |")
    print("|---|---|---|---|---|---|---|")
    for a in report["attributes"]:
        for j in a["judges"]:
            alt = j["alt_test"]
            omega = "–" if alt.get("winning_rate") is None else (
                f"{alt['winning_rate']:.2f} ({alt['advantage_probability']:.2f})")
            deltas = [h["delta"]["ICC_A1"] for h in j["replacement"]["humans"]]
            delta = "; ".join(ci(d) for d in deltas) or "–"
            icc = j["icc"]["ICC_A1"]
            klass = j["reliability_class"].get("class", "–")
            print(f"| {a['attribute']} | {j['judge']} | {j['verdict']['verdict']} | {omega} "
                  f"| {delta} | {ci(icc)} ({klass}) | {ci(j['bias'])} |")


if __name__ == "__main__":
    main()
