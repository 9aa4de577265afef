// The one typed gateway between the front end and the app's Tauri commands.
// Every command returns plain data or rejects with a one-line, user-facing message (a string).

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { open as openDialog, save as saveDialog } from "@tauri-apps/plugin-dialog";

// The commands' argument and result types are generated from the Rust types into ./generated
// (src-tauri/src/ts_types.rs; `cargo test -p concord-app --lib ts_types` rewrites them).
import type {
  AdjudicationView,
  Assigned,
  AdminView,
  DashboardEvent,
  DashboardRequest,
  DesignProgress,
  DesignSummary,
  Disagreement,
  ExportedPackage,
  Gold,
  GoldEvent,
  InboxEvent,
  InboxView,
  Manifest,
  MergeConflict,
  MergeSummary,
  Progress,
  QueueFilter,
  QueuePage,
  RatingScreen,
  Rater,
  RecentStudy,
  Resolution,
  ReturnedPackage,
  SavedRating,
  Session,
  SettingsChange,
  Startup,
  Strata,
  StudySummary,
  Undone,
} from "./generated";
export type * from "./generated";

export const api = {
  startup: () => invoke<Startup>("startup"),
  recentStudies: () => invoke<RecentStudy[]>("recent_studies"),
  openStudy: (path: string) => invoke<StudySummary>("open_study", { path }),
  /** Whether the study at `path` is encrypted (opens only with its passphrase). */
  needsPassphrase: (path: string) => invoke<boolean>("needs_passphrase", { path }),
  /** Opens an encrypted study or package; rejects with a clear message on a wrong passphrase. */
  unlockStudy: (path: string, passphrase: string) => invoke<StudySummary>("unlock_study", { path, passphrase }),
  studySummary: () => invoke<StudySummary>("study_summary"),
  /** `passphrase` encrypts the new study (null: plain). */
  createStudy: (path: string, name: string, template: string, passphrase: string | null = null) =>
    invoke<StudySummary>("create_study", { path, name, template, passphrase }),
  chooseRater: (name: string) => invoke<Session>("choose_rater", { name }),
  closeStudy: () => invoke<void>("close_study"),
  progress: () => invoke<Progress>("progress"),
  queue: (filter: QueueFilter, offset: number, limit: number) =>
    invoke<QueuePage>("queue", { filter, offset, limit }),
  firstUnfinished: () => invoke<number | null>("first_unfinished"),
  ratingView: (position: number) => invoke<RatingScreen>("rating_view", { position }),
  setRating: (responseId: string, attributeKey: string, value: number | null) =>
    invoke<SavedRating>("set_rating", { responseId, attributeKey, value }),
  undo: () => invoke<Undone>("undo"),
  /** Saves the rationale and flags; resolves to the progress after them. */
  setNote: (responseId: string, rationale: string, flags: string[]) =>
    invoke<Progress>("set_note", { responseId, rationale, flags }),
  /** Starts (or re-targets) the live dashboard; results arrive through `onDashboard`. */
  dashboardShow: (request: DashboardRequest, requestId: number) =>
    invoke<void>("dashboard_show", { request, requestId }),
  dashboardHide: () => invoke<void>("dashboard_hide"),
  /** Saves the study's alt-test ε (lead only); the dashboard recomputes with it. */
  setAltEpsilon: (epsilon: number) => invoke<number>("set_alt_epsilon", { epsilon }),
  /** Renders `chart` as the dashboard shows it and writes it (.svg or .png) to `path`. */
  saveChart: (request: DashboardRequest, chart: string, path: string) =>
    invoke<string>("save_chart", { request, chart, path }),
  saveReport: (request: DashboardRequest, path: string) => invoke<string>("save_report", { request, path }),
  /** Widest disagreement first; `attribute` null for every attribute. */
  disagreements: (attribute: string | null, minRange: number, limit: number) =>
    invoke<Disagreement[]>("disagreements", { attribute, minRange, limit }),
  adjudicationView: (externalId: string) => invoke<AdjudicationView>("adjudication_view", { externalId }),
  /** Durable when it resolves. */
  setGold: (externalId: string, attribute: string, value: number, adjudicator: string, reason: string) =>
    invoke<Gold>("set_gold", { externalId, attribute, value, adjudicator, reason }),
  clearGold: (externalId: string, attribute: string, adjudicator: string, reason: string) =>
    invoke<void>("clear_gold", { externalId, attribute, adjudicator, reason }),
  adminView: () => invoke<AdminView>("admin_view"),
  /** A new human rater at `site` (null or blank: none), in one write. */
  addRater: (name: string, site: string | null) => invoke<Rater>("add_rater", { name, site }),
  /** Changes a rater's site; a blank site clears it. */
  setRaterSite: (raterId: string, site: string) => invoke<void>("set_rater_site", { raterId, site }),
  assignWithOverlap: (raterIds: string[], overlap: number, strata: Strata) => invoke<DesignSummary>("assign_with_overlap", { raterIds, overlap, strata }),
  designProgress: () => invoke<DesignProgress>("design_progress"),
  /** Active sampling: the next `count` responses to the front of `rater`'s queue, π recorded. */
  pushNext: (rater: string, count: number, seed: number | null) => invoke<Assigned>("push_next", { rater, count, seed }),
  /** An encrypted study's package comes with its own passphrase, shown to the lead once. */
  exportPackage: (raterId: string, path: string, passphrase: string | null) => invoke<ExportedPackage>("export_package", { raterId, path, passphrase }),
  mergePackage: (path: string) => invoke<MergeSummary>("merge_package", { path }),
  returnPackage: (path: string) => invoke<ReturnedPackage>("return_package", { path }),
  packageManifest: () => invoke<Manifest | null>("package_manifest"),
  conflicts: () => invoke<MergeConflict[]>("conflicts"),
  resolveConflict: (id: number, keep: Resolution, by: string) =>
    invoke<MergeConflict>("resolve_conflict", { id, keep, by }),
  mergeHistory: () => invoke<MergeSummary[]>("merge_history"),
  goldHistory: (externalId: string) => invoke<GoldEvent[]>("gold_history", { externalId }),
  readyToQuit: () => invoke<void>("ready_to_quit"),
  /** Calls `handler` when the app is about to quit (it waits for `readyToQuit`). */
  onQuitRequested: (handler: () => Promise<void>) => listen("quit-requested", () => void handler()),
  setSettings: (change: SettingsChange) => invoke<StudySummary>("set_settings", { change }),
  /** The lead's inbox folder and its receipts, newest first. */
  inboxView: () => invoke<InboxView>("inbox_view"),
  /** Sets the inbox folder the app watches ("" stops watching). */
  setInbox: (folder: string) => invoke<InboxView>("set_inbox", { folder }),
};

