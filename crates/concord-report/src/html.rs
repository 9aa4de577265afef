//! The self-contained HTML report: one file with inline CSS and inline SVG, no scripts, no
//! remote resources and no web fonts, fit to attach to a paper's supplement or to print.

use std::fmt::Write as _;

use concord_core::Study;
use concord_stats::ppi::MeanCi;
use concord_stats::report::{AttributeReport, ReportOptions, Unit};
use concord_stats::Estimate;

use crate::charts::{ChartData, Metric, JITTER, JUDGE_METRIC};
use crate::selection::{self, sheets};
use crate::{Analysis, Result};

/// Metric of the report's forest plot.
const MAIN_METRIC: Metric = Metric::Icc2;

const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif;
  color: #1a1a1a; background: #fff; max-width: 1180px; margin: 2rem auto; padding: 0 1.5rem;
  line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-top: 1.6rem; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: 12.5px;
  font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .45rem; vertical-align: top; text-align: right; }
th { background: #f2f2f2; font-weight: 600; text-align: center; }
td.name, th.name { text-align: left; white-space: nowrap; }
tr.composite td { background: #f7f7f2; }
td small, .note { color: #555; }
td.na { color: #777; text-align: left; }
td.wrap { white-space: normal; min-width: 13em; }
td .ci { white-space: nowrap; }
table.kv td, table.kv th { text-align: left; }
div.wide { overflow-x: auto; }
caption { text-align: left; caption-side: top; padding-bottom: .2rem; }
figure { margin: 1.2rem 0 2rem; }
figure svg { display: block; max-width: 100%; height: auto; border: 1px solid #e2e2e2; }
figcaption { font-size: 13px; color: #333; margin-top: .35rem; }
.warning { color: #8a4b00; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  table, figure, tr { break-inside: avoid; }
  figure svg { border: none; }
  div.wide { overflow: visible; }
  table { font-size: 8pt; }
}
"#;

/// One self-contained HTML report of `study` with `opts`: study summary, a Methods paragraph
/// naming every statistic and CI method, tables of every estimate (estimate [95% CI], n,
/// dropped), "Can this judge replace a clinician?" (verdicts with their findings and the
/// bias diagnostics), the "Model scores" (PPI++ with the first judge) and the charts (forest for
/// ICC(2,1), heatmap, bias, one Bland–Altman per judge on the first attribute, one distribution
/// per attribute, a confusion matrix and progress).
/// All study text is HTML-escaped; the file has no script and references nothing outside it.
pub fn html_report(study: &Study, opts: &ReportOptions) -> Result<String> {
    let analysis = Analysis::load(study, opts)?;
    let info = study.info()?;
    let mut h = String::with_capacity(1 << 20);
    let title = format!("Agreement report: {}", info.name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"Concord {v}\">\n<title>{t}</title>\n\
         <style>{CSS}</style>\n</head>\n<body>\n<h1>{t}</h1>\n\
         <p class=\"meta\">Generated {date} UTC by Concord {v} from <code>{file}</code>.</p>\n",
        v = env!("CARGO_PKG_VERSION"),
        t = esc(&title),
        date = utc_now(),
        file = esc(&study
            .path()
            .file_name()
            .map_or_else(String::new, |f| { f.to_string_lossy().into_owned() })),
    );
    summary(&mut h, &analysis, &info);
    methods(&mut h, &analysis);
    human_tables(&mut h, &analysis);
    judge_tables(&mut h, &analysis);
    crate::verdicts::html_section(&mut h, &analysis);
    model_scores(&mut h, &analysis);
    figures(&mut h, &analysis)?;
    if !analysis.report.warnings.is_empty() {
        h.push_str("<h2>Warnings</h2>\n<ul>\n");
        for w in &analysis.report.warnings {
            let _ = writeln!(h, "<li class=\"warning\">{}</li>", esc(w));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</body>\n</html>\n");
    Ok(h)
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn names(list: &[String]) -> String {
    if list.is_empty() {
        "none".to_string()
    } else {
        esc(&list.join(", "))
    }
}

fn summary(h: &mut String, a: &Analysis, info: &concord_core::StudyInfo) {
    let humans = selection::selected(a, false);
    let judges = selection::selected(a, true);
    let d = &a.snapshot.live.ratings;
    h.push_str("<h2>Study</h2>\n<table class=\"kv\">\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(h, "<tr><th>{k}</th><td>{v}</td></tr>");
    };
    row("Study", esc(&info.name));
    row("Items (prompts)", info.items.to_string());
    row("Responses", info.responses.to_string());
    row(
        "Human raters",
        format!("{} analysed: {}", humans.len(), names(&humans)),
    );
    row(
        "LLM judges",
        format!("{} analysed: {}", judges.len(), names(&judges)),
    );
    row("Ratings", format!("{} current values", info.ratings));
    let attributes: Vec<String> = d
        .attributes
        .iter()
        .zip(&a.snapshot.labels)
        .map(|(s, l)| {
            let group = s
                .group
                .as_deref()
                .map(|g| format!(", {g}"))
                .unwrap_or_default();
            format!("{l} ({}{group}, {}–{})", s.key, s.scale_min, s.scale_max)
        })
        .collect();
    row("Attributes", names(&attributes));
    row(
        "Overlap target",
        format!("{} raters per response", a.snapshot.overlap_target),
    );
    h.push_str("</table>\n");
}

fn methods(h: &mut String, a: &Analysis) {
    let o = &a.report.options;
    let bootstrap = if o.bootstrap == 0 {
        "Bootstrap intervals were disabled (0 resamples), so the estimates that rely on them have \
         no CI."
            .to_string()
    } else {
        format!(
            "Every bootstrap interval is a percentile interval from {} resamples of responses \
             (seed {}), so rerunning the report on the same file gives the same numbers.",
            o.bootstrap, o.bootstrap_seed
        )
    };
    let unit = match o.unit {
        Unit::Response => "per response (the judge's score against the mean of the human scores \
                           of the same response)"
            .to_string(),
        Unit::Model => "per model (the judge's mean score against the human mean score over that \
                        model's responses; CIs of the judge statistics by bootstrap)"
            .to_string(),
    };
    let own: Vec<String> = o
        .exclude_own
        .iter()
        .map(|(j, ms)| format!("{j}: {}", ms.join(", ")))
        .collect();
    let own = if own.is_empty() {
        String::new()
    } else {
        format!(
            " Responses from a judge's own models were left out of that judge's comparison ({}; \
             family patterns such as “claude-*” resolved to the study's models, an unknown name \
             refused).",
            esc(&own.join("; "))
        )
    };
    let _ = write!(
        h,
        "<h2>Methods</h2>\n<p>Agreement was computed with Concord {v} separately for each rubric \
attribute and for each group composite (the mean of a group's attributes for one rater and \
response, formed only when that rater scored every attribute of the group). Among the human \
raters, the six intraclass correlation coefficients of Shrout &amp; Fleiss (1979) and McGraw \
&amp; Wong (1996) — ICC(1,1), ICC(2,1)&nbsp;=&nbsp;ICC(A,1), ICC(3,1)&nbsp;=&nbsp;ICC(C,1) and \
the average-measure forms ICC(1,k), ICC(2,k), ICC(3,k) — were estimated from the two-way ANOVA \
mean squares on the responses rated by every human rater (the others are reported as dropped), \
with F-distribution 95% confidence intervals. To use every rating of an incomplete design, \
the variance components of the crossed random-effects model score ~ 1 + (1|response) + \
(1|rater) were estimated by restricted maximum likelihood (REML), giving ICC(A,1), ICC(C,1), \
ICC(A,k) and ICC(C,k) (k = mean ratings per response) with generalized confidence intervals \
(Weerahandi 1993) whose pivots, the fitting-constants sums of squares over their expectations, \
come from a parametric bootstrap of the fitted model that redraws the rater effects, so raters \
are treated as random; where some responses miss a rater, the forest plot shows these REML forms \
rather than the complete-case ANOVA ones. ICC(A,1) and ICC(C,1) are also given from Henderson's \
method I, with bootstrap CIs. Krippendorff's alpha (nominal, ordinal, interval and ratio metrics) was \
computed from the coincidence matrix with missing ratings allowed, with bootstrap CIs (standard \
error by delete-one-unit jackknife). Fleiss' kappa (complete responses; standard error by \
linearisation) and Gwet's AC1 and AC2 (linear and quadratic weights, categories = the declared \
scale) have t-based CIs. For every pair of human raters, Cohen's kappa (unweighted, linearly and \
quadratically weighted) has the Fleiss–Cohen–Everitt standard error and a normal-theory CI, next \
to exact and within-one-point agreement. Each human rater was also compared with the \
leave-one-out mean of the other humans (ICC(C,1) and mean difference with a t CI).</p>\n\
<p>Each LLM judge was compared with the human raters {unit}, on the responses rated by the judge \
and by at least one human.{own} Reported are ICC(A,1) and ICC(C,1) of the two columns (McGraw \
&amp; Wong 1996, F-based CIs); the judge's bias, mean(judge − human mean), with a t-based 95% CI; \
Bland–Altman 95% limits of agreement (bias ± 1.96&nbsp;SD) with the approximate CIs of Bland \
&amp; Altman (1999); Pearson's r with a Fisher-z CI; Spearman's ρ (Fisher-z CI, SE \
1/√(n−3)); Kendall's τ-b (asymptotic p, Fisher-z CI with SE √(0.437/(n−4))); and Lin's \
concordance correlation coefficient (CCC) with a z-transform CI. At the response level a \
judge's reliability is read from both bounds of its ICC(A,1) CI (Koo &amp; Li 2016: poor &lt; 0.5 \
≤ moderate &lt; 0.75 ≤ good ≤ 0.9 &lt; excellent), never from the interval's width; at the model \
level MentalBench's width classes are given as such (ICC(C,1) percentile interval over model \
means, replicates outside [0, 1] dropped: GR ≤ {t0} &lt; MR ≤ {t1} &lt; PR). Whether a judge can \
replace a clinician rests on the Alternative Annotator Test (Calderon et al. 2025; ε = {eps}, \
q = {q}, at least {min_items} shared responses per tested clinician, Benjamini–Yekutieli), on \
the change in the humans' agreement when the judge takes each \
clinician's place in turn (ACORN; paired bootstrap CI), on the ICC reading above and on the \
judge's bias against the clinicians' own spread; no reading rests on an interval's width \
alone. The bias diagnostics are the SD ratio judge / human mean (Pitman–Morgan CI), the \
Bland–Altman regression slope of the difference on the mean (proportional bias) and on log \
response length (length bias), each with a t CI, and self-preference: the bias on the judge's \
own models minus that on the others (Welch CI).</p>\n\
<p>{bootstrap} All intervals are 95%. An estimate that cannot be computed (too few raters or \
responses, or no variance) is shown as “—” with the reason; nothing is imputed. In the figures, \
the forest plot shows {main} among the humans and {judge} of each judge against the human mean; \
Bland–Altman points are jittered by up to ±{jitter} score points (seeded) to separate ties, \
which moves only the drawn points, not any statistic.</p>\n",
        v = env!("CARGO_PKG_VERSION"),
        t0 = o.reliability_thresholds.0,
        t1 = o.reliability_thresholds.1,
        main = MAIN_METRIC.label(),
        judge = JUDGE_METRIC,
        jitter = JITTER,
        eps = o.alt_test.epsilon,
        q = o.alt_test.q,
        min_items = o.alt_test.min_items,
    );
}

/// A number as printed in the tables: three decimals, never "-0.000".
fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    if s == "-0.000" {
        "0.000".to_string()
    } else {
        s
    }
}

/// A table cell with estimate, CI and n, or "—" and the reason.
fn cell(e: &Estimate) -> String {
    match e.value {
        Some(v) => {
            let ci = e.ci95.map_or_else(String::new, |[lo, hi]| {
                format!(" <span class=\"ci\">[{}, {}]</span>", num(lo), num(hi))
            });
            let n =
                e.n.map_or_else(String::new, |n| format!("<br><small>n = {n}</small>"));
            format!("<td>{}{ci}{n}</td>", num(v))
        }
        None => format!(
            "<td class=\"na\">—<br><small>{}</small></td>",
            esc(e.reason.as_deref().unwrap_or("not estimable"))
        ),
    }
}

fn share(v: Option<f64>) -> String {
    v.map_or_else(
        || "<td class=\"na\">—</td>".to_string(),
        |v| format!("<td>{}</td>", num(v)),
    )
}

pub(crate) fn head(h: &mut String, caption: &str, columns: &[&str]) {
    let _ = write!(
        h,
        "<div class=\"wide\"><table>\n<caption class=\"note\">{caption}</caption>\n<thead><tr>"
    );
    for (i, c) in columns.iter().enumerate() {
        let class = if i == 0 { " class=\"name\"" } else { "" };
        let _ = write!(h, "<th{class}>{c}</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
}

pub(crate) fn row_start(h: &mut String, label: &str, composite: bool) {
    let class = if composite {
        " class=\"composite\""
    } else {
        ""
    };
    let _ = write!(h, "<tr{class}><td class=\"name\">{}</td>", esc(label));
}

fn human_tables(h: &mut String, a: &Analysis) {
    let rows = sheets(a);
    h.push_str("<h2>Inter-rater agreement among human raters</h2>\n");
    if rows.is_empty() {
        h.push_str("<p>No attribute was analysed.</p>\n");
        return;
    }
    let humans = selection::selected(a, false).len();
    if humans < 2 {
        // One sentence instead of tables of dashes: nothing here can be estimated.
        let _ = writeln!(
            h,
            "<p>Not estimated: {}.</p>",
            esc(&crate::table::one_rater_sentence(humans))
        );
        return;
    }
    h.push_str("<h3>Intraclass correlation (complete responses)</h3>\n");
    head(
        h,
        "Estimate [95% CI, F-based]; n = responses rated by every human; dropped = responses \
         with at least one human rating but not all.",
        &[
            "Attribute",
            "Dropped",
            "ICC(1,1)",
            "ICC(2,1)",
            "ICC(3,1)",
            "ICC(1,k)",
            "ICC(2,k)",
            "ICC(3,k)",
        ],
    );
    for (r, label, composite) in &rows {
        row_start(h, label, *composite);
        let _ = write!(h, "<td>{}</td>", r.humans.n_dropped);
        for (_, e) in r.humans.icc.named() {
            h.push_str(&cell(e));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");

    h.push_str("<h3>All ratings: REML intraclass correlation</h3>\n");
    head(
        h,
        "Estimate [95% generalized CI, parametric-bootstrap pivots]; variance components of score ~ 1 + (1|response) \
         + (1|rater) by REML on every rating; k = mean ratings per response; n = responses \
         with a human rating. The headline ICC on incomplete data.",
        &[
            "Attribute",
            "k",
            "ICC(A,1)",
            "ICC(C,1)",
            "ICC(A,k)",
            "ICC(C,k)",
        ],
    );
    for (r, label, composite) in &rows {
        row_start(h, label, *composite);
        let m = &r.humans.icc_reml;
        let _ = write!(
            h,
            "<td>{}</td>",
            m.k.map_or_else(|| "—".to_string(), |k| format!("{k:.2}"))
        );
        for e in [&m.icc_a1, &m.icc_c1, &m.icc_ak, &m.icc_ck] {
            h.push_str(&cell(e));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");

    h.push_str("<h3>All ratings: Henderson ICC and Krippendorff's alpha</h3>\n");
    head(
        h,
        "Estimate [95% bootstrap CI]; n = responses (Henderson) or pairable units (alpha); \
         dropped = responses with no human rating.",
        &[
            "Attribute",
            "Dropped",
            "ICC(A,1) Henderson",
            "ICC(C,1) Henderson",
            "α nominal",
            "α ordinal",
            "α interval",
            "α ratio",
        ],
    );
    for (r, label, composite) in &rows {
        row_start(h, label, *composite);
        let u = &r.humans.icc_unbalanced;
        let _ = write!(h, "<td>{}</td>", u.n_dropped);
        h.push_str(&cell(&u.icc_a1));
        h.push_str(&cell(&u.icc_c1));
        for (_, e) in r.humans.alpha.named() {
            h.push_str(&cell(e));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");

    h.push_str("<h3>Chance-corrected agreement: Fleiss' kappa and Gwet's AC1/AC2</h3>\n");
    head(
        h,
        "Estimate [95% t CI]; Fleiss' kappa on complete responses.",
        &[
            "Attribute",
            "Dropped",
            "Fleiss' κ",
            "Gwet AC1",
            "Gwet AC2 (linear)",
            "Gwet AC2 (quadratic)",
        ],
    );
    for (r, label, composite) in &rows {
        row_start(h, label, *composite);
        let g = &r.humans.gwet;
        let _ = write!(h, "<td>{}</td>", r.humans.n_dropped);
        for e in [
            &r.humans.fleiss_kappa,
            &g.ac1,
            &g.ac2_linear,
            &g.ac2_quadratic,
        ] {
            h.push_str(&cell(e));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");

    h.push_str("<h3>Pairs of human raters: Cohen's kappa</h3>\n");
    let any_pair = rows.iter().any(|(r, _, _)| !r.humans.pairs.is_empty());
    if any_pair {
        head(
            h,
            "Estimate [95% normal CI, Fleiss–Cohen–Everitt SE]; n = responses both rated.",
            &[
                "Attribute",
                "Pair",
                "n",
                "κ unweighted",
                "κ linear",
                "κ quadratic",
                "Exact",
                "Within one",
            ],
        );
        for (r, label, composite) in &rows {
            for p in &r.humans.pairs {
                row_start(h, label, *composite);
                let _ = write!(
                    h,
                    "<td class=\"name\">{} × {}</td><td>{}</td>",
                    esc(&p.raters[0]),
                    esc(&p.raters[1]),
                    p.n
                );
                for e in [&p.kappa.unweighted, &p.kappa.linear, &p.kappa.quadratic] {
                    h.push_str(&cell(e));
                }
                h.push_str(&share(p.exact));
                h.push_str(&share(p.within_one));
                h.push_str("</tr>\n");
            }
        }
        h.push_str("</tbody></table></div>\n");
    } else {
        h.push_str("<p>Fewer than two human raters: no pair to compare.</p>\n");
    }

    h.push_str("<h3>Each human rater against the other humans</h3>\n");
    head(
        h,
        "Against the leave-one-out mean of the other humans; n = responses rated by the rater \
         and at least one other human.",
        &["Attribute", "Rater", "n", "ICC(C,1)", "Mean difference"],
    );
    for (r, label, composite) in &rows {
        for d in &r.humans.rater_diagnostics {
            row_start(h, label, *composite);
            let _ = write!(
                h,
                "<td class=\"name\">{}</td><td>{}</td>",
                esc(&d.rater),
                d.n
            );
            h.push_str(&cell(&d.icc_c1));
            h.push_str(&cell(&d.bias));
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</tbody></table></div>\n");
}

fn judge_tables(h: &mut String, a: &Analysis) {
    let rows = sheets(a);
    let judges = selection::selected(a, true);
    h.push_str("<h2>LLM judges against the human mean</h2>\n");
    if judges.is_empty() {
        h.push_str("<p>No LLM judge is selected in this study.</p>\n");
        return;
    }
    for judge in &judges {
        let _ = writeln!(h, "<h3>{}</h3>", esc(judge));
        head(
            h,
            "Estimate [95% CI]; n = pairs used; excluded = responses from the judge's own models.",
            &[
                "Attribute",
                "n",
                "Excluded",
                "ICC(A,1)",
                "ICC(C,1)",
                "Bias",
                "Lower LoA",
                "Upper LoA",
                "Pearson r",
                "Spearman ρ",
                "Kendall τ-b",
                "Lin's CCC",
                class_heading(a.report.options.unit),
            ],
        );
        for (r, label, composite) in &rows {
            let Some(j) = r.judges.iter().find(|j| &j.judge == judge) else {
                continue;
            };
            row_start(h, label, *composite);
            let _ = write!(h, "<td>{}</td><td>{}</td>", j.n_targets, j.n_excluded_own);
            h.push_str(&cell(&j.agreement.icc.icc_a1));
            h.push_str(&cell(&j.agreement.icc.icc_c1));
            h.push_str(&cell(&j.agreement.bias));
            let ba = &j.agreement.bland_altman;
            for i in 0..2 {
                match ba.loa {
                    Some(loa) => {
                        let ci = ba.loa_ci95.map_or_else(String::new, |c| {
                            format!(
                                " <span class=\"ci\">[{}, {}]</span>",
                                num(c[i][0]),
                                num(c[i][1])
                            )
                        });
                        let _ = write!(h, "<td>{}{ci}</td>", num(loa[i]));
                    }
                    None => {
                        let _ = write!(
                            h,
                            "<td class=\"na\">—<br><small>{}</small></td>",
                            esc(ba.reason.as_deref().unwrap_or("not estimable"))
                        );
                    }
                }
            }
            for e in [
                &j.agreement.pearson,
                &j.agreement.spearman,
                &j.agreement.kendall_tau_b,
                &j.agreement.ccc,
            ] {
                h.push_str(&cell(e));
            }
            let _ = write!(
                h,
                "<td class=\"name\">{}</td>",
                esc(&j.reliability_class.class)
            );
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody></table></div>\n");
    }
}

/// The heading of the judge tables' reliability column: what the class is read from.
fn class_heading(unit: Unit) -> &'static str {
    match unit {
        Unit::Response => "Reliability (Koo &amp; Li, both CI bounds of ICC(A,1))",
        Unit::Model => "MentalBench width class (model level)",
    }
}

/// A table cell with a PPI mean and its interval, or "—" and the reason.
fn mean_cell(m: &MeanCi) -> String {
    match m.value {
        Some(v) => {
            let ci = m.ci95.map_or_else(String::new, |[lo, hi]| {
                format!(" <span class=\"ci\">[{}, {}]</span>", num(lo), num(hi))
            });
            format!("<td>{}{ci}</td>", num(v))
        }
        None => format!(
            "<td class=\"na\">—<br><small>{}</small></td>",
            esc(m.reason.as_deref().unwrap_or("not estimable"))
        ),
    }
}

/// "Model scores": PPI++ model means with the first selected judge, when the study has a judge
/// and human ratings (`estimates::estimate`).
fn model_scores(h: &mut String, a: &Analysis) {
    let data = &a.snapshot.live.ratings;
    let Some(judge) = crate::selection::selected(a, true).into_iter().next() else {
        return;
    };
    if !data
        .ratings
        .iter()
        .any(|o| data.raters.get(o.rater).is_some_and(|r| !r.is_judge))
    {
        return;
    }
    let keys: Vec<String> = a
        .report
        .attributes
        .iter()
        .map(|r| r.attribute.clone())
        .collect();
    let Ok(set) = crate::estimates::estimate(data, &judge, &keys, 0.05) else {
        return;
    };
    let _ = write!(
        h,
        "<h2>Model scores</h2>\n<p>Each model's mean score per attribute combines the human \
ratings with the scores of one LLM judge, {judge}, on every response, by prediction-powered \
inference in its power-tuned form PPI++ (Angelopoulos, Duchi &amp; Zrnic 2023, arXiv:2311.01453; \
PPI: Angelopoulos et al. 2023, <i>Science</i> 382:669), computed as the reference implementation \
<code>ppi_py</code> 0.2.3. For one model and attribute, Y is the mean human score of each \
human-rated response (n of them), Ŷ the judge's score of the same responses and Ŷ<sub>unl</sub> \
the judge's scores of the model's other responses (N). The PPI++ mean is \
mean(λŶ<sub>unl</sub>) + mean(Y − λŶ), with λ = Cov(Y, Ŷ) / ((1 + n/N)·Var(Ŷ)) clipped to \
[0, 1], and a normal 95% interval. It corrects the judge's bias with the human ratings, so it \
is unbiased however biased the judge, and with a useful judge its interval is narrower than \
the human-only one; this holds when the human-rated responses are a random sample of the \
model's responses (responses picked with unequal probabilities, as by <code>concord next</code>, \
need inverse-probability weights, which this table does not apply). Also shown: the human-only \
mean with its normal interval (<code>ppi_py</code>'s classical interval, SD with ddof 0), plain \
PPI (λ = 1), and the judge-only mean over all n + N responses, which carries the judge's bias \
and has no interval.</p>\n",
        judge = esc(&judge),
    );
    head(
        h,
        "Mean [95% CI]; n = human-rated responses, N = responses with only the judge's score.",
        &[
            "Attribute",
            "Model",
            "n",
            "N",
            "PPI++",
            "λ",
            "Human only",
            "PPI (λ = 1)",
            "Judge only (biased)",
        ],
    );
    for e in &set.estimates {
        let label = data
            .attributes
            .iter()
            .position(|x| x.key == e.attribute)
            .and_then(|i| a.snapshot.labels.get(i))
            .unwrap_or(&e.attribute);
        row_start(h, label, false);
        let _ = write!(
            h,
            "<td class=\"name\">{}</td><td>{}</td><td>{}</td>",
            esc(&e.model),
            e.n_labelled,
            e.n_unlabelled
        );
        h.push_str(&mean_cell(&e.ppi_plus));
        h.push_str(&share(e.ppi_plus.lambda));
        h.push_str(&mean_cell(&e.human_only));
        h.push_str(&mean_cell(&e.ppi));
        h.push_str(&share(e.judge_only.value));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");
}

fn figure(h: &mut String, n: &mut usize, data: &ChartData, caption: &str) -> Result<()> {
    *n += 1;
    let svg = concord_plots::render_svg(&data.as_chart(), None)?;
    let _ = write!(
        h,
        "<figure id=\"figure-{n}\">\n{svg}\n<figcaption><b>Figure {n}.</b> {}. {caption}</figcaption>\n</figure>\n",
        esc(&data.title()),
    );
    Ok(())
}

fn figures(h: &mut String, a: &Analysis) -> Result<()> {
    use crate::ChartRequest;
    h.push_str("<h2>Figures</h2>\n");
    let mut n = 0;
    let req = |chart: &str| ChartRequest {
        chart: chart.to_string(),
        metric: Some(MAIN_METRIC.key().to_string()),
        ..ChartRequest::default()
    };
    let first: Option<&AttributeReport> = a.report.attributes.first();
    figure(
        h,
        &mut n,
        &a.chart(&req("forest"))?,
        "Points are estimates, bars their 95% CIs; shaded rows are group composites.",
    )?;
    if !selection::selected(a, true).is_empty() {
        figure(
            h,
            &mut n,
            &a.chart(&req("heatmap"))?,
            "Cells print the estimate; “–” means no estimate.",
        )?;
        figure(
            h,
            &mut n,
            &a.chart(&req("bias"))?,
            "Below zero the judge scores lower than the humans.",
        )?;
        if let Some(first) = first {
            for judge in selection::selected(a, true) {
                let request = ChartRequest {
                    attribute: Some(first.attribute.clone()),
                    judge: Some(judge),
                    ..req("bland-altman")
                };
                figure(
                    h,
                    &mut n,
                    &a.chart(&request)?,
                    "Lines: the bias and the 95% limits of agreement, as in the judge tables.",
                )?;
            }
        }
    }
    for r in &a.report.attributes {
        let request = ChartRequest {
            attribute: Some(r.attribute.clone()),
            ..req("distribution")
        };
        figure(
            h,
            &mut n,
            &a.chart(&request)?,
            "Counts of ratings at each scale point.",
        )?;
    }
    if first.is_some() {
        figure(
            h,
            &mut n,
            &a.chart(&req("confusion"))?,
            "Responses rated by both raters, by the pair of scores they gave.",
        )?;
    }
    figure(
        h,
        &mut n,
        &a.chart(&req("progress"))?,
        "Responses count towards coverage once a human rater has rated every attribute.",
    )?;
    Ok(())
}

/// The current UTC time as "YYYY-MM-DD HH:MM".
fn utc_now() -> String {
    concord_core::format_utc_ms(concord_core::now_ms())[..16].replace('T', " ")
}
