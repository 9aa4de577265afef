//! `concord watch`: the lead's inbox, scanned every few seconds (or once) by
//! `concord_core::inbox::scan_once`.

use std::time::Duration;

use anyhow::Result;
use concord_core::inbox::{scan_once, InboxStatus};
use concord_core::Study;

use super::usage;
use crate::cli::WatchArgs;
use crate::output::print_inbox_entry;

/// `concord watch FILE --inbox DIR [--once]`: runs until interrupted (Ctrl+C), or for one scan.
pub fn watch(a: WatchArgs) -> Result<()> {
    if !(a.interval.is_finite() && a.interval > 0.0) {
        return Err(usage(format!(
            "--interval must be a positive number of seconds, not {}",
            a.interval
        )));
    }
    let study = Study::open(&a.file)?;
    if !a.once && !a.json {
        println!(
            "watching {} for returned packages of {} (Ctrl+C stops)",
            a.inbox.display(),
            study.name()?
        );
    }
    loop {
        for entry in scan_once(&study, &a.inbox)? {
            // A waiting file is reported on every scan; the loop prints only what settled.
            if a.once || entry.status != InboxStatus::Waiting {
                print_inbox_entry(&entry, a.json);
            }
        }
        if a.once {
            return Ok(study.close()?);
        }
        std::thread::sleep(Duration::from_secs_f64(a.interval));
    }
}
