//! The lead's inbox: a returned package copied in slowly is merged only once complete, a forged
//! one is rejected with its reason and the master unchanged, a good one is merged and moved
//! with its receipt.

use std::io::Write;
use std::path::{Path, PathBuf};

use concord_core::demo::{create_demo, DemoOptions};
use concord_core::inbox::{scan_once, InboxEntry, InboxStatus};
use concord_core::Study;
use rusqlite::Connection;

struct Lead {
    dir: tempfile::TempDir,
    study: Study,
    inbox: PathBuf,
}

fn lead() -> Lead {
    let dir = tempfile::tempdir().unwrap();
    let opts = DemoOptions {
        items: 4,
        models: 2,
        raters: 2,
        judges: 0,
        coverage: 0.0,
        ..Default::default()
    };
    let study = create_demo(&dir.path().join("master.concord"), &opts).unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    Lead { dir, study, inbox }
}

impl Lead {
    /// A returned package of rater `r` with `n` ratings, outside the inbox.
    fn returned(&self, r: usize, n: usize, name: &str) -> PathBuf {
        let rater = self.study.raters().unwrap()[r].id.clone();
        let pkg = self.dir.path().join(format!("{name}.package"));
        self.study.export_package(&rater, &pkg).unwrap();
        let p = Study::open(&pkg).unwrap();
        for position in 0..n {
            let id = p.rating_view(&rater, position).unwrap().response_id;
            p.set_rating(&rater, &id, "safety", Some(3)).unwrap();
        }
        let out = self.dir.path().join(format!("{name}.concord"));
        p.return_package(&out).unwrap();
        out
    }

    fn scan(&self) -> Vec<InboxEntry> {
        scan_once(&self.study, &self.inbox).unwrap()
    }

    fn events(&self) -> usize {
        self.study.info().unwrap().events
    }
}

fn statuses(entries: &[InboxEntry]) -> Vec<(String, InboxStatus)> {
    entries.iter().map(|e| (e.file.clone(), e.status)).collect()
}

#[test]
fn a_package_copied_in_slowly_is_merged_only_when_complete() {
    let lead = lead();
    let returned = lead.returned(0, 3, "ana");
    let bytes = std::fs::read(&returned).unwrap();
    let target = lead.inbox.join("ana.concord");
    let (first, second) = bytes.split_at(bytes.len() / 2);
    let mut file = std::fs::File::create(&target).unwrap();
    file.write_all(first).unwrap();
    file.sync_all().unwrap();
    let before = lead.events();
    // Seen for the first time, then unchanged but shorter than its header says.
    let waiting = [("ana.concord".to_string(), InboxStatus::Waiting)];
    assert_eq!(statuses(&lead.scan()), waiting);
    let scan = lead.scan();
    assert_eq!(statuses(&scan), waiting);
    assert!(
        scan[0].detail.contains("bytes so far"),
        "{}",
        scan[0].detail
    );
    assert_eq!(lead.events(), before, "nothing merged from half a file");
    // The copy resumes after a pause.
    std::thread::sleep(std::time::Duration::from_millis(50));
    file.write_all(second).unwrap();
    file.sync_all().unwrap();
    drop(file);
    assert_eq!(
        statuses(&lead.scan()),
        waiting,
        "changed since the last scan"
    );
    assert_eq!(lead.events(), before);
    let scan = lead.scan();
    assert_eq!(
        statuses(&scan),
        [("ana.concord".to_string(), InboxStatus::Merged)]
    );
    assert_eq!(lead.events(), before + 3);
    let merged = lead.inbox.join("merged/ana.concord");
    assert!(merged.is_file() && !target.exists());
    assert_eq!(scan[0].moved_to.as_deref(), Some(merged.to_str().unwrap()));
    let receipt: serde_json::Value = serde_json::from_slice(
        &std::fs::read(lead.inbox.join("merged/ana.concord.receipt.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(receipt["events_added"], 3);
    assert_eq!(receipt["kind"], "package");
    // Nothing left to do; a second copy of the same file is recognised and filed beside it.
    assert!(lead.scan().is_empty());
    std::fs::copy(&returned, &target).unwrap();
    lead.scan();
    let again = lead.scan();
    assert_eq!(again[0].status, InboxStatus::Merged);
    assert_eq!(
        again[0].receipt.as_ref().map(|r| r.already_merged),
        Some(true)
    );
    assert!(lead.inbox.join("merged/ana-2.concord").is_file());
    assert_eq!(lead.events(), before + 3);
}

#[test]
fn a_forged_package_is_rejected_with_its_reason_and_the_master_unchanged() {
    let lead = lead();
    let returned = lead.returned(1, 2, "ben");
    // Forge one more rating after the return (the event log only grows).
    let conn = Connection::open(&returned).unwrap();
    conn.execute(
        "INSERT INTO rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id)
         SELECT randomblob(16), rater_id, response_id, attribute_id, 1, created_at + 1, origin_id
         FROM rating_event LIMIT 1",
        [],
    )
    .unwrap();
    drop(conn);
    std::fs::copy(&returned, lead.inbox.join("ben.concord")).unwrap();
    std::fs::write(lead.inbox.join("notes.txt"), "not a study").unwrap();
    let info = lead.study.info().unwrap();
    lead.scan();
    let scan = lead.scan();
    assert_eq!(
        statuses(&scan),
        [
            ("ben.concord".to_string(), InboxStatus::Rejected),
            ("notes.txt".to_string(), InboxStatus::Rejected)
        ]
    );
    assert!(scan[0].detail.contains("altered"), "{}", scan[0].detail);
    let reason =
        std::fs::read_to_string(lead.inbox.join("rejected/ben.concord.reason.txt")).unwrap();
    assert!(reason.contains("altered after it was returned"), "{reason}");
    assert!(lead.inbox.join("rejected/ben.concord").is_file());
    assert!(lead.inbox.join("rejected/notes.txt.reason.txt").is_file());
    assert_eq!(lead.study.info().unwrap(), info, "the master is unchanged");
    assert!(lead.study.merge_history().unwrap().is_empty());
}

#[test]
fn partial_and_hidden_files_are_left_alone_and_a_package_cannot_watch() {
    let lead = lead();
    for name in [
        ".ana.concord.0190.part",
        "ana.concord.part",
        "x.concord-wal",
    ] {
        std::fs::write(lead.inbox.join(name), "partial").unwrap();
    }
    std::fs::write(lead.inbox.join("empty.concord"), "").unwrap();
    lead.scan();
    let scan = lead.scan();
    assert_eq!(
        statuses(&scan),
        [("empty.concord".to_string(), InboxStatus::Waiting)]
    );
    assert!(!lead.inbox.join("rejected").exists());
    lead.returned(0, 1, "ana");
    let package = Study::open(&lead.dir.path().join("ana.package")).unwrap();
    let err = scan_once(&package, &lead.inbox).unwrap_err().to_string();
    assert!(err.contains("study lead"), "{err}");
    assert!(scan_once(&lead.study, Path::new("/no/such/inbox")).is_err());
}
