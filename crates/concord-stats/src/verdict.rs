//! "Can this judge replace a clinician?": one verdict per judge × attribute, with its reasons.
//!
//! The verdict rests on three criteria, each of which can be met ("for"), failed ("against") or
//! still open for lack of data ("open"):
//! 1. the Alternative Annotator Test (Calderon et al. 2025): passed (ω ≥ 0.5) is for; against
//!    when even every human not yet beaten by a clear margin could not bring ω to 0.5 (the
//!    judge's disadvantage against the others is ≥ ε at the point estimate); otherwise open;
//! 2. the replacement effect (ACORN): the rating-weighted mean change in ICC(A,1) and in interval
//!    alpha when the judge replaces a human; against when either interval lies entirely below 0
//!    (the judge lowers agreement), for when neither does;
//! 3. the response-level ICC(A,1) of judge vs human mean read by Koo & Li (2016) from both CI
//!    bounds: against when the upper bound is below 0.5 (poor throughout), for when the lower
//!    bound is at least 0.5, open when the interval straddles 0.5.
//!
//! Bias counts against when its whole CI lies beyond the largest bias of any clinician against
//! the other clinicians (a judge more biased than every clinician); a CI merely excluding 0 is
//! reported, and so is any bias when no clinician's bias against others is known (one
//! clinician). The system-level class (model unit) is reported, not decided on: MentalBench's
//! width classes describe interval width, not agreement.
//!
//! Any "against" gives "cannot"; all three "for" give "can replace a clinician"; otherwise
//! "undetermined: rate N more responses", N the largest of the open criteria's estimates (from
//! the normal approximation of the t-test or of the CI half-width shrinking as 1/√n).

use crate::alt_test::AltTest;
use crate::dist::normal_quantile;
use crate::estimate::Estimate;
use crate::judge::ReliabilityClass;
use crate::reliability::koo_li_interval;
use crate::replacement::Replacement;
use serde::{Deserialize, Serialize};

/// One finding the verdict rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictReason {
    /// "alt_test", "replacement", "ICC_A1", "bias" or "system_class".
    pub criterion: String,
    /// "for", "against", "open" (more data needed) or "note" (reported, not decided on).
    pub finding: String,
    /// The finding in words, with its numbers.
    pub detail: String,
}

/// The verdict for one judge on one attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// "can replace a clinician", "cannot", "undetermined: rate N more responses" or
    /// "undetermined" (when no number of responses would settle it, e.g. a single human).
    pub verdict: String,
    /// N of "rate N more responses".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_responses: Option<usize>,
    /// Every criterion's finding.
    pub reasons: Vec<VerdictReason>,
}

/// What the verdict reads (all response level except `system_class`).
pub struct VerdictInputs<'a> {
    /// The Alternative Annotator Test.
    pub alt_test: &'a AltTest,
    /// The replacement analysis.
    pub replacement: &'a Replacement,
    /// ICC(A,1) of the judge vs the human mean per response, with its CI.
    pub icc_a1: &'a Estimate,
    /// Mean judge − human mean per response, with its CI.
    pub bias: &'a Estimate,
    /// Each human's mean bias against the other humans.
    pub human_bias: &'a [Estimate],
    /// MentalBench's class at the model level, when the report is at that unit.
    pub system_class: Option<&'a ReliabilityClass>,
}

/// A criterion's finding and, when open, the responses it needs.
struct Finding {
    reason: VerdictReason,
    more: Option<usize>,
}

fn finding(criterion: &str, finding: &str, detail: String, more: Option<usize>) -> Finding {
    Finding {
        reason: VerdictReason {
            criterion: criterion.into(),
            finding: finding.into(),
            detail,
        },
        more,
    }
}

fn ci_text(e: &Estimate) -> String {
    match (e.value, e.ci95) {
        (Some(v), Some([lo, hi])) => format!("{v:.3} [{lo:.3}, {hi:.3}]"),
        (Some(v), None) => format!("{v:.3} (no interval)"),
        _ => "undefined".into(),
    }
}

