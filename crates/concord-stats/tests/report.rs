//! End-to-end tests of the report API: schema shape, degenerate inputs, determinism.

use concord_stats::report::{
    agreement_report, AttributeSpec, Observation, RaterSpec, ReportOptions, StudyRatings,
    TargetSpec, Unit,
};
use serde_json::Value;

/// 30 responses from 3 models, 3 humans and 2 judges, 3 attributes (2 in group "CSS").
fn study() -> StudyRatings {
    let attributes = vec![
        AttributeSpec {
            key: "accuracy".into(),
            group: Some("CSS".into()),
            scale_min: 1,
            scale_max: 5,
        },
        AttributeSpec {
            key: "safety".into(),
            group: Some("CSS".into()),
            scale_min: 1,
            scale_max: 5,
        },
        AttributeSpec {
            key: "tone".into(),
            group: None,
            scale_min: 1,
            scale_max: 5,
        },
    ];
    let raters = vec![
        RaterSpec {
            name: "ann".into(),
            is_judge: false,
        },
        RaterSpec {
            name: "bob".into(),
            is_judge: false,
        },
        RaterSpec {
            name: "cy".into(),
            is_judge: false,
        },
        RaterSpec {
            name: "gpt".into(),
            is_judge: true,
        },
        RaterSpec {
            name: "claude".into(),
            is_judge: true,
        },
    ];
    let models = ["m1", "m2", "m3"];
    let targets: Vec<TargetSpec> = (0..30)
        .map(|i| TargetSpec {
            id: format!("r{i}"),
            model: models[i % 3].into(),
            length: None,
            item: None,
        })
        .collect();
    let mut ratings = Vec::new();
    for t in 0..30usize {
        for a in 0..3usize {
            let base = ((t * 7 + a * 3) % 5) as f64 + 1.0;
            for r in 0..5usize {
                if (t + r) % 11 == 0 {
                    continue; // some missing cells
                }
                let wobble = ((t * 13 + r * 5 + a) % 3) as f64 - 1.0;
                let shift = if r == 3 { 1.0 } else { 0.0 };
                ratings.push(Observation {
                    target: t,
                    rater: r,
                    attribute: a,
                    value: (base + wobble * f64::from(u8::from(t % 2 == 0)) + shift)
                        .clamp(1.0, 5.0),
                });
            }
        }
    }
    StudyRatings {
        attributes,
        raters,
        targets,
        ratings,
    }
}

/// Every object with a "value" key is a valid estimate: null value ⇒ reason, numbers finite.
fn assert_estimates_sound(v: &Value, path: &str) {
    match v {
        Value::Object(map) => {
            if let Some(val) = map.get("value") {
                if val.is_null() {
                    assert!(
                        map.get("reason").is_some_and(Value::is_string),
                        "{path}: null value without reason"
                    );
                } else {
                    assert!(
                        val.as_f64().is_some_and(f64::is_finite),
                        "{path}: bad value {val}"
                    );
                }
            }
            for (k, x) in map {
                assert_estimates_sound(x, &format!("{path}.{k}"));
            }
        }
        Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                assert_estimates_sound(x, &format!("{path}[{i}]"));
            }
        }
        _ => {}
    }
}

