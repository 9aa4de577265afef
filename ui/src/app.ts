// Shared app context: the open study and rater, navigation between screens, notices and the
// rater's display and keyboard preferences.

import type { Progress, Session, StudySummary, Startup } from "./api";
import type { Preferences } from "./prefs";

export type ScreenName = "start" | "rate" | "queue" | "dashboard" | "admin" | "adjudication";

/** What a rater package offers: its rater rates and reviews their own queue, nothing else. */
const RATER_SCREENS: ReadonlySet<ScreenName> = new Set<ScreenName>(["rate", "queue"]);

/**
 * Whether `screen` exists for the open study. The mode is the file's (core decides it and the
 * study summary says it); in rater mode the lead's screens are absent, and their commands refuse.
 */
export function screenExists(screen: ScreenName, study: StudySummary | null): boolean {
  return study?.mode !== "rater" || RATER_SCREENS.has(screen);
}

export interface Screen {
  readonly el: HTMLElement;
  /** Global key handler while the screen is shown; return true when the key was handled. */
  onKey?(e: KeyboardEvent): boolean;
  /** Called before leaving the screen: flush pending saves. */
  leave?(): Promise<void>;
}

export interface NavigateOptions {
  position?: number;
}

export interface AppContext {
  startup: Startup;
  study: StudySummary | null;
  session: Session | null;
  /** The current rater's preferences (or the machine's, before a rater is chosen). */
  readonly prefs: Preferences;
  setPrefs(prefs: Preferences): void;
  navigate(screen: ScreenName, options?: NavigateOptions): Promise<void>;
  setStudy(study: StudySummary | null): void;
  setSession(session: Session | null): void;
  updateProgress(progress: Progress): void;
  notify(message: string, kind?: "info" | "error"): void;
}

/**
 * Resolves just after the browser has painted the current DOM (next frame, then a task), with
 * `true`; or with `false` after `timeoutMs` if no frame came (a hidden or throttled window must
 * not block the keyboard).
 */
export function afterPaint(timeoutMs = 250): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (painted: boolean) => {
      if (!settled) {
        settled = true;
        resolve(painted);
      }
    };
    requestAnimationFrame(() => setTimeout(() => finish(true), 0));
    setTimeout(() => finish(false), timeoutMs);
  });
}
