import "./styles/base.css";
import { api, errorText, type Manifest, type Progress, type Session, type Startup, type StudySummary } from "./api";
import { afterPaint, screenExists, type AppContext, type NavigateOptions, type Screen, type ScreenName } from "./app";
import { returnPackageButton } from "./components/return-package";
import { clear, h } from "./dom";
import { answerQuitRequests } from "./quit";
import { isTextField } from "./keyboard";
import { applyPreferences, loadPreferences, savePreferences, type Preferences } from "./prefs";
import { RateScreen } from "./rate/screen";
import { AdjudicationScreen } from "./screens/adjudication";
import { AdminScreen } from "./screens/admin";
import { DashboardScreen } from "./screens/dashboard";
import { QueueScreen } from "./screens/queue";
import { StartScreen } from "./screens/start";
import { probe } from "./testing/probe";

interface NavItem {
  name: ScreenName;
  label: string;
  needsSession: boolean;
  /** Needs an open study (a rater profile is not needed). */
  needsStudy?: boolean;
  /** Second key after `g` that opens the screen. */
  key: string;
}

const NAV: NavItem[] = [
  { name: "start", label: "Study", needsSession: false, key: "s" },
  { name: "rate", label: "Rate", needsSession: true, key: "r" },
  { name: "queue", label: "Queue", needsSession: true, key: "q" },
  { name: "dashboard", label: "Dashboard", needsSession: false, needsStudy: true, key: "d" },
  { name: "adjudication", label: "Adjudication", needsSession: false, needsStudy: true, key: "a" },
  { name: "admin", label: "Admin", needsSession: false, needsStudy: true, key: "m" },
];

class App implements AppContext {
  startup: Startup;
  study: StudySummary | null;
  session: Session | null;
  prefs: Preferences;
  private current: Screen | null = null;
  private currentName: ScreenName | null = null;
  private readonly nav = h("nav", { class: "nav", "aria-label": "Main" });
  // Not live: the study and rater names would be re-read on every screen change.
  private readonly who = h("div", { class: "who" });
  private readonly main = h("main", { id: "main", class: "main" });
  private readonly notices = h("div", { class: "notices", role: "status", "aria-live": "polite" });
  private navigating: Promise<void> = Promise.resolve();

  constructor(startup: Startup) {
    this.startup = startup;
    this.study = startup.session?.study ?? startup.study;
    this.session = startup.session;
    this.prefs = loadPreferences(this.session?.rater.name ?? null);
    applyPreferences(this.prefs);
    const root = document.getElementById("app")!;
    clear(root);
    root.append(
      h(
        "header",
        { class: "topbar" },
        h("div", { class: "brand", "aria-hidden": "true" }, h("span", { class: "brand-mark" }, "C"), "Concord"),
        this.nav,
        this.who,
      ),
      this.main,
      this.notices,
    );
    document.addEventListener("keydown", (e) => {
      // A modal dialog owns the keyboard while it is open.
      if (document.querySelector("dialog[open]")) return;
      if (this.onGoKey(e)) {
        e.preventDefault();
        e.stopPropagation();
        return;
      }
      if (this.current?.onKey?.(e)) {
        e.preventDefault();
        e.stopPropagation();
      }
    });
    this.renderChrome();
  }

  /** `g` then a screen's key (d dashboard, r rate, q queue, s study, a adjudication, m admin) goes there. */
  private goPending = 0;

  private onGoKey(e: KeyboardEvent): boolean {
    if (!this.prefs.singleKeyShortcuts || isTextField(e.target) || e.ctrlKey || e.metaKey || e.altKey) {
      this.goPending = 0;
      return false;
    }
    if (this.goPending && performance.now() - this.goPending < 1500) {
      this.goPending = 0;
      const item = NAV.find((n) => n.key === e.key);
      if (item && !this.isDisabled(item)) void this.navigate(item.name);
      return item !== undefined;
    }
    if (e.key === "g") {
      this.goPending = performance.now();
      return true;
    }
    return false;
  }

  private isDisabled(item: NavItem): boolean {
    if (!screenExists(item.name, this.study)) return true;
    return (item.needsSession && !this.session) || (item.needsStudy === true && !this.study);
  }

  setStudy(study: StudySummary | null): void {
    this.study = study;
    if (!study || (this.session && this.session.study.path !== study.path)) this.session = null;
    this.renderChrome();
  }

  setSession(session: Session | null): void {
    this.session = session;
    if (session) {
      this.study = session.study;
      this.prefs = loadPreferences(session.rater.name);
      applyPreferences(this.prefs);
    }
    this.renderChrome();
  }

  setPrefs(prefs: Preferences): void {
    this.prefs = prefs;
    savePreferences(this.session?.rater.name ?? null, prefs);
    applyPreferences(prefs);
  }

  updateProgress(progress: Progress): void {
    if (this.session) this.session.progress = progress;
  }

