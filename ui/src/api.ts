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
  Disagreement,
  Gold,
  GoldEvent,
  Manifest,
  MergeConflict,
  MergeSummary,
  Progress,
  QueueFilter,
  QueuePage,
  RatingScreen,
  Rater,
  RecentStudy,
  ReturnedPackage,
  SavedRating,
  Session,
  SettingsChange,
  Startup,
  StudySummary,
  UndoneChange,
} from "./generated";
export type * from "./generated";

// Types not generated yet (their Rust types have no ts-rs derive).

export interface Undone {
  change: UndoneChange | null;
  progress: Progress;
}

export interface RaterLoad {
  rater: string;
  id: string;
  load: number;
  added: number;
}

export interface DesignSummary {
  kind: "bibd" | "near_balanced" | "unchanged";
  construction: string;
  overlap: number;
  seed: number;
  strata: "none" | "model";
  responses: number;
  added: number;
  moved: number;
  raters: RaterLoad[];
  /** Responses each pair of raters shares, in `raters` order; the diagonal is the load. */
  overlap_matrix: number[][];
}

export interface RaterProgress {
  rater: string;
  site: string | null;
  assigned: number;
  done: number;
  partial: number;
  flagged: number;
  last_activity: string | null;
  median_seconds: number | null;
  package_out_since: string | null;
}

export interface DesignProgress {
  design: DesignSummary;
  progress: { raters: RaterProgress[] };
}

export const api = {
  startup: () => invoke<Startup>("startup"),
  recentStudies: () => invoke<RecentStudy[]>("recent_studies"),
  openStudy: (path: string) => invoke<StudySummary>("open_study", { path }),
  studySummary: () => invoke<StudySummary>("study_summary"),
  createStudy: (path: string, name: string, template: string) =>
    invoke<StudySummary>("create_study", { path, name, template }),
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
  adjudicationView: (responseId: string) => invoke<AdjudicationView>("adjudication_view", { responseId }),
  /** Durable when it resolves. */
  setGold: (responseId: string, attribute: string, value: number, adjudicator: string, reason: string) =>
    invoke<Gold>("set_gold", { responseId, attribute, value, adjudicator, reason }),
  clearGold: (responseId: string, attribute: string, adjudicator: string, reason: string) =>
    invoke<void>("clear_gold", { responseId, attribute, adjudicator, reason }),
  adminView: () => invoke<AdminView>("admin_view"),
  addRater: (name: string) => invoke<Rater>("add_rater", { name }),
  assignWithOverlap: (raterIds: string[], overlap: number) => invoke<DesignSummary>("assign_with_overlap", { raterIds, overlap }),
  designProgress: () => invoke<DesignProgress>("design_progress"),
  /** Active sampling: the next `count` responses to the front of `rater`'s queue, π recorded. */
  pushNext: (rater: string, count: number) => invoke<Assigned>("push_next", { rater, count }),
  exportPackage: (raterId: string, path: string) => invoke<string>("export_package", { raterId, path }),
  mergePackage: (path: string) => invoke<MergeSummary>("merge_package", { path }),
  returnPackage: (path: string) => invoke<ReturnedPackage>("return_package", { path }),
  packageManifest: () => invoke<Manifest | null>("package_manifest"),
  conflicts: () => invoke<MergeConflict[]>("conflicts"),
  resolveConflict: (id: number, keep: "here" | "incoming" | "current", by: string) =>
    invoke<MergeConflict>("resolve_conflict", { id, keep, by }),
  mergeHistory: () => invoke<MergeSummary[]>("merge_history"),
  goldHistory: (responseId: string) => invoke<GoldEvent[]>("gold_history", { responseId }),
  readyToQuit: () => invoke<void>("ready_to_quit"),
  /** Calls `handler` when the app is about to quit (it waits for `readyToQuit`). */
  onQuitRequested: (handler: () => Promise<void>) => listen("quit-requested", () => void handler()),
  setSettings: (change: SettingsChange) => invoke<StudySummary>("set_settings", { change }),
};

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
