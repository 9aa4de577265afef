//! Timing helpers the CLI's benches share: medians of runs after one warm-up (of this build
//! and a baseline in turn), and a process run to time or to compare with a baseline binary's.

use std::hint::black_box;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs per figure (after one warm-up run).
pub const RUNS: usize = 11;

/// The median wall time of `runs` calls of `f`, after one warm-up call.
pub fn median<T>(runs: usize, f: impl FnMut() -> T) -> Duration {
    paired(runs, f, None::<fn()>).0
}

/// The medians of `runs` calls of `this` and of `baseline` (if any) taken in turn, each after one
/// warm-up call: a change in the machine's load moves both alike.
pub fn paired<T, U>(
    runs: usize,
    mut this: impl FnMut() -> T,
    mut baseline: Option<impl FnMut() -> U>,
) -> (Duration, Option<Duration>) {
    fn timed<T>(f: &mut impl FnMut() -> T) -> Duration {
        let t = Instant::now();
        black_box(f());
        t.elapsed()
    }
    black_box(this());
    if let Some(b) = baseline.as_mut() {
        black_box(b());
    }
    let (mut mine, mut old) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for _ in 0..runs {
        mine.push(timed(&mut this));
        if let Some(b) = baseline.as_mut() {
            old.push(timed(b));
        }
    }
    let middle = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let old = (!old.is_empty()).then(|| middle(old));
    (middle(mine), old)
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

/// The demo study `opts` describes, written by this build at `dir/NAME.concord` and, when there
/// is a baseline binary, by the baseline at `dir/NAME-baseline.concord` (a baseline refuses a
/// file of a newer schema, so each times its own copy): the two paths, closed and complete.
pub fn demo_studies(
    dir: &std::path::Path,
    name: &str,
    opts: &concord_core::demo::DemoOptions,
    baseline: Option<&str>,
) -> (String, String) {
    let this = dir.join(format!("{name}.concord"));
    concord_core::demo::create_demo(&this, opts)
        .expect("demo study")
        .close()
        .expect("close");
    let old = dir.join(format!("{name}-baseline.concord"));
    let old = old.to_str().expect("utf-8 path").to_string();
    if let Some(baseline) = baseline {
        demo_by(baseline, opts, &old);
    }
    (this.to_str().expect("utf-8 path").to_string(), old)
}

/// Has `binary` write its own copy of the demo study `opts` describes at `out` (`concord demo`,
/// every option the command takes).
fn demo_by(binary: &str, opts: &concord_core::demo::DemoOptions, out: &str) {
    let values = [
        opts.seed.to_string(),
        opts.items.to_string(),
        opts.models.to_string(),
        opts.raters.to_string(),
        opts.judges.to_string(),
        opts.coverage.to_string(),
        opts.noise.to_string(),
        opts.inflation.to_string(),
    ];
    let flags = [
        "--seed",
        "--items",
        "--models",
        "--raters",
        "--judges",
        "--coverage",
        "--noise",
        "--inflation",
    ];
    let mut args = vec!["demo"];
    for (flag, value) in flags.iter().zip(&values) {
        args.extend([*flag, value.as_str()]);
    }
    args.push(out);
    run(binary, &args);
}
