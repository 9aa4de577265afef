//! A progress bar for long imports and exports: shown only on a terminal and only for
//! tables large enough to be worth it.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// Rows below which no bar is drawn.
const MIN_ROWS: u64 = 5_000;

/// A bar that may be hidden; calls are cheap either way.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar over `len` rows with a message.
    pub fn new(len: u64, message: &'static str) -> Progress {
        if len < MIN_ROWS || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new(len).with_message(message);
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar.set_style(
            ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} rows ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Progress(Some(bar))
    }

    /// Advances one row.
    pub fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
