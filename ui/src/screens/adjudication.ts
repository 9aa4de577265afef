// Adjudication (the study lead's screen): the response × attribute cells human raters disagree
// on, widest spread first; the raters' scores, rationales and flags side by side; a gold value.
//
// As on the rating screen, a digit key sets the value at once and the screen says "saved" only
// after the store has recorded it; a failed save stays visible. Backspace (or "Clear gold")
// clears a cell's gold value, and Ctrl+Z puts back what a cell held before this session changed
// it — a value, or no gold at all — so a stray key never costs a decision.

import "./adjudication.css";
import { api, errorText, type AdjudicationView, type Attribute, type Disagreement } from "../api";
import type { AppContext, Screen } from "../app";
import { announce } from "../components/live-region";
import { renderGoldHistory } from "./adjudication-gold-history";
import { renderRatersTable } from "./adjudication-raters";
import { ReadingPane } from "../components/reading-pane";
import type { ScoreScale } from "../components/score-scale";
import { append, clear, formatCount, h } from "../dom";
import { altChar, isTextField } from "../keyboard";
import { cellKey, disagreementRow, goldScale, goldStatus, type GoldChange, type GoldRecord, type GoldState } from "./adjudication-cells";

const LIMIT = 500;
const ADJUDICATOR_KEY = "concord.adjudicator";

