//! The report's "Study" summary and its Methods paragraph (every statistic and CI method named).

use std::fmt::Write as _;

use concord_stats::report::Unit;

use super::cells::{esc, names};
use super::MAIN_METRIC;
use crate::charts::{JITTER, JUDGE_METRIC};
use crate::selection;
use crate::Analysis;

pub(super) fn summary(h: &mut String, a: &Analysis, info: &concord_core::StudyInfo) {
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
    let target = a.snapshot.overlap_target;
    let fewer = if humans.len() < target {
        format!(
            " (set for assignment; {} human rater(s) analysed)",
            humans.len()
        )
    } else {
        String::new()
    };
    row(
        "Overlap target",
        format!("{target} raters per response{fewer}"),
    );
    h.push_str("</table>\n");
}

pub(super) fn methods(h: &mut String, a: &Analysis) {
    let o = &a.report.options;
    let bootstrap = if o.bootstrap == 0 {
        "Bootstrap intervals were disabled (0 resamples), so the estimates that rely on them have \
         no CI."
            .to_string()
    } else {
        format!(
            "Every bootstrap interval (the parametric draws behind the REML and Henderson \
             intervals, the percentile intervals over models) uses {} resamples (seed {}), so \
             rerunning the report on the same file gives the same numbers.",
            o.bootstrap, o.bootstrap_seed
        )
    };
    // Alpha's and the replacement test's jackknife leave out items when several models answer
    // each (`cluster_unit`), responses otherwise.
    let clusters = a.report.attributes.iter().find_map(|r| {
        r.humans
            .n_clusters
            .filter(|_| r.humans.cluster_unit == "item")
    });
    let jackknife_unit = match clusters {
        Some(n) => format!(
            "the items (prompts), each left out with all its responses ({n} items), since \
             several models answer each and their responses are not independent"
        ),
        None => "the responses".to_string(),
    };
    // At the model level every judge statistic's CI is the bootstrap over models; at the
    // response level with items as clusters, the item jackknife.
    let judge_statistics = match o.unit {
        Unit::Response if clusters.is_some() => {
            "Reported are ICC(A,1) and ICC(C,1) of the two columns (McGraw &amp; Wong 1996); \
             the judge's bias, mean(judge − human mean); Bland–Altman 95% limits of agreement \
             (bias ± 1.96&nbsp;SD); Pearson's r; Spearman's ρ; Kendall's τ-b; and Lin's \
             concordance correlation coefficient (CCC): each with the delete-one-cluster \
             jackknife CI over the items (estimate ± t<sub>C−1</sub> × SE), since responses to \
             one prompt are not independent and intervals that assume so are too narrow."
        }
        Unit::Response => {
            "Reported are ICC(A,1) and ICC(C,1) of the two columns (McGraw &amp; \
             Wong 1996, F-based CIs); the judge's bias, mean(judge − human mean), with a t-based \
             95% CI; Bland–Altman 95% limits of agreement (bias ± 1.96&nbsp;SD) with the \
             approximate CIs of Bland &amp; Altman (1999); Pearson's r with a Fisher-z CI; \
             Spearman's ρ (Fisher-z CI with the SE √((1 + ρ²/2)/(n−3)) of Bonett &amp; Wright \
             2000); Kendall's τ-b (asymptotic p, Fisher-z CI with SE √(0.437/(n−4))); and Lin's \
             concordance correlation coefficient (CCC) with a z-transform CI."
        }
        Unit::Model => {
            "Reported are ICC(A,1) and ICC(C,1) of the two columns (McGraw &amp; \
             Wong 1996); the judge's bias, mean(judge − human mean); Bland–Altman 95% limits of \
             agreement (bias ± 1.96&nbsp;SD); Pearson's r; Spearman's ρ; Kendall's τ-b; and Lin's \
             concordance correlation coefficient (CCC): each with the percentile interval of the \
             bootstrap over models (models resampled with replacement), as in MentalBench's \
             analysis."
        }
    };
    let unit = match o.unit {
        Unit::Response => "per response (the judge's score against the mean of the human scores \
                           of the same response)"
            .to_string(),
        Unit::Model => "per model (the judge's mean score against the human mean score over that \
                        model's responses)"
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
    let humans = if selection::selected(a, false).len() >= 2 {
        human_methods(&jackknife_unit, clusters.is_some())
    } else {
        "Inter-rater agreement among human raters was not estimated: it needs at least 2 human \
         raters, and this analysis has fewer."
            .to_string()
    };
    let _ = write!(
        h,
        "<h2>Methods</h2>\n<p>Agreement was computed with Concord {v} separately for each rubric \
attribute and for each group composite (the mean of a group's attributes for one rater and \
response, formed only when that rater scored every attribute of the group). {humans}</p>\n\
<p>Each LLM judge was compared with the human raters {unit}, on the responses rated by the judge \
and by at least one human.{own} {judge_statistics} At the response level a \
judge's reliability is read from both bounds of its ICC(A,1) CI (Koo &amp; Li 2016: poor &lt; 0.5 \
≤ moderate &lt; 0.75 ≤ good ≤ 0.9 &lt; excellent), never from the interval's width; at the model \
level MentalBench's width classes are given as such (ICC(C,1) percentile interval over model \
means, replicates outside [0, 1] dropped: GR ≤ {t0} &lt; MR ≤ {t1} &lt; PR); with few models that \
width moves with the bootstrap's random stream, so a class near a threshold is read with its \
interval. Whether a judge can \
replace a clinician rests on the Alternative Annotator Test (Calderon et al. 2025; ε = {eps}, \
q = {q}, at least {min_items} shared responses per tested clinician, Benjamini–Yekutieli), on \
the change in the humans' agreement when the judge takes each \
clinician's place in turn (ACORN; CI by the same jackknife, paired, raters fixed), on the ICC \
reading above and on the \
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

/// What was estimated among the humans, and how (the report has ≥ 2 human raters); with
/// responses nested in items (`clustered`) which intervals leave out items and which cannot.
fn human_methods(jackknife_unit: &str, clustered: bool) -> String {
    let items = if clustered {
        " Because several models answer each item, the intervals of ICC(3,1), ICC(3,k), Fleiss' \
         and Cohen's kappas, Gwet's coefficients and the rater comparisons are instead the same \
         delete-one-item jackknife as alpha's. The intervals of ICC(1,·) and ICC(2,·) and of \
         the REML and Henderson ICCs treat the raters as random and do not leave out items; on \
         responses nested in items they are too narrow (about 89% coverage instead of 95% in \
         simulation), so read them beside alpha's."
    } else {
        ""
    };
    format!(
        "Among the human raters, the six intraclass correlation coefficients of Shrout &amp; Fleiss (1979) and McGraw \
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
method I, with parametric bootstrap CIs. Krippendorff's alpha (nominal, ordinal, interval and \
ratio metrics) was computed from the coincidence matrix with missing ratings allowed, with \
delete-one-cluster jackknife CIs (estimate ± t<sub>C−1</sub> × SE over the C clusters, which \
are {}). Fleiss' kappa (on the responses rated by every human, and on every response with \
missing ratings allowed as irrCAC computes it; standard errors by linearisation) and Gwet's AC1 and AC2 (linear and quadratic weights, categories = the declared \
scale) have t-based CIs. For every pair of human raters, Cohen's kappa (unweighted, linearly and \
quadratically weighted) has the Fleiss–Cohen–Everitt standard error and a normal-theory CI, next \
to exact and within-one-point agreement. Each human rater was also compared with the \
leave-one-out mean of the other humans (ICC(C,1) and mean difference with a t CI).{items}",
        esc(jackknife_unit)
    )
}
