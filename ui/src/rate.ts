// The rating screen: prompt and response on the left, the rubric on the right, keyboard first.
//
// Every value is written through the core API the moment it is given; an attribute shows
// "saved" only after that call returned, and a failed save stays visible until retried.

import { api, errorText, type Attribute, type Progress, type RatingScreen } from "./api";
import { afterPaint, instrumentation, type AppContext, type Screen } from "./app";
import { clear, formatCount, formatDuration, h, humanize, setRenderedHtml } from "./dom";

type SaveState = "saving" | "saved" | "error";

interface AttributeRow {
  attr: Attribute;
  el: HTMLElement;
  buttons: Map<number, HTMLButtonElement>;
  state: HTMLElement;
  levels: HTMLElement;
}

const NOTE_DEBOUNCE_MS = 800;

export class RateScreen implements Screen {
  readonly el: HTMLElement;
  private readonly ctx: AppContext;
  private readonly attributes: Attribute[];
  private readonly rows: AttributeRow[] = [];
  private view: RatingScreen | null = null;
  /** Values as the UI shows them (may be ahead of `saved` while a save is in flight). */
  private shown: Record<string, number | null> = {};
  /** Values the store has confirmed for the current response. */
  private saved: Record<string, number> = {};
  private saveState = new Map<string, SaveState>();
  private saveErrors = new Map<string, string>();
  private focusIdx = 0;
  /** All writes go through one chain so events reach the store in the order they were given. */
  private writes: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private readonly positionsById = new Map<string, number>();
  private shownAt = performance.now();
  private timerHandle: number | undefined;
  private noteTimer: number | undefined;
  private noteDirty = false;
  private noteSaving = false;
  private noteError: string | null = null;
  private flags: string[] = [];
  private helpOpen = false;
  private flagMenuOpen = false;
  private navBusy = false;
  /** True while a response loads; keys typed meanwhile wait in `bufferedKeys`. */
  private loading = false;
  private bufferedKeys: KeyboardEvent[] = [];

  // Static parts of the screen, built once.
  private readonly reading = h("div", { class: "reading", tabindex: "-1", "aria-label": "Prompt and response" });
  private readonly meta = h("p", { class: "meta" });
  private readonly flagChips = h("div", { class: "flag-chips", "aria-live": "polite" });
  private readonly promptBody = h("div", { class: "md prompt-body" });
  private readonly contextBox = h("details", { class: "context" });
  private readonly responseBody = h("div", { class: "md response-body", id: "response-body" });
  private readonly progressText = h("span", { class: "progress-text", id: "progress-text" });
  private readonly progressBar = h("progress", { class: "progress-bar", max: "1", value: "0", "aria-labelledby": "progress-text" });
  private readonly progressDetail = h("span", { class: "progress-detail" });
  private readonly timer = h("span", { class: "timer", "aria-label": "Time on this response" });
  private readonly saveStatus = h("span", { class: "save-status", role: "status", "aria-live": "polite", id: "save-status" });
  private readonly attrList = h("div", { class: "attr-list", role: "group", "aria-label": "Rubric attributes" });
  private readonly hint = h("p", { class: "hint", "aria-live": "polite" });
  private readonly rationale = h("textarea", { id: "rationale", class: "rationale", rows: "3", placeholder: "Optional: why these scores? (r)", spellcheck: "true" });
  private readonly noteStatus = h("span", { class: "note-status", "aria-live": "polite" });
  private readonly flagButton = h("button", { type: "button", class: "flag-button", "aria-haspopup": "true", "aria-expanded": "false", "aria-controls": "flag-menu" }, "Flags (f)");
  private readonly flagMenu = h("div", { class: "flag-menu", id: "flag-menu", role: "group", "aria-label": "Flags for this response", hidden: true });
  private readonly prevButton = h("button", { type: "button", class: "nav-prev", "aria-keyshortcuts": "p" }, "← Previous (p)");
  private readonly nextButton = h("button", { type: "button", class: "primary nav-next", "aria-keyshortcuts": "Enter n" }, "Next (Enter) →");
  private readonly help: HTMLElement;

