// The one typed gateway between the front end and the app's Tauri commands.
// Every command returns plain data or rejects with a one-line, user-facing message (a string).

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { open as openDialog, save as saveDialog } from "@tauri-apps/plugin-dialog";

export interface Level {
  value: number;
  descriptor: string;
}

export interface Attribute {
  key: string;
  label: string;
  description: string;
  group: string | null;
  /** The group's name for raters, from the rubric (null: show `group`). */
  group_label: string | null;
  scale_min: number;
  scale_max: number;
  levels: Level[];
}

export interface Rubric {
  name: string;
  attributes: Attribute[];
}

export type RaterKind = "human" | "llm";

export interface Rater {
  id: string;
  name: string;
  kind: RaterKind;
}

export interface Progress {
  total: number;
  done: number;
  partial: number;
  todo: number;
  flagged: number;
}

export interface RaterSummary {
  rater: Rater;
  /** Null where the caller did not ask for counts (see `studySummary`). */
  progress: Progress | null;
}

/** Lead: a master file, every screen. Rater: a package, Rate and Queue only. */
export type StudyMode = "lead" | "rater";

export interface StudySummary {
  path: string;
  name: string;
  mode: StudyMode;
  /** In rater mode, the package's rater (the session starts as them). */
  package_rater: string | null;
  blind: boolean;
  flags: string[];
  rubric: Rubric;
  raters: RaterSummary[];
}

export interface Session {
  study: StudySummary;
  rater: Rater;
  progress: Progress;
  resume_position: number | null;
}

export interface RecentStudy {
  path: string;
  name: string;
}

export interface Startup {
  session: Session | null;
  study: StudySummary | null;
  recent: RecentStudy[];
  templates: string[];
  error: string | null;
}

export type QueueFilter = "all" | "todo" | "partial" | "done" | "flagged";
export type ResponseStatus = "todo" | "partial" | "done";

export interface QueueEntry {
  position: number;
  response_id: string;
  /** What the rater sees: the external id, or "Response 17" in a blind study. */
  label: string;
  /** Empty in a blind study. */
  item_external_id: string;
  response_external_id: string;
  status: ResponseStatus;
  flagged: boolean;
  n_set: number;
  n_attributes: number;
  preview: string;
}

export interface QueuePage {
  total: number;
  entries: QueueEntry[];
}

export interface RatingScreen {
  position: number;
  total: number;
  response_id: string;
  /** Empty in a blind study. */
  item_external_id: string;
  prompt_html: string;
  context_html: string | null;
  response_html: string;
  response_chars: number;
  model: string | null;
  values: Record<string, number>;
  rationale: string;
  flags: string[];
}

export interface SavedRating {
  response_id: string;
  attribute_key: string;
  value: number | null;
  /** The rater's progress after this value. */
  progress: Progress;
}

export interface UndoneChange {
  response_id: string;
  attribute_key: string;
  restored: number | null;
}

/** What an undo restored (null: nothing to undo), and the progress after it. */
export interface Undone {
  change: UndoneChange | null;
  progress: Progress;
}

/** What the dashboard shows; missing fields take the defaults (first attribute, ICC2, all raters). */
export interface DashboardRequest {
  attribute?: string | null;
  metric?: string | null;
  humans?: string[] | null;
  judges?: string[] | null;
  judge?: string | null;
  raters?: [string, string] | null;
  /** ε of the Alternative Annotator Test (null: 0.2). */
  alt_epsilon?: number | null;
}

export interface Choice {
  key: string;
  label: string;
  composite: boolean;
}

export interface TableRow {
  group: string;
  key: string;
  statistic: string;
  estimate: number | null;
  ci95: [number, number] | null;
  n: number | null;
  dropped: number | null;
  reason: string | null;
}

/** A chart as a `data:image/svg+xml;base64,…` URL, shown in an <img> so nothing in it runs. */
export interface ChartView {
  name: string;
  title: string;
  data_url: string;
  /** Text alternative with the chart's main numbers. */
  alt: string;
  /** Every number the chart draws, for "Show data". */
  table: DataTable;
}

export interface DataTable {
  caption: string;
  columns: string[];
  rows: string[][];
}

/** An estimate as the report gives it (other fields of the report's Estimate are not used here). */
export interface Estimate {
  value: number | null;
  ci95?: [number, number] | null;
  n?: number | null;
  reason?: string | null;
}

