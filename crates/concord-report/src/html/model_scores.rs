//! The "Model scores" section: PPI++ model means with one judge.

use std::fmt::Write as _;

use super::cells::{esc, head, mean_cell, row_start, share};
use crate::Analysis;

/// How the PPI++ column treats the sampling design: weighted by the recorded rounds of
/// `concord next` (`estimates::estimate` applies them, as `concord estimate` does), or uniform.
fn design_text(rounds: Option<usize>) -> String {
    match rounds {
        Some(rounds) => format!(
            "This study recorded {rounds} active sampling round(s) (<code>concord next \
--assign</code>, Admin \"Rate next\"), which picked responses with unequal probabilities π, so \
the PPI++ column is the active-inference estimate instead (Zrnic &amp; Candès 2024, \
arXiv:2403.03208): every response's judge score with each human-rated response weighted by \
1/π, π combined over the rounds with the responses rated before the first round as a uniform \
sample of their model, λ power-tuned and clipped to [0, 1], as <code>concord estimate</code> \
prints. The human-only and PPI (λ = 1) columns are unweighted and lean toward the responses the \
rounds favoured. "
        ),
        None => "Responses picked with unequal probabilities (<code>concord next</code>) \
would be weighted by 1/π; this study recorded no such round. "
            .to_string(),
    }
}

/// "Model scores": PPI++ model means with the first selected judge, when the study has a judge
/// and human ratings (`estimates::estimate`).
pub(super) fn model_scores(h: &mut String, a: &Analysis) {
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
    let Ok(set) = crate::estimates::estimate(data, &a.snapshot.rounds, &judge, &keys, 0.05) else {
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
model's responses. {design}Also shown: the human-only \
mean with its normal interval (<code>ppi_py</code>'s classical interval, SD with ddof 0), plain \
PPI (λ = 1), and the judge-only mean over all n + N responses, which carries the judge's bias \
and has no interval.</p>\n",
        judge = esc(&judge),
        design = design_text(set.active_rounds),
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
