//! The dashboard's table of numbers: one attribute's report flattened into rows, each with its
//! estimate, interval, n and reason. The rows are read from the report; nothing is computed.

use concord_stats::report::AttributeReport;
use concord_stats::Estimate;
use serde::Serialize;

use crate::charts::Metric;

/// One line of the table of numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableRow {
    /// "Humans" or the judge's name.
    pub group: String,
    /// Stable id, e.g. `humans.ICC2`, `judge.Judge A.bias`, `pair.Rater 1|Rater 2.quadratic`.
    pub key: String,
    /// What the row estimates, as shown.
    pub statistic: String,
    /// The estimate (`None`: no estimate, see `reason`).
    pub estimate: Option<f64>,
    /// Its 95% interval.
    pub ci95: Option<[f64; 2]>,
    /// Targets the estimate used.
    pub n: Option<usize>,
    /// Targets left out (incomplete for ICC/Fleiss; own-model exclusions for judges).
    pub dropped: Option<usize>,
    /// Why there is no estimate (or no interval).
    pub reason: Option<String>,
}

/// Group name of the human–human rows.
const HUMANS: &str = "Humans";

/// One row from an estimate.
fn row(
    group: &str,
    key: String,
    statistic: String,
    e: &Estimate,
    dropped: Option<usize>,
) -> TableRow {
    TableRow {
        group: group.to_string(),
        key,
        statistic,
        estimate: e.value,
        ci95: e.ci95,
        n: e.n,
        dropped,
        reason: e.reason.clone(),
    }
}

/// Flattens one attribute's report into the table: the humans' ICC forms, alphas, Fleiss'
/// and Cohen's kappas, then per judge ICC(A,1)/ICC(C,1), bias, limits of agreement and
/// correlations.
pub fn table_rows(r: &AttributeReport) -> Vec<TableRow> {
    let h = &r.humans;
    let mut rows = Vec::new();
    if h.raters.len() < 2 {
        // Said once, instead of a dozen rows of dashes.
        rows.push(TableRow {
            group: HUMANS.to_string(),
            key: "humans.raters".into(),
            statistic: "Inter-rater agreement".into(),
            estimate: None,
            ci95: None,
            n: None,
            dropped: None,
            reason: Some(one_rater_sentence(h.raters.len())),
        });
        return judge_rows(r, rows);
    }
    for m in &Metric::ALL[..6] {
        let e = m.human_estimate(h);
        let mut line = row(
            HUMANS,
            format!("humans.{}", m.key()),
            m.label().to_string(),
            e,
            Some(h.n_dropped),
        );
        line.n = Some(m.human_n(h));
        rows.push(line);
    }
    for m in &Metric::ALL[..6] {
        let Some(e) = m.reml_estimate(h) else {
            continue;
        };
        let mut line = row(
            HUMANS,
            format!("humans.{}_reml", m.key()),
            format!("{} REML, every rating", m.label()),
            e,
            None,
        );
        line.n = line.n.or(Some(h.icc_reml.n_targets));
        rows.push(line);
    }
    for m in &Metric::ALL[6..] {
        rows.push(row(
            HUMANS,
            format!("humans.{}", m.key()),
            m.label().to_string(),
            m.human_estimate(h),
            None,
        ));
    }
    rows.push(row(
        HUMANS,
        "humans.fleiss_kappa".into(),
        "Fleiss' κ".into(),
        &h.fleiss_kappa,
        Some(h.n_dropped),
    ));
    rows.push(row(
        HUMANS,
        "humans.gwet_ac1".into(),
        "Gwet's AC1".into(),
        &h.gwet.ac1,
        None,
    ));
    for p in &h.pairs {
        let [a, b] = &p.raters;
        for (kind, label, e) in [
            ("unweighted", "Cohen's κ", &p.kappa.unweighted),
            ("linear", "Cohen's κ (linear)", &p.kappa.linear),
            ("quadratic", "Cohen's κ (quadratic)", &p.kappa.quadratic),
        ] {
            let mut line = row(
                HUMANS,
                format!("pair.{a}|{b}.{kind}"),
                format!("{label}: {a} × {b}"),
                e,
                None,
            );
            line.n = line.n.or(Some(p.n));
            rows.push(line);
        }
    }
    judge_rows(r, rows)
}

/// The sentence that replaces every human–human row when there are fewer than two humans.
pub fn one_rater_sentence(n: usize) -> String {
    format!("inter-rater agreement needs ≥ 2 human raters; this analysis has {n}")
}

/// Appends each judge's rows (ICC, bias, limits, correlations) to `rows`.
fn judge_rows(r: &AttributeReport, mut rows: Vec<TableRow>) -> Vec<TableRow> {
    for j in &r.judges {
        let g = j.judge.as_str();
        let k = |s: &str| format!("judge.{g}.{s}");
        let dropped = Some(j.n_excluded_own);
        rows.push(row(
            g,
            k("ICC_A1"),
            "ICC(A,1) vs human mean".into(),
            &j.agreement.icc.icc_a1,
            dropped,
        ));
        rows.push(row(
            g,
            k("ICC_C1"),
            "ICC(C,1) vs human mean".into(),
            &j.agreement.icc.icc_c1,
            dropped,
        ));
        rows.push(row(
            g,
            k("bias"),
            "Bias: mean(judge − human mean)".into(),
            &j.agreement.bias,
            dropped,
        ));
        let ba = &j.agreement.bland_altman;
        for (i, side) in ["Lower", "Upper"].iter().enumerate() {
            rows.push(TableRow {
                group: g.to_string(),
                key: k(&format!("loa_{}", side.to_lowercase())),
                statistic: format!("{side} limit of agreement"),
                estimate: ba.loa.map(|l| l[i]),
                ci95: ba.loa_ci95.map(|c| c[i]),
                n: Some(j.n_targets),
                dropped,
                reason: ba.reason.clone(),
            });
        }
        rows.push(row(
            g,
            k("pearson"),
            "Pearson r".into(),
            &j.agreement.pearson,
            dropped,
        ));
        rows.push(row(
            g,
            k("spearman"),
            "Spearman ρ".into(),
            &j.agreement.spearman,
            dropped,
        ));
        rows.push(row(
            g,
            k("ccc"),
            "Lin's CCC".into(),
            &j.agreement.ccc,
            dropped,
        ));
    }
    for line in &mut rows {
        if line.group != HUMANS && line.n.is_none() {
            line.n = r
                .judges
                .iter()
                .find(|j| j.judge == line.group)
                .map(|j| j.n_targets);
        }
    }
    rows
}
