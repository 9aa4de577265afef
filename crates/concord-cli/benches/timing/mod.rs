//! Timing helpers the CLI's benches share: a median of `RUNS` runs after one warm-up, and a
//! process run to time.

use std::hint::black_box;
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
