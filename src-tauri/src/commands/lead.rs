//! The study lead's screens: adjudication, raters and assignment, packages, merges, conflicts
//! and settings.

use std::path::Path;

use concord_core::adjudication::{Disagreement, Gold, GoldEvent, RaterJudgement};
use concord_core::assignment::{AssignRequest, DesignSummary, Strata};
use concord_core::cipher::Passphrase;
use concord_core::inbox::{self, InboxReceipt};
use concord_core::merge::{MergeConflict, MergeOptions, MergeSummary, Resolution};
use concord_core::package::{ExportedPackage, Manifest, ReturnedPackage};
use concord_core::progress::ProgressReport;
use concord_core::{Rater, RaterKind, Study, StudySettings};
use concord_report::estimates::{push_next as push_next_round, Assigned};
use serde::Serialize;
use tauri::State;

use super::{summary, CommandResult, RaterSummary, StudySummary};
use crate::render::{context_to_safe_html, markdown_to_safe_html};
use crate::state::AppState;

// ---- study lead: adjudication -------------------------------------------------------------

/// A response under adjudication: prompt and response rendered and sanitized, and every human
/// rater's scores, rationale and flags.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AdjudicationView {
    /// The response's external id.
    pub external_id: String,
    pub item_external_id: String,
    pub prompt_html: String,
    pub context_html: Option<String>,
    pub response_html: String,
    pub raters: Vec<RaterJudgement>,
    /// Gold values already set for this response, with who decided and why.
    pub gold: Vec<Gold>,
}

/// Response × attribute cells the human raters disagree on, widest spread first.
#[tauri::command]
pub async fn disagreements(
    state: State<'_, AppState>,
    attribute: Option<String>,
    min_range: i64,
    limit: usize,
) -> CommandResult<Vec<Disagreement>> {
    let attribute = attribute.filter(|a| !a.is_empty());
    state.with_study(|study| {
        study.disagreements(attribute.as_deref(), min_range.max(0), limit.min(5000))
    })
}

/// The response `external_id` with every human rater's judgement of it.
#[tauri::command]
pub async fn adjudication_view(
    state: State<'_, AppState>,
    external_id: String,
) -> CommandResult<AdjudicationView> {
    state.with_study(|study| adjudication_view_of(study, &external_id))
}

fn adjudication_view_of(
    study: &Study,
    external_id: &str,
) -> concord_core::Result<AdjudicationView> {
    let j = study.response_judgements(external_id)?;
    Ok(AdjudicationView {
        external_id: j.external_id,
        item_external_id: j.item_external_id,
        prompt_html: markdown_to_safe_html(&j.prompt),
        context_html: context_to_safe_html(&j.context),
        response_html: markdown_to_safe_html(&j.response),
        raters: j.raters,
        gold: j.gold,
    })
}

/// Records the gold value of one response × attribute; durable when this returns.
#[tauri::command]
pub async fn set_gold(
    state: State<'_, AppState>,
    external_id: String,
    attribute: String,
    value: i64,
    adjudicator: String,
    reason: String,
) -> CommandResult<Gold> {
    state.with_study(|study| study.set_gold(&external_id, &attribute, value, &adjudicator, &reason))
}

/// Clears the gold value of one response × attribute (one more history entry); durable when
/// this returns.
#[tauri::command]
pub async fn clear_gold(
    state: State<'_, AppState>,
    external_id: String,
    attribute: String,
    adjudicator: String,
    reason: String,
) -> CommandResult<()> {
    state.with_study(|study| study.clear_gold(&external_id, &attribute, &adjudicator, &reason))
}

// ---- study lead: admin ---------------------------------------------------------------------

/// What the admin screen shows: every rater (humans and judges) with progress, and settings.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AdminView {
    pub raters: Vec<RaterSummary>,
    pub settings: StudySettings,
    pub responses: usize,
}

/// Study settings the admin screen edits; the rest (seed, own-model exclusions) are kept.
#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SettingsChange {
    pub blind: bool,
    pub flags: Vec<String>,
    pub overlap_target: u32,
}

fn admin_view_of(study: &Study) -> concord_core::Result<AdminView> {
    let raters = study
        .raters()?
        .into_iter()
        .map(|rater| {
            let progress = Some(study.progress(&rater.id)?);
            Ok(RaterSummary { rater, progress })
        })
        .collect::<concord_core::Result<Vec<_>>>()?;
    Ok(AdminView {
        raters,
        settings: study.settings()?,
        responses: study.response_ids()?.len(),
    })
}

/// Raters with progress and the study settings.
#[tauri::command]
pub async fn admin_view(state: State<'_, AppState>) -> CommandResult<AdminView> {
    state.with_study(admin_view_of)
}

/// Adds a human rater profile (with no assignments yet) at `site`, in one write.
#[tauri::command]
pub async fn add_rater(
    state: State<'_, AppState>,
    name: String,
    site: Option<String>,
) -> CommandResult<Rater> {
    state.with_study(|study| study.add_rater(&name, RaterKind::Human, site.as_deref()))
}

/// Changes a rater's site (empty clears it).
#[tauri::command]
pub async fn set_rater_site(
    state: State<'_, AppState>,
    rater_id: String,
    site: String,
) -> CommandResult<()> {
    state.with_study(|study| study.set_rater_site(&rater_id, &site))
}

/// Assigns responses to `rater_ids` as a balanced design with `overlap` raters per response
/// (topping up, never beyond it), balanced within `strata` (`site`: each response's raters
/// from different sites where loads allow); returns the design: kind, loads and overlap matrix.
#[tauri::command]
pub async fn assign_with_overlap(
    state: State<'_, AppState>,
    rater_ids: Vec<String>,
    overlap: usize,
    strata: Strata,
) -> CommandResult<DesignSummary> {
    let request = AssignRequest {
        raters: rater_ids,
        overlap: Some(overlap),
        strata,
        ..AssignRequest::default()
    };
    let design = state.with_study(|study| study.assign_design(&request))?;
    state.dashboard.poke();
    Ok(design)
}

