// Study admin (the study lead's screen): raters and their progress, new rater profiles,
// assignments with overlap, rater packages out and back in, and the study settings.
//
// Every write goes through the app's one study connection; the dashboard notices the changes
// by itself.

import "./admin.css";
import {
  api,
  errorText,
  pickPackageSavePath,
  pickPackageToMerge,
  type AdminView,
  type MergeSummary,
  type Rater,
  type RaterSummary,
  type Strata,
} from "../api";
import type { AppContext, Screen } from "../app";
import { clear, formatCount, h } from "../dom";
import { ConflictsPanel, renderReceipt } from "./admin-merge";
import { DesignPanel, designKindText, strataText } from "./admin-design";
import { InboxPanel } from "./admin-inbox";
import { askPackagePassphrase, showPackagePassphrase } from "./admin-passphrase";

export class AdminScreen implements Screen {
  readonly el: HTMLElement;
  private readonly ctx: AppContext;
  private view: AdminView | null = null;
  private readonly chosen = new Set<string>();
  private busy = false;

  private readonly ratersBody = h("tbody");
  private readonly ratersCaption = h("p", { class: "muted admin-caption" });
  private readonly newName = h("input", { id: "admin-rater-name", type: "text", autocomplete: "off", placeholder: "e.g. Dr Okafor" });
  private readonly newSite = h("input", { id: "admin-rater-site", type: "text", autocomplete: "off", placeholder: "e.g. Leeds", "aria-describedby": "admin-site-hint" });
  private readonly overlap = h("input", { id: "assign-overlap", type: "number", min: "1", step: "1", value: "2", inputmode: "numeric" });
  private readonly strata = h(
    "select",
    { id: "assign-strata", "aria-describedby": "assign-strata-hint" },
    h("option", { value: "none" }, "nothing"),
    h("option", { value: "model" }, "models"),
    h("option", { value: "site" }, "sites"),
  );
  private readonly assignButton = h("button", { type: "button", class: "primary", id: "assign-button" }, "Assign");
  private readonly assignStatus = h("p", { class: "admin-status", id: "assign-status", role: "status", "aria-live": "polite" });
  private readonly raterStatus = h("p", { class: "admin-status", id: "rater-status", role: "status", "aria-live": "polite" });
  private readonly mergeResult = h("div", { class: "admin-merge-result", id: "merge-result", "aria-live": "polite" });
  private readonly blind = h("input", { id: "setting-blind", type: "checkbox" });
  private readonly flags = h("input", { id: "setting-flags", type: "text", autocomplete: "off" });
  private readonly overlapTarget = h("input", { id: "setting-overlap", type: "number", min: "1", step: "1", inputmode: "numeric" });
  private readonly settingsStatus = h("p", { class: "admin-status", id: "settings-status", role: "status", "aria-live": "polite" });
  private readonly error = h("p", { class: "form-error", role: "alert" });
  private readonly conflicts = new ConflictsPanel(() => void this.refresh());
  private readonly design = new DesignPanel();
  private readonly inbox = new InboxPanel();

