// Queue screen: every response assigned to this rater, filterable by status, with a
// virtualised list that only asks the store for the pages it shows (fast at 100k responses).

import "./queue.css";
import { api, errorText, type QueueEntry, type QueueFilter } from "../api";
import type { AppContext, Screen } from "../app";
import { clear, formatCount, h } from "../dom";
import { isTextField } from "../keyboard";

/** Row height in rem: rows grow with the text-size setting. */
const ROW_REM = 4;
const PAGE_SIZE = 100;
const OVERSCAN = 6;

const FILTERS: { value: QueueFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "todo", label: "To do" },
  { value: "partial", label: "Partial" },
  { value: "done", label: "Done" },
  { value: "flagged", label: "Flagged" },
];

export class QueueScreen implements Screen {
  readonly el: HTMLElement;
  private readonly ctx: AppContext;
  private filter: QueueFilter = "all";
  private total = 0;
  private pages = new Map<number, QueueEntry[]>();
  private loading = new Set<number>();
  private generation = 0;
  private selected = 0;
  private readonly filterBar = h("div", { class: "segmented", role: "radiogroup", "aria-label": "Filter by status" });
  private readonly viewport = h("div", {
    class: "queue-viewport",
    tabindex: "0",
    role: "listbox",
    "aria-label": "Responses",
  });
  private readonly spacer = h("div", { class: "queue-spacer" });
  private readonly rowsLayer = h("div", { class: "queue-rows" });
  private readonly summary = h("p", { class: "queue-summary muted" });
  private readonly jumpInput = h("input", { id: "jump-to", type: "number", min: "1", inputmode: "numeric", placeholder: "#" });
  private readonly error = h("p", { class: "form-error", role: "alert" });
  private renderScheduled = false;
  private readonly rowHeight = ROW_REM * parseFloat(getComputedStyle(document.documentElement).fontSize);

