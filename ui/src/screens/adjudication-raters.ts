// The raters' scores, flags and rationales side by side for one response (adjudication). The
// attribute in dispute is marked, and rows where raters are two or more points apart stand out.

import type { AdjudicationView, Attribute, Disagreement } from "../api";
import { clear, h, humanize } from "../dom";

/** Fills `table`: one row per attribute, one column per rater, then flags and rationales. */
export function renderRatersTable(table: HTMLTableElement, attributes: Attribute[], row: Disagreement, view: AdjudicationView | null): void {
  clear(table);
  const raters = view?.raters.filter((r) => Object.keys(r.values).length > 0 || r.rater in row.values || r.rationale || r.flags.length) ?? [];
  const names = raters.length ? raters.map((r) => r.rater) : Object.keys(row.values);
  const valueOf = (rater: string, key: string): number | undefined => {
    const judgement = raters.find((r) => r.rater === rater);
    return judgement?.values[key] ?? (key === row.attribute ? row.values[rater] : undefined);
  };
  table.append(
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Attribute"), ...names.map((n) => h("th", { scope: "col", class: "num" }, n)))),
  );
  const body = h("tbody");
  for (const attr of attributes) {
    const values = names.map((n) => valueOf(n, attr.key));
    const set = values.filter((v): v is number => v !== undefined);
    // One point apart is ordinary rater noise; two or more is worth the adjudicator's eye.
    const differs = set.length > 1 && Math.max(...set) - Math.min(...set) >= 2;
    body.append(
      h(
        "tr",
        { class: `${attr.key === row.attribute ? "current" : ""}${differs ? " differs" : ""}`.trim() || false },
        h("th", { scope: "row" }, attr.label),
        ...values.map((v) => h("td", { class: "num" }, v === undefined ? "—" : String(v))),
      ),
    );
  }
  body.append(
    h(
      "tr",
      { class: "adj-flags" },
      h("th", { scope: "row" }, "Flags"),
      ...names.map((n) => {
        const flags = raters.find((r) => r.rater === n)?.flags ?? [];
        return h("td", {}, ...(flags.length ? flags.map((f) => h("span", { class: "chip" }, humanize(f))) : [h("span", { class: "muted" }, "—")]));
      }),
    ),
    h(
      "tr",
      { class: "adj-rationale" },
      h("th", { scope: "row" }, "Rationale"),
      // Rationales are the raters' plain text: shown as text, never as HTML.
      ...names.map((n) => {
        const text = raters.find((r) => r.rater === n)?.rationale ?? "";
        return h("td", {}, text ? text : h("span", { class: "muted" }, "none given"));
      }),
    ),
  );
  table.append(body);
}
