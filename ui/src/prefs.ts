// The rater's display and keyboard preferences, kept in this machine's local storage per rater
// profile (WCAG 2.1.4: single-key shortcuts can be turned off; 1.4.4: text can be enlarged;
// 2.2.2: the running timer can be hidden).

export type TextSize = "100" | "125" | "150" | "200";

export interface Preferences {
  /** Letters, digits and `?` act without a modifier (Alt+key always works). */
  singleKeyShortcuts: boolean;
  textSize: TextSize;
  /** Show the per-response "time on this response" counter. */
  showTimer: boolean;
}

export const TEXT_SIZES: TextSize[] = ["100", "125", "150", "200"];

const DEFAULTS: Preferences = { singleKeyShortcuts: true, textSize: "100", showTimer: true };

function storageKey(profile: string | null): string {
  return profile ? `concord.prefs.${profile}` : "concord.prefs";
}

/** The preferences saved for `profile` (a rater name), or the defaults. */
export function loadPreferences(profile: string | null): Preferences {
  try {
    const raw = localStorage.getItem(storageKey(profile)) ?? localStorage.getItem(storageKey(null));
    const saved = raw ? (JSON.parse(raw) as Partial<Preferences>) : {};
    return {
      singleKeyShortcuts: typeof saved.singleKeyShortcuts === "boolean" ? saved.singleKeyShortcuts : DEFAULTS.singleKeyShortcuts,
      textSize: TEXT_SIZES.includes(saved.textSize as TextSize) ? (saved.textSize as TextSize) : DEFAULTS.textSize,
      showTimer: typeof saved.showTimer === "boolean" ? saved.showTimer : DEFAULTS.showTimer,
    };
  } catch {
    // Unreadable storage is not worth an error: the defaults work.
    return { ...DEFAULTS };
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