  constructor(ctx: AppContext) {
    this.ctx = ctx;
    this.attributes = ctx.session!.study.rubric.attributes;
    this.buildAttributes();
    this.help = this.buildHelp();

    this.rationale.setAttribute("aria-label", "Rationale");
    this.rationale.addEventListener("input", () => {
      this.noteDirty = true;
      this.renderNoteStatus();
      window.clearTimeout(this.noteTimer);
      this.noteTimer = window.setTimeout(() => void this.saveNote(), NOTE_DEBOUNCE_MS);
    });
    this.rationale.addEventListener("blur", () => void this.saveNote());
    this.flagButton.addEventListener("click", () => this.toggleFlagMenu());
    this.prevButton.addEventListener("click", () => void this.goPrevious(performance.now()));
    this.nextButton.addEventListener("click", () => void this.goNext(performance.now()));
    this.contextBox.append(h("summary", {}, "Context"));

    this.el = h(
      "section",
      { class: "screen rate", "aria-label": "Rate" },
      h(
        "div",
        { class: "rate-layout" },
        h(
          "div",
          { class: "reading-wrap" },
          this.reading,
        ),
        h(
          "aside",
          { class: "panel", "aria-label": "Rating" },
          h(
            "div",
            { class: "panel-head" },
            h("div", { class: "progress-line" }, this.progressText, this.timer),
            this.progressBar,
            h("div", { class: "progress-line small" }, this.progressDetail, this.saveStatus),
          ),
          this.attrList,
          this.hint,
          h(
            "div",
            { class: "note" },
            h("div", { class: "note-head" }, h("label", { for: "rationale" }, "Rationale"), this.noteStatus),
            this.rationale,
            h("div", { class: "flags-row" }, this.flagButton, this.flagChips),
            this.flagMenu,
          ),
          h("div", { class: "nav-buttons" }, this.prevButton, this.nextButton),
          h(
            "div",
            { class: "tool-buttons" },
            h("button", { type: "button", class: "link-button", "aria-keyshortcuts": "Control+Z", onclick: () => void this.undo() }, "Undo last change (Ctrl+Z)"),
            h("button", { type: "button", class: "link-button", "aria-keyshortcuts": "?", onclick: () => this.toggleHelp(true) }, "Keyboard shortcuts (?)"),
          ),
        ),
      ),
      this.help,
    );
    this.reading.append(
      this.meta,
      h("article", { class: "prompt", "aria-labelledby": "prompt-title" }, h("h2", { id: "prompt-title", class: "section-title" }, "Prompt"), this.promptBody, this.contextBox),
      h("article", { class: "response", "aria-labelledby": "response-title" }, h("h2", { id: "response-title", class: "section-title" }, "Response"), this.responseBody),
    );
    this.timerHandle = window.setInterval(() => this.renderTimer(), 1000);
  }

  focusFirst(): void {
    this.focusAttribute(this.focusIdx);
  }

  /** Loads and shows the response at `position` in this rater's order. */
  async show(position: number): Promise<void> {
    this.loading = true;
    try {
      await this.load(position);
    } catch (err) {
      this.bufferedKeys = [];
      throw err;
    } finally {
      this.loading = false;
    }
    instrumentation.position = this.view!.position;
    instrumentation.responseId = this.view!.response_id;
    // Keys typed while the response was loading belong to it, not to the previous one.
    const keys = this.bufferedKeys;
    this.bufferedKeys = [];
    for (const key of keys) this.onKey(key);
  }

  private async load(position: number): Promise<void> {
    await this.flushNote();
    await this.writes.catch(() => undefined);
    const view = await api.ratingView(position);
    this.view = view;
    this.positionsById.set(view.response_id, view.position);
    this.saved = { ...view.values };
    this.shown = { ...view.values };
    this.saveState.clear();
    this.saveErrors.clear();
    for (const key of Object.keys(view.values)) this.saveState.set(key, "saved");
    this.flags = [...view.flags];
    this.rationale.value = view.rationale;
    this.noteDirty = false;
    this.noteError = null;
    this.closeFlagMenu(false);

    const parts = [`Response ${formatCount(view.position + 1)} of ${formatCount(view.total)}`, `Item ${view.item_external_id}`];
    parts.push(view.model ? `Model ${view.model}` : "Model hidden");
    this.meta.textContent = parts.join(" · ");
    setRenderedHtml(this.promptBody, view.prompt_html);
    const contextBody = this.contextBox.querySelector(".md");
    contextBody?.remove();
    if (view.context_html) {
      const body = h("div", { class: "md context-body" });
      setRenderedHtml(body, view.context_html);
      this.contextBox.append(body);
      this.contextBox.hidden = false;
    } else {
      this.contextBox.hidden = true;
    }
    setRenderedHtml(this.responseBody, view.response_html);
    this.reading.scrollTop = 0;

    const firstUnset = this.attributes.findIndex((a) => this.shown[a.key] == null);
    this.focusIdx = firstUnset === -1 ? 0 : firstUnset;
    this.shownAt = performance.now();
    this.renderAll();
    if (this.el.isConnected) this.focusAttribute(this.focusIdx);
  }

