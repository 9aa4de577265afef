// The prompt, its optional context and the model's response, as sanitized HTML rendered in Rust.
// One pane for the rating and adjudication screens. The pane is a focusable region, so its text
// can be scrolled from the keyboard (arrows, PageUp/PageDown, Space) like any page; the rating
// screen also pages it from the rubric.

import "./reading-pane.css";
import { h, setRenderedHtml } from "../dom";

export interface ReadingContent {
  prompt_html: string;
  context_html: string | null;
  response_html: string;
}

export class ReadingPane {
  readonly el: HTMLElement;
  readonly responseBody: HTMLElement;
  private readonly meta = h("p", { class: "meta" });
  private readonly promptBody = h("div", { class: "md prompt-body" });
  private readonly contextBody = h("div", { class: "md context-body" });
  private readonly contextBox = h("details", { class: "context" }, h("summary", {}, "Context"), this.contextBody);

  /** `idPrefix` keeps heading ids unique per screen; `label` names the region. */
  constructor(idPrefix: string, label: string) {
    this.responseBody = h("div", { class: "md response-body", id: `${idPrefix}-response-body` });
    this.el = h(
      "div",
      { class: "reading", tabindex: "0", role: "region", "aria-label": label },
      this.meta,
      h(
        "article",
        { class: "prompt", "aria-labelledby": `${idPrefix}-prompt-title` },
        h("h2", { id: `${idPrefix}-prompt-title`, class: "section-title" }, "Prompt"),
        this.promptBody,
        this.contextBox,
      ),
      h(
        "article",
        { class: "response", "aria-labelledby": `${idPrefix}-response-title` },
        h("h2", { id: `${idPrefix}-response-title`, class: "section-title" }, "Response"),
        this.responseBody,
      ),
    );
  }

  /** Shows one response (scrolled to the top) under a one-line `meta` description. */
  show(content: ReadingContent, meta: string): void {
    this.meta.textContent = meta;
    this.meta.hidden = meta === "";
    setRenderedHtml(this.promptBody, content.prompt_html);
    setRenderedHtml(this.contextBody, content.context_html ?? "");
    this.contextBox.hidden = !content.context_html;
    setRenderedHtml(this.responseBody, content.response_html);
    this.el.scrollTop = 0;
  }

  /**
   * Scrolls the pane by most of its height (PageDown/PageUp typed in the rubric); where the pane
   * does not scroll by itself (small viewports, where the page is one column), the page.
   */
  scrollByPage(direction: 1 | -1): void {
    const scroller = this.el.scrollHeight > this.el.clientHeight ? this.el : (document.scrollingElement ?? document.documentElement);
    scroller.scrollBy({ top: direction * Math.max(40, Math.min(scroller.clientHeight, window.innerHeight) * 0.85) });
  }
}