/** "Can this judge replace a clinician?" for one judge on the chosen attribute. */
export interface VerdictRow {
  judge: string;
  attribute: string;
  verdict: string;
  kind: "replace" | "cannot" | "undetermined";
  headline: string;
  more_responses: number | null;
  epsilon: number;
  winning_rate: number | null;
  passed: boolean | null;
  humans_beaten: number;
  humans_tested: number;
  advantage_probability: number | null;
  replacement_icc: Estimate;
  replacement_alpha: Estimate;
  icc_a1: Estimate;
  icc_reading: string;
  bias: Estimate;
  findings: { criterion: string; label: string; finding: string; detail: string }[];
  diagnostics: { key: string; label: string; estimate: Estimate }[];
}

export interface DashboardView {
  attribute: string;
  attribute_label: string;
  composite: boolean;
  metric: string;
  judge: string | null;
  raters: [string, string] | null;
  humans: string[] | null;
  judges: string[] | null;
  attributes: Choice[];
  metrics: Choice[];
  all_humans: string[];
  all_judges: string[];
  table: TableRow[];
  verdicts: VerdictRow[];
  alt_epsilon: number;
  exclusions: string[];
  charts: ChartView[];
  notes: string[];
  n_ratings: number;
  bootstrap: number;
  seed: number;
  computed_at_ms: number;
  compute_ms: number;
}

/** A response × attribute the human raters disagree on (`response_id` is the external id). */
export interface Disagreement {
  response_id: string;
  attribute: string;
  /** Rater name → current value. */
  values: Record<string, number>;
  range: number;
  gold: number | null;
}

export interface RaterJudgement {
  rater: string;
  /** Attribute key → current value. */
  values: Record<string, number>;
  rationale: string;
  flags: string[];
}

export interface AdjudicationView {
  response_id: string;
  item_external_id: string;
  prompt_html: string;
  context_html: string | null;
  response_html: string;
  raters: RaterJudgement[];
  /** Gold values already set for this response. */
  gold: Gold[];
}

export interface Gold {
  response_id: string;
  attribute: string;
  value: number;
  adjudicator: string;
  reason: string;
}

export interface StudySettings {
  blind: boolean;
  flags: string[];
  overlap_target: number;
  seed: number;
  exclude_own: Record<string, string[]>;
}

export interface AdminView {
  raters: RaterSummary[];
  settings: StudySettings;
  responses: number;
}

/** One rater's line of an assignment design. */
export interface RaterLoad {
  rater: string;
  id: string;
  load: number;
  added: number;
}

/** An assignment design: how it was built, loads and the rater × rater overlap matrix. */
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

/** One human rater's progress (done = every attribute rated, partial = some). */
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

export interface SettingsChange {
  blind: boolean;
  flags: string[];
  overlap_target: number;
}

/** One rater's part of a merge receipt. */
export interface RaterReceipt {
  rater: string;
  events_added: number;
  cells_changed: number;
  conflicts: number;
}

/** A cell one rater edited in two diverged copies (here = the study's earlier value). */
export interface MergeConflict {
  id: number;
  rater: string;
  response_id: string;
  attribute: string;
  here: number | null;
  incoming: number | null;
  current: number | null;
  merged_at: string;
  file: string;
  resolved: { value: number | null; by: string; at: string } | null;
}

/** The receipt of a merge. */
export interface MergeSummary {
  file: string;
  package_id: string;
  kind: "package" | "copy";
  already_merged: boolean;
  events_added: number;
  notes_added: number;
  gold_added: number;
  cells_changed: number;
  raters: RaterReceipt[];
  conflicts: MergeConflict[];
  accepted_altered: string | null;
}

/** A rater package's manifest. */
export interface Manifest {
  package_id: string;
  study_id: string;
  study_name: string;
  master_id: string;
  rater_id: string;
  rater: string;
  issued_at: string;
  return_to: string;
  returned_at: string | null;
  events: number | null;
  notes: number | null;
  events_sha256: string | null;
}

/** What "Return package…" wrote. */
export interface ReturnedPackage {
  file: string;
  manifest: Manifest;
  message: string;
}

/** One entry of a cell's gold history. */
export interface GoldEvent {
  response_id: string;
  attribute: string;
  /** null: the gold value was cleared. */
  value: number | null;
  adjudicator: string;
  reason: string;
  at: string;
}

export type DashboardEvent =
  | { kind: "updated"; request_id: number; view: DashboardView }
  | { kind: "failed"; request_id: number; message: string };

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
