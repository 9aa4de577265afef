// The dashboard's "Can this judge replace a clinician?" panel: one row per judge with the
// verdict report's headline, the findings that settled it and the numbers behind each, and the
// study's alt-test tolerance ε, which the dashboard saves with the study.

import type { DashboardView, Estimate, VerdictRow } from "../api";
import { clear, formatEstimate, h } from "../dom";

export class VerdictPanel {
  private readonly body = h("tbody");
  private readonly title = h("h2", { class: "dash-section-title", id: "dash-verdict-title" });
  private readonly notes = h("ul", { class: "dash-notes" });
  /** With one clinician, why two columns are missing: said once, not in every row. */
  private readonly oneClinician = h("p", { class: "dash-one-clinician muted", hidden: true });
  private readonly table = h(
    "table",
    { class: "dash-table dash-verdict-table", "aria-labelledby": "dash-verdict-title" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Judge"),
        h("th", { scope: "col" }, "Verdict"),
        h("th", { scope: "col", class: "dash-needs-two" }, "Alternative Annotator Test"),
        h("th", { scope: "col", class: "dash-needs-two" }, "In a clinician's place"),
        h("th", { scope: "col" }, "Agreement with the human mean"),
        h("th", { scope: "col" }, "Bias and its diagnostics"),
      ),
    ),
    this.body,
  );
  private readonly epsilon = h("input", {
    type: "number",
    id: "dash-epsilon",
    min: "0.01",
    max: "0.99",
    step: "0.05",
    class: "dash-epsilon",
    "aria-describedby": "dash-epsilon-hint",
    onchange: (e: Event) => {
      const value = Number((e.target as HTMLInputElement).value);
      if (value > 0 && value < 1) this.onEpsilon(value);
    },
  });
  readonly el = h(
    "section",
    { class: "dash-verdicts", id: "dash-verdicts", "aria-labelledby": "dash-verdict-title" },
    h(
      "div",
      { class: "dash-verdicts-head" },
      this.title,
      h(
        "div",
        { class: "dash-field dash-epsilon-field" },
        h("label", { for: "dash-epsilon" }, "Alt-test tolerance ε"),
        this.epsilon,
        h("span", { class: "muted", id: "dash-epsilon-hint" }, "how much worse than a clinician the judge may align with the others (0.2 for experts, 0.1 for crowd workers); saved with the study"),
      ),
    ),
    this.oneClinician,
    h(
      "div",
      { class: "dash-verdicts-wrap", tabindex: "0", role: "region", "aria-labelledby": "dash-verdict-title" },
      this.table,
    ),
    this.notes,
  );

  private readonly onEpsilon: (value: number) => void;

  /** `onEpsilon` receives a valid ε (0 < ε < 1) the lead typed. */
  constructor(onEpsilon: (value: number) => void) {
    this.onEpsilon = onEpsilon;
  }

  /** Shows the view's verdicts; the panel hides when there is no judge to judge. */
  render(view: DashboardView): void {
    this.el.hidden = view.verdicts.length === 0 && view.exclusions.length === 0;
    this.title.textContent = `Can this judge replace a clinician? ${view.attribute_label}`;
    if (document.activeElement !== this.epsilon) this.epsilon.value = String(view.alt_epsilon);
    // Too few humans for the tests that compare clinicians: said once, their columns hidden.
    const note = view.verdict_note;
    this.oneClinician.hidden = note === null;
    this.oneClinician.textContent = note ?? "";
    this.table.classList.toggle("dash-one-clinician-table", note !== null);
    clear(this.body);
    for (const v of view.verdicts) this.body.append(verdictRow(v));
    clear(this.notes);
    for (const line of view.exclusions) this.notes.append(h("li", {}, line));
  }
}

/** An estimate with its interval, or a dash and the reason. */
function estimateText(e: Estimate): string {
  if (e.value === null || e.value === undefined) return `— (${e.reason ?? "not estimable"})`;
  const ci = e.ci95 ? ` [${formatEstimate(e.ci95[0])}, ${formatEstimate(e.ci95[1])}]` : " (no interval)";
  return formatEstimate(e.value) + ci;
}

const FINDING_WORD: Record<string, string> = { for: "supports replacing", against: "against replacing", open: "still open", note: "for information" };

/** One finding in words (nothing rests on colour): the sentence when it weighs against the
 *  judge or is still open, the word alone when it is for or a note (the numbers are beside it
 *  and the sentence is under "Why"). */
function findingLine(v: VerdictRow, criterion: string): HTMLElement | null {
  const f = v.findings.find((x) => x.criterion === criterion);
  if (!f) return null;
  const word = FINDING_WORD[f.finding] ?? f.finding;
  const full = f.finding === "against" || f.finding === "open";
  return h("span", { class: `dash-finding dash-finding-${f.finding}`, "data-finding": f.finding }, h("b", {}, full ? `${word}: ` : word), full ? f.detail : null);
}

function verdictRow(v: VerdictRow): HTMLElement {
  const omega =
    v.winning_rate === null
      ? `not run (${v.humans_tested} clinicians tested)`
      : `ω = ${v.winning_rate.toFixed(2)}: beats ${v.humans_beaten} of ${v.humans_tested} clinicians at ε = ${v.epsilon} — ${v.passed ? "passed" : "not passed"}`;
  // The findings that settled the verdict, named in the verdict cell itself.
  const deciding = v.findings.filter((f) => (v.kind === "cannot" ? f.finding === "against" : v.kind === "undetermined" ? f.finding === "open" : f.finding === "for"));
  const decidedBy = deciding.length ? h("div", { class: "dash-decided" }, `${v.kind === "undetermined" ? "Still open" : "Decided by"}: ${deciding.map((f) => f.label.toLowerCase()).join(", ")}`) : null;
  const why = h(
    "details",
    { class: "dash-verdict-why" },
    h("summary", {}, "Why"),
    h("ul", {}, ...v.findings.map((f) => h("li", {}, h("b", {}, `${f.label} (${FINDING_WORD[f.finding] ?? f.finding}): `), f.detail))),
  );
  return h(
    "tr",
    { class: `dash-verdict dash-verdict-${v.kind}`, "data-judge": v.judge, "data-verdict": v.verdict },
    h("th", { scope: "row" }, v.judge),
    h("td", { class: "dash-verdict-cell" }, h("strong", {}, v.headline), decidedBy, why),
    h("td", { class: "dash-needs-two" }, h("div", { class: "dash-omega" }, omega), findingLine(v, "alt_test")),
    h(
      "td",
      { class: "dash-needs-two" },
      h("div", {}, `Δ ICC(A,1) ${estimateText(v.replacement_icc)}`),
      h("div", {}, `Δ α (interval) ${estimateText(v.replacement_alpha)}`),
      findingLine(v, "replacement"),
    ),
    h("td", {}, h("div", {}, `ICC(A,1) ${estimateText(v.icc_a1)}`), h("div", { class: "muted" }, v.icc_reading), findingLine(v, "ICC_A1")),
    h(
      "td",
      {},
      h("div", {}, `Bias ${estimateText(v.bias)}`),
      findingLine(v, "bias"),
      h("ul", { class: "dash-diagnostics" }, ...v.diagnostics.map((d) => h("li", { "data-key": d.key }, `${d.label}: ${estimateText(d.estimate)}`))),
    ),
  );
}