#[test]
fn report_has_documented_schema() {
    let opts = ReportOptions {
        bootstrap: 200,
        ..ReportOptions::default()
    };
    let r = agreement_report(&study(), &opts);
    let j = serde_json::to_value(&r).unwrap();
    let a = &j["attributes"][0];
    assert_eq!(a["attribute"], "accuracy");
    assert_eq!(a["group"], "CSS");
    let h = &a["humans"];
    assert_eq!(h["raters"], serde_json::json!(["ann", "bob", "cy"]));
    assert!(h["n_targets"].is_u64() && h["n_dropped"].is_u64());
    for k in ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"] {
        let e = &h["icc"][k];
        assert!(e["value"].is_f64(), "{k}");
        for x in ["ci95", "F", "df1", "df2", "p"] {
            assert!(!e[x].is_null(), "{k}.{x}");
        }
    }
    assert!(h["icc_unbalanced"]["ICC_A1"]["ci95"].is_array());
    for k in ["nominal", "ordinal", "interval", "ratio"] {
        assert!(h["alpha"][k]["value"].is_f64(), "alpha {k}");
        assert!(h["alpha"][k]["se"].is_f64(), "alpha {k}");
        assert_eq!(h["alpha"][k]["ci_method"], "jackknife-t");
    }
    assert!(h["fleiss_kappa"]["value"].is_f64());
    for k in ["ac1", "ac2_linear", "ac2_quadratic"] {
        assert!(h["gwet"][k]["ci95"].is_array(), "gwet {k}");
    }
    let p = &h["pairs"][0];
    assert_eq!(p["raters"], serde_json::json!(["ann", "bob"]));
    for k in ["unweighted", "linear", "quadratic"] {
        assert!(p["kappa"][k]["se"].is_f64(), "kappa {k}");
    }
    assert!(p["exact"].is_f64() && p["within_one"].is_f64() && p["n"].is_u64());
    assert_eq!(h["rater_diagnostics"].as_array().unwrap().len(), 3);
    let jd = &a["judges"][0];
    assert_eq!(jd["judge"], "gpt");
    assert_eq!(jd["unit"], "response");
    assert!(jd["icc"]["ICC_A1"]["value"].is_f64() && jd["icc"]["ICC_C1"]["value"].is_f64());
    assert!(jd["bias"]["ci95"].is_array());
    let ba = &jd["bland_altman"];
    assert!(ba["bias"].is_f64() && ba["loa"].as_array().unwrap().len() == 2);
    assert_eq!(ba["loa_ci95"].as_array().unwrap().len(), 2);
    for k in ["pearson", "spearman", "kendall_tau_b", "ccc"] {
        assert!(jd[k]["value"].is_f64(), "{k}");
    }
    // Response level: Koo & Li (2016) category of each bound of the ICC_A1 CI.
    let (lo, hi) = (
        jd["icc"]["ICC_A1"]["ci95"][0].as_f64().unwrap(),
        jd["icc"]["ICC_A1"]["ci95"][1].as_f64().unwrap(),
    );
    let width = hi - lo;
    let koo_li = |v: f64| match v {
        v if v < 0.5 => "poor",
        v if v < 0.75 => "moderate",
        v if v <= 0.9 => "good",
        _ => "excellent",
    };
    let class = if koo_li(lo) == koo_li(hi) {
        koo_li(lo).to_string()
    } else {
        format!("{} to {}", koo_li(lo), koo_li(hi))
    };
    assert_eq!(jd["reliability_class"]["class"], class.as_str());
    assert_eq!(jd["reliability_class"]["ci_width"].as_f64(), Some(width));
    let reml = &h["icc_reml"];
    assert_eq!(reml["n_targets"], 30);
    let k = reml["k"].as_f64().unwrap();
    assert!((k - reml["n_ratings"].as_f64().unwrap() / 30.0).abs() < 1e-12);
    for f in ["ICC_A1", "ICC_C1", "ICC_Ak", "ICC_Ck"] {
        let v = reml[f]["value"].as_f64().unwrap();
        let ci = &reml[f]["ci95"];
        assert!(
            ci[0].as_f64().unwrap() <= v && v <= ci[1].as_f64().unwrap(),
            "{f}"
        );
        assert_eq!(
            reml[f]["ci_method"],
            "parametric-bootstrap-generalized-pivotal"
        );
    }
    let a1 = reml["ICC_A1"]["value"].as_f64().unwrap();
    let c = &reml["components"];
    let (t, r_, e) = (
        c["target"]["value"].as_f64().unwrap(),
        c["rater"]["value"].as_f64().unwrap(),
        c["residual"]["value"].as_f64().unwrap(),
    );
    assert!((a1 - t / (t + r_ + e)).abs() < 1e-12);
    assert_eq!(j["groups"][0]["attribute"], "CSS");
    assert_eq!(j["options"]["seed"], 42);
    assert_eq!(j["options"]["bootstrap"], 200);
    assert_estimates_sound(&j, "$");
}

