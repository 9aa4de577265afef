//! `concord`: the study lead's operations, headless. `cli` is the grammar, `cmd` the handlers
//! (parse what clap could not, call core / io / report), `output` what is printed.
//! Exit codes: 0 ok, 1 error, 2 usage.

mod cli;
mod cmd;
mod output;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc keeps freed memory for the next allocation (see the workspace's Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = cli::Cli::parse(); // exits with 2 on usage errors
    match cmd::run(cli) {
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

/// Output cut short by its reader (`concord agreement … | head`) ends the process silently, as
/// it does other command-line tools: Rust starts with SIGPIPE ignored, which turns the next
/// write into an error and every print into a panic.
#[cfg(unix)]
fn quiet_on_closed_pipe() {
    // SAFETY: restoring a signal's default disposition at the start of main, before any thread
    // is spawned, touches no Rust state.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn quiet_on_closed_pipe() {}
