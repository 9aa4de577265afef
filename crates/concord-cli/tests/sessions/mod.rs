//! Studies and rating sessions as the package and fault tests start them: a demo master (with
//! raters Ana and Ben assigned), and `concord rate` as a real process, fed from a thread and
//! killed with SIGKILL.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::common::{ok, s};

/// `concord demo` at `path` with two models, `items` prompts, `raters` human raters and `judges`
/// LLM judges, then the `extra` arguments.
pub fn demo_study(path: &Path, items: &str, raters: &str, judges: &str, extra: &[&str]) {
    let mut args = vec![
        "demo",
        s(path),
        "--items",
        items,
        "--models",
        "2",
        "--raters",
        raters,
        "--judges",
        judges,
    ];
    args.extend_from_slice(extra);
    ok(&args);
}

/// A demo master in `dir` with `items` prompts, no raters but Ana and Ben, who are assigned
/// every response (overlap 2); returns its path and what `concord assign` printed.
pub fn demo_with_packages(dir: &Path, items: &str) -> (PathBuf, String) {
    let master = dir.join("master.concord");
    demo_study(&master, items, "0", "0", &[]);
    ok(&["raters", s(&master), "--add", "Ana"]);
    ok(&["raters", s(&master), "--add", "Ben"]);
    let assigned = ok(&[
        "assign",
        s(&master),
        "--raters",
        "Ana,Ben",
        "--overlap",
        "2",
    ]);
    (master, assigned)
}

/// Starts `concord rate STUDY --rater RATER` with stdin and stdout piped.
pub fn spawn_rate(study: &Path, rater: &str, stderr: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["rate", s(study), "--rater", rater])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

/// Rates `input` (lines of `RESPONSE ATTRIBUTE VALUE`) in one session that must succeed.
pub fn rate_lines(study: &Path, rater: &str, input: &[u8]) {
    let mut child = spawn_rate(study, rater, Stdio::piped());
    // Dropping stdin at the end of the statement ends the session.
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "concord rate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Kills `child` with SIGKILL: no handler runs, as when power fails.
pub fn sigkill(child: &Child) {
    let status = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Feeds `lines` to a `concord rate` session from another thread and SIGKILLs the process once
/// it has acknowledged `acks` ratings; returns the acknowledged event ids as printed.
pub fn rate_until_killed(
    study: &Path,
    rater: &str,
    lines: impl Iterator<Item = String> + Send + 'static,
    acks: usize,
) -> Vec<String> {
    let mut child = spawn_rate(study, rater, Stdio::inherit());
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for line in lines {
            // The pipe breaks once the process is killed.
            if stdin.write_all(line.as_bytes()).is_err() {
                break;
            }
        }
    });
    let mut acked = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        acked.push(line.split_whitespace().nth(1).unwrap().to_string());
        if acked.len() == acks {
            sigkill(&child);
            break;
        }
    }
    child.wait().unwrap();
    let _ = writer.join();
    acked
}
