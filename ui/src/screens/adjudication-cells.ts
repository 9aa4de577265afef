// How one disagreement cell of the adjudication screen is shown: its row in the list, its gold
// status and its gold scale; and the records the screen keeps per cell.

import type { AdjudicationView, Attribute, Disagreement } from "../api";
import { ScoreScale } from "../components/score-scale";
import { h } from "../dom";

/** A cell's gold as recorded: a value (null: no gold, or cleared), who decided and why. */
export interface GoldRecord {
  value: number | null;
  adjudicator: string;
  reason: string;
}

export type GoldState = { kind: "saving"; value: number | null } | ({ kind: "saved" } & GoldRecord) | { kind: "error"; message: string };

/** A gold change this session made, and what the cell held before (value null: no gold). */
export interface GoldChange {
  row: Disagreement;
  before: GoldRecord;
}

/** The key of one response × attribute cell in the screen's maps. */
export function cellKey(d: { response_id: string; attribute: string }): string {
  return `${d.response_id}\u0000${d.attribute}`;
}

/** One disagreement in the list: spread, attribute, each rater's score and the gold badge. */
export function disagreementRow(row: Disagreement, index: number, label: string, onclick: () => void): HTMLElement {
  const values = Object.entries(row.values);
  const el = h(
    "div",
    {
      class: "adj-row",
      role: "option",
      id: `adj-row-${index}`,
      "data-index": String(index),
      "data-response": row.response_id,
      "data-attribute": row.attribute,
      "aria-selected": "false",
      onclick,
    },
    h("span", { class: "visually-hidden" }, "Spread "),
    h("span", { class: "adj-spread", title: "Largest minus smallest score" }, `±${row.range}`),
    h(
      "span",
      { class: "adj-row-text" },
      h(
        "span",
        { class: "adj-row-title" },
        h("span", { class: "adj-attr" }, label),
        // Named by its content (WCAG 2.5.3): initials on screen, full rater names for screen readers.
        h(
          "span",
          { class: "adj-values" },
          ...values.map(([rater, v]) =>
            h("span", { class: "adj-value", title: `${rater}: ${v}` }, h("span", { "aria-hidden": "true" }, `${initials(rater)} ${v}`), h("span", { class: "visually-hidden" }, `, ${rater} ${v}`)),
          ),
        ),
      ),
      h("span", { class: "adj-rid" }, row.response_id),
    ),
    row.gold !== null ? h("span", { class: "adj-gold-badge", title: "Gold value set" }, `gold ${row.gold}`) : h("span", { class: "adj-gold-badge empty" }, "no gold"),
  );
  return el;
}

/** The gold status of a cell: saving, not saved, saved this session, set earlier, or not set. */
export function goldStatus(state: GoldState | undefined, row: Disagreement, view: AdjudicationView | null): { className: string; text: string } {
  if (state?.kind === "saving") return { className: "gold-status saving", text: state.value === null ? "clearing…" : "saving…" };
  if (state?.kind === "error") return { className: "gold-status error", text: `not saved: ${state.message}` };
  if (state?.kind === "saved") {
    return {
      className: "gold-status saved",
      text: state.value === null ? `✓ gold cleared · ${state.adjudicator} (Ctrl+Z puts it back)` : `✓ gold ${state.value} saved · ${state.adjudicator}`,
    };
  }
  if (row.gold !== null) {
    const earlier = view?.external_id === row.response_id ? view.gold.find((g) => g.attribute === row.attribute) : undefined;
    return {
      className: "gold-status saved",
      text: earlier
        ? `✓ gold ${earlier.value} set earlier by ${earlier.adjudicator}${earlier.reason ? ` — ${earlier.reason}` : ""}`
        : `✓ gold ${row.gold} set earlier`,
    };
  }
  return { className: "gold-status", text: "not set" };
}

/** The gold scale of one cell: dots mark how many raters gave each score. */
export function goldScale(row: Disagreement, attr: Attribute, onChoose: (value: number) => void): ScoreScale {
  const votes = (v: number) =>
    Object.entries(row.values)
      .filter(([, value]) => value === v)
      .map(([r]) => r);
  return new ScoreScale({
    key: attr.key,
    min: attr.scale_min,
    max: attr.scale_max,
    labelledBy: "gold-label",
    name: (v) => {
      const descriptor = attr.levels.find((l) => l.value === v)?.descriptor ?? "";
      const raters = votes(v);
      return `${v}${descriptor ? `, ${descriptor}` : ""}${raters.length ? ` (given by ${raters.join(", ")})` : ""}`;
    },
    extra: (v) => (votes(v).length ? h("span", { class: "adj-votes", "aria-hidden": "true" }, "•".repeat(votes(v).length)) : null),
    onChoose,
  });
}

function initials(name: string): string {
  const words = name.split(/\s+/).filter(Boolean);
  if (words.length > 1 && /^\d+$/.test(words[words.length - 1]!)) return `R${words[words.length - 1]}`;
  return words.map((w) => w[0]!.toUpperCase()).join("").slice(0, 3);
}
