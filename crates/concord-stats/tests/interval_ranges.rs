//! Property: through the whole report, on random and degenerate data, no interval leaves its
//! parameter's range, and none omits its own estimate, unless a `reason` says why (issue 14).

use concord_stats::report::{
    agreement_report, AttributeSpec, Observation, RaterSpec, ReportOptions, StudyRatings,
    TargetSpec,
};
use proptest::prelude::*;
use serde_json::Value;

/// The range of each coefficient by its key; `None` for unbounded quantities (bias, …).
fn range(key: &str, parent: &str) -> Option<(f64, f64)> {
    let coef = (-1.0, 1.0);
    let upper = (f64::NEG_INFINITY, 1.0);
    match (parent, key) {
        ("components", _) => Some((0.0, f64::INFINITY)),
        ("icc_reml" | "icc_unbalanced", _) => Some((0.0, 1.0)),
        ("alpha", _) => Some(upper),
        (_, "ICC1k" | "ICC2k" | "ICC3k") => Some(upper),
        (
            _,
            "ICC1" | "ICC2" | "ICC3" | "ICC_A1" | "ICC_C1" | "unweighted" | "linear" | "quadratic"
            | "ac1" | "ac2_linear" | "ac2_quadratic" | "fleiss_kappa" | "fleiss_kappa_all"
            | "pearson" | "spearman" | "kendall_tau_b" | "ccc",
        ) => Some(coef),
        _ => None,
    }
}

/// Walks the report JSON; returns the first violation found.
fn violation(v: &Value, key: &str, parent: &str, path: &str) -> Option<String> {
    match v {
        Value::Object(map) => {
            if let (Some(Value::Number(x)), Some(Value::Array(ci))) =
                (map.get("value"), map.get("ci95"))
            {
                let x = x.as_f64()?;
                let (lo, hi) = (ci[0].as_f64()?, ci[1].as_f64()?);
                let flagged = map.get("reason").is_some();
                let slack = 1e-9 * x.abs().max(1.0);
                if !(flagged || lo - slack <= x && x <= hi + slack) {
                    return Some(format!("{path}: {x} outside [{lo}, {hi}] without a reason"));
                }
                if let Some((a, b)) = range(key, parent) {
                    if lo < a - 1e-12 || hi > b + 1e-12 {
                        return Some(format!("{path}: [{lo}, {hi}] leaves [{a}, {b}]"));
                    }
                }
            }
            map.iter()
                .find_map(|(k, c)| violation(c, k, key, &format!("{path}.{k}")))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, c)| violation(c, key, parent, &format!("{path}[{i}]"))),
        _ => None,
    }
}

/// A study from a targets × raters grid (None = missing); the last rater is a judge, and the
/// targets come from 3 models answering shared items.
fn study(rows: &[Vec<Option<i32>>]) -> StudyRatings {
    let k = rows.first().map_or(0, Vec::len);
    let mut ratings = Vec::new();
    for (t, row) in rows.iter().enumerate() {
        for (r, v) in row.iter().enumerate() {
            if let Some(v) = v {
                ratings.push(Observation {
                    target: t,
                    rater: r,
                    attribute: 0,
                    value: f64::from(*v),
                });
            }
        }
    }
    StudyRatings {
        attributes: vec![AttributeSpec {
            key: "a".into(),
            group: None,
            scale_min: 1,
            scale_max: 5,
        }],
        raters: (0..k)
            .map(|r| RaterSpec {
                name: format!("r{r}"),
                is_judge: r + 1 == k && k > 1,
            })
            .collect(),
        targets: (0..rows.len())
            .map(|t| TargetSpec {
                id: format!("t{t}"),
                model: format!("m{}", t % 3),
                length: None,
                item: Some(format!("i{}", t / 3)),
            })
            .collect(),
        ratings,
    }
}

/// Grids from agreeing to degenerate: few targets, constant columns, heavy missingness.
fn grids() -> impl Strategy<Value = Vec<Vec<Option<i32>>>> {
    (1usize..=30, 1usize..=5, 0.0f64..0.7, 0i32..=2).prop_flat_map(|(n, k, miss, spread)| {
        (
            prop::collection::vec(1i32..=5, n),
            prop::collection::vec(prop::collection::vec((-spread..=spread, 0.0f64..1.0), k), n),
        )
            .prop_map(move |(base, noise)| {
                base.iter()
                    .zip(noise)
                    .map(|(b, row)| {
                        row.iter()
                            .map(|&(e, u)| (u >= miss).then_some((b + e).clamp(1, 5)))
                            .collect()
                    })
                    .collect()
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn intervals_stay_in_range_and_cover_their_estimate(rows in grids(), seed in any::<u64>()) {
        let opts = ReportOptions {
            bootstrap: 40,
            bootstrap_seed: seed,
            min_complete_responses: 2,
            ..ReportOptions::default()
        };
        let json = serde_json::to_value(agreement_report(&study(&rows), &opts)).unwrap();
        if let Some(v) = violation(&json, "", "", "report") {
            prop_assert!(false, "{}", v);
        }
    }
}

/// The collapse: 40 responses rated by 3 raters, a 4th who rated 2: complete-case
/// forms are withheld with the reason, and every-rating forms keep their n.
#[test]
fn a_new_rater_does_not_collapse_the_headline() {
    let rows: Vec<Vec<Option<i32>>> = (0..40)
        .map(|t| {
            let b = 1 + (t * 7 % 5);
            vec![
                Some(b),
                Some((b + t % 2).min(5)),
                Some((b + 1).min(5)),
                (t < 2).then_some(3),
            ]
        })
        .collect();
    let mut data = study(&rows);
    data.raters[3].is_judge = false;
    let r = agreement_report(
        &data,
        &ReportOptions {
            bootstrap: 50,
            ..ReportOptions::default()
        },
    );
    let h = &r.attributes[0].humans;
    assert_eq!(
        h.icc.icc2.reason.as_deref(),
        Some("too few responses rated by all: n = 2 (minimum 20)")
    );
    assert!(h.icc.icc2.value.is_none() && h.fleiss_kappa.value.is_none());
    assert_eq!(h.icc_reml.n_targets, 40);
    assert_eq!(h.icc_reml.n_ratings, 122);
    assert!(h.icc_reml.icc_a1.value.is_some_and(|v| v > 0.5));
    assert!(h.icc_reml.icc_a1.ci95.is_some());
}
