//! "Can this judge replace a clinician?": the report's verdict per judge × attribute with the
//! evidence it rests on, shaped once for the dashboard panel and the HTML report's section.
//!
//! Nothing is decided here: the verdict, its reasons and every number come from the report
//! (`judges[].verdict`, `alt_test`, `replacement`, `icc`, `bias`, `bias_diagnostics`). The
//! wording only names each finding and the interval it was read from; no label is a reading of
//! an interval's width (the response-level ICC is read from both CI bounds, Koo & Li 2016, and
//! MentalBench's width class is shown only at the model unit, named as such).

use std::fmt::Write as _;

use concord_stats::report::{AttributeReport, JudgeReport};
use concord_stats::Estimate;
use serde::Serialize;

use crate::chart_text::num;
use crate::html::{esc, head, row_start};
use crate::selection::sheets;
use crate::Analysis;

/// One criterion of the verdict and what it found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    /// The report's criterion key: "alt_test", "replacement", "ICC_A1", "bias", "system_class".
    pub criterion: String,
    /// Its display name.
    pub label: String,
    /// "for", "against", "open" (more data needed) or "note" (reported, not decided on).
    pub finding: String,
    /// The finding in words, with its numbers and interval (the report's own sentence).
    pub detail: String,
}

/// A bias diagnostic of the judge, as an estimate with its interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Diagnostic {
    /// Stable key, e.g. "sd_ratio".
    pub key: String,
    /// Display name with how to read it.
    pub label: String,
    /// The estimate, interval, n and reason from the report.
    pub estimate: Estimate,
}

/// The verdict for one judge on one attribute (or group composite), with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VerdictRow {
    /// Judge name.
    pub judge: String,
    /// Attribute key or group name.
    pub attribute: String,
    /// The report's verdict: "can replace a clinician", "cannot",
    /// "undetermined: rate N more responses" or "undetermined".
    pub verdict: String,
    /// "replace", "cannot" or "undetermined": the verdict's kind, for styling and tests.
    pub kind: String,
    /// The verdict as a sentence about this judge.
    pub headline: String,
    /// N of "rate N more responses".
    pub more_responses: Option<usize>,
    /// ε of the Alternative Annotator Test.
    pub epsilon: f64,
    /// ω: share of tested clinicians the judge beats (none when no clinician could be tested).
    pub winning_rate: Option<f64>,
    /// ω ≥ 0.5.
    pub passed: Option<bool>,
    /// Clinicians beaten (H0 rejected) and tested.
    pub humans_beaten: usize,
    /// Clinicians tested (enough shared responses).
    pub humans_tested: usize,
    /// Mean advantage probability ρ_f over tested clinicians.
    pub advantage_probability: Option<f64>,
    /// Change in ICC(A,1) when the judge takes a clinician's place (rating-weighted mean).
    pub replacement_icc: Estimate,
    /// Change in interval alpha when the judge takes a clinician's place.
    pub replacement_alpha: Estimate,
    /// ICC(A,1) of the judge against the human mean, with its interval.
    pub icc_a1: Estimate,
    /// How `icc_a1` is read: Koo & Li's category of both CI bounds at the response level,
    /// MentalBench's width class (named so) at the model level.
    pub icc_reading: String,
    /// Mean judge − human mean.
    pub bias: Estimate,
    /// Every criterion's finding, in the report's order.
    pub findings: Vec<Finding>,
    /// Score compression, proportional bias, length bias and self-preference.
    pub diagnostics: Vec<Diagnostic>,
}

fn label(criterion: &str) -> &'static str {
    match criterion {
        "alt_test" => "Alternative Annotator Test",
        "replacement" => "As a replacement rater",
        "ICC_A1" => "Agreement with the human mean",
        "bias" => "Bias",
        "system_class" => "Model level",
        _ => "Other",
    }
}

