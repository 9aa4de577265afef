// A modal dialog the WAI-ARIA way: `<dialog>.showModal()` puts it in the top layer, the app
// behind it is `inert` (no focus, no clicks, hidden from screen readers), Tab and Shift+Tab
// cycle inside it, Escape closes it, and focus returns to where it was.

import "./dialog.css";
import { h } from "../dom";

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export class ModalDialog {
  readonly el: HTMLDialogElement;
  private returnFocus: HTMLElement | null = null;
  private readonly onClosed: () => void;

  /** `body` is the dialog's content after its title; `onClosed` runs after every close. */
  constructor(id: string, title: string, body: Node[], onClosed: () => void = () => undefined) {
    this.onClosed = onClosed;
    const titleId = `${id}-title`;
    this.el = h(
      "dialog",
      { class: "modal", id, "aria-labelledby": titleId },
      // The title takes focus on opening, so a long dialog is read (and shown) from its top.
      h("h2", { id: titleId, tabindex: "-1" }, title),
      ...body,
      h("div", { class: "modal-actions" }, h("button", { type: "button", class: "modal-close", onclick: () => this.close() }, "Close (Esc)")),
    );
    this.el.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        this.close();
      } else {
        this.trapTab(e);
      }
    });
    // Escape fires `cancel` then `close`; a click on the backdrop lands on the dialog itself.
    this.el.addEventListener("close", () => this.cleanUp());
    this.el.addEventListener("click", (e) => {
      if (e.target === this.el) this.close();
    });
  }

  get isOpen(): boolean {
    return this.el.open;
  }

  open(): void {
    if (this.el.open) return;
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    document.body.append(this.el);
    document.getElementById("app")?.setAttribute("inert", "");
    this.el.showModal();
    this.el.querySelector<HTMLElement>("h2")?.focus();
  }

  close(): void {
    if (this.el.open) this.el.close();
  }

  private cleanUp(): void {
    document.getElementById("app")?.removeAttribute("inert");
    this.el.remove();
    this.returnFocus?.focus({ preventScroll: true });
    this.returnFocus = null;
    this.onClosed();
  }

  private trapTab(e: KeyboardEvent): void {
    // WebKitGTK may name Shift+Tab by its GTK key (ISO_Left_Tab); the physical key is Tab either way.
    if (e.key !== "Tab" && e.code !== "Tab") return;
    const items = [...this.el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.closest("[hidden]"));
    if (items.length === 0) return;
    // Every move is made here, wrapping at both ends; from the title (focused on opening, not a
    // Tab stop) or the dialog itself, Tab goes to the first control and Shift+Tab to the last.
    const index = items.indexOf(document.activeElement as HTMLElement);
    const next = index === -1 ? (e.shiftKey ? items.length - 1 : 0) : (index + (e.shiftKey ? -1 : 1) + items.length) % items.length;
    e.preventDefault();
    items[next]!.focus();
  }
}
