// The rating screen's keyboard: which command a key press means, given where focus is and
// whether single-key shortcuts are on, and typed scores wider than one digit.
//
// Shortcuts never act while focus is in a text field (only Esc, back to the rubric). Letters and
// digits without a modifier act only when the rater has kept single-key shortcuts on (WCAG
// 2.1.4), with the letters the rater chose; Alt+letter/digit and F1 work either way. Digits typed
// on a score (the radio group) are the group's own input and always work. Backspace right after
// a typed score takes it back.

import { altChar, isTextField } from "../keyboard";
import { LETTER_COMMANDS, type Preferences } from "../prefs";

/** Where focus was when the key was pressed. */
export type KeyPlace = "score" | "field" | "control" | "elsewhere";

export type RateCommand =
  | { kind: "next" | "previous" | "flags" | "rationale" | "help" | "undo" | "clear" | "rubric" | "commit" }
  | { kind: "scroll"; direction: 1 | -1 }
  | { kind: "type"; char: string };

export function placeOf(target: EventTarget | null): KeyPlace {
  if (isTextField(target)) return "field";
  if (!(target instanceof Element)) return "elsewhere";
  if (target.closest('[role="radio"]')) return "score";
  if (target.closest("button, summary, a[href], input, select")) return "control";
  return "elsewhere";
}

/** The command of each key the rater's letters map (and `?` for help). */
function letterMap(prefs: Preferences): Record<string, RateCommand["kind"]> {
  const map: Record<string, RateCommand["kind"]> = { "?": "help" };
  for (const command of LETTER_COMMANDS) map[prefs.letters[command]] = command;
  return map;
}

/** The command `e` stands for on the rating screen, or null when the key is not the screen's. */
export function rateCommand(e: KeyboardEvent, place: KeyPlace, prefs: Preferences): RateCommand | null {
  const singleKey = prefs.singleKeyShortcuts;
  const letters = letterMap(prefs);
  if (place === "field") return e.key === "Escape" ? { kind: "rubric" } : null;
  if (e.key === "F1") return { kind: "help" };
  if ((e.ctrlKey || e.metaKey) && !e.altKey) {
    return e.key.toLowerCase() === "z" && !e.shiftKey ? { kind: "undo" } : null;
  }
  if (e.altKey) {
    const char = altChar(e);
    if (/^[0-9-]$/.test(char)) return { kind: "type", char };
    const named = Object.hasOwn(letters, char) ? letters[char] : undefined;
    return named && named !== "help" ? ({ kind: named } as RateCommand) : null;
  }
  if (e.key === "Escape") return { kind: "rubric" };
  // Buttons, links and the Context summary keep Enter and Space; PageUp/PageDown scroll natively.
  const letter = Object.hasOwn(letters, e.key) ? letters[e.key] : undefined;
  if (place === "control") return singleKey && letter ? ({ kind: letter } as RateCommand) : null;
  const onScore = place === "score";
  if (e.key === "PageDown" || e.key === "PageUp") return onScore ? { kind: "scroll", direction: e.key === "PageDown" ? 1 : -1 } : null;
  if (onScore && (e.key === "Backspace" || e.key === "Delete")) return { kind: "clear" };
  if (onScore && e.key === "Enter") return { kind: "commit" };
  if (onScore && /^[0-9-]$/.test(e.key)) return { kind: "type", char: e.key };
  if (!singleKey) return null;
  if (e.key === "Enter") return { kind: "commit" };
  if (e.key === "Backspace" || e.key === "Delete") return { kind: "clear" };
  if (/^[0-9-]$/.test(e.key)) return { kind: "type", char: e.key };
  return letter ? ({ kind: letter } as RateCommand) : null;
}

type EntryResult = { kind: "set"; value: number } | { kind: "wait"; text: string } | { kind: "invalid"; text: string };

/**
 * Collects typed characters into a score. A key that completes the only value it can start sets
 * it at once (every key on a 1–5 scale); on a 0–10 scale "1" waits for a possible "0", and "-"
 * starts a negative value. The caller sets a waiting value on Enter or after a pause.
 */
