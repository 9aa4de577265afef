// The rater's display and keyboard preferences, kept in this machine's local storage per rater
// profile (WCAG 2.1.4: single-key shortcuts can be turned off or remapped; 1.4.4: text can be
// enlarged; 2.2.2: the running timer can be hidden).

export type TextSize = "100" | "125" | "150" | "200";

/** Rating-screen commands that have a letter key. */
export type LetterCommand = "next" | "previous" | "flags" | "rationale";

export const LETTER_COMMANDS: LetterCommand[] = ["next", "previous", "flags", "rationale"];

const DEFAULT_LETTERS: Record<LetterCommand, string> = { next: "n", previous: "p", flags: "f", rationale: "r" };

/**
 * Why `letters` cannot be used as a mapping, or null when it can: one lower-case letter each,
 * all different, not g (digits, minus and `?` are taken by scores and help, g starts the keys
 * that change screen).
 */
export function lettersProblem(letters: Record<LetterCommand, string>): string | null {
  const used = new Set<string>();
  for (const command of LETTER_COMMANDS) {
    const letter = letters[command];
    if (!/^[a-z]$/.test(letter)) return `Use one letter a–z for each command (${command}: "${letter}").`;
    if (letter === "g") return "g is taken: it starts the keys that change screen (g then d, a, m, q, r, s).";
    if (used.has(letter)) return `"${letter}" is used for two commands.`;
    used.add(letter);
  }
  return null;
}

export interface Preferences {
  /** Letters, digits and `?` act without a modifier (Alt+key always works). */
  singleKeyShortcuts: boolean;
  textSize: TextSize;
  /** Show the per-response "time on this response" counter. */
  showTimer: boolean;
  /** The letter of each rating-screen command (with Alt, or alone while single keys are on). */
  letters: Record<LetterCommand, string>;
}

export const TEXT_SIZES: TextSize[] = ["100", "125", "150", "200"];

const DEFAULTS: Preferences = { singleKeyShortcuts: true, textSize: "100", showTimer: true, letters: DEFAULT_LETTERS };

function storageKey(profile: string | null): string {
  return profile ? `concord.prefs.${profile}` : "concord.prefs";
}

/** The preferences saved for `profile` (a rater name), or the defaults. */
export function loadPreferences(profile: string | null): Preferences {
  try {
    const raw = localStorage.getItem(storageKey(profile)) ?? localStorage.getItem(storageKey(null));
    const saved = raw ? (JSON.parse(raw) as Partial<Preferences>) : {};
    const letters = { ...DEFAULT_LETTERS, ...saved.letters };
    return {
      singleKeyShortcuts: typeof saved.singleKeyShortcuts === "boolean" ? saved.singleKeyShortcuts : DEFAULTS.singleKeyShortcuts,
      textSize: TEXT_SIZES.includes(saved.textSize as TextSize) ? (saved.textSize as TextSize) : DEFAULTS.textSize,
      showTimer: typeof saved.showTimer === "boolean" ? saved.showTimer : DEFAULTS.showTimer,
      letters: lettersProblem(letters) === null ? letters : { ...DEFAULT_LETTERS },
    };
  } catch {
    // Unreadable storage is not worth an error: the defaults work.
    return { ...DEFAULTS, letters: { ...DEFAULT_LETTERS } };
  }
}

/** Remembers `prefs` for `profile`, and as this machine's default before a rater is chosen. */
export function savePreferences(profile: string | null, prefs: Preferences): void {
  const raw = JSON.stringify(prefs);
  localStorage.setItem(storageKey(null), raw);
  if (profile) localStorage.setItem(storageKey(profile), raw);
}

/** Applies the text size to the page (rem-based CSS scales with it). */
export function applyPreferences(prefs: Preferences): void {
  document.documentElement.dataset.textSize = prefs.textSize;
}
