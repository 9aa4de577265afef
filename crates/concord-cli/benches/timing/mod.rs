//! Timing helpers the CLI's benches share: a median of `RUNS` runs after one warm-up, and a
//! process run to time or to compare with a baseline binary's.

use std::hint::black_box;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs per figure (after one warm-up run).
pub const RUNS: usize = 11;

/// The median wall time of `RUNS` calls of `f`, after one warm-up call.
pub fn median<T>(mut f: impl FnMut() -> T) -> Duration {
    black_box(f());
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

/// Milliseconds, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Runs `binary args…` with its output discarded; panics unless it succeeds.
pub fn run(binary: &str, args: &[&str]) {
    let status = Command::new(binary)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("run concord");
    assert!(status.success(), "{binary} {args:?}");
}

/// What `binary args…` prints on standard output, given `input` on its standard input; panics
/// unless it succeeds.
pub fn output(binary: &str, args: &[&str], input: &str) -> Vec<u8> {
    let mut child = Command::new(binary)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run concord");
    // Written whole before reading: every input here is far below a pipe's buffer.
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait for concord");
    assert!(out.status.success(), "{binary} {args:?}");
    out.stdout
}
