//! `concord agreement`'s text forms: every estimate of the report as one row (attribute ×
//! rater set × metric), printed as a terminal table or as CSV.

use std::fmt::Write as _;

use concord_stats::report::{AgreementReport, AttributeReport, JudgeReport};
use concord_stats::Estimate;

/// One flattened estimate: attribute × rater-set × metric.
#[derive(Debug, Clone, PartialEq)]
struct FlatRow {
    /// Attribute key or group name.
    attribute: String,
    /// Group, if any.
    group: Option<String>,
    /// "humans", "pair:A|B", "rater:A" or "judge:NAME".
    set: String,
    /// Metric name, e.g. "ICC2", "alpha_ordinal", "kappa_quadratic".
    metric: String,
    /// Value.
    value: Option<f64>,
    /// CI bounds.
    ci: Option<[f64; 2]>,
    /// n used.
    n: Option<usize>,
    /// Reason when the value is missing.
    reason: Option<String>,
}

fn push_est(
    out: &mut Vec<FlatRow>,
    a: &AttributeReport,
    set: &str,
    metric: &str,
    e: &Estimate,
    n: Option<usize>,
) {
    out.push(FlatRow {
        attribute: a.attribute.clone(),
        group: a.group.clone(),
        set: set.to_string(),
        metric: metric.to_string(),
        value: e.value,
        ci: e.ci95,
        n: e.n.or(n),
        reason: e.reason.clone(),
    });
}

fn push_num(
    out: &mut Vec<FlatRow>,
    a: &AttributeReport,
    set: &str,
    metric: &str,
    v: Option<f64>,
    n: usize,
) {
    out.push(FlatRow {
        attribute: a.attribute.clone(),
        group: a.group.clone(),
        set: set.to_string(),
        metric: metric.to_string(),
        value: v,
        ci: None,
        n: Some(n),
        reason: None,
    });
}

/// Every estimate of the report as rows (what `format_table` and `to_csv` print).
fn flatten(report: &AgreementReport) -> Vec<FlatRow> {
    let mut out = Vec::new();
    for a in report.attributes.iter().chain(&report.groups) {
        let h = &a.humans;
        if h.raters.len() < 2 {
            // Said once instead of a row per statistic that needs two humans.
            out.push(FlatRow {
                attribute: a.attribute.clone(),
                group: a.group.clone(),
                set: "humans".into(),
                metric: "inter_rater".into(),
                value: None,
                ci: None,
                n: None,
                reason: Some(concord_report::one_rater_sentence(h.raters.len())),
            });
        } else {
            human_rows(&mut out, a);
        }
        for j in &a.judges {
            judge_rows(&mut out, a, j);
        }
    }
    out
}

/// The humans' rows: ICCs, alpha, kappas, AC1/AC2, each pair and each rater against the others.
fn human_rows(out: &mut Vec<FlatRow>, a: &AttributeReport) {
    let h = &a.humans;
    let nc = Some(h.n_targets - h.n_dropped);
    for (k, e) in h.icc.named() {
        push_est(out, a, "humans", k, e, nc);
    }
    let u = &h.icc_unbalanced;
    push_est(
        out,
        a,
        "humans",
        "ICC_A1_unbalanced",
        &u.icc_a1,
        Some(u.n_targets),
    );
    push_est(
        out,
        a,
        "humans",
        "ICC_C1_unbalanced",
        &u.icc_c1,
        Some(u.n_targets),
    );
    let r = &h.icc_reml;
    for (metric, e) in [
        ("ICC_A1_reml", &r.icc_a1),
        ("ICC_C1_reml", &r.icc_c1),
        ("ICC_Ak_reml", &r.icc_ak),
        ("ICC_Ck_reml", &r.icc_ck),
    ] {
        push_est(out, a, "humans", metric, e, Some(r.n_targets));
    }
    for (k, e) in h.alpha.named() {
        push_est(out, a, "humans", &format!("alpha_{k}"), e, None);
    }
    push_est(out, a, "humans", "fleiss_kappa", &h.fleiss_kappa, nc);
    push_est(
        out,
        a,
        "humans",
        "fleiss_kappa_all",
        &h.fleiss_kappa_all,
        None,
    );
    push_est(out, a, "humans", "gwet_ac1", &h.gwet.ac1, None);
    push_est(
        out,
        a,
        "humans",
        "gwet_ac2_linear",
        &h.gwet.ac2_linear,
        None,
    );
    push_est(
        out,
        a,
        "humans",
        "gwet_ac2_quadratic",
        &h.gwet.ac2_quadratic,
        None,
    );
    for p in &h.pairs {
        let set = format!("pair:{}|{}", p.raters[0], p.raters[1]);
        push_est(
            out,
            a,
            &set,
            "kappa_unweighted",
            &p.kappa.unweighted,
            Some(p.n),
        );
        push_est(out, a, &set, "kappa_linear", &p.kappa.linear, Some(p.n));
        push_est(
            out,
            a,
            &set,
            "kappa_quadratic",
            &p.kappa.quadratic,
            Some(p.n),
        );
        push_num(out, a, &set, "exact", p.exact, p.n);
        push_num(out, a, &set, "within_one", p.within_one, p.n);
    }
    for d in &h.rater_diagnostics {
        let set = format!("rater:{}", d.rater);
        push_est(out, a, &set, "ICC_C1_vs_others", &d.icc_c1, Some(d.n));
        push_est(out, a, &set, "bias_vs_others", &d.bias, Some(d.n));
    }
}