  constructor(ctx: AppContext) {
    this.ctx = ctx;
    this.spacer.append(this.rowsLayer);
    this.viewport.append(this.spacer);
    this.viewport.addEventListener("scroll", () => this.scheduleRender());
    this.viewport.addEventListener("keydown", (e) => this.onListKey(e));
    const jump = h(
      "form",
      { class: "jump" },
      h("label", { for: "jump-to" }, "Go to response"),
      this.jumpInput,
      h("button", { type: "submit" }, "Open"),
    );
    jump.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.jump();
    });
    this.el = h(
      "section",
      { class: "screen queue", "aria-labelledby": "queue-title" },
      h("div", { class: "queue-head" }, h("h1", { id: "queue-title" }, "Queue"), this.filterBar, jump),
      this.summary,
      this.error,
      this.viewport,
    );
    window.addEventListener("resize", () => this.scheduleRender());
  }

  async init(): Promise<void> {
    const progress = await api.progress();
    this.ctx.updateProgress(progress);
    this.renderFilters();
    await this.load();
  }

  focusFirst(): void {
    this.viewport.focus();
  }

  onKey(e: KeyboardEvent): boolean {
    if (isTextField(e.target) || !this.ctx.prefs.singleKeyShortcuts || e.ctrlKey || e.metaKey || e.altKey) return false;
    // `g` is the start of the screen shortcuts (g d, g r, …); `/` jumps.
    if (e.key === "/") {
      this.jumpInput.focus();
      return true;
    }
    return false;
  }

  private renderFilters(): void {
    clear(this.filterBar);
    const p = this.ctx.session!.progress;
    const counts: Record<QueueFilter, number> = { all: p.total, todo: p.todo, partial: p.partial, done: p.done, flagged: p.flagged };
    for (const f of FILTERS) {
      this.filterBar.append(
        h(
          "button",
          {
            type: "button",
            role: "radio",
            "aria-checked": String(f.value === this.filter),
            class: "segment",
            "data-filter": f.value,
            onclick: () => void this.setFilter(f.value),
          },
          f.label,
          h("span", { class: "count" }, formatCount(counts[f.value])),
        ),
      );
    }
  }

  private async setFilter(filter: QueueFilter): Promise<void> {
    this.filter = filter;
    this.renderFilters();
    await this.load();
    this.viewport.focus();
  }

  private async load(): Promise<void> {
    this.generation++;
    this.pages.clear();
    this.loading.clear();
    this.selected = 0;
    this.viewport.scrollTop = 0;
    try {
      const first = await api.queue(this.filter, 0, PAGE_SIZE);
      this.total = first.total;
      this.pages.set(0, first.entries);
      this.error.textContent = "";
    } catch (err) {
      this.total = 0;
      this.error.textContent = errorText(err);
    }
    this.spacer.style.height = `${this.total * this.rowHeight}px`;
    this.summary.textContent =
      this.total === 0 ? "No responses match this filter." : `${formatCount(this.total)} responses · click or press Enter to open one`;
    this.render();
  }

  private scheduleRender(): void {
    if (this.renderScheduled) return;
    this.renderScheduled = true;
    requestAnimationFrame(() => {
      this.renderScheduled = false;
      this.render();
    });
  }

  private visibleRange(): [number, number] {
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / this.rowHeight) - OVERSCAN);
    const last = Math.min(this.total - 1, Math.ceil((top + height) / this.rowHeight) + OVERSCAN);
    return [first, last];
  }

  private render(): void {
    clear(this.rowsLayer);
    if (this.total === 0) return;
    const [first, last] = this.visibleRange();
    for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(last / PAGE_SIZE); page++) this.ensurePage(page);
    for (let i = first; i <= last; i++) {
      const entry = this.pages.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE];
      this.rowsLayer.append(this.row(i, entry));
    }
    const active = this.rowsLayer.querySelector<HTMLElement>(`[data-index="${this.selected}"]`);
    if (active) this.viewport.setAttribute("aria-activedescendant", active.id);
    else this.viewport.removeAttribute("aria-activedescendant");
  }

  private row(index: number, entry: QueueEntry | undefined): HTMLElement {
    const el = h("div", {
      class: `queue-row${index === this.selected ? " selected" : ""}`,
      role: "option",
      id: `queue-row-${index}`,
      "data-index": String(index),
      "aria-selected": String(index === this.selected),
      "aria-posinset": String(index + 1),
      "aria-setsize": String(this.total),
    });
    el.style.transform = `translateY(${index * this.rowHeight}px)`;
    if (!entry) {
      el.append(h("span", { class: "muted" }, "Loading…"));
      return el;
    }
    el.setAttribute("data-position", String(entry.position));
    // The option is named by what it shows (number, status, ids, preview), as WCAG 2.5.3 asks.
    el.append(
      h("span", { class: "q-pos" }, `#${formatCount(entry.position + 1)}`),
      h("span", { class: `pill status-${entry.status}` }, statusLabel(entry)),
      h(
        "span",
        { class: "q-text" },
        // The label core chose: the external ids, or in a blind study only "Response 17".
        h("span", { class: "q-ids" }, entry.item_external_id ? `${entry.item_external_id} · ${entry.label}` : entry.label, entry.flagged ? h("span", { class: "chip small" }, "flagged") : null),
        h("span", { class: "q-preview" }, entry.preview),
      ),
    );
    el.addEventListener("click", () => void this.open(entry.position));
    return el;
  }

  private ensurePage(page: number): void {
    if (this.pages.has(page) || this.loading.has(page)) return;
    this.loading.add(page);
    const generation = this.generation;
    api
      .queue(this.filter, page * PAGE_SIZE, PAGE_SIZE)
      .then((result) => {
        if (generation !== this.generation) return;
        this.pages.set(page, result.entries);
        this.scheduleRender();
      })
      .catch((err) => {
        if (generation === this.generation) this.error.textContent = errorText(err);
      })
      .finally(() => this.loading.delete(page));
  }

  private onListKey(e: KeyboardEvent): void {
    const perPage = Math.max(1, Math.floor(this.viewport.clientHeight / this.rowHeight));
    let next = this.selected;
    switch (e.key) {
      case "ArrowDown":
        next += 1;
        break;
      case "ArrowUp":
        next -= 1;
        break;
      case "PageDown":
        next += perPage;
        break;
      case "PageUp":
        next -= perPage;
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = this.total - 1;
        break;
      case "Enter": {
        const entry = this.pages.get(Math.floor(this.selected / PAGE_SIZE))?.[this.selected % PAGE_SIZE];
        if (entry) void this.open(entry.position);
        e.preventDefault();
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    this.selected = Math.max(0, Math.min(this.total - 1, next));
    const top = this.selected * this.rowHeight;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + this.rowHeight > this.viewport.scrollTop + this.viewport.clientHeight) {
      this.viewport.scrollTop = top + this.rowHeight - this.viewport.clientHeight;
    }
    this.render();
  }

  private async jump(): Promise<void> {
    const n = Number(this.jumpInput.value);
    const total = this.ctx.session!.progress.total;
    if (!Number.isInteger(n) || n < 1 || n > total) {
      this.error.textContent = `Enter a number from 1 to ${formatCount(total)}.`;
      return;
    }
    await this.open(n - 1);
  }

  private async open(position: number): Promise<void> {
    await this.ctx.navigate("rate", { position });
  }
}

function statusLabel(entry: QueueEntry): string {
  if (entry.status === "partial") return `${entry.n_set} / ${entry.n_attributes}`;
  return entry.status === "done" ? "Done" : "To do";
}
