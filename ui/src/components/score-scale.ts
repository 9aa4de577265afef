// A row of score buttons as a WAI-ARIA radio group: one Tab stop (roving tabindex on the chosen
// value, or the lowest when none is chosen); arrows move to the previous/next value and choose
// it; Space chooses the focused value. Used for rating attributes and adjudication gold values.

import "./score-scale.css";
import { h } from "../dom";

export interface ScoreScaleOptions {
  /** Attribute key, written to `data-key` on the group and each radio. */
  key: string;
  min: number;
  max: number;
  /** Id of the element that names the group (the attribute label). */
  labelledBy: string;
  /** Accessible name of one value, e.g. "4, Mostly empathic". */
  name(value: number): string;
  /** Extra content shown after the number (adjudication's rater votes). */
  extra?(value: number): Node | null;
  /** A value was chosen by click, arrow or Space. */
  onChoose(value: number, via: "click" | "key"): void;
}

export class ScoreScale {
  readonly el: HTMLElement;
  private readonly buttons = new Map<number, HTMLButtonElement>();
  private readonly min: number;
  private readonly max: number;
  private value: number | null = null;

  constructor(options: ScoreScaleOptions) {
    this.min = options.min;
    this.max = options.max;
    this.el = h("div", { class: "scale", role: "radiogroup", "aria-labelledby": options.labelledBy, "data-key": options.key });
    for (let v = options.min; v <= options.max; v++) {
      const button = h(
        "button",
        {
          type: "button",
          role: "radio",
          class: "scale-value",
          tabindex: "-1",
          "aria-checked": "false",
          "aria-label": options.name(v),
          "data-value": String(v),
          "data-key": options.key,
          onclick: () => options.onChoose(v, "click"),
        },
        String(v),
        options.extra?.(v) ?? null,
      );
      this.buttons.set(v, button);
      this.el.append(button);
    }
    this.el.addEventListener("keydown", (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const focused = Number((e.target as HTMLElement).dataset.value);
      const current = Number.isFinite(focused) ? focused : (this.value ?? this.min);
      let next: number | null = null;
      if (e.key === "ArrowRight" || e.key === "ArrowDown") next = current >= this.max ? this.min : current + 1;
      else if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = current <= this.min ? this.max : current - 1;
      else if (e.key === " ") next = current;
      if (next === null) return;
      // The group owns these keys: the screen's shortcuts must not see them too.
      e.preventDefault();
      e.stopPropagation();
      this.buttons.get(next)?.focus();
      options.onChoose(next, "key");
    });
    this.render(null, false);
  }

  /** Shows `value` as chosen (`pending`: its save has not returned yet). */
  render(value: number | null, pending: boolean): void {
    this.value = value;
    const tabStop = value !== null && this.buttons.has(value) ? value : this.min;
    for (const [v, button] of this.buttons) {
      const selected = v === value;
      button.setAttribute("aria-checked", String(selected));
      button.classList.toggle("selected", selected);
      button.classList.toggle("pending", selected && pending);
      button.tabIndex = v === tabStop ? 0 : -1;
    }
  }

  /** Moves focus into the group (to its one Tab stop). */
  focus(): void {
    this.el.querySelector<HTMLButtonElement>('[tabindex="0"]')?.focus({ preventScroll: true });
  }

  contains(el: Element | null): boolean {
    return el !== null && this.el.contains(el);
  }
}