/// One judge's rows: agreement with the human mean, the verdict's tests and the diagnostics.
fn judge_rows(out: &mut Vec<FlatRow>, a: &AttributeReport, j: &JudgeReport) {
    let set = format!("judge:{}", j.judge);
    let n = Some(j.n_targets);
    push_est(out, a, &set, "ICC_A1", &j.agreement.icc.icc_a1, n);
    push_est(out, a, &set, "ICC_C1", &j.agreement.icc.icc_c1, n);
    push_est(out, a, &set, "bias", &j.agreement.bias, n);
    let ba = &j.agreement.bland_altman;
    let ci = |i: usize| ba.loa_ci95.map(|c| c[i]);
    for (metric, v, c) in [
        ("loa_low", ba.loa.map(|l| l[0]), ci(0)),
        ("loa_high", ba.loa.map(|l| l[1]), ci(1)),
    ] {
        out.push(FlatRow {
            attribute: a.attribute.clone(),
            group: a.group.clone(),
            set: set.clone(),
            metric: metric.into(),
            value: v,
            ci: c,
            n,
            reason: ba.reason.clone(),
        });
    }
    push_est(out, a, &set, "pearson", &j.agreement.pearson, n);
    push_est(out, a, &set, "spearman", &j.agreement.spearman, n);
    push_est(out, a, &set, "kendall_tau_b", &j.agreement.kendall_tau_b, n);
    push_est(out, a, &set, "ccc", &j.agreement.ccc, n);
    let alt = &j.alt_test;
    let (ni, rep) = (alt.n_items, &j.replacement);
    push_num(out, a, &set, "alt_test_omega", alt.winning_rate, ni);
    let adv = alt.advantage_probability;
    push_num(out, a, &set, "alt_test_advantage", adv, ni);
    let dn = Some(rep.n);
    push_est(out, a, &set, "replace_d_ICC_A1", &rep.mean_delta.icc_a1, dn);
    let d_alpha = &rep.mean_delta.alpha_interval;
    push_est(out, a, &set, "replace_d_alpha_int", d_alpha, dn);
    let b = &j.bias_diagnostics;
    push_est(out, a, &set, "sd_ratio", &b.sd_ratio, n);
    push_est(out, a, &set, "proportional_bias", &b.proportional_bias, n);
    push_est(out, a, &set, "length_bias", &b.length_bias, n);
    push_est(out, a, &set, "self_preference", &b.self_preference, n);
}

/// Terminal-readable table: one line per estimate, "estimate [CI] n" (or the reason).
pub fn format_table(report: &AgreementReport) -> String {
    let rows = flatten(report);
    let w_attr = rows
        .iter()
        .map(|r| r.attribute.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let w_set = rows.iter().map(|r| r.set.len()).max().unwrap_or(3).max(3);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<w_attr$}  {:<w_set$}  {:<20}  {:>8}  {:<18}  {:>6}",
        "attribute", "set", "metric", "estimate", "95% CI", "n"
    );
    for r in &rows {
        let est = match r.value {
            Some(v) => format!("{v:>8.3}"),
            None => format!("{:>8}", "—"),
        };
        let ci =
            r.ci.map_or_else(String::new, |c| format!("[{:.3}, {:.3}]", c[0], c[1]));
        let n = r.n.map_or_else(String::new, |n| n.to_string());
        let _ = write!(
            s,
            "{:<w_attr$}  {:<w_set$}  {:<20}  {est}  {ci:<18}  {n:>6}",
            r.attribute, r.set, r.metric
        );
        if r.value.is_none() {
            if let Some(reason) = &r.reason {
                let _ = write!(s, "  ({reason})");
            }
        }
        s.push('\n');
    }
    for w in &report.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV with one row per attribute × rater-set × metric:
