//! The agreement tables: the human raters' statistics and each judge against the human mean.

use std::fmt::Write as _;

use concord_stats::report::{AttributeReport, Unit};

use super::cells::{cell, ci_span, esc, head, not_estimated, num, row_start, share};
use crate::selection::{self, sheets};
use crate::Analysis;

pub(super) fn human_tables(h: &mut String, a: &Analysis) {
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
    table(
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
        &rows,
        |r| [r],
        |h, r| {
            let _ = write!(h, "<td>{}</td>", r.humans.n_dropped);
            for (_, e) in r.humans.icc.named() {
                h.push_str(&cell(e));
            }
        },
    );

    h.push_str("<h3>All ratings: REML intraclass correlation</h3>\n");
    table(
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
        &rows,
        |r| [r],
        |h, r| {
            let m = &r.humans.icc_reml;
            let _ = write!(
                h,
                "<td>{}</td>",
                m.k.map_or_else(|| "—".to_string(), |k| format!("{k:.2}"))
            );
            for e in [&m.icc_a1, &m.icc_c1, &m.icc_ak, &m.icc_ck] {
                h.push_str(&cell(e));
            }
        },
    );

    h.push_str("<h3>All ratings: Henderson ICC and Krippendorff's alpha</h3>\n");
    table(
        h,
        "Estimate [95% CI: parametric bootstrap (Henderson), jackknife over items or responses \
         (alpha)]; n = responses (Henderson) or pairable units (alpha); dropped = responses with \
         no human rating.",
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
        &rows,
        |r| [r],
        |h, r| {
            let u = &r.humans.icc_unbalanced;
            let _ = write!(h, "<td>{}</td>", u.n_dropped);
            h.push_str(&cell(&u.icc_a1));
            h.push_str(&cell(&u.icc_c1));
            for (_, e) in r.humans.alpha.named() {
                h.push_str(&cell(e));
            }
        },
    );

    h.push_str("<h3>Chance-corrected agreement: Fleiss' kappa and Gwet's AC1/AC2</h3>\n");
    table(
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
        &rows,
        |r| [r],
        |h, r| {
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
        },
    );

    h.push_str("<h3>Pairs of human raters: Cohen's kappa</h3>\n");
    let any_pair = rows.iter().any(|(r, _, _)| !r.humans.pairs.is_empty());
    if any_pair {
        table(
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
            &rows,
            |r| &r.humans.pairs,
            |h, p| {
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
            },
        );
    } else {
        h.push_str("<p>Fewer than two human raters: no pair to compare.</p>\n");
    }

    h.push_str("<h3>Each human rater against the other humans</h3>\n");
    table(
        h,
        "Against the leave-one-out mean of the other humans; n = responses rated by the rater \
         and at least one other human.",
        &["Attribute", "Rater", "n", "ICC(C,1)", "Mean difference"],
        &rows,
        |r| &r.humans.rater_diagnostics,
        |h, d| {
            let _ = write!(
                h,
                "<td class=\"name\">{}</td><td>{}</td>",
                esc(&d.rater),
                d.n
            );
            h.push_str(&cell(&d.icc_c1));
            h.push_str(&cell(&d.bias));
        },
    );
}

pub(super) fn judge_tables(h: &mut String, a: &Analysis) {
    let rows = sheets(a);
    let judges = selection::selected(a, true);
    h.push_str("<h2>LLM judges against the human mean</h2>\n");
    if judges.is_empty() {
        h.push_str("<p>No LLM judge is selected in this study.</p>\n");
        return;
    }
    for judge in &judges {
        let _ = writeln!(h, "<h3>{}</h3>", esc(judge));
        table(
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
            &rows,
            |r| r.judges.iter().find(|j| &j.judge == judge),
            |h, j| {
                let _ = write!(h, "<td>{}</td><td>{}</td>", j.n_targets, j.n_excluded_own);
                h.push_str(&cell(&j.agreement.icc.icc_a1));
                h.push_str(&cell(&j.agreement.icc.icc_c1));
                h.push_str(&cell(&j.agreement.bias));
                let ba = &j.agreement.bland_altman;
                for i in 0..2 {
                    match ba.loa {
                        Some(loa) => {
                            let ci = ci_span(ba.loa_ci95.map(|c| c[i]));
                            let _ = write!(h, "<td>{}{ci}</td>", num(loa[i]));
                        }
                        None => h.push_str(&not_estimated(ba.reason.as_deref())),
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
                // A width class is shown with the interval it is read from (not ICC(C,1)'s,
                // which keeps the replicates outside [0, 1]); a Koo & Li class with none: its
                // interval is ICC(A,1)'s, in its own column.
                let c = &j.reliability_class;
                let interval = match j.unit {
                    Unit::Model => ci_span(c.ci95),
                    Unit::Response => String::new(),
                };
                let _ = write!(h, "<td class=\"name\">{}{interval}</td>", esc(&c.class));
            },
        );
    }
}

/// One table of rows per attribute and composite (`sheets`): the head, then for each sheet a
/// row per item `rows_of` gives (one, several, or none), labelled with the sheet and filled by
/// `cells`, and the close.
fn table<'a, T, I>(
    h: &mut String,
    caption: &str,
    columns: &[&str],
    sheets: &[(&'a AttributeReport, String, bool)],
    rows_of: impl Fn(&'a AttributeReport) -> I,
    cells: impl Fn(&mut String, T),
) where
    I: IntoIterator<Item = T>,
{
    head(h, caption, columns);
    for (r, label, composite) in sheets {
        for item in rows_of(r) {
            row_start(h, label, *composite);
            cells(h, item);
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</tbody></table></div>\n");
}

/// The heading of the judge tables' reliability column: what the class is read from.
fn class_heading(unit: Unit) -> &'static str {
    match unit {
        Unit::Response => "Reliability (Koo &amp; Li, both CI bounds of ICC(A,1))",
        Unit::Model => "MentalBench width class (model level)",
    }
}