  notify(message: string, kind: "info" | "error" = "info"): void {
    const note = h(
      "div",
      { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
      h("span", {}, message),
      h("button", { class: "notice-close", type: "button", "aria-label": "Dismiss", onclick: () => note.remove() }, "×"),
    );
    this.notices.append(note);
    if (kind === "info") setTimeout(() => note.remove(), 4000);
  }

  navigate(screen: ScreenName, options: NavigateOptions = {}): Promise<void> {
    // Serialize navigations so a fast double key press cannot interleave two screens.
    this.navigating = this.navigating.then(() => this.doNavigate(screen, options)).catch((err) => {
      this.notify(errorText(err), "error");
    });
    return this.navigating;
  }

  private async doNavigate(screen: ScreenName, options: NavigateOptions): Promise<void> {
    if (this.current && this.currentName === "rate" && screen === "rate" && options.position !== undefined) {
      await (this.current as RateScreen).show(options.position);
      return;
    }
    await this.current?.leave?.();
    let next: Screen;
    if (!screenExists(screen, this.study)) screen = "rate";
    if ((screen === "rate" || screen === "queue") && !this.session) screen = "start";
    switch (screen) {
      case "rate": {
        const rate = new RateScreen(this);
        const position = options.position ?? this.session!.resume_position ?? 0;
        await rate.show(position);
        next = rate;
        break;
      }
      case "queue": {
        const queue = new QueueScreen(this);
        await queue.init();
        next = queue;
        break;
      }
      case "start":
        next = new StartScreen(this);
        break;
      case "dashboard": {
        if (!this.study) {
          next = new StartScreen(this);
          screen = "start";
          break;
        }
        const dashboard = new DashboardScreen(this);
        await dashboard.init();
        next = dashboard;
        break;
      }
      case "adjudication": {
        if (!this.study) {
          next = new StartScreen(this);
          screen = "start";
          break;
        }
        const adjudication = new AdjudicationScreen(this);
        await adjudication.init();
        next = adjudication;
        break;
      }
      case "admin": {
        if (!this.study) {
          next = new StartScreen(this);
          screen = "start";
          break;
        }
        const admin = new AdminScreen(this);
        await admin.init();
        next = admin;
        break;
      }
    }
    this.current = next;
    this.currentName = screen;
    if (probe) probe.screen = screen;
    // Lets a screen's CSS adapt the page around it (the rating screen on small viewports).
    document.body.dataset.screen = screen;
    clear(this.main);
    this.main.append(next.el);
    this.renderChrome();
    (next as { focusFirst?: () => void }).focusFirst?.();
  }

  /** The open study's package manifest (null: not a package), asked once per study file. */
  private manifest: { path: string; manifest: Manifest | null } | null = null;

  /** Saves what the shown screen holds (before the app quits). */
  async saveBeforeQuit(): Promise<void> {
    await this.current?.leave?.();
  }

  private showReturnButton(path: string): void {
    const known = this.manifest?.path === path ? this.manifest.manifest : undefined;
    if (known === undefined) {
      void api
        .packageManifest()
        .then((manifest) => {
          this.manifest = { path, manifest };
          if (manifest && this.study?.path === path) this.renderChrome();
        })
        .catch(() => (this.manifest = { path, manifest: null }));
      return;
    }
    if (known) {
      this.who.append(
        returnPackageButton(
          known,
          (message, kind) => this.notify(message, kind ?? "info"),
          () => this.saveBeforeQuit(),
        ),
      );
    }
  }

  private renderChrome(): void {
    clear(this.nav);
    for (const item of NAV.filter((n) => screenExists(n.name, this.study))) {
      const disabled = this.isDisabled(item);
      const button = h(
        "button",
        {
          type: "button",
          class: "nav-item",
          "aria-current": this.currentName === item.name ? "page" : false,
          "aria-disabled": disabled ? "true" : false,
          title: `${item.label} (g then ${item.key})`,
          "aria-keyshortcuts": `g ${item.key}`,
          onclick: () => {
            if (!disabled) void this.navigate(item.name);
          },
        },
        item.label,
      );
      this.nav.append(button);
    }
    clear(this.who);
    if (this.study) {
      this.who.append(h("span", { class: "who-study" }, this.study.name));
      if (this.session) this.who.append(h("span", { class: "who-sep", "aria-hidden": "true" }, "·"), h("span", { class: "who-rater" }, this.session.rater.name));
      this.showReturnButton(this.study.path);
    }
    document.title = this.session
      ? `${this.session.study.name} — ${this.session.rater.name}`
      : this.study
        ? `${this.study.name} — Concord`
        : "Concord";
  }
}

async function boot(): Promise<void> {
  let startup: Startup;
  try {
    startup = await api.startup();
  } catch (err) {
    startup = { session: null, study: null, recent: [], templates: [], error: errorText(err), locked: null };
  }
  const app = new App(startup);
  await answerQuitRequests(() => app.saveBeforeQuit());
  if (startup.error) app.notify(startup.error, "error");
  await app.navigate(startup.session ? "rate" : "start");
  await afterPaint();
  if (probe) {
    if (probe.screen === "rate") probe.startToRatingReadyMs = performance.now();
    probe.ready = true;
  }
}

void boot();
