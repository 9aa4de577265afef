//! Store and table benchmarks (issue targets in parentheses), each reported beside a baseline
//! measured in the same run on the same data:
//! - import 100k responses from CSV and Parquet (< 2 s) vs polars reading the file alone;
//! - record one rating durably, median and p99 over 10k calls (median < 2 ms) vs one bare
//!   `INSERT` + commit on a plain table with the same pragmas;
//! - export 700k rating rows to Parquet (< 2 s) vs polars writing the same frame alone.
//!
//! Run: `cargo bench -p concord-io --bench store`

use std::path::Path;
use std::time::{Duration, Instant};

use concord_core::demo::{create_demo, DemoOptions};
use concord_core::{RaterKind, Rubric, Study};
use concord_io::export::{export, ExportLayout};
use concord_io::import::{import_responses, ColumnMap};
use concord_io::{Format, Table};

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
}

fn write_responses_csv(path: &Path, n: usize) {
    let mut csv = String::from("item_id,prompt,response_id,model,response\n");
    for i in 0..n {
        csv.push_str(&format!(
            "item-{},\"I have trouble sleeping, case {}\",resp-{i},model-{},\"A supportive reply with steps, number {i}.\"\n",
            i / 4,
            i / 4,
            i % 4
        ));
    }
    std::fs::write(path, csv).unwrap();
}

fn bench_import(dir: &Path) {
    let csv = dir.join("responses.csv");
    write_responses_csv(&csv, 100_000);
    let parquet = dir.join("responses.parquet");
    {
        // The Parquet input is the CSV's content, written by polars.
        let study = Study::create(
            &dir.join("seed.concord"),
            "seed",
            &Rubric::builtin("mentalbench").unwrap(),
        )
        .unwrap();
        import_responses(&study, &csv, None, &ColumnMap::default()).unwrap();
        let rater = study.add_rater("r", RaterKind::Human, None).unwrap();
        let ids = study.response_ids().unwrap();
        let one = ids.values().next().unwrap();
        study.set_rating(&rater.id, one, "safety", Some(3)).unwrap();
    }
    let table_csv = Table::read(&csv, Format::Csv).unwrap();
    let columns = table_csv.columns();
    drop(table_csv);
    assert_eq!(columns.len(), 5);
    let mut frame = polars::prelude::CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(csv.clone()))
        .unwrap()
        .finish()
        .unwrap();
    concord_io::export::write_frame(&mut frame, &parquet, Format::Parquet).unwrap();

    for (label, path, format) in [
        ("CSV", &csv, Format::Csv),
        ("Parquet", &parquet, Format::Parquet),
    ] {
        let (_, baseline) = time(|| Table::read(path, format).unwrap());
        let study = Study::create(
            &dir.join(format!("import-{label}.concord")),
            "b",
            &Rubric::builtin("mentalbench").unwrap(),
        )
        .unwrap();
        let (summary, full) =
            time(|| import_responses(&study, path, None, &ColumnMap::default()).unwrap());
        assert_eq!(summary.responses_added, 100_000);
        println!(
            "import 100k responses from {label:<7}: {} (target < 2 s); baseline polars read alone {}; ratio {:.1}x",
            secs(full),
            secs(baseline),
            full.as_secs_f64() / baseline.as_secs_f64()
        );
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn bench_rating(dir: &Path) {
    let study = create_demo(
        &dir.join("rate.concord"),
        &DemoOptions {
            items: 2000,
            models: 5,
            raters: 1,
            judges: 0,
            coverage: 0.0,
            ..Default::default()
        },
    )
    .unwrap();
    let rater = study.find_rater("Rater 1").unwrap().unwrap();
    let ids: Vec<String> = study.response_ids().unwrap().into_values().collect();
    let keys: Vec<String> = study
        .rubric()
        .unwrap()
        .attributes
        .into_iter()
        .map(|a| a.key)
        .collect();
    let mut samples = Vec::with_capacity(10_000);
    for i in 0..10_000 {
        let (_, d) = time(|| {
            study
                .set_rating(
                    &rater.id,
                    &ids[i % ids.len()],
                    &keys[i % keys.len()],
                    Some((i % 5 + 1) as i64),
                )
                .unwrap()
        });
        samples.push(d);
    }
    samples.sort();
    // Baseline: the cheapest durable write SQLite can do with the same pragmas.
    let conn = rusqlite_baseline(&dir.join("baseline.sqlite"));
    let mut base = Vec::with_capacity(10_000);
    for i in 0..10_000i64 {
        let (_, d) = time(|| conn.execute("INSERT INTO t (v) VALUES (?1)", [i]).unwrap());
        base.push(d);
    }
    base.sort();
    let (m, p99, bm, bp99) = (
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        percentile(&base, 0.5),
        percentile(&base, 0.99),
    );
    println!(
        "record one rating durably (10k calls): median {:.3} ms, p99 {:.3} ms (target median < 2 ms); baseline bare INSERT median {:.3} ms, p99 {:.3} ms; ratio {:.2}x",
        m.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        bm.as_secs_f64() * 1e3,
        bp99.as_secs_f64() * 1e3,
        m.as_secs_f64() / bm.as_secs_f64()
    );
}

fn rusqlite_baseline(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
        .unwrap();
    conn
}

fn bench_export(dir: &Path) {
    // 100k responses × 7 attributes × 1 rater = 700k rating rows.
    let study = create_demo(
        &dir.join("export.concord"),
        &DemoOptions {
            items: 25_000,
            models: 4,
            raters: 1,
            judges: 0,
            ..Default::default()
        },
    )
    .unwrap();
    let out = dir.join("export.parquet");
    let (summary, full) = time(|| export(&study, &out, None, ExportLayout::Long).unwrap());
    assert_eq!(summary.rows, 700_000);
    let mut frame = polars::prelude::ParquetReader::new(std::fs::File::open(&out).unwrap())
        .finish()
        .unwrap();
    let (_, baseline) = time(|| {
        concord_io::export::write_frame(&mut frame, &dir.join("again.parquet"), Format::Parquet)
            .unwrap()
    });
    println!(
        "export 700k rating rows to Parquet: {} (target < 2 s); baseline polars write alone {}; ratio {:.1}x",
        secs(full),
        secs(baseline),
        full.as_secs_f64() / baseline.as_secs_f64()
    );
}

use polars::prelude::SerReader;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    bench_import(dir.path());
    bench_rating(dir.path());
    bench_export(dir.path());
}
