//! The judge-as-a-rater analyses of the report against `tests/reference/expected_judge.json`,
//! made by `tests/reference/make_reference_judge.py` (scipy, statsmodels, pingouin,
//! krippendorff) from the committed CSVs. Values agree to 1e-9. No Python is needed.

mod common;

use common::{reference_dir, reference_json};
use concord_stats::report::{
    agreement_report, AgreementReport, AttributeSpec, JudgeReport, Observation, RaterSpec,
    ReportOptions, StudyRatings, TargetSpec,
};
use serde_json::Value;
use std::collections::BTreeMap;

const TOL: f64 = 1e-9;

fn expected() -> Value {
    reference_json("expected_judge.json")
}

/// A study from a CSV with `target`, optional `model` and `length`, then one column per rater
/// (names starting with `j_` are judges); empty cells are missing ratings.
fn study(file: &str) -> StudyRatings {
    let text = std::fs::read_to_string(reference_dir().join("data").join(file)).expect("data file");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let first_rater = header
        .iter()
        .position(|h| h.starts_with('h'))
        .expect("rater columns");
    let raters: Vec<RaterSpec> = header[first_rater..]
        .iter()
        .map(|h| RaterSpec {
            name: (*h).into(),
            is_judge: h.starts_with("j_"),
        })
        .collect();
    let (mut targets, mut ratings) = (Vec::new(), Vec::new());
    for (t, line) in lines.filter(|l| !l.trim().is_empty()).enumerate() {
        let c: Vec<&str> = line.split(',').collect();
        let column = |name: &str| header.iter().position(|h| *h == name).map(|i| c[i]);
        targets.push(TargetSpec {
            id: c[0].into(),
            model: column("model").unwrap_or("m").into(),
            length: column("length").map(|l| l.parse().expect("length")),
            item: None,
        });
        for (r, cell) in c[first_rater..].iter().enumerate() {
            if !cell.is_empty() {
                ratings.push(Observation {
                    target: t,
                    rater: r,
                    attribute: 0,
                    value: cell.parse().expect("number"),
                });
            }
        }
    }
    StudyRatings {
        attributes: vec![AttributeSpec {
            key: "score".into(),
            group: None,
            scale_min: 1,
            scale_max: 5,
        }],
        raters,
        targets,
        ratings,
    }
}

fn panel_report() -> AgreementReport {
    let mut exclude_own = BTreeMap::new();
    exclude_own.insert("j_biased".to_string(), vec!["m2".to_string()]);
    let opts = ReportOptions {
        exclude_own,
        bootstrap: 200,
        ..ReportOptions::default()
    };
    agreement_report(&study("judge_panel.csv"), &opts)
}

fn judge<'a>(r: &'a AgreementReport, name: &str) -> &'a JudgeReport {
    r.attributes[0]
        .judges
        .iter()
        .find(|j| j.judge == name)
        .expect("judge in report")
}

fn close(what: &str, got: f64, want: &Value) {
    let want = want.as_f64().unwrap_or_else(|| panic!("{what}: no number"));
    assert!(
        (got - want).abs() <= TOL * want.abs().max(1.0),
        "{what}: {got} vs {want}"
    );
}

#[test]
fn alternative_annotator_test_matches_scipy_and_statsmodels() {
    let e = expected();
    let r = panel_report();
    for name in ["j_near", "j_biased", "j_noisy"] {
        let want = &e["alt_test"][name];
        let a = &judge(&r, name).alt_test;
        assert_eq!(
            a.n_items as u64,
            want["n_items"].as_u64().unwrap(),
            "{name}"
        );
        close(
            &format!("{name} ω"),
            a.winning_rate.unwrap(),
            &want["winning_rate"],
        );
        assert_eq!(a.passed, want["passed"].as_bool(), "{name} passed");
        close(
            &format!("{name} advantage"),
            a.advantage_probability.unwrap(),
            &want["advantage_probability"],
        );
        let humans = want["humans"].as_array().unwrap();
        assert_eq!(a.humans.len(), humans.len(), "{name}: tested humans");
        for (h, w) in a.humans.iter().zip(humans) {
            let what = format!("{name} vs {}", h.human);
            assert_eq!(h.human, w["human"].as_str().unwrap());
            assert_eq!(h.n as u64, w["n"].as_u64().unwrap(), "{what} n");
            close(&format!("{what} rho_f"), h.rho_f, &w["rho_f"]);
            close(&format!("{what} rho_h"), h.rho_h, &w["rho_h"]);
            close(&format!("{what} sd"), h.sd_difference, &w["sd_difference"]);
            close(&format!("{what} t"), h.t.unwrap(), &w["t"]);
            close(&format!("{what} p"), h.p_value, &w["p_value"]);
            assert_eq!(h.rejected, w["rejected"].as_bool().unwrap(), "{what}");
        }
        let untested = want["untested"].as_array().unwrap();
        assert_eq!(a.untested.len(), untested.len());
        for (u, w) in a.untested.iter().zip(untested) {
            assert_eq!(u.human, w["human"].as_str().unwrap());
            assert_eq!(u.n as u64, w["n"].as_u64().unwrap());
        }
    }
    // The three constructed judges land where they were built to.
    assert_eq!(judge(&r, "j_near").alt_test.passed, Some(true));
    assert_eq!(judge(&r, "j_biased").alt_test.passed, Some(false));
    assert_eq!(judge(&r, "j_noisy").alt_test.passed, Some(false));
}

