// The rating screen: prompt and response on the left, the rubric on the right, keyboard first.
//
// Every value is written through the core API the moment it is given; an attribute shows
// "saved" only after that call returned, and a failed save stays visible until retried.

import "./rate.css";
import { api, errorText, type Attribute, type Progress, type RatingScreen } from "../api";
import { afterPaint, type AppContext, type Screen } from "../app";
import { announce } from "../components/live-region";
import type { ModalDialog } from "../components/dialog";
import { ReadingPane } from "../components/reading-pane";
import { formatCount, formatDuration, h } from "../dom";
import { probe } from "../testing/probe";
import { helpDialog } from "./help";
import { placeOf, rateCommand, ScoreTyping, type RateCommand } from "./keys";
import { ResponseNote } from "./note";
import { RubricPanel } from "./rubric";
import { ResponseValues, SaveQueue } from "./save-queue";

export class RateScreen implements Screen {
  readonly el: HTMLElement;
  private readonly ctx: AppContext;
  private readonly attributes: Attribute[];
  private view: RatingScreen | null = null;
  private values = new ResponseValues("", {});
  private focusIdx = 0;
  private readonly writes = new SaveQueue();
  private readonly positionsById = new Map<string, number>();
  private shownAt = performance.now();
  private timerHandle: number | undefined;
  private navBusy = false;
  /** True while a response loads; keys typed meanwhile wait in `bufferedKeys`. */
  private loading = false;
  private bufferedKeys: KeyboardEvent[] = [];
  private readonly typing = new ScoreTyping({
    set: (idx, value, advance) => this.setValue(this.attributes[idx]!.key, value, advance),
    value: (idx) => this.values.value(this.attributes[idx]!.key),
    focus: (idx) => this.focusAttribute(idx),
    hint: (text, kind) => this.setHint(text, kind),
  });
  private help: ModalDialog | null = null;

  private readonly reading = new ReadingPane("rate", "Prompt and response");
  private readonly progressText = h("span", { class: "progress-text", id: "progress-text" });
  private readonly progressBar = h("progress", { class: "progress-bar", max: "1", value: "0", "aria-labelledby": "progress-text" });
  private readonly progressDetail = h("span", { class: "progress-detail" });
  private readonly timer = h("span", { class: "timer", role: "timer", "aria-label": "Time on this response" });
  private readonly saveStatus = h("span", { class: "save-status", id: "save-status" });
  private readonly hint = h("p", { class: "hint" });
  private readonly note: ResponseNote;
  private readonly rubric: RubricPanel;
  private readonly prevButton = h("button", { type: "button", class: "nav-prev" });
  private readonly nextButton = h("button", { type: "button", class: "nav-next" }, "Next (Enter) →");

