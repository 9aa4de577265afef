// Quitting without losing anything: when the app is asked to end (window closed, SIGTERM at
// logout), it sends `quit-requested`; the page saves what it still holds (the shown screen's
// `leave`: a rationale being typed, queued writes) and answers `ready_to_quit`; the app then
// checkpoints the study and exits.

import { api } from "./api";

/** Answers the app's quit requests once `save` has run (whatever its outcome). */
export async function answerQuitRequests(save: () => Promise<void>): Promise<void> {
  await api.onQuitRequested(async () => {
    try {
      await save();
    } finally {
      await api.readyToQuit();
    }
  });
}