/// Criterion 1: the Alternative Annotator Test.
fn alt_test_finding(a: &AltTest) -> Finding {
    let m = a.humans.len();
    if m == 0 {
        let more = a
            .untested
            .iter()
            .map(|u| a.min_items.saturating_sub(u.n))
            .min()
            .filter(|_| a.untested.len() >= 2);
        let why = a.reason.clone().unwrap_or_default();
        return finding("alt_test", "open", format!("not run: {why}"), more);
    }
    let omega = a.winning_rate.unwrap_or_default();
    let beaten = a.humans.iter().filter(|h| h.rejected).count();
    let needed = m.div_ceil(2);
    if beaten >= needed {
        return finding(
            "alt_test",
            "for",
            format!("passed: ω = {omega:.2}, the judge beats {beaten} of {m} clinicians by the ε = {} margin", a.epsilon),
            None,
        );
    }
    // Humans not beaten yet but whose disadvantage estimate is inside ε: more items could
    // reject them. Each needs n with z_{1−α*}·sd/√n ≤ ε − d̄, α* the BY level of the rank
    // that would make ω reach 0.5.
    let c_m: f64 = (1..=m).map(|i| 1.0 / i as f64).sum();
    let alpha = needed as f64 * a.q / (m as f64 * c_m);
    let z = normal_quantile(1.0 - alpha);
    let mut more: Vec<usize> = a
        .humans
        .iter()
        .filter(|h| !h.rejected && h.rho_h - h.rho_f < a.epsilon && h.sd_difference > 0.0)
        .map(|h| {
            let gap = a.epsilon - (h.rho_h - h.rho_f);
            let n_req = (z * h.sd_difference / gap).powi(2).ceil() as usize;
            n_req.saturating_sub(h.n).max(1)
        })
        .collect();
    let short = needed - beaten;
    if more.len() < short {
        return finding(
            "alt_test",
            "against",
            format!(
                "failed: ω = {omega:.2}; against {} of {m} clinicians the judge's disadvantage is ε = {} or more",
                m - beaten - more.len(),
                a.epsilon
            ),
            None,
        );
    }
    more.sort_unstable();
    finding(
        "alt_test",
        "open",
        format!("not yet passed: ω = {omega:.2}, {short} more clinician(s) to beat"),
        Some(more[short - 1]),
    )
}

/// Criterion 2: the replacement effect.
fn replacement_finding(r: &Replacement) -> Finding {
    let (a, i) = (&r.mean_delta.alpha_interval, &r.mean_delta.icc_a1);
    if a.value.is_none() && i.value.is_none() {
        let why = i
            .reason
            .as_deref()
            .or(a.reason.as_deref())
            .unwrap_or("no estimate");
        return finding("replacement", "open", format!("not run: {why}"), None);
    }
    let detail = format!(
        "replacing a clinician changes ICC(A,1) by {} and interval alpha by {}",
        ci_text(i),
        ci_text(a)
    );
    let below = |e: &Estimate| e.ci95.is_some_and(|[_, hi]| hi < 0.0);
    if below(a) || below(i) {
        finding(
            "replacement",
            "against",
            format!("{detail}: the judge lowers agreement"),
            None,
        )
    } else if a.ci95.is_none() || i.ci95.is_none() {
        finding(
            "replacement",
            "open",
            format!("{detail} (no interval)"),
            None,
        )
    } else {
        finding(
            "replacement",
            "for",
            format!("{detail}: no loss of agreement shown"),
            None,
        )
    }
}

/// Criterion 3: ICC(A,1) read by Koo & Li from both bounds.
fn icc_finding(e: &Estimate) -> Finding {
    let label = koo_li_interval(e, "ICC_A1").class;
    let detail = format!("ICC(A,1) judge vs human mean {} ({label})", ci_text(e));
    match (e.value, e.ci95) {
        (Some(_), Some([_, hi])) if hi < 0.5 => finding("ICC_A1", "against", detail, None),
        (Some(_), Some([lo, _])) if lo >= 0.5 => finding("ICC_A1", "for", detail, None),
        (Some(v), Some([lo, hi])) => {
            // The half-width shrinks as 1/√n; the interval leaves 0.5 when it is |v − 0.5|.
            let (h, gap) = ((hi - lo) / 2.0, (v - 0.5).abs());
            let more = e.n.filter(|_| gap > 0.0).map(|n| {
                let need = n as f64 * (h / gap).powi(2);
                // Less a hair, so that an exact square is not rounded up by float noise.
                ((need - 1e-9).ceil() as usize).saturating_sub(n).max(1)
            });
            finding("ICC_A1", "open", detail, more)
        }
        _ => finding("ICC_A1", "open", detail, None),
    }
}

