// One quiet live region for short confirmations ("Empathy 4, saved"): screen readers read it
// when idle, without moving focus. Status lines elsewhere are not live, so recomputes and screen
// changes are not re-announced.

import { h } from "../dom";

let region: HTMLElement | null = null;
let pending: number | undefined;

/** Says `message` through the polite live region (the same message twice is read twice). */
export function announce(message: string): void {
  if (!region) {
    region = h("div", { class: "visually-hidden", role: "status", "aria-live": "polite", "aria-atomic": "true", id: "announcer" });
    document.body.append(region);
  }
  const el = region;
  // Clearing first and setting on the next task makes a repeated message a change again.
  el.textContent = "";
  window.clearTimeout(pending);
  pending = window.setTimeout(() => {
    el.textContent = message;
  }, 30);
}