/// What the admin screen's design card shows: the current overlap matrix and progress per rater.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DesignProgress {
    pub design: DesignSummary,
    pub progress: ProgressReport,
}

/// The current assignment design and every human rater's progress.
#[tauri::command]
pub async fn design_progress(state: State<'_, AppState>) -> CommandResult<DesignProgress> {
    state.with_study(|study| {
        Ok::<_, concord_core::Error>(DesignProgress {
            design: study.current_design()?,
            progress: study.progress_report()?,
        })
    })
}

/// Chooses the next `count` responses to rate (active sampling over every judge, `concord
/// next`) and puts the unrated picks at the front of the human `rater`'s queue, recording each
/// candidate's π for `concord estimate` (`estimates::push_next`). Without a `seed` the clock
/// seeds the draw; a lead repeating a round (or a test) gives one.
#[tauri::command]
pub async fn push_next(
    state: State<'_, AppState>,
    rater: String,
    count: usize,
    seed: Option<u64>,
) -> CommandResult<Assigned> {
    let seed = seed.unwrap_or_else(|| concord_core::now_ms().unsigned_abs());
    state.with_study(|study| push_next_round(study, &rater, None, count, seed).map(|(_, a)| a))
}

/// Writes a package for one rater to `path` (which must not exist). An encrypted study's
/// package is encrypted with the `passphrase` the lead typed (core's rules, as for the CLI's
/// `CONCORD_PACKAGE_PASSPHRASE`: not empty, not the study's own), or without one with a
/// generated passphrase, returned once for the lead to hand over.
#[tauri::command]
pub async fn export_package(
    state: State<'_, AppState>,
    rater_id: String,
    path: String,
    passphrase: Option<String>,
) -> CommandResult<ExportedPackage> {
    let passphrase = passphrase.map(Passphrase::new).transpose()?;
    state.with_study(|study| {
        study.export_package_with(&rater_id, Path::new(&path), passphrase.as_ref())
    })
}

/// Validates and merges a returned package into the open study; returns the receipt.
#[tauri::command]
pub async fn merge_package(
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<MergeSummary> {
    let summary =
        state.with_study(|study| study.merge(Path::new(&path), &MergeOptions::default()))?;
    state.dashboard.poke();
    Ok(summary)
}

/// Seals the open package for return to the lead: a self-contained copy at `path`.
#[tauri::command]
pub async fn return_package(
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<ReturnedPackage> {
    state.with_any_study(|study| study.return_package(Path::new(&path)))
}

/// The open package's manifest (`None` for a study that is not a package).
#[tauri::command]
pub async fn package_manifest(state: State<'_, AppState>) -> CommandResult<Option<Manifest>> {
    state.with_any_study(|study| study.manifest())
}

/// Conflicts the lead has not resolved yet.
#[tauri::command]
pub async fn conflicts(state: State<'_, AppState>) -> CommandResult<Vec<MergeConflict>> {
    state.with_study(|study| study.conflicts())
}

/// Settles a conflict by keeping the study's earlier value, the merged value or the current one.
#[tauri::command]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    id: i64,
    keep: Resolution,
    by: String,
) -> CommandResult<MergeConflict> {
    let resolved = state.with_study(|study| study.resolve_conflict(id, keep, &by))?;
    state.dashboard.poke();
    Ok(resolved)
}

/// Every merge receipt, oldest first.
#[tauri::command]
pub async fn merge_history(state: State<'_, AppState>) -> CommandResult<Vec<MergeSummary>> {
    state.with_study(|study| study.merge_history())
}

/// Every gold value set on a response (external id), oldest first.
#[tauri::command]
pub async fn gold_history(
    state: State<'_, AppState>,
    external_id: String,
) -> CommandResult<Vec<GoldEvent>> {
    state.with_study(|study| study.gold_history(Some(&external_id)))
}

/// Changes blinding, flags and the overlap target; returns the study as the app shows it.
#[tauri::command]
pub async fn set_settings(
    state: State<'_, AppState>,
    change: SettingsChange,
) -> CommandResult<StudySummary> {
    state.with_study(|study| {
        let settings = StudySettings {
            blind: change.blind,
            flags: change.flags,
            overlap_target: change.overlap_target,
            ..study.settings()?
        };
        study.set_settings(&settings)?;
        summary(study, true)
    })
}

// ---- study lead: inbox ---------------------------------------------------------------------

/// The inbox card of the admin screen: the folder watched and what it has settled.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct InboxView {
    /// Empty when no inbox is set.
    pub folder: String,
    /// Newest first.
    pub receipts: Vec<InboxReceipt>,
}

fn inbox_view_of(study: &Study) -> concord_core::Result<InboxView> {
    let folder = study.settings()?.inbox;
    let receipts = if folder.is_empty() {
        Vec::new()
    } else {
        inbox::receipts(Path::new(&folder))?
    };
    Ok(InboxView { folder, receipts })
}

/// The inbox folder and its receipts (merged and rejected files).
#[tauri::command]
pub async fn inbox_view(state: State<'_, AppState>) -> CommandResult<InboxView> {
    state.with_study(inbox_view_of)
}

/// Sets the inbox folder the app watches (empty: stop watching); it must exist.
#[tauri::command]
pub async fn set_inbox(state: State<'_, AppState>, folder: String) -> CommandResult<InboxView> {
    state.with_study(|study| {
        study.set_inbox(&folder)?;
        inbox_view_of(study)
    })
}