/// Bias: against only when the judge is more biased than every clinician. Without a
/// clinician's bias against the others (a single clinician) there is no range to compare with,
/// and the bias is only reported: "more biased than every clinician" would hold of no one.
fn bias_finding(bias: &Estimate, human_bias: &[Estimate]) -> Finding {
    let Some(worst) = human_bias
        .iter()
        .filter_map(|b| b.value)
        .map(f64::abs)
        .reduce(f64::max)
    else {
        let detail = format!(
            "mean judge − human {}; no clinician's bias against other clinicians to compare \
             with (needs ≥ 2 clinicians rating the same responses)",
            ci_text(bias)
        );
        return finding("bias", "note", detail, None);
    };
    let detail = format!(
        "mean judge − human {}; largest clinician bias against the others {worst:.3}",
        ci_text(bias)
    );
    match bias.ci95 {
        Some([lo, hi]) if lo > worst || hi < -worst => finding(
            "bias",
            "against",
            format!("{detail}: more biased than every clinician"),
            None,
        ),
        Some([lo, hi]) if lo > 0.0 || hi < 0.0 => finding(
            "bias",
            "note",
            format!("{detail}: the interval excludes 0, within the clinicians' range"),
            None,
        ),
        _ => finding("bias", "note", detail, None),
    }
}