  constructor(ctx: AppContext) {
    this.ctx = ctx;
    this.attributes = ctx.session!.study.rubric.attributes;
    this.note = new ResponseNote(
      ctx.session!.study.flags,
      this.writes,
      () => this.renderSaveStatus(),
      (message) => ctx.notify(message, "error"),
      () => this.focusAttribute(this.focusIdx),
      (progress) => this.showProgress(progress),
    );
    this.rubric = new RubricPanel(this.attributes, {
      choose: (idx, value, via) => {
        const key = this.attributes[idx]!.key;
        this.focusIdx = idx;
        this.typing.reset();
        // Clicking the chosen value again clears it (the mouse twin of Backspace).
        this.setValue(key, via === "click" && this.values.value(key) === value ? null : value, false);
        if (via === "click") this.focusAttribute(idx);
      },
      set: (idx, value) => this.setValue(this.attributes[idx]!.key, value, false),
      focused: (idx) => {
        if (this.focusIdx !== idx) {
          this.focusIdx = idx;
          this.typing.reset();
          this.rubric.showFocus(idx);
        }
      },
    });
    this.prevButton.addEventListener("click", () => void this.goPrevious(performance.now()));
    this.nextButton.addEventListener("click", () => void this.goNext(performance.now()));

    this.el = h(
      "section",
      { class: "screen rate", "aria-labelledby": "rate-title" },
      h("h1", { id: "rate-title", class: "visually-hidden" }, "Rate"),
      h(
        "div",
        { class: "rate-layout" },
        h("div", { class: "reading-wrap" }, this.reading.el),
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
          this.rubric.el,
          this.hint,
          this.note.el,
          // Previous / Next, Undo and help stay in view however long the rubric is.
          h(
            "div",
            { class: "panel-foot" },
            h("div", { class: "nav-buttons" }, this.prevButton, this.nextButton),
            h(
              "div",
              { class: "tool-buttons" },
              h("button", { type: "button", class: "link-button", "aria-keyshortcuts": "Control+Z", onclick: () => void this.undo() }, "Undo last change (Ctrl+Z)"),
              h("button", { type: "button", class: "link-button help-button", "aria-keyshortcuts": "? F1", onclick: () => this.openHelp() }, "Keyboard and display (? or F1)"),
            ),
          ),
        ),
      ),
    );
    this.applyPrefs();
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
    if (probe) {
      probe.position = this.view!.position;
      probe.responseId = this.view!.response_id;
    }
    // Keys typed while the response was loading belong to it, not to the previous one.
    const keys = this.bufferedKeys;
    this.bufferedKeys = [];
    for (const key of keys) this.onKey(key);
  }

  private async load(position: number): Promise<void> {
    await this.note.flush();
    await this.writes.settled();
    const view = await api.ratingView(position);
    this.view = view;
    this.positionsById.set(view.response_id, view.position);
    this.values = new ResponseValues(view.response_id, view.values);
    this.typing.reset();
    this.note.load(view.response_id, view.rationale, view.flags);

    // A blind study sends no item id (external ids often name the model).
    const parts = [`Response ${formatCount(view.position + 1)} of ${formatCount(view.total)}`];
    if (view.item_external_id) parts.push(`Item ${view.item_external_id}`);
    parts.push(view.model ? `Model ${view.model}` : "Model hidden");
    this.reading.show(view, parts.join(" · "));

    const firstUnset = this.attributes.findIndex((a) => this.values.value(a.key) === null);
    this.focusIdx = firstUnset === -1 ? 0 : firstUnset;
    this.shownAt = performance.now();
    this.renderAll();
    if (this.el.isConnected) this.focusAttribute(this.focusIdx);
  }

  async leave(): Promise<void> {
    window.clearInterval(this.timerHandle);
    this.help?.close();
    await this.note.flush();
    await this.writes.settled();
  }

  onKey(e: KeyboardEvent): boolean {
    const place = placeOf(e.target);
    if (this.note.flags.isOpen && place === "control" && this.note.flags.menu.contains(e.target as Node) && this.note.flags.onKey(e)) return true;
    const command = rateCommand(e, place, this.ctx.prefs);
    if (!command) return false;
    if (this.loading && place !== "field") {
      this.bufferedKeys.push(e);
      return true;
    }
    if (command.kind !== "type" && command.kind !== "clear" && command.kind !== "commit") this.typing.reset();
    this.run(command, performance.now());
    return true;
  }

  private run(command: RateCommand, started: number): void {
    switch (command.kind) {
      case "type":
        return this.typing.type(this.focusIdx, this.attributes[this.focusIdx]!, command.char);
      case "commit":
        if (!this.typing.commit(this.focusIdx, this.attributes[this.focusIdx]!)) void this.goNext(started);
        return;
      case "clear":
        if (!this.typing.takeBack()) this.setValue(this.attributes[this.focusIdx]!.key, null, false);
        return;
      case "next":
        return void this.goNext(started);
      case "previous":
        return void this.goPrevious(started);
      case "flags":
        return this.note.flags.toggle();
      case "rationale":
        return this.note.rationale.focus();
      case "help":
        return this.openHelp();
      case "undo":
        return void this.undo();
      case "scroll":
        return this.reading.scrollByPage(command.direction);
      case "rubric":
        return this.focusAttribute(this.focusIdx);
    }
  }

  // ---- rendering ------------------------------------------------------------------------

  private renderAll(): void {
    this.rubric.renderAll(this.values);
    this.rubric.showFocus(this.focusIdx);
    this.renderProgress();
    this.renderTimer();
    this.renderSaveStatus();
    this.renderHint();
    this.prevButton.disabled = !this.view || this.view.position === 0;
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
    if (this.ctx.prefs.showTimer) this.timer.textContent = `${formatDuration(performance.now() - this.shownAt)} on this response`;
  }

  private renderSaveStatus(): void {
    const error = this.values.firstError ?? this.note.error;
    if (error) {
      this.saveStatus.className = "save-status error";
      this.saveStatus.textContent = `Not saved: ${error}`;
    } else if (this.writes.busy || this.note.saving) {
      this.saveStatus.className = "save-status saving";
      this.saveStatus.textContent = "Saving…";
    } else {
      this.saveStatus.className = "save-status ok";
      this.saveStatus.textContent = "All changes saved";
    }
  }

  private renderHint(): void {
    const missing = this.missingCount();
    // A ready Next button is the filled primary one; before that it is an ordinary button
    // (full contrast either way, not a faded primary).
    this.nextButton.classList.toggle("primary", missing === 0);
    this.nextButton.classList.toggle("ready", missing === 0);
    this.setHint(missing === 0 ? "All attributes set: press Enter for the next response." : "", "ok");
  }

  private setHint(text: string, kind: "ok" | "warn"): void {
    this.hint.textContent = text;
    this.hint.className = `hint hint-${kind}`;
    if (kind === "warn") announce(text);
  }

  /** Shows the rater's settings: the timer, and the letters in labels and key hints. */
  private applyPrefs(): void {
    const { letters, showTimer } = this.ctx.prefs;
    this.timer.hidden = !showTimer;
    this.renderTimer();
    this.prevButton.textContent = `← Previous (${letters.previous})`;
    this.prevButton.setAttribute("aria-keyshortcuts", `${letters.previous} Alt+${letters.previous.toUpperCase()}`);
    this.nextButton.setAttribute("aria-keyshortcuts", `Enter ${letters.next} Alt+${letters.next.toUpperCase()}`);
    this.note.showLetters(letters.flags, letters.rationale);
  }

  // ---- actions --------------------------------------------------------------------------

  private missingCount(): number {
    return this.attributes.filter((a) => this.values.value(a.key) === null).length;
  }

  private focusAttribute(idx: number): void {
    if (!this.rubric.has(idx)) return;
    this.focusIdx = idx;
    this.rubric.focus(idx);
  }

  private setValue(key: string, value: number | null, advance: boolean): void {
    if (!this.view) return;
    const idx = this.attributes.findIndex((a) => a.key === key);
    const values = this.values;
    const saving = values.save(this.writes, key, value);
    if (saving) {
      const label = this.attributes[idx]!.label;
      saving
        .then(
          (saved) => {
            this.showProgress(saved.progress);
            if (this.values === values) announce(`${label} ${saved.value === null ? "cleared" : saved.value}, saved`);
          },
          (message: string) => this.ctx.notify(`Rating not saved: ${message}`, "error"),
        )
        .finally(() => {
          if (this.values === values) {
            this.rubric.render(idx, this.values);
            this.renderHint();
          }
          this.renderSaveStatus();
        });
      this.rubric.render(idx, this.values);
      this.renderSaveStatus();
      this.renderHint();
    }
    // A typed score moves on; on the last attribute focus goes to the score just chosen.
    if (advance) this.focusAttribute(Math.min(idx + 1, this.attributes.length - 1));
  }

  /** Progress as a write returned it (writes are queued, so the last answer is the latest). */
  private showProgress(progress: Progress): void {
    this.ctx.updateProgress(progress);
    this.renderProgress();
  }

  private async undo(): Promise<void> {
    try {
      await this.note.flush();
      const { change, progress } = await this.writes.run(() => api.undo());
      this.showProgress(progress);
      if (!change) {
        this.ctx.notify("Nothing to undo.");
        return;
      }
      const view = this.view;
      const idx = this.attributes.findIndex((a) => a.key === change.attribute_key);
      if (view && change.response_id === view.response_id) {
        this.values.restored(change.attribute_key, change.restored);
        if (idx >= 0) {
          this.rubric.render(idx, this.values);
          this.focusAttribute(idx);
        }
        this.renderHint();
        this.renderSaveStatus();
      } else {
        const position = this.positionsById.get(change.response_id);
        if (position !== undefined) {
          await this.show(position);
          if (idx >= 0) this.focusAttribute(idx);
        }
      }
      const label = this.attributes[idx]?.label ?? change.attribute_key;
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
      const firstUnset = this.attributes.findIndex((a) => this.values.value(a.key) === null);
      this.focusAttribute(firstUnset);
      return;
    }
    if (this.values.firstError !== undefined) {
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
      void this.reading.responseBody.offsetHeight;
      // Focus lands on the first score either way; say that the response changed.
      announce(`Response ${formatCount(position + 1)} of ${formatCount(this.view!.total)}`);
      probe?.nextLatenciesMs.push(performance.now() - started);
    } catch (err) {
      this.ctx.notify(errorText(err), "error");
      return;
    } finally {
      this.navBusy = false;
    }
    if (await afterPaint()) probe?.nextPaintedMs.push(performance.now() - started);
    else if (probe) probe.paintTimeouts++;
  }

  private openHelp(): void {
    this.help ??= helpDialog(this.ctx, () => this.applyPrefs());
    this.help.open();
  }
}
