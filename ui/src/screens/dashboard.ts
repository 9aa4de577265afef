// Dashboard: the live agreement charts and the table of numbers for one attribute.
//
// The Rust side recomputes on its own connection whenever the study file changes (a rating
// saved here, another process, a merge) and sends each result as an event; this screen only
// says what to show (`dashboardShow`) and draws what arrives. Charts are SVG shown through
// <img src="data:…">: an SVG image runs no script and loads nothing, whatever its labels say.

import "./dashboard.css";
import { api, errorText, onDashboard, pickSavePath, type ChartView, type DashboardEvent, type DashboardRequest, type DashboardView, type DataTable, type TableRow } from "../api";
import type { AppContext, Screen } from "../app";
import { clear, formatCount, formatEstimate, h } from "../dom";
import { VerdictPanel } from "./dashboard-verdicts";
import { probe } from "../testing/probe";

/** The selection survives leaving and coming back to the screen. */
let remembered: DashboardRequest = {};
let nextRequestId = 1;

const CHART_HINTS: Record<string, string> = {
  forest: "Agreement per attribute with 95% CI: humans among themselves, and each judge against the human mean.",
  heatmap: "Each judge's ICC(A,1) against the human mean, per attribute.",
  bias: "Mean judge − human mean with 95% CI; right of zero means the judge scores higher.",
  "bland-altman": "Differences against means for one judge, with the bias and the 95% limits of agreement.",
  distribution: "How often each rater gave each score on this attribute.",
  confusion: "Scores of two raters on the responses both rated.",
  progress: "Responses each human rater has finished, and how many raters each response has.",
  "model-scores": "Each model's mean score: from the clinicians alone, PPI++ (clinicians plus the judge, bias-corrected) and the judge alone (biased).",
};

function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString("en-GB", { hour12: false });
}

export class DashboardScreen implements Screen {
  readonly el: HTMLElement;
  private readonly ctx: AppContext;
  private request: DashboardRequest = { ...remembered };
  private requestId = 0;
  private view: DashboardView | null = null;
  private unlisten: (() => void) | null = null;
  private controlsKey = "";

  private readonly status = h("p", { class: "dash-status", id: "dash-status" });
  private readonly busy = h("span", { class: "dash-busy", hidden: true }, "Recomputing…");
  private readonly controls = h("form", { class: "dash-controls", "aria-label": "What to show" });
  private readonly tableTitle = h("h2", { class: "dash-section-title", id: "dash-table-title" });
  private readonly tableBody = h("tbody");
  private readonly notes = h("ul", { class: "dash-notes" });
  private readonly verdicts = new VerdictPanel((value) => void this.saveEpsilon(value));
  private readonly charts = h("div", { class: "dash-charts" });
  private readonly error = h("p", { class: "form-error", role: "alert" });