  constructor(ctx: AppContext) {
    this.ctx = ctx;
    const addForm = h(
      "form",
      { class: "admin-inline", "aria-label": "Add a rater" },
      h("label", { for: "admin-rater-name" }, "New rater"),
      this.newName,
      h("label", { for: "admin-rater-site" }, "Site"),
      this.newSite,
      h("button", { type: "submit" }, "Add rater"),
    );
    addForm.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.addRater();
    });
    this.assignButton.addEventListener("click", () => void this.assign());
    const settingsForm = h(
      "form",
      { class: "admin-settings", "aria-labelledby": "settings-title" },
      h("label", { class: "admin-check", for: "setting-blind" }, this.blind, " Blind: hide the model behind each response from raters"),
      h("label", { for: "setting-flags" }, "Flags raters can set (comma-separated)"),
      this.flags,
      h("label", { for: "setting-overlap" }, "Overlap target (raters per response)"),
      this.overlapTarget,
      h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Save settings"), this.settingsStatus),
    );
    settingsForm.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.saveSettings();
    });

    this.el = h(
      "section",
      { class: "screen admin", "aria-labelledby": "admin-title" },
      h("div", { class: "admin-head" }, h("h1", { id: "admin-title" }, "Study admin")),
      this.error,
      h(
        "div",
        { class: "admin-grid" },
        h(
          "div",
          { class: "admin-main" },
          h(
            "section",
            { class: "card admin-raters", "aria-labelledby": "raters-title" },
            h("h2", { id: "raters-title" }, "Raters"),
            this.ratersCaption,
            h(
              "table",
              { class: "dash-table admin-table", "aria-labelledby": "raters-title" },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Select")),
                  h("th", { scope: "col" }, "Name"),
                  h("th", { scope: "col" }, "Kind"),
                  h("th", { scope: "col" }, "Site"),
                  h("th", { scope: "col", class: "num" }, "Done"),
                  h("th", { scope: "col", class: "num" }, "Partial"),
                  h("th", { scope: "col", class: "num" }, "Assigned"),
                  h("th", { scope: "col" }, "Package"),
                ),
              ),
              this.ratersBody,
            ),
            addForm,
            h("p", { class: "muted admin-caption", id: "admin-site-hint" },
              "Site (optional): where the rater works. Balancing an assignment across sites gives each response raters from different sites. Change a site in the table: Enter saves, an empty site clears it.",
            ),
            this.raterStatus,
            h(
              "div",
              { class: "admin-assign", role: "group", "aria-labelledby": "assign-title" },
              h("h3", { id: "assign-title" }, "Assign responses"),
              h(
                "p",
                { class: "muted" },
                "Builds a balanced design over the selected raters: each response goes to exactly that many raters, loads differ by at most one, and every pair of raters shares responses (balanced across sites: every pair from different sites). Existing assignments are kept; responses that already have enough raters get no more.",
              ),
              h(
                "div",
                { class: "admin-inline" },
                h("label", { for: "assign-overlap" }, "Overlap"),
                this.overlap,
                h("label", { for: "assign-strata" }, "Balance across"),
                this.strata,
                this.assignButton,
              ),
              h(
                "p",
                { class: "muted admin-caption", id: "assign-strata-hint" },
                "Models: each rater gets an even share of every model. Sites: each response's raters come from different sites where loads allow (set each rater's site in the table above).",
              ),
              this.assignStatus,
            ),
          ),
          this.design.element,
        ),
        h(
          "div",
          { class: "admin-side" },
          h(
            "section",
            { class: "card", "aria-labelledby": "merge-title" },
            h("h2", { id: "merge-title" }, "Merge a returned package"),
            h(
              "p",
              { class: "muted" },
              "Checks the file first (this study's, returned and unedited, only its rater's own ratings), then adds what this study lacks. Merging the same file twice changes nothing.",
            ),
            h("button", { type: "button", id: "merge-button", onclick: () => void this.merge() }, "Merge package…"),
            this.mergeResult,
          ),
          this.inbox.element,
          this.conflicts.element,
          h("section", { class: "card", "aria-labelledby": "settings-title" }, h("h2", { id: "settings-title" }, "Study settings"), settingsForm),
          h(
            "section",
            { class: "card", "aria-labelledby": "import-title" },
            h("h2", { id: "import-title" }, "Importing tables"),
            h(
              "p",
              { class: "muted" },
              "Responses and earlier ratings (CSV, JSONL, Parquet) are imported with the command line for now: ",
              h("code", {}, "concord import"),
              " and ",
              h("code", {}, "concord ratings import"),
              ".",
            ),
          ),
        ),
      ),
    );
  }

  async init(): Promise<void> {
    await this.refresh();
    await this.conflicts.refresh();
    // A package the app merged from the inbox changes progress and may add conflicts.
    await this.inbox.start(() => {
      void this.refresh();
      void this.conflicts.refresh();
    });
    const settings = this.view?.settings;
    if (settings) {
      this.blind.checked = settings.blind;
      this.flags.value = settings.flags.join(", ");
      this.overlapTarget.value = String(settings.overlap_target);
      this.overlap.value = String(settings.overlap_target);
    }
  }

  async leave(): Promise<void> {
    this.inbox.stop();
  }

  focusFirst(): void {
    this.ratersBody.querySelector<HTMLElement>("input")?.focus();
  }

  private async refresh(): Promise<void> {
    try {
      this.view = await api.adminView();
      this.error.textContent = "";
    } catch (err) {
      this.error.textContent = errorText(err);
      return;
    }
    await this.design.refresh();
    const ids = new Set(this.view.raters.map((r) => r.rater.id));
    for (const id of [...this.chosen]) if (!ids.has(id)) this.chosen.delete(id);
    this.renderRaters();
  }

  private renderRaters(): void {
    const view = this.view!;
    clear(this.ratersBody);
    const humans = view.raters.filter((r) => r.rater.kind === "human").length;
    this.ratersCaption.textContent = `${formatCount(view.responses)} responses · ${humans} human rater${humans === 1 ? "" : "s"}, ${view.raters.length - humans} LLM judge${view.raters.length - humans === 1 ? "" : "s"}. Select raters to assign responses to them.`;
    for (const summary of view.raters) this.ratersBody.append(this.raterRow(summary));
    this.renderAssignButton();
  }

  private raterRow(summary: RaterSummary): HTMLElement {
    const { rater, progress } = summary;
    const human = rater.kind === "human";
    const box = h("input", {
      type: "checkbox",
      id: `pick-${rater.id}`,
      "data-rater": rater.name,
      checked: this.chosen.has(rater.id),
      disabled: !human,
      "aria-label": `Select ${rater.name}`,
    });
    box.addEventListener("change", () => {
      if (box.checked) this.chosen.add(rater.id);
      else this.chosen.delete(rater.id);
      this.renderAssignButton();
    });
    return h(
      "tr",
      { "data-rater": rater.name },
      h("td", {}, box),
      h("th", { scope: "row" }, h("label", { for: `pick-${rater.id}` }, rater.name)),
      h("td", {}, h("span", { class: `pill kind-${rater.kind}` }, human ? "Human" : "LLM judge")),
      h("td", {}, human ? this.siteField(rater) : "—"),
      h("td", { class: "num" }, progress ? formatCount(progress.done) : "—"),
      h("td", { class: "num" }, progress ? formatCount(progress.partial) : "—"),
      h("td", { class: "num" }, progress ? formatCount(progress.total) : "—"),
      h(
        "td",
        {},
        human
          ? h("button", { type: "button", class: "small", "aria-label": `Export a package for ${rater.name}`, onclick: () => void this.exportPackage(summary) }, "Export…")
          : null,
      ),
    );
  }

  /** A rater's site, edited in place: saved on Enter or on leaving the field when changed. */
  private siteField(rater: Rater): HTMLInputElement {
    const field = h("input", {
      type: "text",
      class: "admin-site",
      id: `site-${rater.id}`,
      autocomplete: "off",
      value: rater.site ?? "",
      placeholder: "no site",
      "aria-label": `Site of ${rater.name}`,
      "aria-describedby": "admin-site-hint",
    });
    const save = () => void this.saveSite(rater, field);
    field.addEventListener("change", save);
    field.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        save();
      }
    });
    return field;
  }

  private async saveSite(rater: Rater, field: HTMLInputElement): Promise<void> {
    const site = field.value;
    if (site.trim() === (rater.site ?? "")) return;
    try {
      await api.setRaterSite(rater.id, site);
      // Read back what core stored (trimmed; empty is none) without re-rendering the table,
      // so the keyboard focus stays where the lead moved it.
      this.view = await api.adminView();
      const stored = this.view.raters.find((r) => r.rater.id === rater.id)?.rater.site ?? null;
      rater.site = stored;
      field.value = stored ?? "";
      this.raterStatus.textContent = stored ? `${rater.name}’s site is now ${stored}.` : `${rater.name} has no site now.`;
      await this.design.refresh();
    } catch (err) {
      this.raterStatus.textContent = `Site not saved: ${errorText(err)}`;
    }
  }

  private renderAssignButton(): void {
    const n = this.chosen.size;
    this.assignButton.textContent = n ? `Assign to ${n} rater${n === 1 ? "" : "s"}` : "Assign";
    this.assignButton.disabled = n === 0 || this.busy;
  }

  /** Runs one write at a time; the button states show it is busy. */
  private async run(work: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.renderAssignButton();
    try {
      await work();
    } finally {
      this.busy = false;
      this.renderAssignButton();
    }
  }

  private async addRater(): Promise<void> {
    const name = this.newName.value.trim();
    if (!name) {
      this.raterStatus.textContent = "A rater needs a name.";
      this.newName.focus();
      return;
    }
    await this.run(async () => {
      try {
        const rater = await api.addRater(name, this.newSite.value);
        this.chosen.add(rater.id);
        this.newName.value = "";
        this.newSite.value = "";
        this.raterStatus.textContent = `Added ${rater.name}${rater.site ? ` at ${rater.site}` : ""} (selected for assignment).`;
        await this.refresh();
      } catch (err) {
        this.raterStatus.textContent = `Not added: ${errorText(err)}`;
      }
    });
  }

  private async assign(): Promise<void> {
    const view = this.view;
    if (!view || this.chosen.size === 0) return;
    const raters = view.raters.filter((r) => this.chosen.has(r.rater.id));
    const overlap = Math.floor(Number(this.overlap.value));
    await this.run(async () => {
      try {
        const design = await api.assignWithOverlap(
          raters.map((r) => r.rater.id),
          overlap,
          this.strata.value as Strata,
        );
        // The run stored its overlap as the study's target.
        this.overlapTarget.value = String(design.overlap);
        this.assignStatus.textContent = `✓ ${formatCount(design.added)} assignments added (${designKindText(design.kind)}${strataText(design.strata)}): ${design.raters.map((r) => `${r.rater} ${formatCount(r.added)}`).join(", ")}.`;
        await this.refresh();
        if (this.ctx.session && raters.some((r) => r.rater.id === this.ctx.session!.rater.id)) this.ctx.updateProgress(await api.progress());
      } catch (err) {
        this.assignStatus.textContent = `Not assigned: ${errorText(err)}`;
      }
    });
  }

  private async exportPackage(summary: RaterSummary): Promise<void> {
    // An encrypted study's package: the lead types its passphrase or lets the app make one.
    let typed: string | null = null;
    if (this.ctx.study?.encrypted) {
      const choice = await askPackagePassphrase(summary.rater.name);
      if (choice === undefined) return;
      typed = choice;
    }
    const path = await pickPackageSavePath(summary.rater.name.replace(/[^A-Za-z0-9_-]+/g, "-").toLowerCase());
    if (!path) return;
    await this.run(async () => {
      try {
        const exported = await api.exportPackage(summary.rater.id, path, typed);
        this.ctx.notify(`Package for ${summary.rater.name} written to ${path}${typed === null ? "" : ", encrypted with the passphrase you typed"}.`);
        if (exported.passphrase && typed === null) showPackagePassphrase(summary.rater.name, exported.passphrase);
      } catch (err) {
        this.ctx.notify(`Package not written: ${errorText(err)}`, "error");
      }
    });
  }

  private async merge(): Promise<void> {
    const path = await pickPackageToMerge();
    if (!path) return;
    await this.run(async () => {
      try {
        this.showMerge(await api.mergePackage(path));
        await this.refresh();
        await this.conflicts.refresh();
      } catch (err) {
        clear(this.mergeResult);
        this.mergeResult.append(h("p", { class: "form-error" }, `Not merged: ${errorText(err)}`));
      }
    });
  }

  private showMerge(summary: MergeSummary): void {
    clear(this.mergeResult);
    this.mergeResult.append(renderReceipt(summary));
  }

  private async saveSettings(): Promise<void> {
    const overlapTarget = Math.floor(Number(this.overlapTarget.value));
    if (!Number.isInteger(overlapTarget) || overlapTarget < 1) {
      this.settingsStatus.textContent = "The overlap target is a whole number from 1.";
      return;
    }
    const flags = this.flags.value
      .split(",")
      .map((f) => f.trim())
      .filter(Boolean);
    await this.run(async () => {
      try {
        const study = await api.setSettings({ blind: this.blind.checked, flags, overlap_target: overlapTarget });
        if (this.ctx.session) this.ctx.session.study = study;
        this.ctx.setStudy(study);
        this.flags.value = study.flags.join(", ");
        this.settingsStatus.textContent = "✓ Settings saved";
      } catch (err) {
        this.settingsStatus.textContent = `Not saved: ${errorText(err)}`;
      }
    });
  }
}
