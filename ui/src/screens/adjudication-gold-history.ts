// Every gold value set on a response, oldest first: who decided, why and when.

import type { GoldEvent } from "../api";
import { h } from "../dom";

export function renderGoldHistory(events: GoldEvent[]): HTMLElement {
  if (events.length === 0) return h("p", { class: "muted gold-history" }, "No gold values yet.");
  return h(
    "ol",
    { class: "gold-history", "aria-label": "Gold history" },
    ...events.map((g) =>
      h(
        "li",
        {},
        h("strong", {}, g.value === null ? `${g.attribute} cleared` : `${g.attribute} = ${g.value}`),
        ` by ${g.adjudicator}`,
        g.reason ? ` — ${g.reason}` : "",
        " ",
        h("time", { datetime: g.at, class: "muted" }, g.at.replace("T", " ").slice(0, 16)),
      ),
    ),
  );
}