  constructor(ctx: AppContext) {
    this.ctx = ctx;
    this.controls.addEventListener("submit", (e) => e.preventDefault());
    const saveReport = h("button", { type: "button", class: "dash-save-report", onclick: () => void this.saveReport() }, "Save report…");
    this.el = h(
      "section",
      { class: "screen dashboard", "aria-labelledby": "dash-title" },
      h(
        "div",
        { class: "dash-head" },
        h("h1", { id: "dash-title" }, "Dashboard"),
        h("div", { class: "dash-head-status" }, this.status, this.busy),
        saveReport,
      ),
      this.controls,
      this.error,
      this.verdicts.el,
      h(
        "div",
        { class: "dash-body" },
        h(
          "section",
          // Focusable so its scrolled rows can be reached from the keyboard.
          { class: "dash-table-wrap", "aria-labelledby": "dash-table-title", tabindex: "0" },
          this.tableTitle,
          h(
            "table",
            { class: "dash-table", "aria-labelledby": "dash-table-title" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", { scope: "col" }, "Statistic"),
                h("th", { scope: "col", class: "num" }, "Estimate"),
                h("th", { scope: "col", class: "num" }, "95% CI"),
                h("th", { scope: "col", class: "num" }, "n"),
                h("th", { scope: "col", class: "num", title: "Targets left out: incomplete for ICC and Fleiss' κ, own-model responses for judges" }, "dropped"),
              ),
            ),
            this.tableBody,
          ),
          this.notes,
        ),
        h("section", { class: "dash-chart-wrap", "aria-label": "Charts" }, this.charts),
      ),
    );
    this.status.textContent = "Computing…";
  }

  async init(): Promise<void> {
    const unlisten = await onDashboard((event) => this.onEvent(event));
    this.unlisten = unlisten;
    await this.show();
  }

  async leave(): Promise<void> {
    this.unlisten?.();
    this.unlisten = null;
    if (probe) probe.dashboardRequestId = null;
    await api.dashboardHide().catch(() => undefined);
  }

  focusFirst(): void {
    this.controls.querySelector<HTMLElement>("select")?.focus();
  }

  onKey(): boolean {
    return false;
  }

  /** Asks the worker for the current selection; the answer comes as an event. */
  private async show(): Promise<void> {
    remembered = { ...this.request };
    this.requestId = nextRequestId++;
    if (probe) probe.dashboardRequestId = this.requestId;
    this.busy.hidden = false;
    // Cleared before asking: the answer (or its error) can arrive before the call returns.
    this.error.textContent = "";
    try {
      await api.dashboardShow(this.request, this.requestId);
    } catch (err) {
      this.busy.hidden = true;
      this.error.textContent = errorText(err);
    }
  }

  private onEvent(event: DashboardEvent): void {
    if (event.request_id !== this.requestId) return;
    this.busy.hidden = true;
    if (event.kind === "failed") {
      this.error.textContent = event.message;
      // A selection that no longer exists (e.g. a rater renamed by a merge): back to defaults.
      if (Object.keys(this.request).length > 0 && /unknown|valid/.test(event.message)) {
        this.request = {};
        void this.show();
      }
      return;
    }
    this.error.textContent = "";
    this.view = event.view;
    this.render(event.view);
    if (probe) {
      probe.dashboardUpdates++;
      probe.dashboardComputeMs.push(event.view.compute_ms);
    }
  }

  // ---- rendering ------------------------------------------------------------------------

  private render(view: DashboardView): void {
    this.status.textContent = `Last updated ${formatTime(view.computed_at_ms)} · ${formatCount(view.n_ratings)} ratings · live view: ${view.bootstrap} bootstrap resamples (seed ${view.bootstrap_seed})`;
    this.status.title = `Recomputed in ${Math.round(view.compute_ms)} ms`;
    this.renderControls(view);
    this.renderTable(view);
    this.verdicts.render(view);
    this.renderCharts(view);
  }

  private renderControls(view: DashboardView): void {
    // Rebuilt only when the choices change, so an open or focused control is left alone.
    const key = JSON.stringify([view.attributes, view.metrics, view.all_humans, view.all_judges, view.humans, view.judges, view.composite]);
    if (key !== this.controlsKey) {
      this.controlsKey = key;
      const focusedId = (document.activeElement as HTMLElement | null)?.id;
      clear(this.controls);
      this.buildControls(view);
      if (focusedId) document.getElementById(focusedId)?.focus();
    }
    const set = (id: string, value: string | null | undefined) => {
      const el = this.controls.querySelector<HTMLSelectElement>(`#${id}`);
      if (el && value != null && el.value !== value) el.value = value;
    };
    set("dash-attribute", view.attribute);
    set("dash-metric", view.metric);
    set("dash-judge", view.judge);
    set("dash-rater-a", view.raters?.[0] ?? "");
    set("dash-rater-b", view.raters?.[1] ?? "");
  }

  private buildControls(view: DashboardView): void {
    const attribute = h("select", { id: "dash-attribute", onchange: (e: Event) => this.change({ attribute: (e.target as HTMLSelectElement).value }) });
    const plain = h("optgroup", { label: "Attributes" });
    const composites = h("optgroup", { label: "Group composites" });
    for (const c of view.attributes) (c.composite ? composites : plain).append(h("option", { value: c.key }, c.label));
    attribute.append(plain);
    if (composites.children.length) attribute.append(composites);

    const metric = h("select", { id: "dash-metric", onchange: (e: Event) => this.change({ metric: (e.target as HTMLSelectElement).value }) });
    const icc = h("optgroup", { label: "ICC (Shrout & Fleiss)" });
    const alpha = h("optgroup", { label: "Krippendorff's α" });
    for (const m of view.metrics) (m.key.startsWith("ICC") ? icc : alpha).append(h("option", { value: m.key }, m.label));
    metric.append(icc, alpha);

    const judgesShown = view.judges ?? view.all_judges;
    const judge = h(
      "select",
      { id: "dash-judge", disabled: judgesShown.length === 0 || view.composite, onchange: (e: Event) => this.change({ judge: (e.target as HTMLSelectElement).value }) },
      ...judgesShown.map((j) => h("option", { value: j }, j)),
    );
    const everyone = [...(view.humans ?? view.all_humans), ...judgesShown];
    const pair = (id: string, which: 0 | 1) =>
      h(
        "select",
        {
          id,
          "aria-label": which === 0 ? "First rater" : "Second rater",
          disabled: everyone.length < 2 || view.composite,
          onchange: (e: Event) => {
            const other = this.view?.raters ?? [everyone[0] ?? "", everyone[1] ?? ""];
            const value = (e.target as HTMLSelectElement).value;
            this.change({ raters: which === 0 ? [value, other[1]] : [other[0], value] });
          },
        },
        // Shown while no pair is drawn (one human): not a rater against themselves.
        h("option", { value: "", disabled: true }, "choose"),
        ...everyone.map((r) => h("option", { value: r }, r)),
      );

    this.controls.append(
      field("dash-attribute", "Attribute", attribute),
      field("dash-metric", "Metric (forest, heatmap)", metric),
      this.raterSet("Humans", "humans", view.all_humans, view.humans),
      this.raterSet("Judges", "judges", view.all_judges, view.judges),
      field("dash-judge", "Judge (Bland–Altman)", judge),
      h(
        "div",
        { class: "dash-field" },
        h("label", { for: "dash-rater-a" }, "Raters (confusion)"),
        h("div", { class: "dash-pair" }, pair("dash-rater-a", 0), h("span", { "aria-hidden": "true" }, "×"), pair("dash-rater-b", 1)),
      ),
    );
  }

  /** A drop-down of checkboxes choosing which humans (or judges) are analysed. */
  private raterSet(label: string, which: "humans" | "judges", all: string[], chosen: string[] | null): HTMLElement {
    const selected = new Set(chosen ?? all);
    const summary = all.length === 0 ? "none in study" : selected.size === all.length ? `all ${all.length}` : `${selected.size} of ${all.length}`;
    const box = h("details", { class: "dash-set", id: `dash-${which}` }, h("summary", { "aria-label": `${label}: ${summary}` }, h("span", { class: "dash-set-label" }, label), h("span", { class: "dash-set-value" }, summary)));
    const list = h("div", { class: "dash-set-list", role: "group", "aria-label": label });
    all.forEach((name, i) => {
      const id = `dash-${which}-${i}`;
      const input = h("input", { type: "checkbox", id, checked: selected.has(name), "data-rater": name });
      input.addEventListener("change", () => {
        const now = all.filter((n) => (n === name ? input.checked : selected.has(n)));
        const focused = id;
        this.change(which === "humans" ? { humans: now.length === all.length ? null : now, raters: null } : { judges: now.length === all.length ? null : now, judge: null });
        requestAnimationFrame(() => document.getElementById(focused)?.focus());
      });
      list.append(h("div", { class: "dash-set-item" }, input, h("label", { for: id }, name)));
    });
    box.append(list);
    return h("div", { class: "dash-field" }, h("span", { class: "dash-field-label", "aria-hidden": "true" }, label), box);
  }

  /** ε is the study's setting: saved, then shown from the study (no per-view override). */
  private async saveEpsilon(value: number): Promise<void> {
    try {
      await api.setAltEpsilon(value);
      this.error.textContent = "";
      this.change({ alt_epsilon: null });
    } catch (err) {
      this.error.textContent = errorText(err);
    }
  }

  private change(patch: DashboardRequest): void {
    this.request = { ...this.request, ...patch };
    void this.show();
  }

  private renderTable(view: DashboardView): void {
    this.tableTitle.textContent = `${view.attribute_label}: the numbers`;
    clear(this.tableBody);
    let group: string | null = null;
    let pair: string | null = null;
    for (const row of view.table) {
      if (row.group !== group) {
        group = row.group;
        const n = (view.humans ?? view.all_humans).length;
        const heading = group === "Humans" ? `Humans among themselves (${n} ${n === 1 ? "rater" : "raters"})` : `${group} vs human mean`;
        this.tableBody.append(h("tr", { class: "dash-group" }, h("th", { scope: "rowgroup", colspan: "5" }, heading)));
      }
      // Cohen's kappas come per rater pair: one sub-heading per pair keeps the labels short.
      const rowPair = row.key.startsWith("pair.") ? row.key.slice(5, row.key.lastIndexOf(".")) : null;
      if (rowPair && rowPair !== pair) {
        this.tableBody.append(h("tr", { class: "dash-subgroup" }, h("th", { scope: "rowgroup", colspan: "5" }, `Cohen's κ: ${rowPair.replace("|", " × ")}`)));
      }
      pair = rowPair;
      this.tableBody.append(tableRow(row, rowPair !== null));
    }
    clear(this.notes);
    for (const note of view.notes) this.notes.append(h("li", {}, note));
  }

  private renderCharts(view: DashboardView): void {
    const existing = new Map<string, HTMLElement>();
    for (const fig of this.charts.querySelectorAll<HTMLElement>("figure[data-chart]")) existing.set(fig.dataset.chart!, fig);
    const wanted = new Set(view.charts.map((c) => c.name));
    for (const [name, fig] of existing) if (!wanted.has(name)) fig.remove();
    let previous: HTMLElement | null = null;
    for (const chart of view.charts) {
      let fig = existing.get(chart.name);
      if (!fig) fig = this.figure(chart.name);
      const img = fig.querySelector<HTMLImageElement>("img")!;
      if (img.getAttribute("src") !== chart.data_url) img.src = chart.data_url;
      img.alt = chart.alt;
      fillDataTable(fig.querySelector<HTMLTableElement>("table.dash-chart-data")!, chart);
      fig.querySelector(".dash-chart-title")!.textContent = chart.title;
      if (previous ? previous.nextElementSibling !== fig : this.charts.firstElementChild !== fig) {
        if (previous) previous.after(fig);
        else this.charts.prepend(fig);
      }
      previous = fig;
    }
  }

  private figure(name: string): HTMLElement {
    const titleId = `chart-title-${name}`;
    return h(
      "figure",
      { class: "dash-chart", "data-chart": name, "aria-labelledby": titleId },
      h(
        "figcaption",
        { class: "dash-chart-head" },
        h("span", { class: "dash-chart-title", id: titleId }),
        h(
          "span",
          { class: "dash-chart-actions" },
          h("button", { type: "button", class: "small", "data-save": "svg", onclick: () => void this.saveChart(name, "svg") }, "Save SVG…"),
          h("button", { type: "button", class: "small", "data-save": "png", onclick: () => void this.saveChart(name, "png") }, "Save PNG…"),
        ),
      ),
      h("p", { class: "dash-chart-hint muted", id: `chart-hint-${name}` }, CHART_HINTS[name] ?? ""),
      h("img", { class: "dash-chart-img", alt: "", "aria-describedby": `chart-hint-${name}`, decoding: "async" }),
      h(
        "details",
        { class: "dash-chart-details" },
        h("summary", {}, "Show data"),
        h("div", { class: "dash-chart-data-wrap", tabindex: "0", role: "region", "aria-label": "Data of this chart" }, h("table", { class: "dash-table dash-chart-data" })),
      ),
    );
  }

  /** The selection exactly as drawn, so a saved file is the chart on screen. */
  private shownRequest(): DashboardRequest {
    const v = this.view;
    if (!v) return this.request;
    return { attribute: v.attribute, metric: v.metric, judge: v.judge, raters: v.raters, humans: v.humans, judges: v.judges };
  }

  private async saveChart(name: string, extension: "svg" | "png"): Promise<void> {
    try {
      const request = this.shownRequest();
      const path = await pickSavePath("Save chart", `${name}-${request.attribute ?? "study"}`, extension);
      if (!path) return;
      const written = await api.saveChart(request, name, path);
      this.ctx.notify(`Chart saved to ${written}`);
    } catch (err) {
      this.ctx.notify(`Chart not saved: ${errorText(err)}`, "error");
    }
  }

  private async saveReport(): Promise<void> {
    try {
      const path = await pickSavePath("Save agreement report", "agreement-report", "html");
      if (!path) return;
      this.ctx.notify("Writing the report (1000 bootstrap resamples)…");
      const written = await api.saveReport(this.shownRequest(), path);
      this.ctx.notify(`Report saved to ${written}`);
    } catch (err) {
      this.ctx.notify(`Report not saved: ${errorText(err)}`, "error");
    }
  }
}

