//! The rating screen: progress, the queue, one response rendered, saving values and notes.

use std::collections::BTreeMap;

use concord_core::{Progress, QueueFilter, QueuePage, UndoneChange};
use serde::Serialize;
use tauri::State;

use super::CommandResult;
use crate::render::{context_to_safe_html, markdown_to_safe_html};
use crate::state::AppState;

/// One response on the rating screen, with prompt and response already rendered and sanitized.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RatingScreen {
    pub position: usize,
    pub total: usize,
    pub response_id: String,
    pub item_external_id: String,
    pub prompt_html: String,
    pub context_html: Option<String>,
    pub response_html: String,
    pub response_chars: usize,
    pub model: Option<String>,
    pub values: BTreeMap<String, i64>,
    pub rationale: String,
    pub flags: Vec<String>,
}

/// A value the store has durably recorded, and the rater's progress after it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SavedRating {
    pub response_id: String,
    pub attribute_key: String,
    pub value: Option<i64>,
    pub progress: Progress,
}

/// What an undo restored (None: nothing to undo), and the rater's progress after it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Undone {
    pub change: Option<UndoneChange>,
    pub progress: Progress,
}

/// The chosen rater's progress.
#[tauri::command]
pub async fn progress(state: State<'_, AppState>) -> CommandResult<Progress> {
    state.with_rater(|study, rater| study.progress(&rater.id))
}

/// One page of the rater's queue.
#[tauri::command]
pub async fn queue(
    state: State<'_, AppState>,
    filter: QueueFilter,
    offset: usize,
    limit: usize,
) -> CommandResult<QueuePage> {
    let limit = limit.min(1000);
    state.with_rater(|study, rater| study.queue(&rater.id, filter, offset, limit))
}

/// Position of the first response the rater has not finished.
#[tauri::command]
pub async fn first_unfinished(state: State<'_, AppState>) -> CommandResult<Option<usize>> {
    state.with_rater(|study, rater| study.first_unfinished(&rater.id))
}

/// The response at `position` in the rater's order, rendered for the rating screen.
#[tauri::command]
pub async fn rating_view(
    state: State<'_, AppState>,
    position: usize,
) -> CommandResult<RatingScreen> {
    let view = state.with_rater(|study, rater| study.rating_view(&rater.id, position))?;
    Ok(RatingScreen {
        position: view.position,
        total: view.total,
        response_id: view.response_id,
        item_external_id: view.item_external_id,
        prompt_html: markdown_to_safe_html(&view.prompt),
        context_html: context_to_safe_html(&view.context),
        response_html: markdown_to_safe_html(&view.response),
        response_chars: view.response.chars().count(),
        model: view.model,
        values: view.values,
        rationale: view.rationale,
        flags: view.flags,
    })
}

/// Records one value (or clears it with `null`); durable when this returns. The progress is
/// read after the write, under the same lock, so it counts this value.
#[tauri::command]
pub async fn set_rating(
    state: State<'_, AppState>,
    response_id: String,
    attribute_key: String,
    value: Option<i64>,
) -> CommandResult<SavedRating> {
    let (event, progress) = state.with_rater(|study, rater| {
        let event = study.set_rating(&rater.id, &response_id, &attribute_key, value)?;
        Ok::<_, concord_core::Error>((event, study.progress(&rater.id)?))
    })?;
    state.dashboard.poke();
    Ok(SavedRating {
        response_id: event.response_id,
        attribute_key: event.attribute_key,
        value: event.value,
        progress,
    })
}

/// Reverts the rater's most recent value change.
#[tauri::command]
pub async fn undo(state: State<'_, AppState>) -> CommandResult<Undone> {
    let undone = state.with_rater(|study, rater| {
        let change = study.undo(&rater.id)?;
        Ok::<_, concord_core::Error>(Undone {
            change,
            progress: study.progress(&rater.id)?,
        })
    })?;
    state.dashboard.poke();
    Ok(undone)
}

/// Saves the rationale and flags of one response; returns the progress (its flagged count).
#[tauri::command]
pub async fn set_note(
    state: State<'_, AppState>,
    response_id: String,
    rationale: String,
    flags: Vec<String>,
) -> CommandResult<Progress> {
    state.with_rater(|study, rater| {
        study.set_note(&rater.id, &response_id, &rationale, &flags)?;
        study.progress(&rater.id)
    })
}
