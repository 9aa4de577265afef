// Adjudication (the study lead's screen): the response × attribute cells human raters disagree
// on, widest spread first; the raters' scores, rationales and flags side by side; a gold value.
//
// As on the rating screen, a digit key sets the value at once and the screen says "saved" only
// after the store has recorded it; a failed save stays visible.

import { api, errorText, type AdjudicationView, type Attribute, type Disagreement, type Gold } from "./api";
import type { AppContext, Screen } from "./app";
import { append, clear, formatCount, h, humanize, setRenderedHtml } from "./dom";

const LIMIT = 500;
const ADJUDICATOR_KEY = "concord.adjudicator";

/** The filters survive leaving and coming back to the screen. */
const remembered: { attribute: string | null; minRange: number } = { attribute: null, minRange: 1 };

type GoldState = { kind: "saving"; value: number } | { kind: "saved"; gold: Gold } | { kind: "error"; message: string };

function cellKey(d: { response_id: string; attribute: string }): string {
  return `${d.response_id}\u0000${d.attribute}`;
}

export class AdjudicationScreen implements Screen {
  readonly el: HTMLElement;
  private readonly ctx: AppContext;
  private readonly attributes: Attribute[];
  private rows: Disagreement[] = [];
  private selected = 0;
  private view: AdjudicationView | null = null;
  private readonly views = new Map<string, AdjudicationView>();
  private readonly goldStates = new Map<string, GoldState>();
  private readonly reasons = new Map<string, string>();
  private loadToken = 0;

  private readonly attributeSelect = h("select", { id: "adj-attribute" });
  private readonly minInput = h("input", { id: "adj-min", type: "number", min: "1", max: "9", step: "1", inputmode: "numeric" });
  private readonly summary = h("p", { class: "adj-summary muted", id: "adj-summary", "aria-live": "polite" });
  private readonly list = h("div", { class: "adj-list", id: "adj-list", role: "listbox", tabindex: "0", "aria-label": "Disagreements, widest first" });
  private readonly error = h("p", { class: "form-error", role: "alert" });
  private readonly detail = h("div", { class: "adj-detail", tabindex: "-1", "aria-label": "Selected disagreement" });
  private readonly detailTitle = h("h2", { class: "adj-title", id: "adj-title" });
  private readonly detailMeta = h("p", { class: "meta" });
  private readonly goldScale = h("div", { class: "scale adj-scale", role: "radiogroup", "aria-labelledby": "gold-label" });
  private readonly goldStatus = h("span", { class: "gold-status", id: "gold-status", role: "status", "aria-live": "polite" });
  private readonly goldHint = h("p", { class: "hint", "aria-live": "polite" });
  private readonly reason = h("textarea", { id: "gold-reason", class: "rationale", rows: "2", placeholder: "Why this value? (r) — saved with the value", spellcheck: "true" });
  private readonly adjudicator = h("input", { id: "adjudicator", type: "text", autocomplete: "name", placeholder: "Your name" });
  private readonly ratersTable = h("table", { class: "adj-raters", "aria-labelledby": "adj-raters-title" });
  private readonly promptBody = h("div", { class: "md prompt-body" });
  private readonly contextBox = h("details", { class: "context" }, h("summary", {}, "Context"));
  private readonly responseBody = h("div", { class: "md response-body" });