  async leave(): Promise<void> {
    window.clearInterval(this.timerHandle);
    await this.flushNote();
    await this.writes.catch(() => undefined);
  }

  onKey(e: KeyboardEvent): boolean {
    const target = e.target as HTMLElement | null;
    if (this.helpOpen) {
      if (e.key === "Escape" || e.key === "?") {
        this.toggleHelp(false);
        return true;
      }
      return e.key !== "Tab";
    }
    const typing =
      target instanceof HTMLTextAreaElement ||
      target instanceof HTMLSelectElement ||
      (target instanceof HTMLInputElement && target.type !== "checkbox");
    if (typing) {
      if (e.key === "Escape") {
        target.blur();
        this.focusAttribute(this.focusIdx);
        return true;
      }
      return false;
    }
    if ((e.ctrlKey || e.metaKey) && !e.altKey) {
      if (e.key.toLowerCase() === "z" && !e.shiftKey) {
        void this.undo();
        return true;
      }
      return false;
    }
    if (e.altKey) return false;
    if (this.loading) {
      if (e.key !== "Tab") this.bufferedKeys.push(e);
      return e.key !== "Tab";
    }
    if (this.flagMenuOpen && this.onFlagMenuKey(e)) return true;

    const start = performance.now();
    const onButton = target instanceof HTMLButtonElement;
    switch (e.key) {
      case "ArrowDown":
      case "ArrowRight":
        this.moveFocus(1);
        return true;
      case "ArrowUp":
      case "ArrowLeft":
        this.moveFocus(-1);
        return true;
      case "Enter":
        if (onButton) return false;
        void this.goNext(start);
        return true;
      case " ":
        return !onButton;
      case "n":
        void this.goNext(start);
        return true;
      case "p":
        void this.goPrevious(start);
        return true;
      case "Backspace":
      case "Delete":
        this.setFocused(null);
        return true;
      case "f":
        this.toggleFlagMenu();
        return true;
      case "r":
        this.rationale.focus();
        return true;
      case "?":
        this.toggleHelp(true);
        return true;
      case "Escape":
        this.focusAttribute(this.focusIdx);
        return true;
      default:
        if (/^[0-9]$/.test(e.key)) {
          this.setFocused(Number(e.key));
          return true;
        }
        return false;
    }
  }

  // ---- building -------------------------------------------------------------------------

  private buildAttributes(): void {
    let group: string | null = null;
    this.attributes.forEach((attr, idx) => {
      if (attr.group && attr.group !== group) {
        group = attr.group;
        this.attrList.append(h("h3", { class: "group-title" }, groupLabel(attr.group)));
      }
      const labelId = `attr-label-${idx}`;
      const detailId = `attr-detail-${idx}`;
      const buttons = new Map<number, HTMLButtonElement>();
      const scale = h("div", { class: "scale" });
      for (let v = attr.scale_min; v <= attr.scale_max; v++) {
        const descriptor = attr.levels.find((l) => l.value === v)?.descriptor ?? "";
        const button = h(
          "button",
          {
            type: "button",
            role: "radio",
            tabindex: "-1",
            class: "scale-value",
            "aria-checked": "false",
            "aria-label": descriptor ? `${v}: ${descriptor}` : String(v),
            "data-value": String(v),
            onclick: () => {
              this.focusIdx = idx;
              // Clicking the chosen value again clears it (the mouse twin of Backspace).
              this.setValue(attr.key, this.shown[attr.key] === v ? null : v, false);
              this.focusAttribute(idx);
            },
          },
          String(v),
        );
        buttons.set(v, button);
        scale.append(button);
      }
      const state = h("span", { class: "attr-state" });
      const levels = h(
        "div",
        { class: "attr-detail", id: detailId },
        attr.description ? h("p", { class: "attr-description" }, attr.description) : null,
        h(
          "ol",
          { class: "levels" },
          ...attr.levels.map((l) =>
            h(
              "li",
              { "data-value": String(l.value), onclick: () => this.setValue(attr.key, l.value, false) },
              h("span", { class: "level-value" }, String(l.value)),
              h("span", { class: "level-text" }, l.descriptor),
            ),
          ),
        ),
      );
      const el = h(
        "div",
        {
          class: "attr",
          role: "radiogroup",
          tabindex: "0",
          "aria-labelledby": labelId,
          "aria-describedby": detailId,
          "data-key": attr.key,
        },
        h("div", { class: "attr-head" }, h("span", { class: "attr-label", id: labelId }, attr.label), state),
        scale,
        levels,
      );
      el.addEventListener("focusin", () => {
        if (this.focusIdx !== idx) {
          this.focusIdx = idx;
          this.renderFocus();
        }
      });
      this.rows.push({ attr, el, buttons, state, levels });
      this.attrList.append(el);
    });
  }

