import type { Screen } from "./app";
import { h } from "./dom";

/** Holds the place of screens that later versions add (dashboard, admin, adjudication). */
export class PlaceholderScreen implements Screen {
  readonly el: HTMLElement;

  constructor(label: string) {
    this.el = h(
      "section",
      { class: "screen placeholder", "aria-labelledby": "placeholder-title" },
      h("h1", { id: "placeholder-title" }, label),
      h("p", { class: "muted" }, `${label} arrives in a later version of Concord.`),
    );
  }
}
