// The flag menu of the rating screen: a disclosure button, the chosen flags as chips, and a
// checkbox per flag the study offers. While the menu is open, 1–9 toggle flags and its letter
// (f unless the rater chose another) or Esc close it.

import { clear, h, humanize } from "../dom";

export class FlagMenu {
  readonly button = h("button", { type: "button", class: "flag-button", "aria-expanded": "false", "aria-controls": "flag-menu" });
  readonly chips = h("div", { class: "flag-chips" });
  readonly menu = h("div", { class: "flag-menu", id: "flag-menu", role: "group", "aria-label": "Flags for this response", hidden: true });
  private flags: string[] = [];
  private key = "f";
  private readonly available: string[];
  private readonly onChange: (flags: string[]) => void;
  private readonly onClose: () => void;

  /** `onChange` gets the new flags after each toggle; `onClose` runs when the menu closes from a key. */
  constructor(available: string[], onChange: (flags: string[]) => void, onClose: () => void) {
    this.available = available;
    this.onChange = onChange;
    this.onClose = onClose;
    this.button.addEventListener("click", () => this.toggle());
  }

  /** The letter that opens and closes the menu. */
  set letter(key: string) {
    this.key = key;
    this.renderButton();
  }

  get isOpen(): boolean {
    return !this.menu.hidden;
  }

  get current(): string[] {
    return [...this.flags];
  }

  /** Shows the flags of a newly loaded response, menu closed. */
  set(flags: string[]): void {
    this.flags = [...flags];
    this.menu.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
    this.render();
  }

  toggle(): void {
    if (this.isOpen) {
      this.close();
      this.onClose();
      return;
    }
    this.menu.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    this.menu.querySelector<HTMLInputElement>("input")?.focus();
  }

  close(): void {
    this.menu.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
  }

  /** Keys while the menu is open; true when handled. */
  onKey(e: KeyboardEvent): boolean {
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    if (e.key === "Escape" || e.key === this.key) {
      this.close();
      this.onClose();
      return true;
    }
    if (/^[1-9]$/.test(e.key)) {
      const flag = this.available[Number(e.key) - 1];
      if (flag) this.toggleFlag(flag);
      return true;
    }
    return false;
  }

  private toggleFlag(flag: string): void {
    this.flags = this.flags.includes(flag) ? this.flags.filter((f) => f !== flag) : [...this.flags, flag];
    const focusedFlag = (document.activeElement as HTMLElement | null)?.dataset?.flag;
    this.render();
    if (this.isOpen) this.menu.querySelector<HTMLInputElement>(`input[data-flag="${CSS.escape(focusedFlag ?? flag)}"]`)?.focus();
    this.onChange(this.current);
  }

  private render(): void {
    clear(this.chips);
    for (const flag of this.flags) this.chips.append(h("span", { class: "chip" }, humanize(flag)));
    clear(this.menu);
    this.available.forEach((flag, i) => {
      const id = `flag-${flag}`;
      const box = h("input", { type: "checkbox", id, checked: this.flags.includes(flag), "data-flag": flag });
      box.addEventListener("change", () => this.toggleFlag(flag));
      this.menu.append(h("div", { class: "flag-option" }, box, h("label", { for: id }, h("kbd", {}, String(i + 1)), " ", humanize(flag))));
    });
    this.renderButton();
  }

  private renderButton(): void {
    this.button.textContent = this.flags.length ? `Flags (${this.key}) · ${this.flags.length}` : `Flags (${this.key})`;
  }
}