fn agreement_close(what: &str, got: &concord_stats::testing::replacement::Agreement, want: &Value) {
    close(
        &format!("{what} alpha"),
        got.alpha_interval.value.expect("alpha"),
        &want["alpha_interval"],
    );
    if !want["ICC_A1"].is_null() {
        close(
            &format!("{what} ICC"),
            got.icc_a1.value.expect("ICC"),
            &want["ICC_A1"],
        );
    }
}

fn check_replacement(r: &AgreementReport, want: &Value, name: &str) {
    let rep = &judge(r, name).replacement;
    assert_eq!(rep.n as u64, want["n"].as_u64().unwrap(), "{name} n");
    agreement_close(&format!("{name} all"), &rep.all_humans, &want["all"]);
    let replaced = want["replaced"].as_object().unwrap();
    assert_eq!(rep.humans.len(), replaced.len(), "{name}: replaced humans");
    for h in &rep.humans {
        let w = &replaced[&h.human];
        let what = format!("{name} for {}", h.human);
        agreement_close(&what, &h.agreement, w);
        close(
            &format!("{what} Δalpha"),
            h.delta.alpha_interval.value.unwrap(),
            &Value::from(
                w["alpha_interval"].as_f64().unwrap()
                    - want["all"]["alpha_interval"].as_f64().unwrap(),
            ),
        );
        assert!(h.delta.alpha_interval.ci95.is_some(), "{what}: CI");
    }
    close(
        &format!("{name} mean Δalpha"),
        rep.mean_delta.alpha_interval.value.unwrap(),
        &want["mean_delta"]["alpha_interval"],
    );
}

#[test]
fn replacement_matches_krippendorff_and_pingouin() {
    let e = expected();
    let r = panel_report();
    for name in ["j_near", "j_biased", "j_noisy"] {
        check_replacement(&r, &e["replacement_panel"][name], name);
    }
    let opts = ReportOptions {
        bootstrap: 200,
        ..ReportOptions::default()
    };
    let r = agreement_report(&study("judge_complete.csv"), &opts);
    for name in ["j_near", "j_noisy"] {
        let want = &e["replacement_complete"][name];
        check_replacement(&r, want, name);
        close(
            &format!("{name} mean ΔICC"),
            judge(&r, name).replacement.mean_delta.icc_a1.value.unwrap(),
            &want["mean_delta"]["ICC_A1"],
        );
    }
    // The noisy judge lowers agreement whoever it replaces; the near-human one does not.
    let noisy = &judge(&r, "j_noisy").replacement.mean_delta.icc_a1;
    assert!(noisy.ci95.unwrap()[1] < 0.0, "{noisy:?}");
    let near = &judge(&r, "j_near").replacement.mean_delta.icc_a1;
    assert!(near.ci95.unwrap()[1] > 0.0, "{near:?}");
}

fn est_close(what: &str, got: &concord_stats::Estimate, value: &Value, ci: &Value) {
    close(what, got.value.expect("value"), value);
    let [lo, hi] = got.ci95.expect("interval");
    close(&format!("{what} lower"), lo, &ci[0]);
    close(&format!("{what} upper"), hi, &ci[1]);
}

