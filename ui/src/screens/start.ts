// Start screen: open or create a study, recent studies, choose a rater profile. Profiles are the
// lead's to add; a rater package starts as its own rater without asking.

import "./start.css";
import { api, errorText, pickNewStudyPath, pickStudyToOpen, type RaterSummary, type StudySummary } from "../api";
import type { AppContext, Screen } from "../app";
import { clear, formatCount, h } from "../dom";
import { askPassphrase } from "./start-unlock";

export class StartScreen implements Screen {
  readonly el: HTMLElement;
  private readonly ctx: AppContext;
  private readonly studyPanel = h("section", { class: "card", "aria-labelledby": "study-panel-title" });
  private readonly error = h("p", { class: "form-error", role: "alert" });
  private busy = false;

  constructor(ctx: AppContext) {
    this.ctx = ctx;
    this.el = h("section", { class: "screen start" });
    this.render();
    if (ctx.study) void this.refreshStudy();
    // The study given on the command line (or open last time) is encrypted: ask once.
    const locked = ctx.startup.locked;
    if (locked) {
      ctx.startup.locked = null;
      queueMicrotask(() => this.unlock(locked));
    }
  }

  /** Fetches fresh progress counts for the rater list. */
  private async refreshStudy(): Promise<void> {
    try {
      const study = await api.studySummary();
      if (this.ctx.study?.path !== study.path) return;
      this.ctx.study = { ...this.ctx.study, raters: study.raters };
      const focused = (document.activeElement as HTMLElement | null)?.dataset?.rater;
      this.renderStudyPanel();
      if (focused) this.el.querySelector<HTMLElement>(`[data-rater="${CSS.escape(focused)}"]`)?.focus();
    } catch (err) {
      this.showError(errorText(err));
    }
  }

  focusFirst(): void {
    const target = this.el.querySelector<HTMLElement>("[data-autofocus]") ?? this.el.querySelector<HTMLElement>("button");
    target?.focus();
  }

  private render(): void {
    clear(this.el);
    const recent = this.ctx.startup.recent;
    this.el.append(
      h(
        "div",
        { class: "start-intro" },
        h("h1", {}, "Concord"),
        h("p", { class: "lede" }, "Rate model responses against a rubric. Everything stays on this computer; every rating is saved the moment you give it."),
      ),
      this.error,
      h(
        "div",
        { class: "start-grid" },
        h(
          "section",
          { class: "card", "aria-labelledby": "open-title" },
          h("h2", { id: "open-title" }, "Open a study"),
          h(
            "div",
            { class: "row" },
            h("button", { type: "button", class: "primary", "data-autofocus": this.ctx.study ? false : true, onclick: () => void this.openFromDialog() }, "Open study file…"),
          ),
          recent.length
            ? h(
                "div",
                {},
                h("h3", { id: "recent-title" }, "Recent studies"),
                h(
                  "ul",
                  { class: "recent", "aria-labelledby": "recent-title" },
                  ...recent.map((r) =>
                    h(
                      "li",
                      {},
                      h(
                        "button",
                        { type: "button", class: "recent-item", onclick: () => void this.open(r.path) },
                        h("span", { class: "visually-hidden" }, "Open "),
                        h("span", { class: "recent-name" }, r.name),
                        h("span", { class: "recent-path" }, r.path),
                      ),
                    ),
                  ),
                ),
              )
            : h("p", { class: "muted" }, "No recent studies yet."),
        ),
        this.createForm(),
      ),
      this.studyPanel,
    );
    this.renderStudyPanel();
  }