  private buildHelp(): HTMLElement {
    const keys: [string, string][] = [
      ["1 – 9", "Set the focused attribute and move to the next"],
      ["↑ ↓ ← →, Tab", "Move between attributes"],
      ["Backspace", "Clear the focused attribute"],
      ["Enter or n", "Next response (when every attribute is set)"],
      ["p", "Previous response"],
      ["Ctrl+Z", "Undo your last change"],
      ["f", "Open or close the flag menu (then 1 – 9 toggle flags)"],
      ["r", "Write a rationale (Esc returns to the rubric)"],
      ["?", "Show or hide this help"],
      ["g then d", "Dashboard: live agreement charts and numbers"],
      ["g then a", "Adjudication: disagreements, raters side by side, gold values (study lead)"],
      ["g then m", "Admin: raters, assignments, packages, settings (study lead)"],
      ["g then q", "Queue of your responses"],
      ["g then r", "Back to rating"],
      ["g then s", "Study: open another study or rater"],
    ];
    const close = h("button", { type: "button", class: "help-close", onclick: () => this.toggleHelp(false) }, "Close (Esc)");
    return h(
      "div",
      { class: "overlay", hidden: true, onclick: (e: Event) => e.target === e.currentTarget && this.toggleHelp(false) },
      h(
        "div",
        { class: "help", role: "dialog", "aria-modal": "true", "aria-labelledby": "help-title" },
        h("h2", { id: "help-title" }, "Keyboard shortcuts"),
        h("dl", { class: "keys" }, ...keys.flatMap(([k, d]) => [h("dt", {}, h("kbd", {}, k)), h("dd", {}, d)])),
        close,
      ),
    );
  }

  // ---- rendering ------------------------------------------------------------------------

  private renderAll(): void {
    for (const row of this.rows) this.renderRow(row);
    this.renderFocus();
    this.renderProgress();
    this.renderTimer();
    this.renderSaveStatus();
    this.renderNoteStatus();
    this.renderFlags();
    this.renderHint();
    this.prevButton.disabled = !this.view || this.view.position === 0;
  }

  private renderRow(row: AttributeRow): void {
    const key = row.attr.key;
    const value = this.shown[key] ?? null;
    const state = this.saveState.get(key);
    for (const [v, button] of row.buttons) {
      const selected = v === value;
      button.setAttribute("aria-checked", String(selected));
      button.classList.toggle("selected", selected);
      button.classList.toggle("pending", selected && state === "saving");
    }
    for (const li of row.levels.querySelectorAll<HTMLElement>("li")) {
      li.classList.toggle("selected", Number(li.dataset.value) === value);
    }
    row.el.classList.toggle("is-set", value !== null);
    row.el.classList.toggle("has-error", state === "error");
    row.state.className = `attr-state ${state ?? "unset"}`;
    if (state === "saving") row.state.textContent = "saving…";
    else if (state === "error") row.state.textContent = "not saved";
    else if (state === "saved" && value !== null) row.state.textContent = "✓ saved";
    else if (state === "saved") row.state.textContent = "cleared";
    else row.state.textContent = "";
    row.state.title = this.saveErrors.get(key) ?? "";
  }

  private renderFocus(): void {
    this.rows.forEach((row, idx) => row.el.classList.toggle("focused", idx === this.focusIdx));
  }