function field(id: string, label: string, control: HTMLElement): HTMLElement {
  return h("div", { class: "dash-field" }, h("label", { for: id }, label), control);
}

function tableRow(row: TableRow, inPair: boolean): HTMLElement {
  const label = inPair ? row.statistic.split(":")[0]! : row.statistic;
  const missing = row.estimate === null;
  const ci = row.ci95 ? `${formatEstimate(row.ci95[0])}, ${formatEstimate(row.ci95[1])}` : "—";
  return h(
    "tr",
    { "data-key": row.key, class: missing ? "no-estimate" : false, title: row.reason ?? false },
    h("th", { scope: "row", class: "stat" }, label, missing && row.reason ? h("span", { class: "dash-reason" }, row.reason) : null),
    h("td", { class: "num est" }, missing ? "—" : formatEstimate(row.estimate!)),
    h("td", { class: "num ci" }, ci),
    h("td", { class: "num n" }, row.n === null ? "—" : formatCount(row.n)),
    h("td", { class: "num dropped" }, row.dropped === null ? "" : formatCount(row.dropped)),
  );
}

/** The "Show data" table of a chart, rebuilt from the view. */
function fillDataTable(table: HTMLTableElement, chart: ChartView): void {
  const data: DataTable = chart.table;
  clear(table);
  table.append(
    h("caption", {}, data.caption),
    h("thead", {}, h("tr", {}, ...data.columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...data.rows.map((row) => h("tr", {}, ...row.map((cell, i) => (i === 0 ? h("th", { scope: "row" }, cell) : h("td", {}, cell)))))),
  );
}
