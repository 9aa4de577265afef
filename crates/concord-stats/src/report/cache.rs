//! The analyses of the last report's sheets, reused by the next report where a sheet's inputs are
//! unchanged.
//!
//! The live dashboard recomputes the report after every saved rating, and one rating changes one
//! attribute's sheet and its group's composite. A sheet's analysis (its humans and each judge) is
//! a pure function of the sheet, the options, the raters and the targets (their models and
//! items), so when all of these are equal to the last report's, its analysis is the last one,
//! exactly: equality is checked on the inputs themselves, not on a hash of them.

use super::input::{RaterSpec, ReportOptions, StudyRatings, TargetSpec};
use super::output::AttributeReport;
use super::sheets::Sheet;

/// What the last report was computed from, and each sheet's analysis; empty at first.
#[derive(Default)]
pub struct ReportCache {
    inputs: Option<(ReportOptions, Vec<RaterSpec>, Vec<TargetSpec>)>,
    sheets: Vec<(Sheet, AttributeReport)>,
}

impl ReportCache {
    /// Forget every analysis unless the study-wide inputs are the last report's.
    pub(super) fn keep_if_same(&mut self, data: &StudyRatings, opts: &ReportOptions) {
        let same = self
            .inputs
            .as_ref()
            .is_some_and(|(o, r, t)| o == opts && *r == data.raters && *t == data.targets);
        if !same {
            self.inputs = Some((opts.clone(), data.raters.clone(), data.targets.clone()));
            self.sheets.clear();
        }
    }

    /// The last analysis of a sheet equal to `sheet`, if any.
    pub(super) fn find(&self, sheet: &Sheet) -> Option<&AttributeReport> {
        self.sheets.iter().find(|(s, _)| s == sheet).map(|(_, r)| r)
    }

    /// Remember this report's sheets and their analyses (in place of the last report's).
    pub(super) fn remember(&mut self, sheets: Vec<(Sheet, AttributeReport)>) {
        self.sheets = sheets;
    }
}

#[cfg(test)]
impl ReportCache {
    /// Suffix every remembered analysis's name with " (reused)" (see `report/mod.rs`'s tests).
    pub(super) fn mark_for_test(&mut self) {
        for (_, report) in &mut self.sheets {
            report.attribute.push_str(" (reused)");
        }
    }
}
