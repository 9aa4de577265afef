// The admin screen's assignment design and progress: the rater × rater overlap matrix as a
// heatmap (an HTML table: every cell carries its number, shading only repeats it) and a
// progress table per rater. Both come from the `design_progress` command.

import { api, errorText, type Assigned, type DesignProgress, type DesignSummary, type RaterProgress, type Strata } from "../api";
import { clear, formatCount, h } from "../dom";

/** Words for a design's kind, as the lead reads them. */
export function designKindText(kind: DesignSummary["kind"]): string {
  switch (kind) {
    case "bibd":
      return "balanced incomplete block design";
    case "near_balanced":
      return "near-balanced design";
    default:
      return "no change";
  }
}

/** What a design was balanced across, as a clause after its kind ("" for nothing). */
export function strataText(strata: Strata): string {
  switch (strata) {
    case "model":
      return ", balanced across models";
    case "site":
      return ", balanced across sites";
    default:
      return "";
  }
}

/** Shade class of an off-diagonal cell: 0 (no shared response) or 1–5 by share of the maximum. */
function shade(value: number, max: number): string {
  if (value === 0) return "heat-none";
  return `heat-${Math.max(1, Math.ceil((5 * value) / Math.max(max, 1)))}`;
}

function seconds(s: number | null): string {
  if (s === null) return "—";
  if (s < 90) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function when(utc: string | null): string {
  // Minutes are enough to see who is behind; the full time is in the cell's title.
  return utc ? utc.slice(0, 16).replace("T", " ") : "—";
}

/** What a push did, in the lead's words: why fewer than asked may lead the queue, and whether
 * the rater had the picks already. */
function pushedText(done: Assigned): string {
  const parts = [`${formatCount(done.responses)} response${done.responses === 1 ? " is" : "s are"} now first in ${done.rater}'s queue.`];
  const rated = done.picked - done.responses;
  if (rated > 0) parts.push(`${formatCount(rated)} of the ${formatCount(done.picked)} picked already had a clinician rating and need no other.`);
  if (done.responses > 0)
    parts.push(done.added === 0 ? `${done.rater} held all of them already; they moved up.` : `${formatCount(done.added)} of them ${done.added === 1 ? "is" : "are"} newly assigned to ${done.rater}.`);
  // The seed is recorded with the round; shown so the lead can repeat the draw.
  parts.push(`Seed ${done.seed}.`);
  return parts.join(" ");
}

export class DesignPanel {
  readonly element: HTMLElement;
  private readonly summary = h("p", { class: "muted admin-caption", id: "design-summary" });
  private readonly heatmap = h("div", { class: "heatmap-wrap" });
  private readonly progressBody = h("tbody");
  private readonly error = h("p", { class: "form-error", role: "alert" });
  private readonly pushRater = h("select", { id: "push-rater" });
  private readonly pushCount = h("input", { type: "number", id: "push-count", min: "1", step: "1", value: "20" });
  // Blank draws a new round; a number repeats one (the same study and seed give the same picks).
  private readonly pushSeed = h("input", { type: "number", id: "push-seed", min: "0", step: "1", placeholder: "new draw" });
  private readonly pushStatus = h("p", { class: "muted", id: "push-status", role: "status" });

  constructor() {
    const progressTable = h(
      "table",
      { class: "dash-table progress-table", id: "progress-table", "aria-labelledby": "progress-title" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Rater", "Site", "Assigned", "Done", "Partial", "Flagged", "Last active (UTC)", "Median per response", "Package out since (UTC)"].map((label, i) =>
            h("th", { scope: "col", class: i >= 2 && i <= 5 ? "num" : null }, label),
          ),
        ),
      ),
      this.progressBody,
    );
    this.element = h(
      "div",
      { class: "admin-design" },
      h(
        "section",
        { class: "card", "aria-labelledby": "design-title" },
        h("h2", { id: "design-title" }, "Assignment design"),
        this.summary,
        this.error,
        this.heatmap,
        h(
          "p",
          { class: "muted heatmap-legend" },
          "Each cell is the number of responses two raters both rate; darker means more. The diagonal is each rater's load. A dashed cell marks a pair that shares nothing, so no agreement can be estimated for it.",
        ),
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "push-title" },
        h("h2", { id: "push-title" }, "Rate next"),
        h(
          "p",
          { class: "muted admin-caption" },
          "Chooses the responses whose clinician ratings shrink the model-score intervals most (where the judges are least sure) and puts them first in a rater's queue. Each response's chance of being chosen is recorded, so the estimates stay unbiased. Leave Seed blank for a new draw; the seed shown after a push repeats it.",
        ),
        h(
          "div",
          { class: "admin-inline" },
          h("label", { for: "push-rater" }, "Rater"),
          this.pushRater,
          h("label", { for: "push-count" }, "Responses"),
          this.pushCount,
          h("label", { for: "push-seed" }, "Seed"),
          this.pushSeed,
          h("button", { type: "button", id: "push-next", onclick: () => void this.push() }, "Push to the front of the queue"),
        ),
        this.pushStatus,
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "progress-title" },
        h("h2", { id: "progress-title" }, "Progress per rater"),
        // Focusable, so a keyboard user can scroll a table wider than the card.
        h(
          "div",
          { class: "dash-table-wrap", tabindex: "0", "aria-labelledby": "progress-title" },
          progressTable,
        ),
      ),
    );
  }

  async refresh(): Promise<void> {
    let view: DesignProgress;
    try {
      view = await api.designProgress();
      this.error.textContent = "";
    } catch (err) {
      this.error.textContent = errorText(err);
      return;
    }
    // Sites under the names, so the lead sees whether pairs that share much cross sites.
    this.renderDesign(view.design, new Map(view.progress.raters.map((r) => [r.rater, r.site])));
    this.renderProgress(view.progress.raters, view.progress.overdue_days);
    const chosen = this.pushRater.value;
    clear(this.pushRater);
    for (const r of view.progress.raters) this.pushRater.append(h("option", { value: r.rater, selected: r.rater === chosen }, r.rater));
  }

  private async push(): Promise<void> {
    const count = Number(this.pushCount.value);
    if (!this.pushRater.value || !(count >= 1)) return;
    const seedText = this.pushSeed.value.trim();
    const seed = seedText === "" ? null : Number(seedText);
    if (seed !== null && !(Number.isSafeInteger(seed) && seed >= 0)) {
      this.error.textContent = `Seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, or blank for a new draw.`;
      return;
    }
    try {
      const done = await api.pushNext(this.pushRater.value, Math.floor(count), seed);
      this.error.textContent = "";
      this.pushStatus.textContent = pushedText(done);
      await this.refresh();
    } catch (err) {
      this.pushStatus.textContent = "";
      this.error.textContent = errorText(err);
    }
  }

  private renderDesign(d: DesignSummary, sites: Map<string, string | null>): void {
    clear(this.heatmap);
    const n = d.raters.length;
    if (n === 0) {
      this.summary.textContent = "No rater holds assignments yet.";
      return;
    }
    const pairs: number[] = [];
    // Pairs that share nothing though they work at one site: what a site-balanced design does.
    let missingSameSite = 0;
    for (let a = 0; a < n; a++)
      for (let b = a + 1; b < n; b++) {
        const shared = d.overlap_matrix[a]![b]!;
        pairs.push(shared);
        const site = sites.get(d.raters[a]!.rater);
        if (shared === 0 && site && site === sites.get(d.raters[b]!.rater)) missingSameSite++;
      }
    const missing = pairs.filter((p) => p === 0).length;
    const why = missingSameSite === 0 ? "" : missingSameSite === missing ? `, all at the same site` : `, ${missingSameSite} of them at the same site`;
    const max = Math.max(0, ...pairs);
    const min = Math.min(...pairs);
    const range = `${min === max ? formatCount(max) : `${formatCount(min)}–${formatCount(max)}`} shared responses per pair`;
    this.summary.textContent =
      `${n} rater${n === 1 ? "" : "s"}, ${d.overlap} per response (target). ` +
      (pairs.length === 0 ? "" : missing === 0 ? `All ${pairs.length} pairs share responses (${range}).` : `${missing} of ${pairs.length} pairs share no response (${range}${why}).`);
    const names = d.raters.map((r) => r.rater);
    const label = (name: string) => {
      const site = sites.get(name);
      return site ? [name, h("span", { class: "heat-site" }, site)] : [name];
    };
    const table = h(
      "table",
      { class: "heatmap", id: "design-heatmap" },
      h("caption", { class: "visually-hidden" }, "Responses shared by each pair of raters; the diagonal is each rater's load"),
      h("thead", {}, h("tr", {}, h("td", {}), ...names.map((name) => h("th", { scope: "col" }, ...label(name))))),
      h(
        "tbody",
        {},
        ...d.overlap_matrix.map((row, a) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, ...label(names[a]!)),
            ...row.map((value, b) =>
              h(
                "td",
                {
                  class: `num ${a === b ? "heat-diag" : shade(value, max)}`,
                  title: a === b ? `${names[a]} rates ${formatCount(value)} responses` : `${names[a]} and ${names[b]} share ${formatCount(value)} responses`,
                },
                formatCount(value),
              ),
            ),
          ),
        ),
      ),
    );
    this.heatmap.append(table);
  }

  private renderProgress(raters: RaterProgress[], overdueDays: number): void {
    clear(this.progressBody);
    for (const r of raters) {
      this.progressBody.append(
        h(
          "tr",
          { "data-progress-rater": r.rater },
          h("th", { scope: "row" }, r.rater),
          h("td", {}, r.site ?? "—"),
          h("td", { class: "num" }, formatCount(r.assigned)),
          h("td", { class: "num" }, formatCount(r.done)),
          h("td", { class: "num" }, formatCount(r.partial)),
          h("td", { class: "num" }, formatCount(r.flagged)),
          h("td", { class: "nowrap", title: r.last_activity ?? "" }, when(r.last_activity)),
          h("td", {}, seconds(r.median_seconds)),
          h(
            "td",
            { class: r.overdue ? "nowrap overdue" : "nowrap", "data-overdue": r.overdue ? "true" : null },
            when(r.package_out_since),
            // Said in words, not only by colour.
            r.overdue ? h("strong", { class: "overdue-mark" }, ` overdue (> ${overdueDays} days)`) : null,
          ),
        ),
      );
    }
  }
}
