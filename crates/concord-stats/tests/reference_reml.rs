//! REML variance components and ICCs of incomplete designs against statsmodels `MixedLM`
//! (values from `tests/reference/make_reference_reml.py`, see its README). The tolerance is
//! 1e-4: statsmodels' own optimizers disagree by up to ~2e-5 on these fits (recorded in
//! `expected_reml.json` as `optimizer_spread`).

use concord_stats::bootstrap::BootstrapSpec;
use concord_stats::reml::icc_reml;
use concord_stats::{Estimate, RatingMatrix};
use serde_json::Value;
use std::path::PathBuf;

const TOL: f64 = 1e-4;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference")
}

/// Reads `target,r1,…` CSV with empty cells for missing ratings.
fn read_matrix(file: &str) -> RatingMatrix {
    let text = std::fs::read_to_string(dir().join(file)).expect("data file");
    let rows: Vec<Vec<Option<f64>>> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .skip(1)
                .map(|c| (!c.is_empty()).then(|| c.parse().expect("number")))
                .collect()
        })
        .collect();
    RatingMatrix::from_rows(&rows).expect("rectangular")
}

fn close(what: &str, got: &Estimate, want: &Value) {
    let want = want.as_f64().expect("expected number");
    let got = got.value.unwrap_or_else(|| panic!("{what}: no estimate"));
    assert!(
        (got - want).abs() <= TOL,
        "{what}: got {got:.8}, statsmodels {want:.8}"
    );
}

#[test]
fn reml_matches_statsmodels_mixedlm() {
    let text = std::fs::read_to_string(dir().join("expected_reml.json")).expect("expected");
    let expected: Value = serde_json::from_str(&text).expect("JSON");
    for (key, file) in [
        ("reml_missing", "data/reml_missing.csv"),
        ("missing", "data/missing.csv"),
    ] {
        let want = &expected[key];
        let r = icc_reml(
            &read_matrix(file),
            BootstrapSpec {
                resamples: 0,
                seed: 1,
            },
        );
        let c = &want["components"];
        close(&format!("{key}.target"), &r.components.target, &c["target"]);
        close(&format!("{key}.rater"), &r.components.rater, &c["rater"]);
        close(
            &format!("{key}.residual"),
            &r.components.residual,
            &c["residual"],
        );
        close(&format!("{key}.ICC_A1"), &r.icc_a1, &want["ICC_A1"]);
        close(&format!("{key}.ICC_C1"), &r.icc_c1, &want["ICC_C1"]);
        close(&format!("{key}.ICC_Ak"), &r.icc_ak, &want["ICC_Ak"]);
        close(&format!("{key}.ICC_Ck"), &r.icc_ck, &want["ICC_Ck"]);
        assert_eq!(r.n_ratings as u64, want["n_ratings"].as_u64().unwrap());
        let k = r.k.expect("k");
        assert!(
            (k - want["k"].as_f64().unwrap()).abs() < 1e-12,
            "{key}.k {k}"
        );
    }
}
