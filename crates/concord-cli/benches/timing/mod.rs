//! Timing helpers the CLI's benches share: a median of `RUNS` runs after one warm-up.

use std::hint::black_box;
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
