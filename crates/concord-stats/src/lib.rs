//! Agreement and reliability statistics for Concord.
//!
//! Takes rating matrices (targets × raters, missing cells allowed) and returns estimates with
//! confidence intervals. It never touches SQLite, files, the clock or threads: every function is
//! pure, and every bootstrap takes an explicit seed that is echoed in its result.
//!
//! Every estimate is an [`Estimate`]: either a finite value (with its CI and extras) or
//! `value: None` with a `reason`. Degenerate inputs never panic and never yield NaN.
#![forbid(unsafe_code)]

pub mod active;
pub mod alpha;
pub mod alt_test;
pub mod bootstrap;
pub mod correlation;
pub mod dist;
pub mod estimate;
pub mod gwet;
pub mod icc;
pub mod judge;
pub mod judge_bias;
pub mod kappa;
pub mod matrix;
pub mod plan;
pub mod ppi;
pub mod reliability;
pub mod reml;
pub mod replacement;
pub mod report;
pub mod verdict;

pub use estimate::Estimate;
pub use matrix::{MatrixError, RatingMatrix};
pub use report::{agreement_report, format_table, to_csv};
