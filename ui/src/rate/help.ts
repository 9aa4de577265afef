// The rating screen's help: every key, and the rater's keyboard and display settings (single-key
// shortcuts on or off and their letters, text size, the per-response timer), remembered per rater
// profile.

import type { AppContext } from "../app";
import { ModalDialog } from "../components/dialog";
import { clear, h } from "../dom";
import { LETTER_COMMANDS, lettersProblem, TEXT_SIZES, type LetterCommand, type Preferences, type TextSize } from "../prefs";

const LETTER_NAMES: Record<LetterCommand, string> = {
  next: "Next response",
  previous: "Previous response",
  flags: "Flag menu",
  rationale: "Rationale",
};

/** The key list, with the rater's letters. */
function keyList(prefs: Preferences): [string, string][] {
  const l = prefs.letters;
  const up = (c: string) => c.toUpperCase();
  return [
    ["Tab, Shift+Tab", "Move between attributes, the response text and the buttons"],
    ["← → ↑ ↓", "Change the score of the focused attribute"],
    ["0 – 9, −", "Type a score (wider scales: type every digit, Enter sets it at once); focus moves on"],
    ["Backspace", "Right after a score: undo it and go back; otherwise clear the focused attribute"],
    ["Page Up, Page Down", "Scroll the response while focus is in the rubric"],
    [`Enter or ${l.next}, Alt+${up(l.next)}`, "Next response (when every attribute is set)"],
    [`${l.previous}, Alt+${up(l.previous)}`, "Previous response"],
    ["Ctrl+Z", "Undo your last change"],
    [`${l.flags}, Alt+${up(l.flags)}`, "Open or close the flag menu (then 1 – 9 toggle flags)"],
    [`${l.rationale}, Alt+${up(l.rationale)}`, "Write a rationale (Esc returns to the rubric)"],
    ["?, F1", "Show this help"],
    ["Alt+digit", "Type a score even with single-key shortcuts off"],
    ["g then d, a, m, q, r, s", "Dashboard, Adjudication, Admin, Queue, Rate, Study"],
    ["Ctrl + / Ctrl − / Ctrl 0", "Zoom in, out, back to 100%"],
  ];
}

const SIZE_LABELS: Record<TextSize, string> = { "100": "Normal", "125": "Large (125%)", "150": "Larger (150%)", "200": "Largest (200%)" };

/** The help dialog; `onPrefs` runs after a setting changed (it is already saved). */
export function helpDialog(ctx: AppContext, onPrefs: () => void): ModalDialog {
  const single = h("input", { type: "checkbox", id: "pref-single-key", checked: ctx.prefs.singleKeyShortcuts });
  const timer = h("input", { type: "checkbox", id: "pref-timer", checked: ctx.prefs.showTimer });
  const size = h("select", { id: "pref-text-size" }, ...TEXT_SIZES.map((s) => h("option", { value: s, selected: s === ctx.prefs.textSize }, SIZE_LABELS[s])));
  const letterInputs = new Map<LetterCommand, HTMLInputElement>(
    LETTER_COMMANDS.map((c) => [
      c,
      h("input", { type: "text", id: `pref-letter-${c}`, class: "pref-letter", maxlength: "1", autocomplete: "off", spellcheck: "false", value: ctx.prefs.letters[c], "aria-describedby": "pref-letters-status" }) as HTMLInputElement,
    ]),
  );
  // Not live: a problem is read with the field it describes.
  const lettersStatus = h("p", { class: "hint", id: "pref-letters-status" });
  const keys = h("dl", { class: "keys" });
  const renderKeys = () => {
    clear(keys);
    keys.append(...keyList(ctx.prefs).flatMap(([k, d]) => [h("dt", {}, h("kbd", {}, k)), h("dd", {}, d)]));
  };
  const update = () => {
    const letters = { ...ctx.prefs.letters };
    for (const [c, input] of letterInputs) letters[c] = input.value.trim().toLowerCase();
    const problem = lettersProblem(letters);
    lettersStatus.textContent = problem ?? "";
    lettersStatus.className = problem ? "hint hint-warn" : "hint";
    for (const input of letterInputs.values()) input.setAttribute("aria-invalid", String(problem !== null));
    ctx.setPrefs({
      singleKeyShortcuts: single.checked,
      showTimer: timer.checked,
      textSize: size.value as TextSize,
      // An unusable mapping is not saved: the letters in use stay.
      letters: problem ? ctx.prefs.letters : letters,
    });
    renderKeys();
    onPrefs();
  };
  single.addEventListener("change", update);
  timer.addEventListener("change", update);
  size.addEventListener("change", update);
  for (const input of letterInputs.values()) input.addEventListener("input", update);
  renderKeys();
  return new ModalDialog("help", "Keyboard shortcuts and display", [
    keys,
    h("h3", {}, "Settings for this rater on this computer"),
    h(
      "div",
      { class: "pref-row" },
      single,
      h("label", { for: "pref-single-key" }, "Single-key shortcuts (letters, digits and ? without Alt; turn off if they clash with your screen reader)"),
    ),
    h(
      "fieldset",
      { class: "pref-letters" },
      h("legend", {}, "Letters for shortcuts (alone, or with Alt)"),
      ...LETTER_COMMANDS.map((c) => h("div", { class: "pref-row" }, h("label", { for: `pref-letter-${c}` }, LETTER_NAMES[c]), letterInputs.get(c)!)),
      lettersStatus,
    ),
    h("div", { class: "pref-row" }, timer, h("label", { for: "pref-timer" }, "Show the time spent on each response")),
    h("div", { class: "pref-row" }, h("label", { for: "pref-text-size" }, "Text size"), size),
  ]);
}