#[test]
fn bias_diagnostics_match_numpy_and_scipy() {
    let e = expected();
    let r = panel_report();
    for name in ["j_near", "j_biased", "j_noisy"] {
        let w = &e["bias"][name];
        let b = &judge(&r, name).bias_diagnostics;
        assert_eq!(b.sd_ratio.n.unwrap() as u64, w["n"].as_u64().unwrap());
        est_close(
            &format!("{name} SD ratio"),
            &b.sd_ratio,
            &w["sd_ratio"],
            &w["sd_ratio_ci"],
        );
        est_close(
            &format!("{name} proportional bias"),
            &b.proportional_bias,
            &w["proportional_bias"],
            &w["proportional_bias_ci"],
        );
        est_close(
            &format!("{name} length bias"),
            &b.length_bias,
            &w["length_bias"],
            &w["length_bias_ci"],
        );
        let refs = w["clinicians"].as_object().unwrap();
        assert_eq!(b.clinicians.len(), refs.len());
        for c in &b.clinicians {
            let wc = &refs[&c.human];
            let what = format!("{name}: {} vs the others", c.human);
            assert_eq!(c.n as u64, wc["n"].as_u64().unwrap(), "{what}");
            est_close(
                &format!("{what} SD ratio"),
                &c.sd_ratio,
                &wc["sd_ratio"],
                &wc["sd_ratio_ci"],
            );
            est_close(
                &format!("{what} proportional bias"),
                &c.proportional_bias,
                &wc["proportional_bias"],
                &wc["proportional_bias_ci"],
            );
        }
        let sp = &w["self_preference"];
        if sp.is_null() {
            assert!(b.self_preference.reason.is_some());
        } else {
            est_close(
                &format!("{name} self-preference"),
                &b.self_preference,
                &sp["value"],
                &sp["ci"],
            );
            close(
                &format!("{name} self p"),
                b.self_preference.p.unwrap(),
                &sp["p"],
            );
        }
    }
    // Built in: j_biased favours its own model m2, j_noisy rewards longer responses.
    let own = &judge(&r, "j_biased").bias_diagnostics.self_preference;
    assert!(own.ci95.unwrap()[0] > 0.0);
    let len = &judge(&r, "j_noisy").bias_diagnostics.length_bias;
    assert!(len.ci95.unwrap()[0] > 0.0);
}

/// `study(file)` with items of `size` consecutive responses, as `make_reference_jackknife.py`.
fn study_with_items(file: &str, size: usize) -> StudyRatings {
    let mut s = study(file);
    for (t, target) in s.targets.iter_mut().enumerate() {
        target.item = Some(format!("i{}", t / size));
    }
    s
}

/// A jackknifed estimate against `make_reference_jackknife.py`'s (value, SE, interval).
fn jackknife_close(what: &str, got: &concord_stats::Estimate, want: &Value) {
    close(what, got.value.expect("value"), &want["value"]);
    close(&format!("{what} SE"), got.se.expect("SE"), &want["se"]);
    let [lo, hi] = got.ci95.expect("interval");
    // The report keeps alpha's interval at or below 1, its parameter's upper end.
    close(&format!("{what} lower"), lo, &want["ci95"][0]);
    close(
        &format!("{what} upper"),
        hi,
        &Value::from(want["ci95"][1].as_f64().unwrap().min(1.0)),
    );
}

#[test]
fn jackknife_intervals_match_a_from_scratch_leave_one_out() {
    let e = reference_json("expected_jackknife.json");
    let size = |k: &str| e[k].as_u64().unwrap() as usize;
    let by_response = &panel_report().attributes[0].humans;
    let opts = ReportOptions {
        bootstrap: 200,
        ..ReportOptions::default()
    };
    let panel = agreement_report(
        &study_with_items("judge_panel.csv", size("panel_item")),
        &opts,
    );
    let by_item = &panel.attributes[0].humans;
    for (h, key, method) in [
        (by_response, "alpha_panel_responses", "jackknife-t"),
        (by_item, "alpha_panel_items", "cluster-jackknife-t"),
    ] {
        for (level, est) in h.alpha.named() {
            jackknife_close(&format!("{key} {level}"), est, &e[key][level]);
            assert_eq!(est.ci_method.as_deref(), Some(method));
        }
    }
    let rep = &judge(&panel, "j_noisy").replacement;
    let want = &e["replacement_panel_items"]["j_noisy"];
    assert_eq!(
        rep.n_clusters as u64,
        want["alpha_interval"]["clusters"].as_u64().unwrap()
    );
    jackknife_close(
        "panel mean Δalpha",
        &rep.mean_delta.alpha_interval,
        &want["alpha_interval"],
    );
    let complete = study_with_items("judge_complete.csv", size("complete_item"));
    let r = agreement_report(&complete, &opts);
    for name in ["j_near", "j_noisy"] {
        let want = &e["replacement_complete_items"][name];
        let m = &judge(&r, name).replacement.mean_delta;
        jackknife_close(
            &format!("{name} mean Δalpha"),
            &m.alpha_interval,
            &want["alpha_interval"],
        );
        jackknife_close(&format!("{name} mean ΔICC"), &m.icc_a1, &want["ICC_A1"]);
    }
}

