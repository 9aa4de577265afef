// The admin screen's inbox card: the folder the app watches for returned packages, and what it
// did with each file (merged with its counts, or rejected with the reason). The app merges by
// itself; this card only sets the folder and shows the receipts, redrawn on each `inbox` event.

import { api, errorText, onInbox, pickInboxFolder, type InboxReceipt, type InboxView } from "../api";
import { clear, formatCount, h } from "../dom";

export class InboxPanel {
  readonly element: HTMLElement;
  private readonly folder = h("input", { id: "inbox-folder", type: "text", autocomplete: "off", spellcheck: "false", placeholder: "e.g. a shared or synced folder" });
  private readonly status = h("p", { class: "admin-status", id: "inbox-status", role: "status", "aria-live": "polite" });
  private readonly list = h("ul", { class: "inbox-receipts", id: "inbox-receipts", "aria-labelledby": "inbox-receipts-title" });
  private readonly empty = h("p", { class: "muted" }, "Nothing has arrived yet.");
  private unlisten: (() => void) | null = null;

  constructor() {
    const form = h(
      "form",
      { class: "admin-settings", "aria-labelledby": "inbox-title" },
      h("label", { for: "inbox-folder" }, "Inbox folder"),
      this.folder,
      h(
        "div",
        { class: "row" },
        h("button", { type: "button", onclick: () => void this.choose() }, "Choose folder…"),
        h("button", { type: "submit", class: "primary" }, "Watch folder"),
        h("button", { type: "button", id: "inbox-stop", onclick: () => void this.save("") }, "Stop watching"),
      ),
      this.status,
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.save(this.folder.value.trim());
    });
    this.element = h(
      "section",
      { class: "card", "aria-labelledby": "inbox-title" },
      h("h2", { id: "inbox-title" }, "Inbox"),
      h(
        "p",
        { class: "muted" },
        "Returned packages dropped in this folder are checked and merged while this study is open: a file is taken once it has finished copying, then moved to merged/ with its receipt, or to rejected/ with the reason.",
      ),
      form,
      h("h3", { id: "inbox-receipts-title" }, "Receipts"),
      this.empty,
      this.list,
    );
  }

  /** Reads the folder and receipts; `onSettled` runs when the app merges or rejects a file. */
  async start(onSettled: () => void): Promise<void> {
    await this.refresh();
    this.folder.value = this.shownFolder ?? "";
    const unlisten = await onInbox((event) => {
      if (event.error) this.status.textContent = `The inbox cannot be read: ${event.error}`;
      if (event.settled.length) {
        void this.refresh();
        onSettled();
      }
    });
    this.unlisten = unlisten;
  }

  stop(): void {
    this.unlisten?.();
    this.unlisten = null;
  }

  private shownFolder: string | null = null;

  private async refresh(): Promise<void> {
    try {
      this.render(await api.inboxView());
    } catch (err) {
      this.status.textContent = errorText(err);
    }
  }

  private render(view: InboxView): void {
    this.shownFolder = view.folder;
    this.status.textContent = view.folder ? `Watching ${view.folder}` : "No inbox folder: returned packages are merged by hand.";
    clear(this.list);
    this.empty.hidden = view.receipts.length > 0;
    for (const r of view.receipts) this.list.append(item(r));
  }

  private async choose(): Promise<void> {
    const folder = await pickInboxFolder().catch((err) => {
      this.status.textContent = errorText(err);
      return null;
    });
    if (folder) this.folder.value = folder;
  }

  private async save(folder: string): Promise<void> {
    try {
      this.render(await api.setInbox(folder));
      this.folder.value = folder;
    } catch (err) {
      this.status.textContent = `Not changed: ${errorText(err)}`;
    }
  }
}

/** One receipt as a short entry (the side column is too narrow for a seven-column table). */
function item(r: InboxReceipt): HTMLElement {
  const merged = r.status === "merged";
  const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;
  const facts = [
    r.at ? `${r.at.slice(0, 16).replace("T", " ")} UTC` : null,
    r.raters.length ? r.raters.join(", ") : null,
    merged ? plural(r.events_added, "rating") : null,
    merged ? plural(r.notes_added, "note") : null,
    merged && r.conflicts ? plural(r.conflicts, "conflict") : null,
  ].filter((f): f is string => f !== null);
  return h(
    "li",
    { class: "inbox-receipt", "data-inbox-file": r.file, "data-inbox-status": r.status },
    h(
      "div",
      { class: "inbox-line" },
      // In words, not only by colour.
      h("span", { class: merged ? "inbox-merged" : "inbox-rejected" }, merged ? "Merged" : "Rejected"),
      h("span", { class: "inbox-file" }, r.file),
    ),
    h("div", { class: "muted inbox-facts" }, facts.join(" · ")),
    r.detail ? h("p", { class: "inbox-reason" }, r.detail) : null,
  );
}