  private createForm(): HTMLElement {
    const templates = this.ctx.startup.templates;
    const name = h("input", { id: "new-study-name", type: "text", autocomplete: "off", placeholder: "e.g. Pilot round 1" });
    const template = h("select", { id: "new-study-template" }, ...templates.map((t) => h("option", { value: t }, t)));
    const encrypt = h("input", { id: "new-study-encrypt", type: "checkbox", "aria-controls": "new-study-keys" });
    const secret = (id: string) => h("input", { id, type: "password", autocomplete: "new-password", spellcheck: "false", "aria-describedby": "new-study-passphrase-hint" });
    const passphrase = secret("new-study-passphrase");
    const again = secret("new-study-passphrase-again");
    const keys = h(
      "div",
      { id: "new-study-keys", class: "new-study-keys", hidden: true },
      h("label", { for: "new-study-passphrase" }, "Passphrase"),
      passphrase,
      h("label", { for: "new-study-passphrase-again" }, "Type it again"),
      again,
      h("p", { class: "muted", id: "new-study-passphrase-hint" }, "At least 15 characters: a phrase of three or four words is easy to remember and hard to guess. Keep it safe: it is never stored, and without it the study cannot be opened."),
    );
    encrypt.addEventListener("change", () => {
      keys.hidden = !encrypt.checked;
      if (encrypt.checked) passphrase.focus();
    });
    const form = h(
      "form",
      { class: "card", "aria-labelledby": "create-title" },
      h("h2", { id: "create-title" }, "Create a study"),
      h("label", { for: "new-study-name" }, "Study name"),
      name,
      h("label", { for: "new-study-template" }, "Rubric template"),
      template,
      h("div", { class: "check-row" }, encrypt, h("label", { for: "new-study-encrypt" }, "Encrypt the study file (for clinical text)")),
      keys,
      h("div", { class: "row" }, h("button", { type: "submit" }, "Choose where to save…")),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (encrypt.checked && !passphrase.value) {
        this.showError("Give the encrypted study a passphrase.");
        passphrase.focus();
        return;
      }
      if (encrypt.checked && passphrase.value !== again.value) {
        this.showError("The two passphrases differ.");
        again.focus();
        return;
      }
      const key = encrypt.checked ? passphrase.value : null;
      void this.create(name.value.trim(), template.value, key).then(() => {
        passphrase.value = "";
        again.value = "";
      });
    });
    return form;
  }

  private renderStudyPanel(): void {
    clear(this.studyPanel);
    const study = this.ctx.study;
    if (!study) {
      this.studyPanel.hidden = true;
      return;
    }
    this.studyPanel.hidden = false;
    this.studyPanel.append(
      h("h2", { id: "study-panel-title" }, study.name),
      h("p", { class: "muted path" }, study.path),
      h(
        "p",
        { class: "muted" },
        `Rubric “${study.rubric.name}”, ${study.rubric.attributes.length} attributes. ${study.blind ? "Blind: model names are hidden while rating." : "Model names are shown."}`,
      ),
    );
    const packageRater = study.mode === "rater" ? study.package_rater : null;
    if (packageRater) {
      this.studyPanel.append(
        h("p", {}, `This is ${packageRater}’s rater package: rate, review your queue, then use “Return package…” to send your ratings to the study lead.`),
        h("div", { class: "row" }, h("button", { type: "button", class: "primary", "data-autofocus": true, onclick: () => void this.chooseRater(packageRater) }, `Start rating as ${packageRater}`)),
      );
      return;
    }
    const humans = study.raters.filter((r) => r.rater.kind === "human");
    this.studyPanel.append(
      h("h3", { id: "raters-title" }, "Who is rating?"),
      humans.length
        ? h("ul", { class: "raters", "aria-labelledby": "raters-title" }, ...humans.map((r, i) => h("li", {}, this.raterButton(r, i === 0))))
        : h("p", { class: "muted" }, "No rater profiles yet."),
      h("p", { class: "muted" }, "Your name is not listed? The study lead adds rater profiles (Admin → Add rater)."),
    );
  }

  private raterButton(summary: RaterSummary, autofocus: boolean): HTMLElement {
    const p = summary.progress;
    const counts = p ? (p.total ? `${formatCount(p.done)} / ${formatCount(p.total)} rated` : "no assignments yet") : "";
    return h(
      "button",
      {
        type: "button",
        class: "rater-item",
        "data-rater": summary.rater.name,
        "data-autofocus": autofocus,
        onclick: () => void this.chooseRater(summary.rater.name),
      },
      // Named by its content (WCAG 2.5.3), with "Rate as" for screen readers.
      h("span", { class: "visually-hidden" }, "Rate as "),
      h("span", { class: "rater-name" }, summary.rater.name),
      h("span", { class: "rater-progress" }, counts),
    );
  }

  private showError(message: string): void {
    this.error.textContent = message;
  }

  private async guarded(work: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.el.setAttribute("aria-busy", "true");
    this.showError("");
    try {
      await work();
    } catch (err) {
      this.showError(errorText(err));
    } finally {
      this.busy = false;
      this.el.removeAttribute("aria-busy");
    }
  }

  private async openFromDialog(): Promise<void> {
    const path = await pickStudyToOpen().catch((err) => {
      this.showError(errorText(err));
      return null;
    });
    if (path) await this.open(path);
  }

  private async open(path: string): Promise<void> {
    const found: { study?: StudySummary; locked?: boolean } = {};
    await this.guarded(async () => {
      try {
        found.study = await api.openStudy(path);
      } catch (err) {
        // An encrypted file does not open as it is: ask for its passphrase instead.
        if (await api.needsPassphrase(path).catch(() => false)) {
          found.locked = true;
          return;
        }
        throw err;
      }
      this.opened(found.study);
    });
    if (found.locked) this.unlock(path);
    else await this.startPackage(found.study);
  }

  /** Asks for the passphrase of the encrypted study at `path`, then opens it. */
  private unlock(path: string): void {
    askPassphrase(path, (study) => {
      this.opened(study);
      void this.startPackage(study);
    });
  }

  /** A package has one rater: start as them at once (after `guarded` has released the screen). */
  private async startPackage(study: StudySummary | undefined): Promise<void> {
    const rater = study?.mode === "rater" ? study.package_rater : null;
    if (rater) await this.chooseRater(rater);
  }

  private async create(name: string, template: string, passphrase: string | null): Promise<void> {
    if (!name) {
      this.showError("Give the new study a name.");
      return;
    }
    const path = await pickNewStudyPath(name).catch((err) => {
      this.showError(errorText(err));
      return null;
    });
    if (!path) return;
    await this.guarded(async () => {
      this.opened(await api.createStudy(path, name, template, passphrase));
    });
  }

  private opened(study: StudySummary): void {
    this.ctx.setStudy(study);
    this.ctx.startup.recent = [
      { path: study.path, name: study.name },
      ...this.ctx.startup.recent.filter((r) => r.path !== study.path),
    ];
    this.render();
    this.focusFirst();
  }

  private async chooseRater(name: string): Promise<void> {
    await this.guarded(async () => {
      const session = await api.chooseRater(name);
      this.ctx.setSession(session);
      await this.ctx.navigate("rate", { position: session.resume_position ?? 0 });
    });
  }
}
