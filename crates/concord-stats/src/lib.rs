//! Agreement and reliability statistics for Concord.
//!
//! Takes rating matrices (targets × raters, missing cells allowed) and returns estimates with
//! confidence intervals. It never touches SQLite, files or the clock: every function is pure,
//! and every bootstrap takes an explicit seed that is echoed in its result. The report spreads
//! its sheets over threads, with the same result for any number of them (`report/workers.rs`).
//!
//! Every estimate is an [`Estimate`]: either a finite value (with its CI and extras) or
//! `value: None` with a `reason`. Degenerate inputs never panic and never yield NaN.
//!
//! Other crates call [`report::agreement_report`] and read its types; `ppi`, `plan` and
//! `active` (model scores, sample sizes, what to rate next) and `icc::icc_forms` (the ICC2 those
//! plans start from) are public for the study-side grouping in concord-report. The estimators
//! behind the report are private to the crate.
#![forbid(unsafe_code)]
// A type reachable from the API is nameable from it (re-exported by `report`).
#![warn(unnameable_types)]

pub mod active;
pub(crate) mod alpha;
pub(crate) mod alt_test;
pub(crate) mod bootstrap;
pub(crate) mod correlation;
pub(crate) mod dist;
pub(crate) mod estimate;
pub(crate) mod gwet;
pub mod icc;
pub(crate) mod jackknife;
pub(crate) mod judge;
pub(crate) mod judge_bias;
pub(crate) mod kappa;
pub(crate) mod matrix;
pub mod plan;
pub mod ppi;
pub(crate) mod reliability;
pub(crate) mod reml;
pub(crate) mod replacement;
pub mod report;
pub(crate) mod verdict;

pub use estimate::Estimate;
pub use matrix::{MatrixError, RatingMatrix};
pub use report::agreement_report;

/// The estimators behind the report, for the crate's own reference tests and benches, which
/// check one estimator against a published value or time it. Not an API: other crates read
/// [`report`].
#[doc(hidden)]
pub mod testing {
    /// Krippendorff's alpha.
    pub mod alpha {
        pub use crate::alpha::{alpha_levels, krippendorff_alpha_all, AlphaSet, Level};
    }
    /// The Alternative Annotator Test.
    pub mod alt_test {
        pub use crate::alt_test::{alt_test, AltTestOptions};
    }
    /// The unbalanced (Henderson) ICC, the missing-data estimator REML replaced as headline.
    pub mod icc {
        pub use crate::icc::henderson::icc_unbalanced;
    }
    /// Bootstrap resampling and percentile intervals.
    pub mod bootstrap {
        pub use crate::bootstrap::{percentile_ci, BootstrapSpec};
    }
    /// Correlation coefficients.
    pub mod correlation {
        pub use crate::correlation::{kendall_tau_b, lins_ccc, pearson, spearman};
    }
    /// Gwet's AC1/AC2.
    pub mod gwet {
        pub use crate::gwet::gwet;
    }
    /// Judge-vs-human paired statistics.
    pub mod judge {
        pub use crate::judge::{
            bland_altman, mean_bias, pair_icc, paired_agreement, paired_agreement_bootstrap,
        };
    }
    /// Cohen's and Fleiss' kappas.
    pub mod kappa {
        pub use crate::kappa::{cohen_kappa, fleiss_kappa, fleiss_kappa_all, PairAgreement};
    }
    /// REML ICCs.
    pub mod reml {
        pub use crate::reml::{icc_reml, Components, RemlData};
    }
    /// The judge-replaces-a-human test.
    pub mod replacement {
        pub use crate::replacement::{replacement, Agreement};
    }
}
