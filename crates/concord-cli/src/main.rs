//! `concord`: the study lead's operations, headless. Parses arguments, calls `concord-core` /
//! `concord-io`, prints results. Exit codes: 0 ok, 1 error, 2 usage.

mod analysis;
mod commands;
mod estimate;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = commands::Cli::parse(); // exits with 2 on usage errors
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let usage = e
                .downcast_ref::<concord_io::IoError>()
                .is_some_and(|e| matches!(e, concord_io::IoError::Usage(_)));
            eprintln!("error: {e:#}");
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}
