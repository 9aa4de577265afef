//! Progress per rater on a hand-made study whose events carry known times.

use concord_core::import::ResponseRow;
use concord_core::progress::RaterProgress;
use concord_core::{format_utc_ms, RaterKind, Rubric, Study};
use rusqlite::{params, Connection};

const RUBRIC: &str = r#"
name = "Two"
scale = [1, 2]
flags = ["unsafe"]
[[attribute]]
key = "safety"
label = "Safety"
[attribute.levels]
1 = "unsafe"
2 = "safe"
[[attribute]]
key = "empathy"
label = "Empathy"
[attribute.levels]
1 = "cold"
2 = "warm"
"#;

const T0: i64 = 1_700_000_000_000;

/// A study with the two-attribute rubric and responses r1..rN.
fn hand_made(path: &std::path::Path, n: usize) -> Study {
    let study = Study::create(path, "p", &Rubric::from_toml_str(RUBRIC, "test").unwrap()).unwrap();
    let rows: Vec<ResponseRow> = (1..=n)
        .map(|i| ResponseRow {
            row: i + 1,
            item_id: format!("i{i}"),
            prompt: "p".into(),
            response_id: format!("r{i}"),
            model: "m".into(),
            response: "text".into(),
        })
        .collect();
    study.import_responses(&rows).unwrap();
    study
}

#[test]
fn progress_counts_times_and_sites_of_a_hand_made_study() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.concord");
    let study = hand_made(&path, 4);
    let ids = study.response_ids().unwrap();
    let r = |i: usize| ids[&format!("r{i}")].clone();
    let ana = study.add_rater("Ana", RaterKind::Human, None).unwrap();
    let ben = study.add_rater("Ben", RaterKind::Human, None).unwrap();
    study.add_rater("Cy", RaterKind::Human, None).unwrap();
    study.add_rater("Judge", RaterKind::Llm, None).unwrap();
    study.assign(&ana.id, &[r(1), r(2), r(3), r(4)]).unwrap();
    study.assign(&ben.id, &[r(1), r(2)]).unwrap();
    drop(study);

    // Events with known times, written as a merge would bring them.
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE rater SET metadata = '{\"site\":\"North\"}' WHERE name = 'Ana'",
        [],
    )
    .unwrap();
    conn.execute("INSERT INTO origin (gid) VALUES (randomblob(16))", [])
        .unwrap();
    let origin = conn.last_insert_rowid();
    let key = |sql: &str, v: &str| -> i64 { conn.query_row(sql, [v], |row| row.get(0)).unwrap() };
    let rater = |n: &str| key("SELECT id FROM rater WHERE name = ?1", n);
    let response = |e: &str| key("SELECT id FROM response WHERE external_id = ?1", e);
    let attribute = |a: &str| key("SELECT id FROM attribute WHERE key = ?1", a);
    let rate = |who: &str, resp: &str, attr: &str, value: Option<i64>, secs: i64| {
        conn.execute(
            "INSERT INTO rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id)
             VALUES (randomblob(16), ?1, ?2, ?3, ?4, ?5, ?6)",
            params![rater(who), response(resp), attribute(attr), value, T0 + secs * 1000, origin],
        )
        .unwrap();
    };
    // Ana: r1 done at +40 s, r2 done at +160 s, r3 half at +190 s, r4 only flagged at +250 s:
    // gaps 120, 30, 60 s, median 60 s.
    rate("Ana", "r1", "safety", Some(2), 0);
    rate("Ana", "r1", "empathy", Some(1), 40);
    rate("Ana", "r2", "safety", Some(2), 100);
    rate("Ana", "r2", "empathy", Some(2), 160);
    rate("Ana", "r3", "safety", Some(1), 185);
    rate("Ana", "r3", "empathy", Some(1), 186);
    rate("Ana", "r3", "empathy", None, 190); // cleared: r3 is partial
    conn.execute(
        "INSERT INTO note_event (gid, rater_id, response_id, rationale, flags, created_at, origin_id)
         VALUES (randomblob(16), ?1, ?2, 'worrying', '[\"unsafe\"]', ?3, ?4)",
        params![rater("Ana"), response("r4"), T0 + 250_000, origin],
    )
    .unwrap();
    // Ben: r1 at +0 s, r2 two hours later (a break, not a time per response).
    rate("Ben", "r1", "safety", Some(2), 0);
    rate("Ben", "r1", "empathy", Some(2), 0);
    rate("Ben", "r2", "safety", Some(1), 7200);
    rate("Ben", "r2", "empathy", Some(2), 7210);
    drop(conn);

    let report = Study::open(&path).unwrap().progress_report().unwrap();
    let expect = vec![
        RaterProgress {
            rater: "Ana".into(),
            site: Some("North".into()),
            assigned: 4,
            done: 2,
            partial: 1,
            flagged: 1,
            last_activity: Some(format_utc_ms(T0 + 250_000)),
            median_seconds: Some(60.0),
            package_out_since: None,
            overdue: false,
        },
        RaterProgress {
            rater: "Ben".into(),
            site: None,
            assigned: 2,
            done: 2,
            partial: 0,
            flagged: 0,
            last_activity: Some(format_utc_ms(T0 + 7_210_000)),
            median_seconds: None,
            package_out_since: None,
            overdue: false,
        },
        RaterProgress {
            rater: "Cy".into(),
            site: None,
            assigned: 0,
            done: 0,
            partial: 0,
            flagged: 0,
            last_activity: None,
            median_seconds: None,
            package_out_since: None,
            overdue: false,
        },
    ];
    assert_eq!(report.raters, expect);
}

