// The lead's view of merges: the receipt of the merge just made, and the open conflicts (cells
// one rater edited in two diverged copies) with a decision per conflict.

import { api, errorText, type MergeConflict, type MergeSummary, type Resolution } from "../api";
import { clear, formatCount, h } from "../dom";

function valueText(v: number | null): string {
  return v === null ? "(empty)" : String(v);
}

/** The receipt of one merge: what it added per rater, and the conflicts it found. */
export function renderReceipt(summary: MergeSummary): HTMLElement {
  const box = h("div", { class: "merge-receipt", "data-kind": summary.kind });
  if (summary.already_merged) {
    box.append(h("p", {}, "This package was merged before; nothing changed."));
    return box;
  }
  box.append(
    h(
      "p",
      {},
      `✓ Merged ${summary.kind === "copy" ? "a copy of the study" : "a returned package"}: ` +
        `${formatCount(summary.events_added)} rating events, ${formatCount(summary.notes_added)} notes` +
        (summary.gold_added ? `, ${formatCount(summary.gold_added)} gold values` : "") +
        `; ${formatCount(summary.cells_changed)} ratings changed; ${formatCount(summary.conflicts.length)} conflicts.`,
    ),
  );
  if (summary.accepted_altered) {
    box.append(h("p", { class: "form-error" }, `Accepted although edited after its return: ${summary.accepted_altered}`));
  }
  if (summary.raters.length > 0) {
    box.append(
      h(
        "table",
        { class: "dash-table receipt-table", "aria-label": "Merge receipt per rater" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Rater"),
            h("th", { scope: "col", class: "num" }, "Events added"),
            h("th", { scope: "col", class: "num" }, "Ratings changed"),
            h("th", { scope: "col", class: "num" }, "Conflicts"),
          ),
        ),
        h(
          "tbody",
          {},
          ...summary.raters.map((r) =>
            h(
              "tr",
              {},
              h("td", {}, r.rater),
              h("td", { class: "num" }, formatCount(r.events_added)),
              h("td", { class: "num" }, formatCount(r.cells_changed)),
              h("td", { class: "num" }, formatCount(r.conflicts)),
            ),
          ),
        ),
      ),
    );
  }
  return box;
}

/** Open conflicts with "keep earlier / keep incoming / keep current" per row. */
export class ConflictsPanel {
  readonly element = h("section", { class: "card", id: "conflicts", "aria-labelledby": "conflicts-title" });
  private readonly body = h("div", {});
  private readonly by = h("input", {
    type: "text",
    id: "conflict-by",
    autocomplete: "name",
    placeholder: "Your name (recorded with each decision)",
  }) as HTMLInputElement;
  private readonly status = h("p", { class: "muted", role: "status", "aria-live": "polite" });

  constructor(private readonly onChange: () => void) {
    this.element.append(
      h("h2", { id: "conflicts-title" }, "Conflicts"),
      h(
        "p",
        { class: "muted" },
        "A conflict is a rating one rater changed in two copies of their package. The later change is shown until you decide.",
      ),
      h("label", { for: "conflict-by" }, "Decided by"),
      this.by,
      this.body,
      this.status,
    );
  }

  async refresh(): Promise<void> {
    let list: MergeConflict[];
    try {
      list = await api.conflicts();
    } catch (err) {
      clear(this.body);
      this.body.append(h("p", { class: "form-error" }, `Conflicts not loaded: ${errorText(err)}`));
      return;
    }
    clear(this.body);
    if (list.length === 0) {
      this.body.append(h("p", { class: "muted", id: "no-conflicts" }, "No open conflicts."));
      return;
    }
    this.body.append(
      h(
        "table",
        { class: "dash-table", "aria-labelledby": "conflicts-title" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Rater"),
            h("th", { scope: "col" }, "Response"),
            h("th", { scope: "col" }, "Attribute"),
            h("th", { scope: "col", class: "num" }, "Earlier here"),
            h("th", { scope: "col", class: "num" }, "Incoming"),
            h("th", { scope: "col", class: "num" }, "Shown now"),
            h("th", { scope: "col" }, "Keep"),
          ),
        ),
        h("tbody", {}, ...list.map((c) => this.row(c))),
      ),
    );
  }

  private row(c: MergeConflict): HTMLElement {
    const keep = (choice: Resolution, label: string, value: number | null) =>
      h(
        "button",
        {
          type: "button",
          class: "small",
          "data-conflict": String(c.id),
          "data-keep": choice,
          "aria-label": `Keep ${label} value ${valueText(value)} for ${c.rater}, ${c.response_id}, ${c.attribute}`,
          onclick: () => void this.resolve(c, choice),
        },
        `${label} (${valueText(value)})`,
      );
    return h(
      "tr",
      { "data-conflict": String(c.id) },
      h("td", {}, c.rater),
      h("td", {}, c.response_id),
      h("td", {}, c.attribute),
      h("td", { class: "num" }, valueText(c.here)),
      h("td", { class: "num" }, valueText(c.incoming)),
      h("td", { class: "num" }, valueText(c.current)),
      h("td", {}, keep("here", "earlier", c.here), " ", keep("incoming", "incoming", c.incoming), " ", keep("current", "current", c.current)),
    );
  }

  private async resolve(c: MergeConflict, keep: Resolution): Promise<void> {
    const by = this.by.value.trim();
    if (!by) {
      this.status.textContent = "Type your name first: it is recorded with the decision.";
      this.by.focus();
      return;
    }
    try {
      const done = await api.resolveConflict(c.id, keep, by);
      this.status.textContent = `Kept ${valueText(done.current)} for ${c.rater}, ${c.response_id}, ${c.attribute}.`;
      await this.refresh();
      this.onChange();
    } catch (err) {
      this.status.textContent = `Not resolved: ${errorText(err)}`;
    }
  }
}