#[test]
fn every_item_jackknife_matches_a_from_scratch_leave_one_out() {
    // Responses nested in items: every interval that took responses as independent is the
    // delete-one-item jackknife, each statistic recomputed from scratch by scipy, pingouin,
    // statsmodels, irrCAC and scikit-learn on the data without each item.
    let e = reference_json("expected_jackknife.json");
    let size = e["complete_item"].as_u64().unwrap() as usize;
    let opts = ReportOptions {
        bootstrap: 200,
        ..ReportOptions::default()
    };
    let r = agreement_report(&study_with_items("judge_complete.csv", size), &opts);
    let method = |what: &str, est: &concord_stats::Estimate| {
        assert_eq!(
            est.ci_method.as_deref(),
            Some("cluster-jackknife-t"),
            "{what}"
        )
    };
    for name in ["j_near", "j_noisy"] {
        let want = &e["paired_complete_items"][name];
        let a = &judge(&r, name).agreement;
        for (key, est) in [
            ("ICC_A1", &a.icc.icc_a1),
            ("ICC_C1", &a.icc.icc_c1),
            ("bias", &a.bias),
            ("pearson", &a.pearson),
            ("spearman", &a.spearman),
            ("kendall_tau_b", &a.kendall_tau_b),
            ("ccc", &a.ccc),
        ] {
            jackknife_close(&format!("{name} {key}"), est, &want[key]);
            method(key, est);
        }
        let ba = &a.bland_altman;
        let (loa, cis) = (
            ba.loa.expect("limits"),
            ba.loa_ci95.expect("their intervals"),
        );
        for (i, key) in ["loa_lower", "loa_upper"].iter().enumerate() {
            close(key, loa[i], &want[key]["value"]);
            close(key, cis[i][0], &want[key]["ci95"][0]);
            close(key, cis[i][1], &want[key]["ci95"][1]);
        }
        assert_eq!(ba.ci_method.as_deref(), Some("cluster-jackknife-t"));
    }
    let h = &r.attributes[0].humans;
    let want = &e["humans_complete_items"];
    let mut shown = vec![
        ("ICC3", &h.icc.icc3),
        ("ICC3k", &h.icc.icc3k),
        ("fleiss_kappa", &h.fleiss_kappa),
        // Every human rated every response here: both forms of Fleiss are the same kappa.
        ("fleiss_kappa", &h.fleiss_kappa_all),
        ("gwet_ac1", &h.gwet.ac1),
        ("gwet_ac2_linear", &h.gwet.ac2_linear),
        ("gwet_ac2_quadratic", &h.gwet.ac2_quadratic),
    ];
    let keys: Vec<String> = [(0, 1), (0, 2), (1, 2)]
        .iter()
        .flat_map(|(a, b)| {
            ["unweighted", "linear", "quadratic"].map(|w| format!("kappa_{a}_{b}_{w}"))
        })
        .chain((0..3).flat_map(|j| [format!("rater_{j}_ICC_C1"), format!("rater_{j}_bias")]))
        .collect();
    let pair_and_rater = h
        .pairs
        .iter()
        .flat_map(|p| [&p.kappa.unweighted, &p.kappa.linear, &p.kappa.quadratic])
        .chain(
            h.rater_diagnostics
                .iter()
                .flat_map(|d| [&d.icc_c1, &d.bias]),
        );
    shown.extend(keys.iter().map(String::as_str).zip(pair_and_rater));
    assert_eq!(shown.len(), 7 + 9 + 6);
    for (key, est) in shown {
        jackknife_close(key, est, &want[key]);
        method(key, est);
    }
}