/** The filters survive leaving and coming back to the screen. */
const remembered: { attribute: string | null; minRange: number } = { attribute: null, minRange: 1 };

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
  private readonly goldHistory: GoldChange[] = [];
  private goldScale: ScoreScale | null = null;
  private goldScaleCell = "";

  private readonly attributeSelect = h("select", { id: "adj-attribute" });
  private readonly minInput = h("input", { id: "adj-min", type: "number", min: "1", max: "9", step: "1", inputmode: "numeric" });
  private readonly summary = h("p", { class: "adj-summary muted", id: "adj-summary", "aria-live": "polite" });
  private readonly list = h("div", { class: "adj-list", id: "adj-list", role: "listbox", tabindex: "0", "aria-label": "Disagreements, widest first" });
  private readonly error = h("p", { class: "form-error", role: "alert" });
  private readonly detail = h("div", { class: "adj-detail", role: "region", "aria-label": "Selected disagreement" });
  private readonly detailTitle = h("h2", { class: "adj-title", id: "adj-title" });
  private readonly detailMeta = h("p", { class: "meta" });
  private readonly goldScaleSlot = h("div", { class: "adj-scale" });
  // Not live: the outcome of a save is announced once through the live region.
  private readonly goldStatus = h("span", { class: "gold-status", id: "gold-status" });
  private readonly goldHint = h("p", { class: "hint" });
  private readonly clearButton = h("button", { type: "button", class: "small", id: "gold-clear", "aria-keyshortcuts": "Backspace" }, "Clear gold (Backspace)");
  private readonly goldHistorySlot = h("div", { class: "adj-gold-history", id: "gold-history" });
  private readonly reason = h("textarea", { id: "gold-reason", class: "rationale", rows: "2", placeholder: "Why this value? (r) — saved with the value", spellcheck: "true" });
  private readonly adjudicator = h("input", { id: "adjudicator", type: "text", autocomplete: "name", placeholder: "Your name" });
  private readonly ratersTable = h("table", { class: "adj-raters", "aria-labelledby": "adj-raters-title" });
  private readonly reading = new ReadingPane("adj", "Prompt and response");

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
    this.clearButton.addEventListener("click", () => void this.setGold(null));

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
          h("kbd", {}, "Backspace"),
          " clears it · ",
          h("kbd", {}, "Ctrl+Z"),
          " undo gold · ",
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
    if (isTextField(target)) {
      if (e.key === "Escape") {
        target!.blur();
        this.list.focus({ preventScroll: true });
        return true;
      }
      return false;
    }
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "z") {
      void this.undoGold();
      return true;
    }
    if (e.ctrlKey || e.metaKey) return false;
    // Alt+digit always sets gold; plain keys only from the list (or the gold scale), and only
    // while single-key shortcuts are on.
    if (e.altKey && /^[0-9]$/.test(altChar(e))) {
      void this.setGold(Number(altChar(e)));
      return true;
    }
    if (e.altKey) return false;
    const onScale = target?.closest('[role="radio"]') != null;
    const inList = target === this.list;
    if (e.key === "Escape") {
      this.list.focus({ preventScroll: true });
      return true;
    }
    if (inList && this.onListKey(e.key)) return true;
    if (onScale && /^[0-9]$/.test(e.key)) {
      void this.setGold(Number(e.key));
      return true;
    }
    if ((onScale || inList) && (e.key === "Backspace" || e.key === "Delete")) {
      void this.setGold(null);
      return true;
    }
    if (!this.ctx.prefs.singleKeyShortcuts || !(inList || onScale)) return false;
    switch (e.key) {
      case "j":
        void this.select(this.selected + 1);
        return true;
      case "k":
        void this.select(this.selected - 1);
        return true;
      case "r":
        this.reason.focus();
        return true;
      default:
        if (/^[0-9]$/.test(e.key)) {
          void this.setGold(Number(e.key));
          return true;
        }
        return false;
    }
  }

  /** Arrow keys, Home and End move in the list (its own keys, not shortcuts). */
  private onListKey(key: string): boolean {
    const moves: Record<string, number> = { ArrowDown: this.selected + 1, ArrowUp: this.selected - 1, Home: 0, End: this.rows.length - 1 };
    if (!(key in moves)) return false;
    void this.select(moves[key]!);
    return true;
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
    void this.showGoldHistory(row.response_id);
  }

  /** Every gold value ever set on the response, oldest first (who, why, when). */
  private async showGoldHistory(externalId: string): Promise<void> {
    try {
      const events = await api.goldHistory(externalId);
      if (this.rows[this.selected]?.response_id !== externalId) return;
      clear(this.goldHistorySlot);
      this.goldHistorySlot.append(renderGoldHistory(events));
    } catch (err) {
      clear(this.goldHistorySlot);
      this.goldHistorySlot.append(h("p", { class: "form-error" }, `Gold history not loaded: ${errorText(err)}`));
    }
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
        h("div", { class: "adj-scale-row" }, this.goldScaleSlot, this.clearButton),
        this.goldHint,
        h("div", { class: "adj-fields" }, reasonField, whoField),
        h("details", { class: "adj-gold-history-box" }, h("summary", {}, "Gold history of this response"), this.goldHistorySlot),
      ),
      h("section", { class: "adj-raters-wrap", "aria-labelledby": "adj-raters-title" }, h("h3", { id: "adj-raters-title", class: "adj-section-title" }, "Raters side by side"), this.ratersTable),
      this.reading.el,
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
    return disagreementRow(row, index, this.attribute(row.attribute)?.label ?? row.attribute, () => {
      void this.select(index);
      this.list.focus({ preventScroll: true });
    });
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
    const view = this.view && this.view.external_id === row.response_id ? this.view : null;
    this.detailMeta.textContent = [view ? `Item ${view.item_external_id}` : null, `Spread ${row.range}`, `${Object.keys(row.values).length} raters`]
      .filter(Boolean)
      .join(" · ");
    this.renderGold();
    renderRatersTable(this.ratersTable, this.attributes, row, view);
    if (view) this.reading.show(view, "");
  }

  private renderGold(): void {
    const row = this.rows[this.selected];
    if (!row) {
      clear(this.goldScaleSlot);
      this.goldScale = null;
      return;
    }
    const attr = this.attribute(row.attribute);
    const state = this.goldStates.get(cellKey(row));
    const shownValue = state?.kind === "saving" || state?.kind === "saved" ? state.value : row.gold;
    if (attr && this.goldScaleCell !== cellKey(row)) {
      const hadFocus = this.goldScale?.contains(document.activeElement) ?? false;
      this.goldScale = goldScale(row, attr, (v) => void this.setGold(v));
      this.goldScaleCell = cellKey(row);
      clear(this.goldScaleSlot);
      this.goldScaleSlot.append(this.goldScale.el);
      if (hadFocus) this.goldScale.focus();
    }
    this.goldScale?.render(shownValue, state?.kind === "saving");
    this.clearButton.disabled = shownValue === null;
    const status = goldStatus(state, row, this.view);
    this.goldStatus.className = status.className;
    this.goldStatus.textContent = status.text;
    const levels = attr ? `${attr.scale_min} – ${attr.scale_max}` : "a digit";
    this.setHint(
      this.adjudicator.value.trim()
        ? `Press ${levels} to record the gold value for this cell, Backspace to clear it · dots mark how many raters gave each score.`
        : "Enter your name as adjudicator, then press a value.",
      "ok",
    );
  }

  private setHint(text: string, kind: "ok" | "warn"): void {
    this.goldHint.textContent = text;
    this.goldHint.className = `hint hint-${kind}`;
    if (kind === "warn") announce(text);
  }

  // ---- actions --------------------------------------------------------------------------

  /** Sets (or with null clears) the selected cell's gold value, remembering it for undo. */
  private async setGold(value: number | null): Promise<void> {
    const row = this.rows[this.selected];
    if (!row) return;
    const attr = this.attribute(row.attribute);
    if (attr && value !== null && (value < attr.scale_min || value > attr.scale_max)) {
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
    const before = this.goldBefore(row);
    if (before.value === value) return;
    const reason = this.reasons.get(cellKey(row)) ?? "";
    if (await this.recordGold(row, { value, adjudicator, reason })) this.goldHistory.push({ row, before });
  }

  /** Saves `gold` (a value, or null to clear) for `row`; resolves to whether it was saved. */
  private async recordGold(row: Disagreement, gold: GoldRecord): Promise<boolean> {
    const key = cellKey(row);
    this.goldStates.set(key, { kind: "saving", value: gold.value });
    this.renderGold();
    let saved = false;
    try {
      if (gold.value === null) await api.clearGold(row.response_id, row.attribute, gold.adjudicator, gold.reason);
      else await api.setGold(row.response_id, row.attribute, gold.value, gold.adjudicator, gold.reason);
      row.gold = gold.value;
      this.goldStates.set(key, { kind: "saved", ...gold });
      void this.showGoldHistory(row.response_id);
      const label = this.attribute(row.attribute)?.label ?? row.attribute;
      announce(gold.value === null ? `${label} gold cleared` : `${label} gold ${gold.value}, saved`);
      saved = true;
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
    return saved;
  }

  /** What the cell holds now, as far as this screen knows. */
  private goldBefore(row: Disagreement): GoldRecord {
    const state = this.goldStates.get(cellKey(row));
    if (state?.kind === "saved") return { value: state.value, adjudicator: state.adjudicator, reason: state.reason };
    const earlier = this.views.get(row.response_id)?.gold.find((g) => g.attribute === row.attribute);
    return { value: row.gold, adjudicator: earlier?.adjudicator ?? "", reason: earlier?.reason ?? "" };
  }

  /**
   * Puts back what the cell held before the last change of this session: its earlier value (with
   * that decision's reason) or no gold. The undo is recorded in the current adjudicator's name.
   */
  private async undoGold(): Promise<void> {
    const change = this.goldHistory.pop();
    if (!change) {
      this.ctx.notify("No gold value to undo.");
      return;
    }
    const index = this.rows.indexOf(change.row);
    if (index >= 0 && index !== this.selected) await this.select(index);
    const adjudicator = this.adjudicator.value.trim() || change.before.adjudicator;
    if (!adjudicator) {
      this.goldHistory.push(change);
      this.setHint("Enter your name as adjudicator first: undoing records who did it.", "warn");
      this.adjudicator.focus();
      return;
    }
    const reason = change.before.value === null ? "undo" : change.before.reason;
    if (!(await this.recordGold(change.row, { value: change.before.value, adjudicator, reason }))) {
      this.goldHistory.push(change);
      return;
    }
    this.ctx.notify(change.before.value === null ? "Undone: this cell has no gold value again." : `Undone: gold is back to ${change.before.value}.`);
  }
}