  private renderProgress(): void {
    const p = this.ctx.session!.progress;
    this.progressText.textContent = `${formatCount(p.done)} / ${formatCount(p.total)} rated`;
    this.progressBar.value = p.total ? p.done / p.total : 0;
    const detail = [];
    if (p.partial) detail.push(`${formatCount(p.partial)} partial`);
    if (p.flagged) detail.push(`${formatCount(p.flagged)} flagged`);
    this.progressDetail.textContent = detail.join(" · ");
  }

  private renderTimer(): void {
    this.timer.textContent = `${formatDuration(performance.now() - this.shownAt)} on this response`;
  }

  private renderSaveStatus(): void {
    const errors = [...this.saveErrors.values()];
    if (errors.length || this.noteError) {
      this.saveStatus.className = "save-status error";
      this.saveStatus.textContent = `Not saved: ${errors[0] ?? this.noteError}`;
    } else if (this.inFlight > 0 || this.noteSaving) {
      this.saveStatus.className = "save-status saving";
      this.saveStatus.textContent = "Saving…";
    } else {
      this.saveStatus.className = "save-status ok";
      this.saveStatus.textContent = "All changes saved";
    }
  }

  private renderNoteStatus(): void {
    if (this.noteError) this.noteStatus.textContent = "not saved";
    else if (this.noteSaving) this.noteStatus.textContent = "saving…";
    else if (this.noteDirty) this.noteStatus.textContent = "editing";
    else if (this.rationale.value) this.noteStatus.textContent = "✓ saved";
    else this.noteStatus.textContent = "";
    this.noteStatus.className = `note-status ${this.noteError ? "error" : ""}`;
  }

  private renderFlags(): void {
    clear(this.flagChips);
    for (const flag of this.flags) this.flagChips.append(h("span", { class: "chip" }, humanize(flag)));
    clear(this.flagMenu);
    const available = this.ctx.session!.study.flags;
    available.forEach((flag, i) => {
      const id = `flag-${flag}`;
      const box = h("input", { type: "checkbox", id, checked: this.flags.includes(flag), "data-flag": flag });
      box.addEventListener("change", () => this.toggleFlag(flag));
      this.flagMenu.append(h("div", { class: "flag-option" }, box, h("label", { for: id }, h("kbd", {}, String(i + 1)), " ", humanize(flag))));
    });
    this.flagButton.textContent = this.flags.length ? `Flags (f) · ${this.flags.length}` : "Flags (f)";
  }

  private renderHint(): void {
    const missing = this.missingCount();
    this.nextButton.classList.toggle("ready", missing === 0);
    this.setHint(missing === 0 ? "All attributes set: press Enter for the next response." : "", "ok");
  }

  private setHint(text: string, kind: "ok" | "warn"): void {
    this.hint.textContent = text;
    this.hint.className = `hint hint-${kind}`;
  }

  // ---- actions --------------------------------------------------------------------------

  private missingCount(): number {
    return this.attributes.filter((a) => this.shown[a.key] == null).length;
  }

  private focusAttribute(idx: number): void {
    const row = this.rows[idx];
    if (!row) return;
    this.focusIdx = idx;
    this.renderFocus();
    row.el.focus({ preventScroll: true });
    row.el.scrollIntoView({ block: "nearest" });
  }

  private moveFocus(delta: number): void {
    const idx = Math.min(this.rows.length - 1, Math.max(0, this.focusIdx + delta));
    this.focusAttribute(idx);
  }

  private setFocused(value: number | null): void {
    const row = this.rows[this.focusIdx];
    if (!row) return;
    if (value !== null && (value < row.attr.scale_min || value > row.attr.scale_max)) {
      this.setHint(`${row.attr.label} takes ${row.attr.scale_min} – ${row.attr.scale_max}.`, "warn");
      return;
    }
    this.setValue(row.attr.key, value, value !== null);
  }