class ScoreEntry {
  private text = "";

  get pending(): string {
    return this.text;
  }

  type(char: string, min: number, max: number): EntryResult {
    const text = this.text + char;
    const matches = startingWith(text, min, max);
    if (matches.length === 0) {
      // A key that cannot continue the entry starts a new one.
      if (this.text !== "") {
        this.text = "";
        return this.type(char, min, max);
      }
      return { kind: "invalid", text };
    }
    if (matches.length === 1 && String(matches[0]) === text) {
      this.text = "";
      return { kind: "set", value: matches[0]! };
    }
    this.text = text;
    return { kind: "wait", text };
  }

  /** Ends the entry: the value typed so far, or null when it is not a value of the scale. */
  take(min: number, max: number): number | null {
    const text = this.text;
    this.text = "";
    if (text === "" || text === "-") return null;
    const value = Number(text);
    return Number.isInteger(value) && value >= min && value <= max ? value : null;
  }

  clear(): void {
    this.text = "";
  }
}

function startingWith(text: string, min: number, max: number): number[] {
  const out: number[] = [];
  for (let v = min; v <= max; v++) if (String(v).startsWith(text)) out.push(v);
  return out;
}

/** How long a score that could still grow (the "1" of "10") waits for its next digit. */
const ENTRY_PAUSE_MS = 1000;

/** The part of an attribute typing needs. */
export interface TypedScale {
  label: string;
  scale_min: number;
  scale_max: number;
}

/** What typing needs from the screen, by attribute index. */
export interface TypingHost {
  /** Sets attribute `idx` to `value`; `advance` moves focus to the next attribute. */
  set(idx: number, value: number | null, advance: boolean): void;
  value(idx: number): number | null;
  focus(idx: number): void;
  hint(text: string, kind: "ok" | "warn"): void;
}

/** Scores typed on the rubric: digits and minus, a pause or Enter for wide scales, Backspace to take back. */
export class ScoreTyping {
  private readonly entry = new ScoreEntry();
  private timer: number | undefined;
  /** The score a key just set (focus moved on from it), which Backspace takes back. */
  private last: { idx: number; previous: number | null } | null = null;
  private readonly host: TypingHost;

  constructor(host: TypingHost) {
    this.host = host;
  }

  /** A digit or minus typed for attribute `idx`. */
  type(idx: number, scale: TypedScale, char: string): void {
    window.clearTimeout(this.timer);
    const result = this.entry.type(char, scale.scale_min, scale.scale_max);
    if (result.kind === "set") this.set(idx, result.value);
    else if (result.kind === "wait") {
      this.host.hint(`${scale.label}: ${result.text}… (Enter sets it, or type the next digit)`, "ok");
      this.timer = window.setTimeout(() => this.commit(idx, scale), ENTRY_PAUSE_MS);
    } else {
      this.host.hint(`${scale.label} takes ${scale.scale_min} – ${scale.scale_max}.`, "warn");
    }
  }

  /** Sets a waiting entry now (Enter or the pause); false when nothing was waiting. */
  commit(idx: number, scale: TypedScale): boolean {
    window.clearTimeout(this.timer);
    if (this.entry.pending === "") return false;
    const value = this.entry.take(scale.scale_min, scale.scale_max);
    if (value === null) this.host.hint(`${scale.label} takes ${scale.scale_min} – ${scale.scale_max}.`, "warn");
    else this.set(idx, value);
    return true;
  }

  /** Backspace: takes back the score typed just before and returns to it; false when none. */
  takeBack(): boolean {
    this.entry.clear();
    const last = this.last;
    this.last = null;
    if (!last) return false;
    this.host.set(last.idx, last.previous, false);
    this.host.focus(last.idx);
    return true;
  }

  /** Another key, a click or a focus move: nothing waits and nothing can be taken back. */
  reset(): void {
    window.clearTimeout(this.timer);
    this.entry.clear();
    this.last = null;
  }

  private set(idx: number, value: number): void {
    this.last = { idx, previous: this.host.value(idx) };
    this.host.set(idx, value, true);
  }
}