/// The verdict and its reasons (rules in the module notes).
pub fn verdict(inp: &VerdictInputs) -> Verdict {
    let mut findings = vec![
        alt_test_finding(inp.alt_test),
        replacement_finding(inp.replacement),
        icc_finding(inp.icc_a1),
        bias_finding(inp.bias, inp.human_bias),
    ];
    if let Some(c) = inp.system_class {
        findings.push(finding(
            "system_class",
            "note",
            format!("model level: {} ({})", c.class, c.basis),
            None,
        ));
    }
    let is = |f: &Finding, what: &str| f.reason.finding == what;
    let decisive = &findings[..3];
    let (text, more) = if findings.iter().any(|f| is(f, "against")) {
        ("cannot".to_string(), None)
    } else if decisive.iter().all(|f| is(f, "for")) {
        ("can replace a clinician".to_string(), None)
    } else {
        // A number only when every open criterion has one: more responses settle them all.
        let open: Vec<&Finding> = decisive.iter().filter(|f| is(f, "open")).collect();
        match open.iter().map(|f| f.more).collect::<Option<Vec<usize>>>() {
            Some(n) if !n.is_empty() => {
                let n = n.into_iter().max().unwrap_or_default();
                (format!("undetermined: rate {n} more responses"), Some(n))
            }
            _ => ("undetermined".to_string(), None),
        }
    };
    Verdict {
        verdict: text,
        more_responses: more,
        reasons: findings.into_iter().map(|f| f.reason).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alt_test::AltTestHuman;
    use crate::replacement::Agreement;

    fn human(
        name: &str,
        n: usize,
        rho_f: f64,
        rho_h: f64,
        sd: f64,
        rejected: bool,
    ) -> AltTestHuman {
        AltTestHuman {
            human: name.into(),
            n,
            rho_f,
            rho_h,
            sd_difference: sd,
            t: None,
            p_value: if rejected { 0.001 } else { 0.2 },
            rejected,
        }
    }

    fn alt(humans: Vec<AltTestHuman>) -> AltTest {
        let m = humans.len() as f64;
        let won = humans.iter().filter(|h| h.rejected).count() as f64;
        AltTest {
            epsilon: 0.2,
            q: 0.05,
            scoring: "neg_rmse".into(),
            min_items: 30,
            n_items: 40,
            winning_rate: Some(won / m),
            passed: Some(won / m >= 0.5),
            advantage_probability: Some(0.5),
            humans,
            untested: Vec::new(),
            reason: None,
        }
    }

    #[test]
    fn an_underpowered_alt_test_asks_for_the_responses_it_needs() {
        // One of three beaten; two within ε at n = 40 (d̄ = 0.05, SD 0.7). Two rejections make
        // ω ≥ 0.5, so the BY level of rank 2 applies: 2 · 0.05 / (3 · 11/6) = 0.018182,
        // z = 2.0929, n = ⌈(2.0929 · 0.7 / 0.15)²⌉ = 96, 56 more.
        let a = alt(vec![
            human("a", 40, 0.9, 0.8, 0.5, true),
            human("b", 40, 0.8, 0.85, 0.7, false),
            human("c", 40, 0.8, 0.85, 0.7, false),
        ]);
        let f = alt_test_finding(&a);
        assert_eq!(f.reason.finding, "open");
        assert_eq!(f.more, Some(56));
        // Two clinicians beat the judge by ε or more: no amount of data passes it.
        let a = alt(vec![
            human("a", 40, 0.9, 0.8, 0.5, true),
            human("b", 40, 0.5, 0.85, 0.7, false),
            human("c", 40, 0.6, 0.85, 0.7, false),
        ]);
        assert_eq!(alt_test_finding(&a).reason.finding, "against");
    }

    #[test]
    fn any_against_is_cannot_and_open_criteria_give_the_largest_number() {
        let ok = |v: f64, lo: f64, hi: f64| Estimate::point(v).with_ci(lo, hi, "t").with_n(100);
        let rep = |lo: f64, hi: f64| Replacement {
            n: 100,
            n_clusters: 100,
            all_humans: Agreement {
                alpha_interval: ok(0.7, 0.6, 0.8),
                icc_a1: ok(0.7, 0.6, 0.8),
            },
            humans: Vec::new(),
            mean_delta: Agreement {
                alpha_interval: ok((lo + hi) / 2.0, lo, hi),
                icc_a1: ok((lo + hi) / 2.0, lo, hi),
            },
        };
        let passed = alt(vec![human("a", 40, 0.9, 0.8, 0.5, true)]);
        let no_bias = ok(0.0, -0.1, 0.1);
        let run = |r: &Replacement, icc: &Estimate, bias: &Estimate| {
            verdict(&VerdictInputs {
                alt_test: &passed,
                replacement: r,
                icc_a1: icc,
                bias,
                human_bias: &[ok(0.3, 0.1, 0.5)],
                system_class: None,
            })
        };
        let v = run(&rep(-0.05, 0.03), &ok(0.8, 0.7, 0.9), &no_bias);
        assert_eq!(v.verdict, "can replace a clinician");
        let v = run(&rep(-0.2, -0.05), &ok(0.8, 0.7, 0.9), &no_bias);
        assert_eq!(v.verdict, "cannot");
        // Bias of 0.6 [0.5, 0.7] is beyond the most biased clinician (0.3): cannot.
        let v = run(&rep(-0.05, 0.03), &ok(0.8, 0.7, 0.9), &ok(0.6, 0.5, 0.7));
        assert_eq!(v.verdict, "cannot");
        // Bias inside the clinicians' range is only noted.
        let v = run(&rep(-0.05, 0.03), &ok(0.8, 0.7, 0.9), &ok(0.2, 0.1, 0.3));
        assert_eq!(v.verdict, "can replace a clinician");
        // ICC(A,1) 0.6 [0.45, 0.75] straddles 0.5: half-width 0.15 must shrink to 0.1, so
        // 100 · 1.5² = 225 responses, 125 more.
        let v = run(&rep(-0.05, 0.03), &ok(0.6, 0.45, 0.75), &no_bias);
        assert_eq!(v.verdict, "undetermined: rate 125 more responses");
        assert_eq!(v.more_responses, Some(125));
        // Without a replacement interval there is no number to give.
        let mut r = rep(-0.05, 0.03);
        r.mean_delta.icc_a1.ci95 = None;
        let v = run(&r, &ok(0.8, 0.7, 0.9), &no_bias);
        assert_eq!(v.verdict, "undetermined");
    }

    #[test]
    fn one_clinician_leaves_bias_undecided_and_says_why_replacement_did_not_run() {
        // A single clinician (MentalBench's consolidated score): no clinician is biased
        // against others, so a judge's bias of 0.6 [0.5, 0.7] is reported, not held against it.
        let one_clinician = [Estimate::missing("no other clinician")];
        let bias = Estimate::point(0.6).with_ci(0.5, 0.7, "t");
        let f = bias_finding(&bias, &one_clinician);
        assert_eq!(f.reason.finding, "note");
        assert!(
            f.reason.detail.contains("needs ≥ 2 clinicians"),
            "{}",
            f.reason.detail
        );
        // With a second clinician the same bias is beyond the clinicians' largest (0.3).
        let two = [Estimate::point(0.3), Estimate::point(-0.3)];
        assert_eq!(bias_finding(&bias, &two).reason.finding, "against");
        // A replacement test that could not run names its reason, not "undefined".
        let none = Estimate::missing("needs responses rated by the judge and ≥ 2 humans");
        let r = Replacement {
            n: 0,
            n_clusters: 0,
            all_humans: Agreement {
                alpha_interval: none.clone(),
                icc_a1: none.clone(),
            },
            humans: Vec::new(),
            mean_delta: Agreement {
                alpha_interval: none.clone(),
                icc_a1: none,
            },
        };
        let f = replacement_finding(&r);
        assert_eq!(f.reason.finding, "open");
        assert_eq!(
            f.reason.detail,
            "not run: needs responses rated by the judge and ≥ 2 humans"
        );
    }
}
