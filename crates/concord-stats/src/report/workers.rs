//! The report's sheets spread over threads: each sheet's analysis is a pure function of the
//! study and the options, so the results, collected in sheet order, are the same whatever the
//! number of threads (tested below and in `report/mod.rs`).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads for the report: the machine's parallelism.
pub(super) fn available() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// `jobs.iter().map(f)` in order, computed by up to `workers` threads taking the next job as
/// they finish one (so a few heavy jobs do not leave a thread idle), the calling thread one of
/// them (its allocator's memory, warm from the load, is reused rather than fresh pages
/// faulted). Every metric asks for t and F quantiles, mostly the same few: each thread
/// remembers them for its jobs (`dist::QuantileMemo`, which only ever returns the values it
/// would compute).
pub(super) fn map_in_order<T: Sync, R: Send>(
    jobs: &[T],
    workers: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let work = || {
        let _memo = crate::dist::QuantileMemo::start();
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(i) else {
                return done;
            };
            done.push((i, f(job)));
        }
    };
    // One worker spawns no thread: the calling thread does every job.
    let mut results: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..workers.min(jobs.len()))
            .map(|_| s.spawn(work))
            .collect();
        let mut all = work();
        for h in handles {
            all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        all
    });
    results.sort_unstable_by_key(|r| r.0);
    results.into_iter().map(|r| r.1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_job_order_whatever_the_number_of_threads() {
        let jobs: Vec<u64> = (0..37).collect();
        let square = |x: &u64| x * x;
        let sequential: Vec<u64> = jobs.iter().map(square).collect();
        for workers in 1..=4 {
            assert_eq!(map_in_order(&jobs, workers, square), sequential);
        }
    }
}