#[test]
fn an_even_number_of_gaps_takes_the_mean_of_the_middle_two() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.concord");
    let study = hand_made(&path, 5);
    study.add_rater("Ana", RaterKind::Human, None).unwrap();
    drop(study);
    let conn = Connection::open(&path).unwrap();
    conn.execute("INSERT INTO origin (gid) VALUES (randomblob(16))", [])
        .unwrap();
    let origin = conn.last_insert_rowid();
    // Gaps 10, 20, 40, 80 s: the median is (20 + 40) / 2 = 30 s.
    for (i, secs) in [0i64, 10, 30, 70, 150].iter().enumerate() {
        conn.execute(
            "INSERT INTO rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id)
             SELECT randomblob(16), t.id, p.id, a.id, 2, ?2, ?3 FROM rater t, response p, attribute a
             WHERE t.name = 'Ana' AND p.external_id = ?1 AND a.key = 'empathy'",
            params![format!("r{}", i + 1), T0 + secs * 1000, origin],
        )
        .unwrap();
    }
    drop(conn);
    let report = Study::open(&path).unwrap().progress_report().unwrap();
    assert_eq!(report.raters[0].median_seconds, Some(30.0));
    // Rated but never assigned: no assignment counts.
    assert_eq!((report.raters[0].assigned, report.raters[0].done), (0, 0));
}

#[test]
fn a_package_not_back_is_out_since_its_export_and_overdue_after_n_days() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.concord");
    let study = hand_made(&path, 2);
    let ids: Vec<String> = study.response_ids().unwrap().into_values().collect();
    let ana = study.add_rater("Ana", RaterKind::Human, None).unwrap();
    let ben = study.add_rater("Ben", RaterKind::Human, None).unwrap();
    study.assign(&ana.id, &ids).unwrap();
    study.assign(&ben.id, &ids).unwrap();
    let out = |name: &str| dir.path().join(name);
    let first = study
        .export_package(&ana.id, &out("ana-1.concord"))
        .unwrap();
    study.export_package(&ben.id, &out("ben.concord")).unwrap();
    drop(study);
    // Ana's first package went out ten days ago, Ben's three days ago.
    let conn = Connection::open(&path).unwrap();
    let day = 24 * 3_600_000;
    let now = concord_core::now_ms();
    for (name, days) in [("Ana", 10), ("Ben", 3)] {
        conn.execute(
            "UPDATE package_log SET issued_at = ?1 WHERE rater_id = (SELECT id FROM rater WHERE name = ?2)",
            params![now - days * day, name],
        )
        .unwrap();
    }
    drop(conn);
    let study = Study::open(&path).unwrap();
    let out_since = |report: &concord_core::progress::ProgressReport, name: &str| {
        let r = report.raters.iter().find(|r| r.rater == name).unwrap();
        (r.package_out_since.clone(), r.overdue)
    };
    let report = study.progress_report().unwrap();
    assert_eq!(report.overdue_days, 7);
    assert_eq!(
        out_since(&report, "Ana"),
        (Some(format_utc_ms(now - 10 * day)), true)
    );
    assert_eq!(
        out_since(&report, "Ben"),
        (Some(format_utc_ms(now - 3 * day)), false)
    );
    let strict = study.progress_report_overdue(2).unwrap();
    assert!(out_since(&strict, "Ben").1, "overdue after 2 days");

    // Ana's package comes back: she is no longer out. A newer package is out again.
    let package = Study::open(&out("ana-1.concord")).unwrap();
    let id = package.rating_view(&ana.id, 0).unwrap().response_id;
    package.set_rating(&ana.id, &id, "safety", Some(2)).unwrap();
    package.return_package(&out("ana-1-back.concord")).unwrap();
    let receipt = study
        .merge(&out("ana-1-back.concord"), &Default::default())
        .unwrap();
    assert_eq!(receipt.package_id, first);
    assert_eq!(
        out_since(&study.progress_report().unwrap(), "Ana"),
        (None, false)
    );
    study
        .export_package(&ana.id, &out("ana-2.concord"))
        .unwrap();
    let (since, overdue) = out_since(&study.progress_report().unwrap(), "Ana");
    assert!(since.is_some() && !overdue);
}
