//! The agreement report: the one entry point other crates call.
//!
//! `agreement_report` takes neutral study data ([`StudyRatings`], `input.rs`) and options and
//! returns an [`AgreementReport`] (`output.rs`) whose JSON form is documented field by field in
//! `SCHEMA.md`. `sheets.rs` builds the matrices it analyses, `humans.rs` the humans'
//! inter-rater statistics and `judges.rs` each judge against the humans.

mod humans;
mod input;
mod judges;
mod output;
mod sheets;

pub use input::{
    AttributeSpec, Cluster, Observation, RaterSpec, ReportOptions, StudyRatings, TargetSpec, Unit,
};
pub use output::{
    AgreementReport, AttributeReport, HumanReport, JudgeReport, ModelCount, PairReport,
    RaterDiagnostic,
};
// The estimates' types, named from here by the crates that read a report.
pub use crate::alpha::AlphaSet;
pub use crate::alt_test::{AltTest, AltTestHuman, AltTestOptions, AltTestUntested};
pub use crate::bootstrap::DEFAULT_BOOTSTRAP_SEED;
pub use crate::gwet::GwetSet;
pub use crate::icc::{IccForms, UnbalancedIcc};
pub use crate::judge::{BlandAltman, PairIcc, PairedAgreement, ReliabilityClass};
pub use crate::judge_bias::{ClinicianReference, JudgeBias};
pub use crate::kappa::KappaSet;
pub use crate::reml::{RemlComponents, RemlIcc};
pub use crate::replacement::{Agreement, HumanReplaced, Replacement};
pub use crate::verdict::{Verdict, VerdictReason};

use crate::bootstrap::BootstrapSpec;
use humans::{human_report, HumanRows};
use judges::judge_report;
use sheets::{attribute_sheets, group_sheets, item_clusters, select_names, Models, Sheet};

/// Build the full agreement report: humans' inter-rater agreement and each judge vs the humans,
/// per attribute and per composite group (see `SCHEMA.md`; methods cited on each function).
pub fn agreement_report(data: &StudyRatings, opts: &ReportOptions) -> AgreementReport {
    // Every metric below asks for t and F quantiles, mostly the same few: remember them for
    // the length of this report (identical values, see `dist::QuantileMemo`).
    let _memo = crate::dist::QuantileMemo::start();
    let mut warnings = Vec::new();
    let boot = BootstrapSpec {
        resamples: opts.bootstrap,
        seed: opts.bootstrap_seed,
    };
    let people: Vec<(usize, &str)> = data
        .raters
        .iter()
        .enumerate()
        .filter(|r| !r.1.is_judge)
        .map(|(i, r)| (i, r.name.as_str()))
        .collect();
    let bots: Vec<(usize, &str)> = data
        .raters
        .iter()
        .enumerate()
        .filter(|r| r.1.is_judge)
        .map(|(i, r)| (i, r.name.as_str()))
        .collect();
    let humans = select_names(&people, &opts.humans, "human rater", &mut warnings);
    let judges = select_names(&bots, &opts.judges, "judge", &mut warnings);
    let human_names: Vec<String> = humans
        .iter()
        .map(|&i| data.raters[i].name.clone())
        .collect();
    let all_attrs: Vec<(usize, &str)> = data
        .attributes
        .iter()
        .enumerate()
        .map(|(i, a)| (i, a.key.as_str()))
        .collect();
    let attrs = select_names(&all_attrs, &opts.attributes, "attribute", &mut warnings);

    let (sheets, sheet_index) = attribute_sheets(data, &attrs, &mut warnings);
    let group_sheets = group_sheets(data, &attrs, &sheets, &sheet_index);
    let items = item_clusters(data, opts.cluster, &mut warnings);
    let needs_models = opts.unit == Unit::Model || !opts.exclude_own.is_empty();
    let models = needs_models.then(|| Models::new(data));
    let analyse = |s: &Sheet| {
        let hr = HumanRows::new(s, &humans);
        let human = human_report(
            s,
            &hr,
            &human_names,
            boot,
            items.as_deref(),
            opts.min_complete_responses,
        );
        AttributeReport {
            attribute: s.key.clone(),
            group: s.group.clone(),
            judges: judges
                .iter()
                .map(|&j| judge_report(data, s, j, &hr, &human, models.as_ref(), opts))
                .collect(),
            humans: human,
        }
    };
    AgreementReport {
        attributes: sheets.iter().map(analyse).collect(),
        groups: group_sheets.iter().map(analyse).collect(),
        options: opts.clone(),
        warnings,
    }
}