/// The verdict's kind and a sentence for it.
fn headline(j: &JudgeReport, humans: usize) -> (&'static str, String) {
    let v = &j.verdict;
    if v.verdict == "can replace a clinician" {
        (
            "replace",
            format!("{} can replace a clinician on this attribute", j.judge),
        )
    } else if v.verdict == "cannot" {
        (
            "cannot",
            format!("{} cannot replace a clinician on this attribute", j.judge),
        )
    } else {
        let more = match v.more_responses {
            Some(n) => format!("rate {n} more responses to decide"),
            // What would settle it: the tests that compare clinicians need a second one.
            None if humans < 2 => "a second clinician must rate the same responses".to_string(),
            None => "more responses alone would not settle it".to_string(),
        };
        ("undetermined", format!("Not yet decided: {more}"))
    }
}

fn icc_reading(j: &JudgeReport) -> String {
    let c = &j.reliability_class;
    format!("{} ({})", c.class, c.basis)
}

fn diagnostics(j: &JudgeReport) -> Vec<Diagnostic> {
    let d = &j.bias_diagnostics;
    [
        (
            "sd_ratio",
            "SD ratio judge / human mean (below 1: compressed)",
            &d.sd_ratio,
        ),
        (
            "proportional_bias",
            "Proportional bias (slope on mean)",
            &d.proportional_bias,
        ),
        (
            "length_bias",
            "Length bias (slope on ln length)",
            &d.length_bias,
        ),
        (
            "self_preference",
            "Self-preference (own − other models)",
            &d.self_preference,
        ),
    ]
    .into_iter()
    .map(|(key, label, e)| Diagnostic {
        key: key.to_string(),
        label: label.to_string(),
        estimate: e.clone(),
    })
    .collect()
}

/// The verdict rows of one attribute's report, one per judge in report order.
pub fn verdict_rows(r: &AttributeReport) -> Vec<VerdictRow> {
    r.judges
        .iter()
        .map(|j| {
            let (kind, headline) = headline(j, r.humans.raters.len());
            let a = &j.alt_test;
            VerdictRow {
                judge: j.judge.clone(),
                attribute: r.attribute.clone(),
                verdict: j.verdict.verdict.clone(),
                kind: kind.to_string(),
                headline,
                more_responses: j.verdict.more_responses,
                epsilon: a.epsilon,
                winning_rate: a.winning_rate,
                passed: a.passed,
                humans_beaten: a.humans.iter().filter(|h| h.rejected).count(),
                humans_tested: a.humans.len(),
                advantage_probability: a.advantage_probability,
                replacement_icc: j.replacement.mean_delta.icc_a1.clone(),
                replacement_alpha: j.replacement.mean_delta.alpha_interval.clone(),
                icc_a1: j.agreement.icc.icc_a1.clone(),
                icc_reading: icc_reading(j),
                bias: j.agreement.bias.clone(),
                findings: j
                    .verdict
                    .reasons
                    .iter()
                    .map(|f| Finding {
                        criterion: f.criterion.clone(),
                        label: label(&f.criterion).to_string(),
                        finding: f.finding.clone(),
                        detail: f.detail.clone(),
                    })
                    .collect(),
                diagnostics: diagnostics(j),
            }
        })
        .collect()
}

/// An estimate as "v [lo, hi]", "v (no interval)" or "— (reason)".
pub(crate) fn estimate_text(e: &Estimate) -> String {
    match (e.value, e.ci95) {
        (Some(v), Some([lo, hi])) => format!("{} [{}, {}]", num(v), num(lo), num(hi)),
        (Some(v), None) => format!("{} (no interval)", num(v)),
        _ => format!("— ({})", e.reason.as_deref().unwrap_or("not estimable")),
    }
}

/// With fewer than two humans the two tests that compare clinicians cannot run: the sentence
/// said once above the verdicts (report and dashboard) instead of in every row.
pub(crate) fn one_clinician_note(humans: usize) -> Option<String> {
    let raters = if humans == 1 { "rater" } else { "raters" };
    (humans < 2).then(|| {
        format!(
            "This analysis has {humans} human {raters}: the alternative annotator test and the \
             replacement test need at least 2 clinicians and were not run, and a judge's bias \
             has no clinicians' range to be judged against, so it is only reported. The \
             verdicts rest on the agreement with the human mean: “cannot” when the whole \
             ICC(A,1) CI lies below 0.5, “undetermined” otherwise."
        )
    })
}