  private setValue(key: string, value: number | null, advance: boolean): void {
    const view = this.view;
    if (!view) return;
    const idx = this.attributes.findIndex((a) => a.key === key);
    const unchanged = (this.shown[key] ?? null) === value && this.saveState.get(key) !== "error";
    if (!unchanged) {
      this.shown[key] = value;
      this.saveState.set(key, "saving");
      this.saveErrors.delete(key);
      this.inFlight++;
      const saved = this.saved;
      const started = performance.now();
      const write = this.enqueue(async () => {
        const sent = performance.now();
        const result = await api.setRating(view.response_id, key, value);
        instrumentation.saveLatenciesMs.push(performance.now() - sent);
        return result;
      });
      write.then(
        (result) => {
          instrumentation.keyToSavedMs.push(performance.now() - started);
          const before = countSet(saved);
          if (result.value === null) delete saved[key];
          else saved[key] = result.value;
          this.adjustProgress(before, countSet(saved), 0);
          if (this.view === view) this.saveState.set(key, "saved");
        },
        (err) => {
          const message = errorText(err);
          instrumentation.failedSaves.push(message);
          if (this.view === view) {
            this.saveState.set(key, "error");
            this.saveErrors.set(key, message);
            this.shown[key] = saved[key] ?? null;
          }
          this.ctx.notify(`Rating not saved: ${message}`, "error");
        },
      ).finally(() => {
        this.inFlight--;
        if (this.view === view) {
          this.renderRow(this.rows[idx]!);
          this.renderHint();
        }
        this.renderSaveStatus();
      });
      this.renderRow(this.rows[idx]!);
      this.renderSaveStatus();
      this.renderHint();
    }
    if (advance && idx < this.rows.length - 1) this.focusAttribute(idx + 1);
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.catch(() => undefined).then(work);
    this.writes = next;
    return next;
  }

  private adjustProgress(beforeSet: number, afterSet: number, flagDelta: number): void {
    const session = this.ctx.session!;
    const n = this.attributes.length;
    const p: Progress = { ...session.progress };
    const bucket = (count: number): "todo" | "partial" | "done" => (count === 0 ? "todo" : count >= n ? "done" : "partial");
    const from = bucket(beforeSet);
    const to = bucket(afterSet);
    if (from !== to) {
      p[from] = Math.max(0, p[from] - 1);
      p[to] += 1;
    }
    p.flagged = Math.max(0, p.flagged + flagDelta);
    this.ctx.updateProgress(p);
    this.renderProgress();
  }

  private async undo(): Promise<void> {
    try {
      await this.flushNote();
      const change = await this.enqueue(() => api.undo());
      if (!change) {
        this.ctx.notify("Nothing to undo.");
        return;
      }
      const view = this.view;
      if (view && change.response_id === view.response_id) {
        const before = countSet(this.saved);
        if (change.restored === null) delete this.saved[change.attribute_key];
        else this.saved[change.attribute_key] = change.restored;
        this.shown[change.attribute_key] = change.restored;
        this.saveState.set(change.attribute_key, "saved");
        this.saveErrors.delete(change.attribute_key);
        this.adjustProgress(before, countSet(this.saved), 0);
        const idx = this.attributes.findIndex((a) => a.key === change.attribute_key);
        if (idx >= 0) {
          this.renderRow(this.rows[idx]!);
          this.focusAttribute(idx);
        }
        this.renderHint();
        this.renderSaveStatus();
      } else {
        this.ctx.updateProgress(await api.progress());
        const position = this.positionsById.get(change.response_id);
        if (position !== undefined) {
          await this.show(position);
          const idx = this.attributes.findIndex((a) => a.key === change.attribute_key);
          if (idx >= 0) this.focusAttribute(idx);
        } else {
          this.renderProgress();
        }
      }
      const label = this.attributes.find((a) => a.key === change.attribute_key)?.label ?? change.attribute_key;
      this.ctx.notify(`Undone: ${label} is ${change.restored === null ? "not set" : `back to ${change.restored}`}.`);
    } catch (err) {
      this.ctx.notify(`Undo failed: ${errorText(err)}`, "error");
    }
  }

  private async goNext(started: number): Promise<void> {
    const view = this.view;
    if (!view || this.navBusy) return;
    const missing = this.missingCount();
    if (missing > 0) {
      this.setHint(`${missing} attribute${missing === 1 ? "" : "s"} still to rate before moving on.`, "warn");
      const firstUnset = this.attributes.findIndex((a) => this.shown[a.key] == null);
      this.focusAttribute(firstUnset);
      return;
    }
    if (this.saveErrors.size > 0) {
      this.setHint("A rating was not saved: set it again before moving on.", "warn");
      return;
    }
    let target: number | null = view.position + 1;
    if (target >= view.total) {
      target = await api.firstUnfinished();
      if (target === null) {
        this.ctx.notify("Every response in your queue is rated. Thank you!");
        return;
      }
      this.ctx.notify("End of your queue: back to the first unfinished response.");
    }
    await this.navigateTo(target, started);
  }