/** Subscribes to the inbox's news: files merged or rejected, or why the folder cannot be read. */
export function onInbox(handler: (event: InboxEvent) => void): Promise<UnlistenFn> {
  return listen<InboxEvent>("inbox", (e) => handler(e.payload));
}

/** Native folder dialog for the inbox; resolves to a folder or null. */
export async function pickInboxFolder(): Promise<string | null> {
  const chosen = await openDialog({ multiple: false, directory: true, title: "Choose the inbox folder" });
  return typeof chosen === "string" ? chosen : null;
}

/** Subscribes to the dashboard's recomputes. */
export function onDashboard(handler: (event: DashboardEvent) => void): Promise<UnlistenFn> {
  return listen<DashboardEvent>("dashboard", (e) => handler(e.payload));
}

/** Native "save" dialog for a chart or report; resolves to a path with `extension`, or null. */
export async function pickSavePath(title: string, suggestedName: string, extension: "svg" | "png" | "html"): Promise<string | null> {
  const names = { svg: "SVG image", png: "PNG image", html: "HTML report" };
  const chosen = await saveDialog({
    title,
    defaultPath: `${suggestedName}.${extension}`,
    filters: [{ name: names[extension], extensions: [extension] }],
  });
  if (!chosen) return null;
  return chosen.toLowerCase().endsWith(`.${extension}`) ? chosen : `${chosen}.${extension}`;
}

/** Native "open study" dialog; resolves to a path or null when cancelled. */
export async function pickStudyToOpen(): Promise<string | null> {
  const chosen = await openDialog({
    multiple: false,
    directory: false,
    title: "Open a Concord study",
    filters: [{ name: "Concord study", extensions: ["concord"] }],
  });
  return typeof chosen === "string" ? chosen : null;
}

/** Native "save" dialog for a rater package; resolves to a `.concord` path or null. */
export async function pickPackageSavePath(suggestedName: string): Promise<string | null> {
  const chosen = await saveDialog({
    title: "Export a rater package",
    defaultPath: `${suggestedName}.concord`,
    filters: [{ name: "Concord package", extensions: ["concord"] }],
  });
  if (!chosen) return null;
  return chosen.endsWith(".concord") ? chosen : `${chosen}.concord`;
}

/** Native "open" dialog for a returned package; resolves to a path or null. */
export async function pickPackageToMerge(): Promise<string | null> {
  const chosen = await openDialog({
    multiple: false,
    directory: false,
    title: "Merge a returned package",
    filters: [{ name: "Concord package", extensions: ["concord"] }],
  });
  return typeof chosen === "string" ? chosen : null;
}

/** Native "save" dialog for a returned package; resolves to a `.concord` path or null. */
export async function pickReturnPath(suggestedName: string): Promise<string | null> {
  const chosen = await saveDialog({
    title: "Return the package: save the file to send",
    defaultPath: `${suggestedName}.concord`,
    filters: [{ name: "Concord package", extensions: ["concord"] }],
  });
  if (!chosen) return null;
  return chosen.endsWith(".concord") ? chosen : `${chosen}.concord`;
}

/** Native "save" dialog for a new study file; resolves to a path or null when cancelled. */
export async function pickNewStudyPath(suggestedName: string): Promise<string | null> {
  const chosen = await saveDialog({
    title: "Create a Concord study",
    defaultPath: `${suggestedName || "study"}.concord`,
    filters: [{ name: "Concord study", extensions: ["concord"] }],
  });
  if (!chosen) return null;
  return chosen.endsWith(".concord") ? chosen : `${chosen}.concord`;
}

/** Errors from commands are strings; anything else is shown by its message. */
export function errorText(err: unknown): string {
  if (typeof err === "string") return err;
  if (err instanceof Error) return err.message;
  return String(err);
}