/// The HTML report's section: per judge, one row per attribute with the verdict and each
/// criterion's finding, then the bias diagnostics.
pub(crate) fn html_section(h: &mut String, a: &Analysis) {
    let sheets = sheets(a);
    let rows: Vec<(String, VerdictRow)> = sheets
        .iter()
        .flat_map(|(r, label, _)| verdict_rows(r).into_iter().map(move |v| (label.clone(), v)))
        .collect();
    if rows.is_empty() {
        return;
    }
    let eps = rows[0].1.epsilon;
    let _ = write!(
        h,
        "<h2>Can this judge replace a clinician?</h2>\n<p>For each judge and attribute: the \
verdict and the findings it rests on. <b>Alternative Annotator Test</b> (Calderon et al. 2025): \
ω is the share of clinicians the judge beats — its advantage in aligning with the other \
clinicians is not worse than that clinician's by ε = {eps} or more (one-sided t-test, \
Benjamini–Yekutieli at q = 0.05); passed when ω ≥ 0.5. <b>As a replacement rater</b> (ACORN): \
the change in the clinicians' ICC(A,1) and interval alpha when the judge takes each clinician's \
place, with a paired jackknife CI (one item, or response, left out at a time); a CI entirely \
below 0 means the judge lowers agreement. \
<b>Agreement with the human mean</b>: ICC(A,1) with its 95% CI, read from both bounds. \
<b>Bias</b> counts against only when the judge is more biased than every clinician (with a \
single clinician there is no such range, and the bias is only reported). Each \
finding is for, against, open (more responses needed) or a note.</p>\n"
    );
    let note = one_clinician_note(crate::selection::selected(a, false).len());
    let (columns, criteria): (&[&str], &[&str]) = if let Some(note) = note {
        let _ = writeln!(h, "<p>{}</p>", esc(&note));
        (
            &[
                "Attribute",
                "Verdict",
                "Agreement with the human mean",
                "Bias",
            ],
            &["ICC_A1", "bias"],
        )
    } else {
        (
            &[
                "Attribute",
                "Verdict",
                "Alternative Annotator Test",
                "As a replacement rater",
                "Agreement with the human mean",
                "Bias",
            ],
            &["alt_test", "replacement", "ICC_A1", "bias"],
        )
    };
    for judge in crate::selection::selected(a, true) {
        let mine: Vec<&(String, VerdictRow)> =
            rows.iter().filter(|(_, v)| v.judge == judge).collect();
        if mine.is_empty() {
            continue;
        }
        let _ = writeln!(h, "<h3>{}</h3>", esc(&judge));
        head(
            h,
            "Verdict and findings; numbers are estimate [95% CI].",
            columns,
        );
        for (label, v) in &mine {
            row_start(h, label, false);
            let _ = write!(h, "<td class=\"name\"><b>{}</b></td>", esc(&v.verdict));
            for criterion in criteria {
                match v.findings.iter().find(|f| f.criterion == *criterion) {
                    Some(f) => {
                        let _ = write!(
                            h,
                            "<td class=\"name wrap\"><i>{}</i>: {}</td>",
                            esc(&f.finding),
                            esc(&f.detail)
                        );
                    }
                    None => h.push_str("<td class=\"na\">—</td>"),
                }
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody></table></div>\n");
        head(
            h,
            "Bias diagnostics, response level: estimate [95% CI]; read beside the same statistics \
             for each clinician against the others (JSON <code>bias_diagnostics.clinicians</code>).",
            &[
                "Attribute",
                "SD ratio",
                "Proportional bias",
                "Length bias",
                "Self-preference",
            ],
        );
        for (label, v) in &mine {
            row_start(h, label, false);
            for d in &v.diagnostics {
                let _ = write!(h, "<td>{}</td>", esc(&estimate_text(&d.estimate)));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody></table></div>\n");
    }
}