  private async goPrevious(started: number): Promise<void> {
    const view = this.view;
    if (!view || view.position === 0 || this.navBusy) return;
    await this.navigateTo(view.position - 1, started);
  }

  private async navigateTo(position: number, started: number): Promise<void> {
    this.navBusy = true;
    try {
      await this.show(position);
      // Reading a layout property forces style and layout of the new text now.
      void this.responseBody.offsetHeight;
      instrumentation.nextLatenciesMs.push(performance.now() - started);
    } catch (err) {
      this.ctx.notify(errorText(err), "error");
      return;
    } finally {
      this.navBusy = false;
    }
    if (await afterPaint()) instrumentation.nextPaintedMs.push(performance.now() - started);
    else instrumentation.paintTimeouts++;
  }

  private toggleHelp(open: boolean): void {
    this.helpOpen = open;
    this.help.hidden = !open;
    if (open) this.help.querySelector<HTMLElement>(".help-close")?.focus();
    else this.focusAttribute(this.focusIdx);
  }

  private toggleFlagMenu(): void {
    if (this.flagMenuOpen) this.closeFlagMenu(true);
    else {
      this.flagMenuOpen = true;
      this.flagMenu.hidden = false;
      this.flagButton.setAttribute("aria-expanded", "true");
      this.flagMenu.querySelector<HTMLInputElement>("input")?.focus();
    }
  }

  private closeFlagMenu(refocus: boolean): void {
    this.flagMenuOpen = false;
    this.flagMenu.hidden = true;
    this.flagButton.setAttribute("aria-expanded", "false");
    if (refocus) this.focusAttribute(this.focusIdx);
  }

  private onFlagMenuKey(e: KeyboardEvent): boolean {
    if (e.key === "Escape" || e.key === "f") {
      this.closeFlagMenu(true);
      return true;
    }
    if (/^[1-9]$/.test(e.key)) {
      const flag = this.ctx.session!.study.flags[Number(e.key) - 1];
      if (flag) this.toggleFlag(flag);
      return true;
    }
    return false;
  }

  private toggleFlag(flag: string): void {
    const had = this.flags.length > 0;
    this.flags = this.flags.includes(flag) ? this.flags.filter((f) => f !== flag) : [...this.flags, flag];
    const has = this.flags.length > 0;
    const focusedFlag = (document.activeElement as HTMLElement | null)?.dataset?.flag;
    this.renderFlags();
    if (this.flagMenuOpen) {
      const box = this.flagMenu.querySelector<HTMLInputElement>(`input[data-flag="${CSS.escape(focusedFlag ?? flag)}"]`);
      box?.focus();
    }
    this.noteDirty = true;
    void this.saveNote().then((ok) => {
      if (ok && had !== has) this.adjustProgress(0, 0, has ? 1 : -1);
    });
  }

  private async flushNote(): Promise<void> {
    window.clearTimeout(this.noteTimer);
    if (this.noteDirty) await this.saveNote();
  }

  /** Writes the rationale and flags for the current response; resolves to whether it saved. */
  private async saveNote(): Promise<boolean> {
    window.clearTimeout(this.noteTimer);
    const view = this.view;
    if (!view || !this.noteDirty) return true;
    const rationale = this.rationale.value;
    const flags = [...this.flags];
    this.noteDirty = false;
    this.noteSaving = true;
    this.renderNoteStatus();
    this.renderSaveStatus();
    try {
      await this.enqueue(() => api.setNote(view.response_id, rationale, flags));
      if (this.view === view) this.noteError = null;
      return true;
    } catch (err) {
      const message = errorText(err);
      if (this.view === view) {
        this.noteError = message;
        this.noteDirty = true;
      }
      this.ctx.notify(`Rationale or flags not saved: ${message}`, "error");
      return false;
    } finally {
      this.noteSaving = false;
      this.renderNoteStatus();
      this.renderSaveStatus();
    }
  }
}

function countSet(values: Record<string, number>): number {
  return Object.keys(values).length;
}

const GROUP_NAMES: Record<string, string> = {
  CSS: "Cognitive support (CSS)",
  ARS: "Affective resonance (ARS)",
};

function groupLabel(group: string): string {
  return GROUP_NAMES[group] ?? group;
}
