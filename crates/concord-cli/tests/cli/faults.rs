//! Faults: SIGKILL during an import or during rating loses nothing acknowledged.

use super::*;

#[test]
fn import_killed_part_way_leaves_the_study_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let study = study_with_responses(dir.path());
    let mut csv = String::from("item_id,prompt,response_id,model,response\n");
    for i in 0..300_000 {
        csv.push_str(&format!("big{},Prompt number {} with some words,big-r{i},m{},A response text that is long enough to fill pages {i}\n", i / 3, i / 3, i % 3));
    }
    let data = write(dir.path(), "big.csv", csv.as_bytes());
    let before = snapshot(&study);
    let wal = study.with_file_name("s.concord-wal");
    // Sanity: the same file imports cleanly into a copy, so the kill below is the only failure.
    let copy = dir.path().join("copy.concord");
    std::fs::copy(&study, &copy).unwrap();
    ok(&["import", s(&copy), s(&data)]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["import", s(&study), s(&data)])
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import is writing (its uncommitted pages spill into the WAL), then kill it.
    let start = Instant::now();
    let mut killed_while_writing = false;
    while start.elapsed() < Duration::from_secs(120) {
        if std::fs::metadata(&wal)
            .map(|m| m.len() > 4 << 20)
            .unwrap_or(false)
        {
            sigkill(&child);
            killed_while_writing = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait().unwrap();
    assert!(
        killed_while_writing,
        "the import finished before it could be killed; make the file bigger"
    );
    assert_eq!(snapshot(&study), before);
    assert!(ok(&["check", s(&study)]).ends_with("ok\n"));
}

#[test]
fn every_acknowledged_rating_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("d.concord");
    demo_study(&study, "50", "1", "0", &["--coverage", "0"]);
    let lines = (0..100_000usize).map(|i| {
        format!(
            "resp-{:05}-model-{} {} {}\n",
            i % 50 + 1,
            ["a", "b"][i / 50 % 2],
            ["safety", "empathy", "guidance"][i % 3],
            i % 5 + 1
        )
    });
    let acked = rate_until_killed(&study, "Rater 1", lines, 300);
    let conn = Connection::open(&study).unwrap();
    for id in &acked {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM rating_event WHERE gid = unhex(replace(?1, '-', ''))",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "acknowledged event {id} was lost");
    }
    drop(conn);
    assert!(ok(&["check", s(&study)]).ends_with("ok\n"));
}