/// `attribute,group,set,metric,value,ci_low,ci_high,n` (empty cells for missing values).
pub fn to_csv(report: &AgreementReport) -> String {
    let mut s = String::from("attribute,group,set,metric,value,ci_low,ci_high,n\n");
    let num = |v: Option<f64>| v.map_or_else(String::new, |x| format!("{x}"));
    for r in flatten(report) {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{}",
            csv_field(&r.attribute),
            csv_field(r.group.as_deref().unwrap_or("")),
            csv_field(&r.set),
            csv_field(&r.metric),
            num(r.value),
            num(r.ci.map(|c| c[0])),
            num(r.ci.map(|c| c[1])),
            r.n.map_or_else(String::new, |n| n.to_string())
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_stats::agreement_report;
    use concord_stats::report::{
        AttributeSpec, Observation, RaterSpec, ReportOptions, StudyRatings, TargetSpec,
    };

    /// 12 responses, 2 humans and a judge on one attribute; `agree` makes every rating 3.
    fn report(agree: bool) -> AgreementReport {
        let rater = |name: &str, is_judge| RaterSpec {
            name: name.into(),
            is_judge,
        };
        let targets = (0..12)
            .map(|i| TargetSpec {
                id: format!("r{i}"),
                model: format!("m{}", i % 3),
                length: None,
                item: None,
            })
            .collect();
        let ratings = (0..12)
            .flat_map(|t| {
                (0..3).map(move |r| Observation {
                    target: t,
                    rater: r,
                    attribute: 0,
                    value: if agree {
                        3.0
                    } else {
                        ((t * (r + 2)) % 5 + 1) as f64
                    },
                })
            })
            .collect();
        let data = StudyRatings {
            attributes: vec![AttributeSpec {
                key: "accuracy".into(),
                group: Some("CSS".into()),
                scale_min: 1,
                scale_max: 5,
            }],
            raters: vec![rater("A", false), rater("B", false), rater("gpt", true)],
            targets,
            ratings,
        };
        let opts = ReportOptions {
            bootstrap: 20,
            min_complete_responses: 5,
            ..ReportOptions::default()
        };
        agreement_report(&data, &opts)
    }

    #[test]
    fn table_and_csv_list_every_estimate() {
        let r = report(false);
        let rows = flatten(&r);
        let csv = to_csv(&r);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("attribute,group,set,metric,value,ci_low,ci_high,n")
        );
        assert_eq!(lines.count(), rows.len());
        assert!(csv.contains("accuracy,CSS,humans,ICC2,"));
        assert!(csv.contains("accuracy,CSS,pair:A|B,kappa_linear,"));
        assert!(csv.contains(",judge:gpt,ccc,"));
        let t = format_table(&r);
        assert_eq!(t.lines().count(), rows.len() + 1);
        assert!(t.contains("alpha_ordinal"));
    }

    #[test]
    fn a_missing_estimate_shows_its_reason() {
        let t = format_table(&report(true));
        let line = t.lines().find(|l| l.contains(" pearson ")).unwrap();
        assert!(line.contains('—') && line.contains('('), "{line}");
    }

    #[test]
    fn one_human_is_said_once_not_per_statistic() {
        let mut r = report(false);
        for a in r.attributes.iter_mut().chain(&mut r.groups) {
            a.humans.raters.truncate(1);
        }
        let t = format_table(&r);
        let humans: Vec<&str> = t
            .lines()
            .filter(|l| l.contains(" humans ") || l.contains(" rater:") || l.contains(" pair:"))
            .collect();
        assert_eq!(
            humans.len(),
            2,
            "one line for the attribute, one for its group: {t}"
        );
        assert!(
            humans[0].contains("inter_rater")
                && humans[0].contains(
                    "(inter-rater agreement needs ≥ 2 human raters; this analysis has 1)"
                ),
            "{t}"
        );
        // The judge is still compared, every row of it.
        assert!(t.contains("judge:gpt") && t.contains(" ccc "), "{t}");
    }

    #[test]
    fn csv_quotes_fields_with_commas_and_quotes() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
