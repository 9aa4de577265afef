// "Return package…": a rater working in a package seals a copy that holds every saved rating
// and sends that one file back to the study lead.

import { api, errorText, pickReturnPath, type Manifest } from "../api";
import { h } from "../dom";

/** A top-bar button shown while a rater package is open; `notify` shows the outcome. */
export function returnPackageButton(
  manifest: Manifest,
  notify: (message: string, kind?: "error") => void,
  beforeReturn: () => Promise<void>,
): HTMLElement {
  const to = manifest.return_to.trim() || "the study lead";
  return h(
    "button",
    {
      type: "button",
      id: "return-package",
      class: "small",
      title: `Write one file with all your ratings to send to ${to}`,
      onclick: async () => {
        const suggested = `${manifest.rater.replace(/[^A-Za-z0-9_-]+/g, "-").toLowerCase()}-returned`;
        const path = await pickReturnPath(suggested);
        if (!path) return;
        try {
          await beforeReturn();
          const done = await api.returnPackage(path);
          notify(done.message);
        } catch (err) {
          notify(`Package not returned: ${errorText(err)}`, "error");
        }
      },
    },
    "Return package…",
  );
}