#[test]
fn composite_kappas_explain_why_they_are_missing() {
    let r = agreement_report(
        &study(),
        &ReportOptions {
            bootstrap: 0,
            ..Default::default()
        },
    );
    let g = &r.groups[0];
    assert_eq!(g.attribute, "CSS");
    assert!(g.humans.icc.icc2.value.is_some());
    // Composite scores are means of two attributes: half points are not scale categories.
    let k = &g.humans.pairs[0].kappa.unweighted;
    assert!(k.value.is_none());
    assert!(k.reason.as_deref().unwrap().contains("not a category"));
}

#[test]
fn model_unit_and_exclusions() {
    let mut opts = ReportOptions {
        unit: Unit::Model,
        bootstrap: 100,
        min_responses_per_model: 1,
        ..Default::default()
    };
    opts.exclude_own.insert("gpt".into(), vec!["m1".into()]);
    let r = agreement_report(&study(), &opts);
    let j = &r.attributes[0].judges[0];
    assert_eq!(j.unit, Unit::Model);
    assert_eq!(j.n_targets, 2);
    assert!(j.n_excluded_own > 0);
    // Two models left: no bootstrap over models, and the report says so instead of falling
    // back to F and t intervals on two means.
    assert_eq!(
        j.interval_note.as_deref(),
        Some("2 model(s) with ≥ 1 responses: no bootstrap over models (needs 3)")
    );
    assert!(j.agreement.bias.value.is_some() && j.agreement.bias.ci95.is_none());
    assert_eq!(
        j.agreement.bias.reason.as_deref(),
        Some("no interval: fewer than 3 models to resample")
    );
    assert_eq!(j.models.iter().filter(|m| m.used).count(), 2);
    let c = &r.attributes[0].judges[1];
    assert_eq!(c.n_targets, 3);
    assert_eq!(c.agreement.pearson.seed, Some(42));
    assert_eq!(c.interval_note, None);
    let ci = c
        .agreement
        .bias
        .ci95
        .expect("bootstrap interval over 3 models");
    let v = c.agreement.bias.value.unwrap();
    assert!(ci[0] <= v && v <= ci[1]);
    assert_eq!(
        c.agreement.bias.ci_method.as_deref(),
        Some("bootstrap-percentile")
    );
    assert_eq!(c.agreement.bias.undefined_resamples, Some(0));
}

#[test]
fn degenerate_inputs_give_reasons_not_nan_or_panic() {
    // Empty study.
    let r = agreement_report(&StudyRatings::default(), &ReportOptions::default());
    assert!(r.attributes.is_empty() && r.groups.is_empty());

    // Everyone gives every response a 3; one human only; unknown names; bad indices.
    let mut s = study();
    for o in &mut s.ratings {
        o.value = 3.0;
    }
    s.ratings.push(Observation {
        target: 999,
        rater: 0,
        attribute: 0,
        value: 1.0,
    });
    s.ratings.push(Observation {
        target: 0,
        rater: 0,
        attribute: 0,
        value: f64::NAN,
    });
    let opts = ReportOptions {
        humans: Some(vec!["ann".into(), "nobody".into()]),
        bootstrap: 50,
        ..Default::default()
    };
    let r = agreement_report(&s, &opts);
    assert!(r.warnings.iter().any(|w| w.contains("nobody")));
    assert!(r.warnings.iter().any(|w| w.contains("ignored")));
    let h = &r.attributes[0].humans;
    assert!(h.icc.icc1.value.is_none() && h.icc.icc1.reason.is_some());
    assert!(h.pairs.is_empty());
    let j = serde_json::to_string(&r).unwrap();
    assert!(!j.contains("NaN") && !j.contains("inf"));
    assert_estimates_sound(&serde_json::from_str(&j).unwrap(), "$");

    // All identical with all humans.
    let r = agreement_report(
        &s,
        &ReportOptions {
            bootstrap: 20,
            ..Default::default()
        },
    );
    let h = &r.attributes[0].humans;
    for (_, e) in h.alpha.named() {
        assert!(e.value.is_none() && e.reason.is_some());
    }
    assert!(h.fleiss_kappa.reason.is_some() && h.gwet.ac1.value.is_some());
    assert!(h.pairs[0].kappa.unweighted.reason.is_some());
    let jr = &r.attributes[0].judges[0];
    assert!(jr.agreement.pearson.reason.is_some() && jr.agreement.ccc.reason.is_some());
    assert_estimates_sound(&serde_json::to_value(&r).unwrap(), "$");

    // A judge with no overlapping humans, and a scale with one category.
    let mut s = study();
    s.attributes[2].scale_max = 1;
    s.ratings.retain(|o| o.rater >= 3 || o.attribute != 1);
    let r = agreement_report(
        &s,
        &ReportOptions {
            bootstrap: 10,
            ..Default::default()
        },
    );
    let safety = &r.attributes[1];
    assert_eq!(safety.judges[0].n_targets, 0);
    assert!(safety.judges[0].agreement.icc.icc_a1.reason.is_some());
    assert_eq!(safety.judges[0].reliability_class.class, "undetermined");
    assert!(r.attributes[2].humans.gwet.ac1.reason.is_some());
    assert_estimates_sound(&serde_json::to_value(&r).unwrap(), "$");
}

