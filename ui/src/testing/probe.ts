// What the end-to-end tests read from the page as `window.__concord`: the shown screen and
// response, and timings of navigations and saves. Only test builds have it: in a release build
// `__TEST_HOOKS__` is false, `probe` is the constant null, and the bundler drops every
// `probe?.…` call site together with this module's body.

import type { ScreenName } from "../app";

export interface Probe {
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
    __concord?: Probe;
  }
}

function install(): Probe {
  const probe: Probe = {
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
  window.__concord = probe;
  return probe;
}

/** The test hooks, or null in a release build. */
export const probe: Probe | null = __TEST_HOOKS__ ? install() : null;
