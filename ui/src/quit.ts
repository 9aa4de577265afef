// Quitting without losing anything: when the app is asked to end (window closed, SIGTERM at
// logout), it sends `quit-requested`; the page saves what it still holds (a rationale being
// typed) and answers `ready_to_quit`; the app then checkpoints the study and exits.

import { api } from "./api";

const flushers: Array<() => Promise<void>> = [];

/** Registers something to save before the app quits (returns an unregister function). */
export function saveBeforeQuit(flush: () => Promise<void>): () => void {
  flushers.push(flush);
  return () => {
    const i = flushers.indexOf(flush);
    if (i >= 0) flushers.splice(i, 1);
  };
}

/** Starts answering the app's quit requests. */
export async function answerQuitRequests(): Promise<void> {
  await api.onQuitRequested(async () => {
    await Promise.allSettled(flushers.map((f) => f()));
    await api.readyToQuit();
  });
}
