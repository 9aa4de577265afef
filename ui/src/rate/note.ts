// The rationale and flags of the shown response: typed text is saved after a pause or when the
// field loses focus, flags at once; both as one `set_note` through the screen's save queue.

import { api, errorText, type Progress } from "../api";
import { h } from "../dom";
import { FlagMenu } from "./flags";
import type { SaveQueue } from "./save-queue";

const NOTE_DEBOUNCE_MS = 800;

export class ResponseNote {
  readonly rationale = h("textarea", { id: "rationale", class: "rationale", rows: "3", spellcheck: "true" });
  readonly flags: FlagMenu;
  readonly el: HTMLElement;
  /** The last save's failure, shown until a save succeeds. */
  error: string | null = null;
  saving = false;
  private readonly status = h("span", { class: "note-status" });
  private responseId: string | null = null;
  private dirty = false;
  private timer: number | undefined;
  private readonly writes: SaveQueue;
  private readonly onStatus: () => void;
  private readonly notify: (message: string) => void;
  private readonly onProgress: (progress: Progress) => void;

  /**
   * `onStatus` runs whenever saving starts or ends (the screen's save line); `notify` shows a
   * failure; `onFlagsClosed` runs when the flag menu is closed from the keyboard; `onProgress`
   * gets the rater's progress after each saved note (flags change its flagged count).
   */
  constructor(
    available: string[],
    writes: SaveQueue,
    onStatus: () => void,
    notify: (message: string) => void,
    onFlagsClosed: () => void,
    onProgress: (progress: Progress) => void,
  ) {
    this.writes = writes;
    this.onStatus = onStatus;
    this.notify = notify;
    this.onProgress = onProgress;
    this.flags = new FlagMenu(
      available,
      () => {
        this.dirty = true;
        void this.save();
      },
      onFlagsClosed,
    );
    this.rationale.addEventListener("input", () => {
      this.dirty = true;
      this.render();
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.save(), NOTE_DEBOUNCE_MS);
    });
    this.rationale.addEventListener("blur", () => void this.save());
    this.el = h(
      "div",
      { class: "note" },
      h("div", { class: "note-head" }, h("label", { for: "rationale" }, "Rationale"), this.status),
      this.rationale,
      h("div", { class: "flags-row" }, this.flags.button, this.flags.chips),
      this.flags.menu,
    );
  }

  /** Shows the rater's letters for the flag menu and the rationale. */
  showLetters(flags: string, rationale: string): void {
    this.rationale.placeholder = `Optional: why these scores? (${rationale})`;
    this.flags.letter = flags;
  }

  /** Shows the note of a newly loaded response. */
  load(responseId: string, rationale: string, flags: string[]): void {
    this.responseId = responseId;
    this.rationale.value = rationale;
    this.flags.set(flags);
    this.dirty = false;
    this.error = null;
    this.render();
  }

  /** Saves unsaved edits now (before leaving the response). */
  async flush(): Promise<void> {
    window.clearTimeout(this.timer);
    if (this.dirty) await this.save();
  }

  /** Writes the rationale and flags for the current response; resolves to whether it saved. */
  private async save(): Promise<boolean> {
    window.clearTimeout(this.timer);
    const responseId = this.responseId;
    if (responseId === null || !this.dirty) return true;
    const rationale = this.rationale.value;
    const flags = this.flags.current;
    this.dirty = false;
    this.saving = true;
    this.render();
    try {
      this.onProgress(await this.writes.run(() => api.setNote(responseId, rationale, flags)));
      if (this.responseId === responseId) this.error = null;
      return true;
    } catch (err) {
      const message = errorText(err);
      if (this.responseId === responseId) {
        this.error = message;
        this.dirty = true;
      }
      this.notify(`Rationale or flags not saved: ${message}`);
      return false;
    } finally {
      this.saving = false;
      this.render();
    }
  }

  private render(): void {
    if (this.error) this.status.textContent = "not saved";
    else if (this.saving) this.status.textContent = "saving…";
    else if (this.dirty) this.status.textContent = "editing";
    else if (this.rationale.value) this.status.textContent = "✓ saved";
    else this.status.textContent = "";
    this.status.className = `note-status ${this.error ? "error" : ""}`;
    this.onStatus();
  }
}
