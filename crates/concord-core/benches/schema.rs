//! The study file's size and load speed, this build's schema (integer keys, current values packed
//! per rater and response) against schema 1 (text UUIDs in every row and index), measured in the
//! same run on the same ratings.
//!
//! The schema 1 file is written here from this build's study with `migrations/0001_initial.sql`
//! and the same rows with their ids as 36-character text; its load is Concord 0.1's loader
//! (string joins, a `HashMap<String, usize>` lookup per id per rating). Studies are
//! `concord_core::demo`: "MentalAlign-sized" = 1,000 items × 10 models = 10,000 responses rated
//! on 7 attributes by 1 clinician and 4 judges (350,000 ratings; the real data has 349,219);
//! "490k" adds 2 more clinicians (490,000 ratings). Each time is the median of 11 runs.
//!
//! Run: `cargo bench -p concord-core --bench schema`

use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use concord_core::demo::{create_demo, DemoOptions};
use concord_core::Study;
use concord_stats::report::{agreement_report, ReportOptions};
use rusqlite::Connection;

const RUNS: usize = 11;

fn median<T>(mut f: impl FnMut() -> T) -> Duration {
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

const UUID: &str = "lower(substr(hex(X),1,8)||'-'||substr(hex(X),9,4)||'-'||substr(hex(X),13,4)||'-'||substr(hex(X),17,4)||'-'||substr(hex(X),21))";

fn uuid(col: &str) -> String {
    UUID.replace('X', col)
}

/// Writes the study at `from` in schema 1's layout to `to` (same rows, text ids).
fn write_schema1(from: &Path, to: &Path) {
    let conn = Connection::open(to).unwrap();
    conn.execute_batch(include_str!("../../../migrations/0001_initial.sql"))
        .unwrap();
    conn.execute("ATTACH DATABASE ?1 AS s", [from.to_string_lossy()])
        .unwrap();
    let sql = format!(
        "BEGIN;
         INSERT INTO study SELECT {sid}, name, created_at, settings FROM s.study;
         INSERT INTO rubric SELECT {gid}, name FROM s.rubric;
         INSERT INTO attribute SELECT {gid}, (SELECT {rgid} FROM s.rubric r WHERE r.id = a.rubric_id), key, label,
             description, grp, position, scale_min, scale_max FROM s.attribute a;
         INSERT INTO attribute_level SELECT (SELECT {agid} FROM s.attribute a WHERE a.id = l.attribute_id), value, label, descriptor
             FROM s.attribute_level l;
         INSERT INTO item SELECT {gid}, external_id, text, context FROM s.item;
         INSERT INTO response SELECT {pgid}, (SELECT {igid} FROM s.item i WHERE i.id = p.item_id), external_id, model, text, position
             FROM s.response p;
         INSERT INTO rater SELECT {gid}, name, kind, role, metadata FROM s.rater;
         INSERT INTO assignment SELECT {tgid}, {pgid}, a.order_key FROM s.assignment a
             JOIN s.rater t ON t.id = a.rater_id JOIN s.response p ON p.id = a.response_id;
         INSERT INTO rating_event SELECT {egid}, {tgid}, {pgid}, {agid}, e.value, e.created_at, {ogid}, NULL
             FROM s.rating_event e JOIN s.rater t ON t.id = e.rater_id JOIN s.response p ON p.id = e.response_id
             JOIN s.attribute a ON a.id = e.attribute_id JOIN s.origin o ON o.id = e.origin_id ORDER BY e.id;
         COMMIT;",
        sid = uuid("id"),
        gid = uuid("gid"),
        rgid = uuid("r.gid"),
        agid = uuid("a.gid"),
        igid = uuid("i.gid"),
        pgid = uuid("p.gid"),
        tgid = uuid("t.gid"),
        egid = uuid("e.gid"),
        ogid = uuid("o.gid"),
    );
    conn.execute_batch(&sql).unwrap();
    conn.execute("DETACH DATABASE s", []).unwrap();
    conn.execute_batch("VACUUM").unwrap();
}

/// Concord 0.1's loader on a schema 1 file: the same queries and per-row string lookups.
fn load_schema1(conn: &Connection) -> usize {
    let attrs: Vec<String> = conn
        .prepare("SELECT id FROM attribute ORDER BY position")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let raters: Vec<String> = conn
        .prepare("SELECT id FROM rater ORDER BY kind, name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let responses: Vec<(String, String, String)> = conn
        .prepare("SELECT id, external_id, model FROM response ORDER BY position")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let index = |v: &[String]| -> HashMap<String, usize> {
        v.iter().enumerate().map(|(i, s)| (s.clone(), i)).collect()
    };
    let (ai, ri) = (index(&attrs), index(&raters));
    let ti: HashMap<&str, usize> = responses
        .iter()
        .enumerate()
        .map(|(i, r)| (r.0.as_str(), i))
        .collect();
    let mut stmt = conn
        .prepare(
            "SELECT response_id, rater_id, attribute_id, value FROM rating WHERE value IS NOT NULL",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut out = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        let (p, t, a): (String, String, String) = (
            row.get(0).unwrap(),
            row.get(1).unwrap(),
            row.get(2).unwrap(),
        );
        let v: i64 = row.get(3).unwrap();
        out.push((ti[p.as_str()], ri[&t], ai[&a], v as f64));
    }
    out.len()
}

fn size_mb(path: &Path) -> f64 {
    std::fs::metadata(path).unwrap().len() as f64 / 1e6
}

fn build(dir: &Path, name: &str, raters: usize) -> (Study, std::path::PathBuf, Duration) {
    let path = dir.join(name);
    let t = Instant::now();
    let study = create_demo(
        &path,
        &DemoOptions {
            items: 1000,
            models: 10,
            raters,
            judges: 4,
            coverage: 1.0,
            ..DemoOptions::default()
        },
    )
    .unwrap();
    (study, path, t.elapsed())
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    println!("concord-core schema bench: schema {} (this build) vs schema 1 (0.1's layout), same rows, same run", concord_core::schema::SCHEMA_VERSION);

    let (study, path, made) = build(dir.path(), "align.concord", 1);
    let n = study.info().unwrap().ratings;
    drop(study);
    Study::open(&path).unwrap().close().unwrap();
    let old = dir.path().join("align-v1.sqlite");
    write_schema1(&path, &old);
    let (new_mb, old_mb) = (size_mb(&path), size_mb(&old));
    println!(
        "MentalAlign-sized ({n} ratings, built in {:.1} s): file {new_mb:.1} MB vs {old_mb:.1} MB ({:.1}× smaller; {:.0} vs {:.0} bytes per rating); target ≤ 40 MB: {}",
        made.as_secs_f64(),
        old_mb / new_mb,
        new_mb * 1e6 / n as f64,
        old_mb * 1e6 / n as f64,
        if new_mb <= 40.0 { "met" } else { "NOT met" }
    );

    let (study, path, _) = build(dir.path(), "big.concord", 3);
    let n = study.info().unwrap().ratings;
    let old = dir.path().join("big-v1.sqlite");
    study.close().unwrap();
    write_schema1(&path, &old);
    let study = Study::open(&path).unwrap();
    let old_conn = Connection::open(&old).unwrap();
    assert_eq!(load_schema1(&old_conn), n);
    assert_eq!(study.study_ratings().unwrap().ratings.len(), n);
    let new_load = median(|| study.study_ratings().unwrap());
    let old_load = median(|| load_schema1(&old_conn));
    println!(
        "{n} ratings: load every rating {:.1} ms vs {:.1} ms (0.1's loader on its layout): {:.1}× faster; target ≤ 30 ms: {}",
        ms(new_load),
        ms(old_load),
        old_load.as_secs_f64() / new_load.as_secs_f64(),
        if ms(new_load) <= 30.0 { "met" } else { "NOT met" }
    );
    // SQLite's own cost of stepping through the rows a load reads (no Rust-side work): the floor
    // any loader of that table pays; beside it the per-cell `rating` table schema 3 loaded from.
    let plain = Connection::open(&path).unwrap();
    let step = |sql: &str| median(|| plain.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap());
    let floor = step("SELECT sum(rater_id + block + length(vals)) FROM rating_block");
    let per_cell = step(
        "SELECT sum(rater_id + response_id + attribute_id + value) FROM rating WHERE value IS NOT NULL",
    );
    // The other query of a load: every response with its text length and item (the targets),
    // through the `response_load` index (migrations/0007) and, beside it, through the table.
    let targets_sql = "SELECT sum(p.id + p.position + length(p.text) + length(p.external_id) + length(p.model) + length(i.external_id))
         FROM response p INDEXED JOIN item i ON i.id = p.item_id";
    let targets = step(&targets_sql.replace("INDEXED", "INDEXED BY response_load"));
    let targets_table = step(&targets_sql.replace("INDEXED", "NOT INDEXED"));
    println!(
        "  SQLite alone stepping through rating_block: {:.1} ms and the responses: {:.1} ms (through the table, without the index: {:.1} ms; the loader is {:.1}× their sum); through the per-cell rating table: {:.1} ms",
        ms(floor),
        ms(targets),
        ms(targets_table),
        new_load.as_secs_f64() / (floor + targets).as_secs_f64(),
        ms(per_cell)
    );
    // The agreement report from the list of ratings in-process (the dashboard's and the HTML
    // report's path; `concord agreement` reads cells instead, timed by its own bench): open,
    // load, the statistics with the CLI's default options (REML ICCs, 1,000 bootstrap
    // resamples, …) and the JSON text; beside it the same with 0.1's load on its layout.
    let open = median(|| Study::open(&path).unwrap());
    let data = study.study_ratings().unwrap();
    let opts = ReportOptions::default();
    let stats = median(|| agreement_report(&data, &opts));
    let report = agreement_report(&data, &opts);
    let json = median(|| serde_json::to_string_pretty(&report).unwrap());
    let total = open + new_load + stats + json;
    println!(
        "agreement from the list of ratings, in-process: open {:.1} ms + load {:.1} ms + statistics {:.1} ms + JSON {:.1} ms = {:.1} ms (with 0.1's load: {:.1} ms)",
        ms(open),
        ms(new_load),
        ms(stats),
        ms(json),
        ms(total),
        ms(open + old_load + stats + json),
    );
    let mut live = study.live_ratings().unwrap();
    let rater = study
        .raters()
        .unwrap()
        .into_iter()
        .find(|r| r.kind == concord_core::RaterKind::Human)
        .unwrap();
    let response = study.rating_view(&rater.id, 0).unwrap().response_id;
    let mut value = 1;
    let refresh = median(|| {
        value = value % 5 + 1;
        study
            .set_rating(&rater.id, &response, "safety", Some(value))
            .unwrap();
        study.refresh_ratings(&mut live).unwrap()
    });
    let save = median(|| {
        value = value % 5 + 1;
        study
            .set_rating(&rater.id, &response, "safety", Some(value))
            .unwrap()
    });
    study.refresh_ratings(&mut live).unwrap();
    assert_eq!(
        live,
        study.live_ratings().unwrap(),
        "a refresh equals a fresh load"
    );
    println!(
        "after one saved rating: refresh {:.2} ms (of which the durable save {:.2} ms) vs a full reload {:.1} ms",
        ms(refresh),
        ms(save),
        ms(new_load)
    );
}
