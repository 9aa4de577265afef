//! The inbox: `watch` (`cmd/watch.rs`).

use std::path::PathBuf;

use clap::Args;

#[derive(Args)]
pub struct WatchArgs {
    pub file: PathBuf,
    /// The inbox folder raters (or a sync client) drop returned packages into.
    #[arg(long, value_name = "DIR")]
    pub inbox: PathBuf,
    /// Scan once and exit (a file is merged at the second scan that sees it unchanged).
    #[arg(long)]
    pub once: bool,
    /// Seconds between scans.
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    pub interval: f64,
    /// One JSON object per file a scan reports (JSON Lines).
    #[arg(long)]
    pub json: bool,
}
