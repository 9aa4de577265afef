// Shared app context: the open study and rater, navigation between screens, notices, and the
// instrumentation the end-to-end tests read (window.__concord).

import type { Progress, Session, StudySummary, Startup } from "./api";

export type ScreenName = "start" | "rate" | "queue" | "dashboard" | "admin" | "adjudication";

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
  navigate(screen: ScreenName, options?: NavigateOptions): Promise<void>;
  setStudy(study: StudySummary | null): void;
  setSession(session: Session | null): void;
  updateProgress(progress: Progress): void;
  notify(message: string, kind?: "info" | "error"): void;
}

export interface Instrumentation {
  /** Set once the first screen after start-up is interactive. */
  ready: boolean;
  screen: ScreenName | null;
  /** Milliseconds from navigation start (page load) to the rating screen being ready. */
  startToRatingReadyMs: number | null;
  /** Keypress to the new response painted, per navigation. */
  nextLatenciesMs: number[];
  /** Command call to resolved promise for each set_rating, as the UI sees it. */
  saveLatenciesMs: number[];
  /** Saves that failed (message), so tests can see them. */
  failedSaves: string[];
}

declare global {
  interface Window {
    __concord: Instrumentation;
  }
}

export const instrumentation: Instrumentation = {
  ready: false,
  screen: null,
  startToRatingReadyMs: null,
  nextLatenciesMs: [],
  saveLatenciesMs: [],
  failedSaves: [],
};
window.__concord = instrumentation;

/** Resolves after the browser has painted the current DOM (two animation frames). */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
}