#[test]
fn report_is_deterministic() {
    let opts = ReportOptions {
        bootstrap: 100,
        bootstrap_seed: 7,
        ..Default::default()
    };
    let a = serde_json::to_string(&agreement_report(&study(), &opts)).unwrap();
    let b = serde_json::to_string(&agreement_report(&study(), &opts)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn a_study_with_judges_only_reports_no_human_estimates() {
    let data = StudyRatings {
        attributes: vec![AttributeSpec {
            key: "a".into(),
            group: None,
            scale_min: 1,
            scale_max: 5,
        }],
        raters: vec![RaterSpec {
            name: "J".into(),
            is_judge: true,
        }],
        targets: (0..3)
            .map(|i| TargetSpec {
                id: format!("t{i}"),
                model: "m".into(),
                length: None,
                item: None,
            })
            .collect(),
        ratings: (0..3)
            .map(|t| Observation {
                target: t,
                rater: 0,
                attribute: 0,
                value: (t + 1) as f64,
            })
            .collect(),
    };
    let report = agreement_report(&data, &ReportOptions::default());
    let humans = &report.attributes[0].humans;
    assert_eq!((humans.n_targets, humans.n_dropped), (0, 0));
    assert!(humans.icc.icc1.value.is_none());
}

/// Model level with 5 models of 12 responses and one of 3: the small model is listed, not
/// used, and every model-level number equals the same statistic on model means computed here
/// by hand (bootstrap intervals included, same seed).
#[test]
fn model_level_uses_models_with_enough_responses_and_bootstraps_their_means() {
    use concord_stats::testing::bootstrap::BootstrapSpec;
    use concord_stats::testing::judge::paired_agreement_bootstrap;
    let sizes = [12usize, 12, 12, 12, 12, 3];
    let mut targets = Vec::new();
    let mut ratings = Vec::new();
    let (mut judge_sum, mut human_sum) = (vec![0.0; 6], vec![0.0; 6]);
    for (m, &size) in sizes.iter().enumerate() {
        for i in 0..size {
            let t = targets.len();
            targets.push(TargetSpec {
                id: format!("m{m}-{i}"),
                model: format!("model-{m}"),
                length: None,
                item: None,
            });
            let base = 1.0 + ((m * 3 + i * 7) % 5) as f64;
            let (h1, h2) = (base, (base + (i % 2) as f64).min(5.0));
            let j = (base + ((m + i) % 3) as f64 - 1.0).clamp(1.0, 5.0);
            for (r, v) in [(0, h1), (1, h2), (2, j)] {
                ratings.push(Observation {
                    target: t,
                    rater: r,
                    attribute: 0,
                    value: v,
                });
            }
            judge_sum[m] += j;
            human_sum[m] += (h1 + h2) / 2.0;
        }
    }
    let data = StudyRatings {
        attributes: vec![AttributeSpec {
            key: "a".into(),
            group: None,
            scale_min: 1,
            scale_max: 5,
        }],
        raters: ["h1", "h2", "judge"]
            .iter()
            .enumerate()
            .map(|(i, n)| RaterSpec {
                name: (*n).into(),
                is_judge: i == 2,
            })
            .collect(),
        targets,
        ratings,
    };
    let opts = ReportOptions {
        unit: Unit::Model,
        bootstrap: 300,
        bootstrap_seed: 11,
        ..Default::default()
    };
    let r = agreement_report(&data, &opts);
    let j = &r.attributes[0].judges[0];
    assert_eq!(j.n_targets, 5);
    let listed: Vec<(String, usize, bool)> = j
        .models
        .iter()
        .map(|m| (m.model.clone(), m.n_responses, m.used))
        .collect();
    assert_eq!(listed[5], ("model-5".to_string(), 3, false));
    assert!(listed[..5].iter().all(|m| m.1 == 12 && m.2));
    assert_eq!(j.interval_note, None);
    let x: Vec<f64> = (0..5).map(|m| judge_sum[m] / 12.0).collect();
    let y: Vec<f64> = (0..5).map(|m| human_sum[m] / 12.0).collect();
    let want = paired_agreement_bootstrap(
        &x,
        &y,
        BootstrapSpec {
            resamples: 300,
            seed: 11,
        },
    );
    for (got, want) in [
        (&j.agreement.pearson, &want.pearson),
        (&j.agreement.icc.icc_a1, &want.icc.icc_a1),
        (&j.agreement.bias, &want.bias),
        (&j.agreement.ccc, &want.ccc),
    ] {
        assert_eq!(got.value, want.value);
        assert_eq!(got.ci95, want.ci95);
        assert_eq!(got.ci_method.as_deref(), Some("bootstrap-percentile"));
    }
    // The bias by hand: mean over models of (judge mean − human mean).
    let bias = x.iter().zip(&y).map(|(a, b)| a - b).sum::<f64>() / 5.0;
    assert!((j.agreement.bias.value.unwrap() - bias).abs() < 1e-12);
    let ci = j.agreement.bias.ci95.unwrap();
    assert!(ci[0] <= bias && bias <= ci[1] && ci[0] < ci[1]);

    // With a minimum of 13 no model qualifies: listed, none used, intervals explained.
    let strict = agreement_report(
        &data,
        &ReportOptions {
            min_responses_per_model: 13,
            ..opts
        },
    );
    let j = &strict.attributes[0].judges[0];
    assert_eq!(j.n_targets, 0);
    assert!(j.models.iter().all(|m| !m.used));
    assert_eq!(
        j.interval_note.as_deref(),
        Some("0 model(s) with ≥ 13 responses: no bootstrap over models (needs 3)")
    );
    assert!(j.agreement.pearson.value.is_none() && j.agreement.pearson.reason.is_some());
}

/// Responses of several models to the same items are left out by item unless told otherwise.
#[test]
fn shared_items_make_the_jackknife_leave_out_items() {
    use concord_stats::report::Cluster;
    let mut data = study();
    for (i, t) in data.targets.iter_mut().enumerate() {
        t.item = Some(format!("prompt-{}", i / 3)); // 10 items × 3 models
    }
    let opts = ReportOptions {
        bootstrap: 100,
        ..Default::default()
    };
    let h = &agreement_report(&data, &opts).attributes[0].humans;
    assert_eq!(h.cluster_unit, "item");
    assert_eq!(h.n_clusters, Some(10));
    assert_eq!(
        h.alpha.interval.ci_method.as_deref(),
        Some("cluster-jackknife-t")
    );
    let by_response = agreement_report(
        &data,
        &ReportOptions {
            cluster: Cluster::Response,
            ..opts.clone()
        },
    );
    let r = &by_response.attributes[0].humans;
    assert_eq!((r.cluster_unit.as_str(), r.n_clusters), ("response", None));
    assert_eq!(r.alpha.interval.value, h.alpha.interval.value);
    assert_eq!(r.alpha.interval.ci_method.as_deref(), Some("jackknife-t"));
    assert_ne!(r.alpha.interval.se, h.alpha.interval.se);
    // One response per item: nothing to cluster under `auto`.
    let plain = agreement_report(&study(), &opts);
    assert_eq!(plain.attributes[0].humans.cluster_unit, "response");
}
