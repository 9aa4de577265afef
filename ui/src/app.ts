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
  /** The response the rating screen shows (0-based position in the rater's order). */
  position: number | null;
  responseId: string | null;
  /** Milliseconds from navigation start (page load) to the rating screen being ready. */
  startToRatingReadyMs: number | null;
  /** Key press to the new response's text laid out (style and layout forced), per navigation. */
  nextLatenciesMs: number[];
  /** Key press to the next frame painted after it, when a frame came within 250 ms. */
  nextPaintedMs: number[];
  /** Navigations after which no frame came within 250 ms (throttled or hidden window). */
  paintTimeouts: number;
  /** Command call to resolved promise for each set_rating, as the UI sees it. */
  saveLatenciesMs: number[];
  /** Value given to "saved" shown, including waiting behind earlier saves. */
  keyToSavedMs: number[];
  /** Saves that failed (message), so tests can see them. */
  failedSaves: string[];
  /** The request the shown dashboard waits on (null when the dashboard is not shown). */
  dashboardRequestId: number | null;
  /** Dashboard results drawn, and the Rust-side recompute time of each (ms). */
  dashboardUpdates: number;
  dashboardComputeMs: number[];
}

declare global {
  interface Window {
    __concord: Instrumentation;
  }
}

export const instrumentation: Instrumentation = {
  ready: false,
  screen: null,
  position: null,
  responseId: null,
  startToRatingReadyMs: null,
  nextLatenciesMs: [],
  nextPaintedMs: [],
  paintTimeouts: 0,
  saveLatenciesMs: [],
  keyToSavedMs: [],
  failedSaves: [],
  dashboardRequestId: null,
  dashboardUpdates: 0,
  dashboardComputeMs: [],
};
window.__concord = instrumentation;

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
