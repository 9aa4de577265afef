//! The package round trip through real processes: a rater killed mid-session loses nothing
//! that was acknowledged, forged packages are refused with exit 1 and the master unchanged, and a
//! rater saving while the lead imports waits instead of failing.

mod common;
mod sessions;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{concord, ok, s};
use rusqlite::Connection;
use sessions::{demo_with_packages, rate_lines, rate_until_killed, spawn_rate};

/// Every rating event of a file as (global id, value), in arrival order.
fn events(path: &Path) -> Vec<(String, Option<i64>)> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT lower(hex(gid)), value FROM rating_event ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn refused(master: &Path, file: &Path, expect: &str) {
    let before = events(master);
    let out = concord(&["merge", s(master), s(file)]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(expect), "expected '{expect}' in: {err}");
    assert!(err.contains(s(file)), "names the package: {err}");
    assert_eq!(events(master), before, "the master's events are unchanged");
}

#[test]
fn a_package_rated_by_a_killed_process_returns_every_acknowledged_rating() {
    let dir = tempfile::tempdir().unwrap();
    let (master, _) = demo_with_packages(dir.path(), "60");
    let pkg = dir.path().join("ana.concord");
    ok(&["package", s(&master), "--rater", "Ana", "-o", s(&pkg)]);
    // A blind package names its 120 responses by package-local ids.
    let lines = (0..20_000usize).map(|i| {
        format!(
            "response-{} {} {}\n",
            i % 120 + 1,
            ["safety", "empathy", "guidance", "relevance"][i % 4],
            i % 5 + 1
        )
    });
    let acked: Vec<String> = rate_until_killed(&pkg, "Ana", lines, 300)
        .into_iter()
        .map(|id| id.replace('-', ""))
        .collect();
    let back = dir.path().join("ana-returned.concord");
    ok(&["return", s(&pkg), "-o", s(&back)]);
    // Only the returned file is sent: copy it alone, as an email attachment would.
    let mailed = dir.path().join("inbox-ana.concord");
    std::fs::copy(&back, &mailed).unwrap();
    assert!(!dir.path().join("ana-returned.concord-wal").exists());
    ok(&["merge", s(&master), s(&mailed)]);
    let merged: std::collections::HashSet<String> =
        events(&master).into_iter().map(|(id, _)| id).collect();
    let lost: Vec<&String> = acked.iter().filter(|id| !merged.contains(*id)).collect();
    assert!(
        lost.is_empty(),
        "{} of 300 acknowledged ratings lost",
        lost.len()
    );
    assert!(ok(&["check", s(&master)]).ends_with("ok\n"));
}

/// Runs sqlite3-like SQL on a file (as a forger would with the sqlite3 shell).
fn edit(path: &Path, sql: &str) {
    Connection::open(path).unwrap().execute_batch(sql).unwrap();
}

#[test]
fn forged_packages_are_refused_with_exit_1_and_the_master_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (master, _) = demo_with_packages(dir.path(), "6");
    let ben: String = Connection::open(&master)
        .unwrap()
        .query_row("SELECT hex(gid) FROM rater WHERE name = 'Ben'", [], |r| {
            r.get(0)
        })
        .unwrap();
    // A returned package, edited afterwards in five ways.
    let returned = |name: &str| -> PathBuf {
        let pkg = dir.path().join(format!("{name}.concord"));
        ok(&["package", s(&master), "--rater", "Ana", "-o", s(&pkg)]);
        rate_lines(&pkg, "Ana", b"response-1 safety 4\n");
        let back = dir.path().join(format!("{name}-back.concord"));
        ok(&["return", s(&pkg), "-o", s(&back)]);
        back
    };
    let insert = |rater: &str, value: &str, at: &str| {
        format!(
            "INSERT INTO rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id)
             SELECT randomblob(16), {rater}, (SELECT min(response_id) FROM assignment),
                    (SELECT min(id) FROM attribute), {value}, {at}, (SELECT min(id) FROM origin);"
        )
    };
    let other = returned("other-rater");
    edit(
        &other,
        &format!(
            "INSERT INTO rater (gid, name, kind) VALUES (unhex('{ben}'), 'Ben', 'human');{}",
            insert("(SELECT id FROM rater WHERE name = 'Ben')", "1", "1")
        ),
    );
    refused(&master, &other, "was altered after it was returned");
    let nine = returned("nine");
    edit(&nine, &insert("(SELECT rater_id FROM package)", "9", "1"));
    refused(&master, &nine, "outside");
    let future = returned("future");
    edit(
        &future,
        &insert("(SELECT rater_id FROM package)", "2", "4070908800000"),
    );
    refused(&master, &future, "altered after it was returned");
    let new_response = returned("new-response");
    edit(
        &new_response,
        "INSERT INTO response (gid, item_id, external_id, model, text, position)
         SELECT randomblob(16), min(id), 'resp-forged', 'model-a', 'text', 99 FROM item;",
    );
    refused(&master, &new_response, "resp-forged");
    // Another study with the same rubric.
    let elsewhere = dir.path().join("elsewhere.concord");
    ok(&["new", s(&elsewhere), "--name", "Pilot B"]);
    ok(&["raters", s(&elsewhere), "--add", "Ana"]);
    let foreign = dir.path().join("foreign.concord");
    ok(&[
        "package",
        s(&elsewhere),
        "--rater",
        "Ana",
        "-o",
        s(&foreign),
    ]);
    let foreign_back = dir.path().join("foreign-back.concord");
    ok(&["return", s(&foreign), "-o", s(&foreign_back)]);
    refused(&master, &foreign_back, "from study 'Pilot B'");
    // An edit after return is merged only when the lead says why, and the reason is kept.
    let altered = returned("altered");
    edit(
        &altered,
        &insert("(SELECT rater_id FROM package)", "2", "1"),
    );
    refused(&master, &altered, "was altered after it was returned");
    let out = ok(&[
        "merge",
        s(&master),
        s(&altered),
        "--accept-altered",
        "clock was wrong",
    ]);
    assert!(out.contains("accepted although altered after return: clock was wrong"));
}

