//! The `concord` binary on real files: the contract other parts rely on, bad input, and faults
//! (SIGKILL during an import or during rating).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;

#[path = "../common/mod.rs"]
mod common;
mod contract;
mod faults;
mod imports;
#[path = "../sessions/mod.rs"]
mod sessions;

use common::{concord, ok, s};
use sessions::{demo_study, demo_with_packages, rate_lines, rate_until_killed, sigkill};

/// Runs a command expected to fail with exit 1; returns its one-line message.
fn fails(args: &[&str]) -> String {
    let out = concord(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "concord {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "error is not one line: {err}"
    );
    err.trim().to_string()
}

/// Everything that must not change when an operation fails.
fn snapshot(study: &Path) -> (serde_json::Value, Vec<(String, Option<i64>)>) {
    let info: serde_json::Value = serde_json::from_str(&ok(&["info", s(study), "--json"])).unwrap();
    let conn = Connection::open(study).unwrap();
    let mut stmt = conn
        .prepare("SELECT hex(gid), value FROM rating_event ORDER BY id")
        .unwrap();
    let events = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (info, events)
}

fn study_with_responses(dir: &Path) -> PathBuf {
    let study = dir.join("s.concord");
    ok(&["new", s(&study)]);
    let data = dir.join("responses.csv");
    std::fs::write(
        &data,
        "item_id,prompt,response_id,model,response\n\
         i1,I feel low,r1,model-a,Try a walk.\n\
         i1,I feel low,r2,model-b,\"Talk to someone.\nYou matter.\"\n\
         i2,I can't sleep,r3,model-a,Keep a routine.\n",
    )
    .unwrap();
    ok(&["import", s(&study), s(&data)]);
    study
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}
