// The rating screen's rubric: one row per attribute (its score buttons, level descriptors and
// save state) under the rubric's group titles. The screen owns the values and which attribute
// has the focus; this panel draws them and reports what the rater did to a row.

import type { Attribute } from "../api";
import { ScoreScale } from "../components/score-scale";
import { h } from "../dom";
import type { ResponseValues } from "./save-queue";

interface AttributeRow {
  attr: Attribute;
  el: HTMLElement;
  scale: ScoreScale;
  state: HTMLElement;
  levels: HTMLElement;
}

/** What the rater did to an attribute's row (`idx` is its place in the rubric). */
export interface RubricEvents {
  /** A score was chosen on the row's buttons, by click or by arrow/Space. */
  choose(idx: number, value: number, via: "click" | "key"): void;
  /** A level descriptor was clicked. */
  set(idx: number, value: number): void;
  /** Focus moved into the row. */
  focused(idx: number): void;
}

export class RubricPanel {
  readonly el = h("div", { class: "attr-list", role: "group", "aria-label": "Rubric attributes" });
  private readonly rows: AttributeRow[] = [];

  constructor(attributes: Attribute[], events: RubricEvents) {
    let group: string | null = null;
    attributes.forEach((attr, idx) => {
      if (attr.group && attr.group !== group) {
        group = attr.group;
        // The rubric names its groups; a group it leaves unnamed shows its key.
        this.el.append(h("h3", { class: "group-title", "data-group": attr.group }, attr.group_label ?? attr.group));
      }
      const labelId = `attr-label-${idx}`;
      const scale = new ScoreScale({
        key: attr.key,
        min: attr.scale_min,
        max: attr.scale_max,
        labelledBy: labelId,
        name: (v) => {
          const descriptor = attr.levels.find((l) => l.value === v)?.descriptor;
          return descriptor ? `${v}, ${descriptor}` : String(v);
        },
        onChoose: (v, via) => events.choose(idx, v, via),
      });
      const state = h("span", { class: "attr-state" });
      const levels = h(
        "div",
        { class: "attr-detail", "aria-hidden": "true" },
        attr.description ? h("p", { class: "attr-description" }, attr.description) : null,
        h(
          "ol",
          { class: "levels" },
          ...attr.levels.map((l) =>
            h(
              "li",
              { "data-value": String(l.value), onclick: () => events.set(idx, l.value) },
              h("span", { class: "level-value" }, String(l.value)),
              h("span", { class: "level-text" }, l.descriptor),
            ),
          ),
        ),
      );
      // Focusing the row (a click beside the scores, or a script) focuses its score group.
      const el = h(
        "div",
        { class: "attr", "data-key": attr.key, tabindex: "-1" },
        h("div", { class: "attr-head" }, h("span", { class: "attr-label", id: labelId }, attr.label), state),
        scale.el,
        levels,
      );
      el.addEventListener("focus", () => scale.focus());
      el.addEventListener("focusin", () => events.focused(idx));
      this.rows.push({ attr, el, scale, state, levels });
      this.el.append(el);
    });
  }

  /** Shows every attribute's value and save state. */
  renderAll(values: ResponseValues): void {
    this.rows.forEach((_, idx) => this.render(idx, values));
  }

  /** Shows attribute `idx`'s value and its save state from `values`. */
  render(idx: number, values: ResponseValues): void {
    const row = this.rows[idx]!;
    const key = row.attr.key;
    const value = values.value(key);
    const state = values.state(key);
    row.scale.render(value, state === "saving");
    for (const li of row.levels.querySelectorAll<HTMLElement>("li")) {
      li.classList.toggle("selected", Number(li.dataset.value) === value);
    }
    row.el.classList.toggle("is-set", value !== null);
    row.el.classList.toggle("has-error", state === "error");
    row.state.className = `attr-state ${state ?? "unset"}`;
    if (state === "saving") row.state.textContent = "saving…";
    else if (state === "error") row.state.textContent = "not saved";
    else if (state === "saved" && value !== null) row.state.textContent = "✓ saved";
    else if (state === "saved") row.state.textContent = "cleared";
    else row.state.textContent = "";
    row.state.title = values.error(key) ?? "";
  }

  /** Marks attribute `idx` as the one keys act on. */
  showFocus(focused: number): void {
    this.rows.forEach((row, idx) => row.el.classList.toggle("focused", idx === focused));
  }

  /** Whether the rubric has an attribute at `idx`. */
  has(idx: number): boolean {
    return this.rows[idx] !== undefined;
  }

  /** Moves the keyboard focus to attribute `idx`'s scores and brings its row into view. */
  focus(idx: number): void {
    const row = this.rows[idx]!;
    this.showFocus(idx);
    row.scale.focus();
    row.el.scrollIntoView({ block: "nearest" });
  }
}
