// The rating screen's help: every key, and the rater's keyboard and display settings (single-key
// shortcuts on or off, text size, the per-response timer), remembered per rater profile.

import type { AppContext } from "../app";
import { ModalDialog } from "../components/dialog";
import { h } from "../dom";
import { TEXT_SIZES, type TextSize } from "../prefs";

const KEYS: [string, string][] = [
  ["Tab, Shift+Tab", "Move between attributes, the response text and the buttons"],
  ["← → ↑ ↓", "Change the score of the focused attribute"],
  ["0 – 9, −", "Type a score (wider scales: type every digit, Enter sets it at once); focus moves on"],
  ["Backspace", "Right after a score: undo it and go back; otherwise clear the focused attribute"],
  ["Page Up, Page Down", "Scroll the response while focus is in the rubric"],
  ["Enter or n, Alt+N", "Next response (when every attribute is set)"],
  ["p, Alt+P", "Previous response"],
  ["Ctrl+Z", "Undo your last change"],
  ["f, Alt+F", "Open or close the flag menu (then 1 – 9 toggle flags)"],
  ["r, Alt+R", "Write a rationale (Esc returns to the rubric)"],
  ["?, F1", "Show this help"],
  ["Alt+digit", "Type a score even with single-key shortcuts off"],
  ["g then d, a, m, q, r, s", "Dashboard, Adjudication, Admin, Queue, Rate, Study"],
  ["Ctrl + / Ctrl − / Ctrl 0", "Zoom in, out, back to 100%"],
];

const SIZE_LABELS: Record<TextSize, string> = { "100": "Normal", "125": "Large (125%)", "150": "Larger (150%)", "200": "Largest (200%)" };

/** The help dialog; `onPrefs` runs after a setting changed (it is already saved). */
export function helpDialog(ctx: AppContext, onPrefs: () => void): ModalDialog {
  const single = h("input", { type: "checkbox", id: "pref-single-key", checked: ctx.prefs.singleKeyShortcuts });
  const timer = h("input", { type: "checkbox", id: "pref-timer", checked: ctx.prefs.showTimer });
  const size = h("select", { id: "pref-text-size" }, ...TEXT_SIZES.map((s) => h("option", { value: s, selected: s === ctx.prefs.textSize }, SIZE_LABELS[s])));
  const update = () => {
    ctx.setPrefs({ singleKeyShortcuts: single.checked, showTimer: timer.checked, textSize: size.value as TextSize });
    onPrefs();
  };
  single.addEventListener("change", update);
  timer.addEventListener("change", update);
  size.addEventListener("change", update);
  return new ModalDialog("help", "Keyboard shortcuts and display", [
    h("dl", { class: "keys" }, ...KEYS.flatMap(([k, d]) => [h("dt", {}, h("kbd", {}, k)), h("dd", {}, d)])),
    h("h3", {}, "Settings for this rater on this computer"),
    h(
      "div",
      { class: "pref-row" },
      single,
      h("label", { for: "pref-single-key" }, "Single-key shortcuts (letters, digits and ? without Alt; turn off if they clash with your screen reader)"),
    ),
    h("div", { class: "pref-row" }, timer, h("label", { for: "pref-timer" }, "Show the time spent on each response")),
    h("div", { class: "pref-row" }, h("label", { for: "pref-text-size" }, "Text size"), size),
  ]);
}