#[test]
fn a_rater_saving_during_a_large_import_waits_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let (master, _) = demo_with_packages(dir.path(), "20");
    let mut csv = String::from("item_id,prompt,response_id,model,response\n");
    for i in 0..100_000 {
        csv.push_str(&format!(
            "big{},Prompt {},big-r{i},m{},A response long enough to fill some pages {i}\n",
            i / 3,
            i / 3,
            i % 3
        ));
    }
    let data = dir.path().join("big.csv");
    std::fs::write(&data, csv).unwrap();
    let import = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["import", s(&master), s(&data)])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut rate = spawn_rate(&master, "Ana", Stdio::piped());
    let mut stdin = rate.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for i in 0..70usize {
            let line = format!(
                "resp-{:05}-model-{} safety {}\n",
                i % 20 + 1,
                ["a", "b"][i / 20 % 2],
                i % 5 + 1
            );
            stdin.write_all(line.as_bytes()).unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let out = rate.wait_with_output().unwrap();
    writer.join().unwrap();
    let import = import.wait_with_output().unwrap();
    assert!(import.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "a save failed: {stderr}");
    assert!(!stderr.contains("locked"), "{stderr}");
    let acked = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(acked, 70, "every save succeeded");
    assert!(ok(&["check", s(&master)]).ends_with("ok\n"));
}

#[test]
fn watch_merges_a_returned_package_dropped_in_the_inbox_and_rejects_a_forged_one() {
    let dir = tempfile::tempdir().unwrap();
    let (master, _) = demo_with_packages(dir.path(), "4");
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let pkg = dir.path().join("ana.concord");
    ok(&["package", s(&master), "--rater", "Ana", "-o", s(&pkg)]);
    rate_lines(&pkg, "Ana", b"response-1 safety 4\nresponse-2 safety 2\n");
    let back = dir.path().join("ana-returned.concord");
    ok(&["return", s(&pkg), "-o", s(&back)]);
    std::fs::copy(&back, inbox.join("ana.concord")).unwrap();
    let forged = inbox.join("forged.concord");
    std::fs::copy(&back, &forged).unwrap();
    edit(
        &forged,
        "UPDATE package SET events = 99, events_sha256 = 'x'",
    );
    let before = events(&master);
    let watch = |json: bool| {
        let mut args = vec!["watch", s(&master), "--inbox", s(&inbox), "--once"];
        if json {
            args.push("--json");
        }
        ok(&args)
    };
    // First sight: both wait for the next scan.
    let first = watch(false);
    assert_eq!(first.matches("waiting").count(), 2, "{first}");
    assert_eq!(events(&master), before);
    let second: Vec<serde_json::Value> = watch(true)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(second.len(), 2);
    assert_eq!(second[0]["file"], "ana.concord");
    assert_eq!(second[0]["status"], "merged");
    assert_eq!(second[0]["receipt"]["events_added"], 2);
    assert_eq!(second[1]["status"], "rejected");
    assert_eq!(events(&master).len(), before.len() + 2);
    assert!(inbox.join("merged/ana.concord.receipt.json").is_file());
    let reason = std::fs::read_to_string(inbox.join("rejected/forged.concord.reason.txt")).unwrap();
    assert!(reason.contains("altered after it was returned"), "{reason}");
    assert_eq!(watch(false), "", "nothing left in the inbox");
}