  constructor(ctx: AppContext) {
    this.ctx = ctx;
    this.attributes = ctx.study!.rubric.attributes;
    this.attributeSelect.append(h("option", { value: "" }, "All attributes"));
    for (const a of this.attributes) this.attributeSelect.append(h("option", { value: a.key }, a.label));
    this.attributeSelect.value = remembered.attribute ?? "";
    this.minInput.value = String(remembered.minRange);
    this.attributeSelect.addEventListener("change", () => void this.applyFilters());
    this.minInput.addEventListener("change", () => void this.applyFilters());
    this.adjudicator.value = localStorage.getItem(ADJUDICATOR_KEY) ?? ctx.session?.rater.name ?? "";
    this.adjudicator.addEventListener("change", () => {
      localStorage.setItem(ADJUDICATOR_KEY, this.adjudicator.value.trim());
      this.renderGold();
    });
    this.reason.addEventListener("input", () => {
      const row = this.rows[this.selected];
      if (row) this.reasons.set(cellKey(row), this.reason.value);
    });
    this.list.addEventListener("focus", () => this.scrollSelectedIntoView());

    const filters = h(
      "form",
      { class: "adj-filters", "aria-label": "Which disagreements" },
      h("div", { class: "dash-field" }, h("label", { for: "adj-attribute" }, "Attribute"), this.attributeSelect),
      h("div", { class: "dash-field" }, h("label", { for: "adj-min" }, "Minimum spread"), this.minInput),
    );
    filters.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.applyFilters();
    });

    this.el = h(
      "section",
      { class: "screen adjudication", "aria-labelledby": "adj-heading" },
      h(
        "div",
        { class: "adj-head" },
        h("h1", { id: "adj-heading" }, "Adjudication"),
        filters,
        h(
          "p",
          { class: "adj-keys muted" },
          h("kbd", {}, "j"),
          " ",
          h("kbd", {}, "k"),
          " or ",
          h("kbd", {}, "↑"),
          " ",
          h("kbd", {}, "↓"),
          " move · digits set the gold value · ",
          h("kbd", {}, "r"),
          " reason · ",
          h("kbd", {}, "Esc"),
          " back to the list",
        ),
      ),
      this.error,
      h(
        "div",
        { class: "adj-layout" },
        h("div", { class: "adj-list-wrap" }, this.summary, this.list),
        this.detail,
      ),
    );
    this.buildDetail();
  }

  async init(): Promise<void> {
    await this.load();
  }

  focusFirst(): void {
    this.list.focus({ preventScroll: true });
  }

  onKey(e: KeyboardEvent): boolean {
    const target = e.target as HTMLElement | null;
    const typing =
      target instanceof HTMLTextAreaElement ||
      target instanceof HTMLSelectElement ||
      (target instanceof HTMLInputElement && target.type !== "checkbox");
    if (typing) {
      if (e.key === "Escape") {
        target.blur();
        this.list.focus({ preventScroll: true });
        return true;
      }
      return false;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    switch (e.key) {
      case "j":
      case "ArrowDown":
        void this.select(this.selected + 1);
        return true;
      case "k":
      case "ArrowUp":
        void this.select(this.selected - 1);
        return true;
      case "Home":
        void this.select(0);
        return true;
      case "End":
        void this.select(this.rows.length - 1);
        return true;
      case "r":
        this.reason.focus();
        return true;
      case "Escape":
        this.list.focus({ preventScroll: true });
        return true;
      default:
        if (/^[0-9]$/.test(e.key)) {
          void this.setGold(Number(e.key));
          return true;
        }
        return false;
    }
  }

  // ---- loading --------------------------------------------------------------------------

  private async applyFilters(): Promise<void> {
    const min = Math.max(1, Math.floor(Number(this.minInput.value) || 1));
    this.minInput.value = String(min);
    remembered.attribute = this.attributeSelect.value || null;
    remembered.minRange = min;
    await this.load();
  }

  private async load(): Promise<void> {
    try {
      this.rows = await api.disagreements(remembered.attribute, remembered.minRange, LIMIT);
      this.error.textContent = "";
    } catch (err) {
      this.rows = [];
      this.error.textContent = errorText(err);
    }
    const n = this.rows.length;
    this.summary.textContent =
      n === 0
        ? "No disagreements match these filters."
        : `${n >= LIMIT ? `The ${formatCount(LIMIT)} widest` : formatCount(n)} disagreement${n === 1 ? "" : "s"}, widest first`;
    this.renderList();
    await this.select(0);
  }

  private async select(index: number): Promise<void> {
    if (this.rows.length === 0) {
      this.selected = 0;
      this.view = null;
      this.renderDetail();
      return;
    }
    this.selected = Math.max(0, Math.min(this.rows.length - 1, index));
    this.renderSelection();
    const row = this.rows[this.selected]!;
    this.reason.value = this.reasons.get(cellKey(row)) ?? "";
    this.renderGold();
    const token = ++this.loadToken;
    let view = this.views.get(row.response_id);
    if (!view) {
      try {
        view = await api.adjudicationView(row.response_id);
      } catch (err) {
        if (token === this.loadToken) this.error.textContent = errorText(err);
        return;
      }
      this.views.set(row.response_id, view);
    }
    if (token !== this.loadToken) return;
    this.view = view;
    this.renderDetail();
  }

  // ---- building -------------------------------------------------------------------------

  private buildDetail(): void {
    const reasonField = h("div", { class: "adj-field adj-field-wide" }, h("label", { for: "gold-reason" }, "Reason"), this.reason);
    const whoField = h("div", { class: "adj-field" }, h("label", { for: "adjudicator" }, "Adjudicator"), this.adjudicator);
    append(
      this.detail,
      h("div", { class: "adj-detail-head" }, this.detailTitle, this.detailMeta),
      h(
        "section",
        { class: "adj-gold", "aria-labelledby": "gold-label" },
        h("div", { class: "attr-head" }, h("h3", { id: "gold-label", class: "adj-section-title" }, "Gold value"), this.goldStatus),
        this.goldScale,
        this.goldHint,
        h("div", { class: "adj-fields" }, reasonField, whoField),
      ),
      h("section", { class: "adj-raters-wrap", "aria-labelledby": "adj-raters-title" }, h("h3", { id: "adj-raters-title", class: "adj-section-title" }, "Raters side by side"), this.ratersTable),
      h("article", { class: "prompt", "aria-labelledby": "adj-prompt-title" }, h("h2", { id: "adj-prompt-title", class: "section-title" }, "Prompt"), this.promptBody, this.contextBox),
      h("article", { class: "response", "aria-labelledby": "adj-response-title" }, h("h2", { id: "adj-response-title", class: "section-title" }, "Response"), this.responseBody),
    );
  }

  // ---- rendering ------------------------------------------------------------------------

  private attribute(key: string): Attribute | undefined {
    return this.attributes.find((a) => a.key === key);
  }

  private renderList(): void {
    clear(this.list);
    this.rows.forEach((row, index) => this.list.append(this.listRow(row, index)));
    this.renderSelection();
  }

  private listRow(row: Disagreement, index: number): HTMLElement {
    const label = this.attribute(row.attribute)?.label ?? row.attribute;
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
        "aria-label": `${row.response_id}, ${label}, spread ${row.range}, ${values.map(([r, v]) => `${r} ${v}`).join(", ")}${row.gold !== null ? `, gold ${row.gold}` : ""}`,
        onclick: () => {
          void this.select(index);
          this.list.focus({ preventScroll: true });
        },
      },
      h("span", { class: "adj-spread", title: "Largest minus smallest score" }, `±${row.range}`),
      h(
        "span",
        { class: "adj-row-text" },
        h(
          "span",
          { class: "adj-row-title" },
          h("span", { class: "adj-attr" }, label),
          h("span", { class: "adj-values" }, ...values.map(([rater, v]) => h("span", { class: "adj-value", title: `${rater}: ${v}` }, `${initials(rater)} ${v}`))),
        ),
        h("span", { class: "adj-rid" }, row.response_id),
      ),
      row.gold !== null ? h("span", { class: "adj-gold-badge", title: "Gold value set" }, `gold ${row.gold}`) : h("span", { class: "adj-gold-badge empty" }, "no gold"),
    );
    return el;
  }

  private renderSelection(): void {
    for (const el of this.list.querySelectorAll<HTMLElement>(".adj-row")) {
      const selected = Number(el.dataset.index) === this.selected;
      el.classList.toggle("selected", selected);
      el.setAttribute("aria-selected", String(selected));
    }
    const active = this.list.querySelector<HTMLElement>(`#adj-row-${this.selected}`);
    if (active) this.list.setAttribute("aria-activedescendant", active.id);
    else this.list.removeAttribute("aria-activedescendant");
    this.scrollSelectedIntoView();
  }

  private scrollSelectedIntoView(): void {
    this.list.querySelector<HTMLElement>(`#adj-row-${this.selected}`)?.scrollIntoView({ block: "nearest" });
  }

  private renderDetail(): void {
    const row = this.rows[this.selected];
    this.detail.hidden = !row;
    if (!row) return;
    const attr = this.attribute(row.attribute);
    this.detailTitle.textContent = `${attr?.label ?? row.attribute} · ${row.response_id}`;
    const view = this.view && this.view.response_id === row.response_id ? this.view : null;
    this.detailMeta.textContent = [view ? `Item ${view.item_external_id}` : null, `Spread ${row.range}`, `${Object.keys(row.values).length} raters`]
      .filter(Boolean)
      .join(" · ");
    this.renderGold();
    this.renderRaters(row, view);
    if (view) {
      setRenderedHtml(this.promptBody, view.prompt_html);
      this.contextBox.querySelector(".md")?.remove();
      if (view.context_html) {
        const body = h("div", { class: "md context-body" });
        setRenderedHtml(body, view.context_html);
        this.contextBox.append(body);
        this.contextBox.hidden = false;
      } else {
        this.contextBox.hidden = true;
      }
      setRenderedHtml(this.responseBody, view.response_html);
    }
  }

  private renderRaters(row: Disagreement, view: AdjudicationView | null): void {
    clear(this.ratersTable);
    const raters = view?.raters.filter((r) => Object.keys(r.values).length > 0 || r.rater in row.values || r.rationale || r.flags.length) ?? [];
    const names = raters.length ? raters.map((r) => r.rater) : Object.keys(row.values);
    const valueOf = (rater: string, key: string): number | undefined => {
      const judgement = raters.find((r) => r.rater === rater);
      return judgement?.values[key] ?? (key === row.attribute ? row.values[rater] : undefined);
    };
    this.ratersTable.append(
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Attribute"), ...names.map((n) => h("th", { scope: "col", class: "num" }, n)))),
    );
    const body = h("tbody");
    for (const attr of this.attributes) {
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
    this.ratersTable.append(body);
  }

  private renderGold(): void {
    const row = this.rows[this.selected];
    clear(this.goldScale);
    if (!row) return;
    const attr = this.attribute(row.attribute);
    const state = this.goldStates.get(cellKey(row));
    const shownValue = state?.kind === "saving" ? state.value : state?.kind === "saved" ? state.gold.value : row.gold;
    if (attr) {
      for (let v = attr.scale_min; v <= attr.scale_max; v++) {
        const descriptor = attr.levels.find((l) => l.value === v)?.descriptor ?? "";
        const raters = Object.entries(row.values)
          .filter(([, value]) => value === v)
          .map(([r]) => r);
        const selected = v === shownValue;
        this.goldScale.append(
          h(
            "button",
            {
              type: "button",
              role: "radio",
              class: `scale-value${selected ? " selected" : ""}${selected && state?.kind === "saving" ? " pending" : ""}`,
              "aria-checked": String(selected),
              "aria-label": `${v}${descriptor ? `: ${descriptor}` : ""}${raters.length ? ` (given by ${raters.join(", ")})` : ""}`,
              title: descriptor,
              "data-value": String(v),
              onclick: () => void this.setGold(v),
            },
            String(v),
            raters.length ? h("span", { class: "adj-votes", "aria-hidden": "true" }, "•".repeat(raters.length)) : null,
          ),
        );
      }
    }
    if (state?.kind === "saving") {
      this.goldStatus.className = "gold-status saving";
      this.goldStatus.textContent = "saving…";
    } else if (state?.kind === "error") {
      this.goldStatus.className = "gold-status error";
      this.goldStatus.textContent = `not saved: ${state.message}`;
    } else if (state?.kind === "saved") {
      this.goldStatus.className = "gold-status saved";
      this.goldStatus.textContent = `✓ gold ${state.gold.value} saved · ${state.gold.adjudicator}`;
    } else if (row.gold !== null) {
      const earlier = this.view?.response_id === row.response_id
        ? this.view.gold.find((g) => g.attribute === row.attribute)
        : undefined;
      this.goldStatus.className = "gold-status saved";
      this.goldStatus.textContent = earlier
        ? `✓ gold ${earlier.value} set earlier by ${earlier.adjudicator}${earlier.reason ? ` — ${earlier.reason}` : ""}`
        : `✓ gold ${row.gold} set earlier`;
    } else {
      this.goldStatus.className = "gold-status";
      this.goldStatus.textContent = "not set";
    }
    const levels = attr ? `${attr.scale_min} – ${attr.scale_max}` : "a digit";
    this.setHint(
      this.adjudicator.value.trim()
        ? `Press ${levels} to record the gold value for this cell · dots mark how many raters gave each score.`
        : "Enter your name as adjudicator, then press a value.",
      "ok",
    );
  }

  private setHint(text: string, kind: "ok" | "warn"): void {
    this.goldHint.textContent = text;
    this.goldHint.className = `hint hint-${kind}`;
  }

  // ---- actions --------------------------------------------------------------------------

  private async setGold(value: number): Promise<void> {
    const row = this.rows[this.selected];
    if (!row) return;
    const attr = this.attribute(row.attribute);
    if (attr && (value < attr.scale_min || value > attr.scale_max)) {
      this.setHint(`${attr.label} takes ${attr.scale_min} – ${attr.scale_max}.`, "warn");
      return;
    }
    const adjudicator = this.adjudicator.value.trim();
    if (!adjudicator) {
      this.setHint("Enter your name as adjudicator first: a gold value records who decided it.", "warn");
      this.adjudicator.focus();
      return;
    }
    localStorage.setItem(ADJUDICATOR_KEY, adjudicator);
    const key = cellKey(row);
    const reason = this.reasons.get(key) ?? "";
    this.goldStates.set(key, { kind: "saving", value });
    this.renderGold();
    try {
      const gold = await api.setGold(row.response_id, row.attribute, value, adjudicator, reason);
      row.gold = gold.value;
      this.goldStates.set(key, { kind: "saved", gold });
    } catch (err) {
      const message = errorText(err);
      this.goldStates.set(key, { kind: "error", message });
      this.ctx.notify(`Gold value not saved: ${message}`, "error");
    }
    const index = this.rows.indexOf(row);
    const old = this.list.querySelector(`#adj-row-${index}`);
    if (index >= 0 && old) old.replaceWith(this.listRow(row, index));
    this.renderSelection();
    if (this.rows[this.selected] === row) this.renderGold();
  }
}

function initials(name: string): string {
  const words = name.split(/\s+/).filter(Boolean);
  if (words.length > 1 && /^\d+$/.test(words[words.length - 1]!)) return `R${words[words.length - 1]}`;
  return words.map((w) => w[0]!.toUpperCase()).join("").slice(0, 3);
}
