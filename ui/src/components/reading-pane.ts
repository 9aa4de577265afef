// The prompt, its optional context and the model's response, as sanitized HTML rendered in Rust.
// One pane for the rating and adjudication screens. The pane is a focusable region whose text
// the reading keys scroll (arrows, PageUp/PageDown, Space, Home/End); the rating screen also
// pages it from the rubric. The pane scrolls itself on those keys: WebKitGTK left a focused pane
// unscrolled under test (issue 15), and an explicit scroll is the same everywhere.

import "./reading-pane.css";
import { h, setRenderedHtml } from "../dom";

export interface ReadingContent {
  prompt_html: string;
  context_html: string | null;
  response_html: string;
}

/** Lines scrolled by an arrow key, in CSS px. */
const LINE_PX = 40;

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
    this.el.addEventListener("keydown", (e) => {
      // Only the pane itself: the Context summary and links inside keep their own keys.
      if (e.target !== this.el || e.altKey || e.ctrlKey || e.metaKey) return;
      if (!this.scrollForKey(e.key, e.shiftKey)) return;
      e.preventDefault();
      e.stopPropagation();
    });
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
    const scroller = this.scroller();
    scroller.scrollBy({ top: direction * Math.max(LINE_PX, Math.min(scroller.clientHeight, window.innerHeight) * 0.85) });
  }

  /** Scrolls for a reading key pressed on the pane; false when `key` is not one. */
  private scrollForKey(key: string, shift: boolean): boolean {
    const scroller = this.scroller();
    if (key === "ArrowDown" || key === "ArrowUp") scroller.scrollBy({ top: key === "ArrowDown" ? LINE_PX : -LINE_PX });
    else if (key === "PageDown" || key === "PageUp") this.scrollByPage(key === "PageDown" ? 1 : -1);
    else if (key === " ") this.scrollByPage(shift ? -1 : 1);
    else if (key === "Home") scroller.scrollTo({ top: 0 });
    else if (key === "End") scroller.scrollTo({ top: scroller.scrollHeight });
    else return false;
    return true;
  }

  /** The pane where it scrolls by itself; else (small viewports, one column) the page. */
  private scroller(): Element {
    return this.el.scrollHeight > this.el.clientHeight ? this.el : (document.scrollingElement ?? document.documentElement);
  }
}
