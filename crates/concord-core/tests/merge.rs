//! Packages and merging: the union of events is idempotent, commutative and associative, and a
//! rater who rated one cell on two diverged copies is stored as one conflict.

use std::path::{Path, PathBuf};

use concord_core::demo::{create_demo, DemoOptions};
use concord_core::merge::{MergeOptions, Resolution};
use concord_core::sampling::{SampledResponse, SamplingRound};
use concord_core::Study;
use proptest::prelude::*;
use rusqlite::Connection;

struct Fixture {
    _dir: tempfile::TempDir,
    base: PathBuf,
    packages: Vec<PathBuf>,
    raters: Vec<String>,
    responses: Vec<String>,
}

/// A base study with two raters and three packages: rater 0 twice (two laptops), rater 1 once.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.concord");
    let study = create_demo(
        &base,
        &DemoOptions {
            items: 3,
            models: 2,
            raters: 2,
            judges: 0,
            coverage: 0.0,
            ..Default::default()
        },
    )
    .unwrap();
    let raters: Vec<String> = study.raters().unwrap().into_iter().map(|r| r.id).collect();
    assert!(study.annotations().unwrap().ratings.is_empty());
    let responses = (0..6)
        .map(|p| study.rating_view(&raters[0], p).unwrap().response_id)
        .collect();
    let packages = [0, 0, 1]
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let out = dir.path().join(format!("p{i}.concord"));
            study.export_package(&raters[*r], &out).unwrap();
            out
        })
        .collect();
    Fixture {
        _dir: dir,
        base,
        packages,
        raters,
        responses,
    }
}

fn copy(from: &Path, name: &str) -> PathBuf {
    let to = from.with_file_name(name);
    let conn = Connection::open(from).unwrap();
    conn.execute("VACUUM INTO ?1", [to.to_string_lossy()])
        .unwrap();
    to
}

/// Seals a package for return, as the rater's app does.
fn returned(package: &Path) -> PathBuf {
    let name = format!(
        "{}-returned-{}.concord",
        package.file_stem().unwrap().to_string_lossy(),
        uuid_like()
    );
    let out = package.with_file_name(name);
    Study::open(package).unwrap().return_package(&out).unwrap();
    out
}

fn uuid_like() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed) as u128
}

fn merge(study: &Study, package: &Path) -> concord_core::merge::MergeSummary {
    study
        .merge(&returned(package), &MergeOptions::default())
        .unwrap()
}

/// The current values of a study by global ids, as comparable rows.
fn current(path: &Path) -> Vec<(String, String, String, Option<i64>, String)> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT hex(t.gid), hex(p.gid), hex(a.gid), r.value, hex(e.gid) FROM rating r
             JOIN rater t ON t.id = r.rater_id JOIN response p ON p.id = r.response_id
             JOIN attribute a ON a.id = r.attribute_id JOIN rating_event e ON e.id = r.event_id
             ORDER BY 1, 2, 3",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn merged(
    f: &Fixture,
    order: &[usize],
    name: &str,
) -> Vec<(String, String, String, Option<i64>, String)> {
    let target = copy(&f.base, name);
    let study = Study::open(&target).unwrap();
    for i in order {
        merge(&study, &f.packages[*i]);
    }
    assert!(study.check().unwrap().is_empty());
    current(&target)
}

#[test]
fn package_holds_only_its_raters_work() {
    let f = fixture();
    let base = Study::open(&f.base).unwrap();
    base.set_rating(&f.raters[1], &f.responses[0], "safety", Some(2))
        .unwrap();
    let out = f.base.with_file_name("only0.concord");
    base.export_package(&f.raters[0], &out).unwrap();
    let p = Study::open(&out).unwrap();
    assert_eq!(p.raters().unwrap().len(), 1);
    assert_eq!(p.info().unwrap().ratings, 0);
    assert_ne!(p.id(), base.id());
    assert!(p.check().unwrap().is_empty());
}

#[test]
fn merging_twice_is_a_no_op_and_conflicts_are_listed() {
    let f = fixture();
    let (p0, p1) = (
        Study::open(&f.packages[0]).unwrap(),
        Study::open(&f.packages[1]).unwrap(),
    );
    p0.set_rating(&f.raters[0], &f.responses[0], "safety", Some(2))
        .unwrap();
    p1.set_rating(&f.raters[0], &f.responses[0], "safety", Some(5))
        .unwrap();
    p1.set_note(
        &f.raters[0],
        &f.responses[0],
        "risk mentioned late",
        &["unsafe".into()],
    )
    .unwrap();
    drop((p0, p1));
    let base = Study::open(&f.base).unwrap();
    let first = merge(&base, &f.packages[0]);
    assert_eq!((first.events_added, first.conflicts.len()), (1, 0));
    let r1 = returned(&f.packages[1]);
    let second = base.merge(&r1, &MergeOptions::default()).unwrap();
    assert_eq!(second.events_added, 1);
    assert_eq!(second.notes_added, 1);
    assert_eq!(second.conflicts.len(), 1, "two laptops edited one cell");
    let c = &second.conflicts[0];
    assert_eq!((c.here, c.incoming, c.current), (Some(2), Some(5), Some(5)));
    let again = base.merge(&r1, &MergeOptions::default()).unwrap();
    assert!(again.already_merged);
    assert_eq!(base.info().unwrap().events, 2);
    // Stored once: merging another return of the same package adds no second conflict.
    merge(&base, &f.packages[1]);
    assert_eq!(base.conflicts().unwrap().len(), 1);
    let resolved = base
        .resolve_conflict(c.id, Resolution::Here, "Dr Lead")
        .unwrap();
    assert_eq!(resolved.current, Some(2));
    assert_eq!(resolved.resolved.as_ref().unwrap().by, "Dr Lead");
    assert!(
        base.conflicts().unwrap().is_empty(),
        "resolved conflicts stop appearing"
    );
    assert_eq!(base.conflict_history().unwrap().len(), 1);
    assert!(base.check().unwrap().is_empty());
}

#[test]
fn a_newer_edit_in_a_reissued_package_is_an_edit_not_a_conflict() {
    let f = fixture();
    let p0 = Study::open(&f.packages[0]).unwrap();
    p0.set_rating(&f.raters[0], &f.responses[0], "safety", Some(2))
        .unwrap();
    drop(p0);
    let base = Study::open(&f.base).unwrap();
    merge(&base, &f.packages[0]);
    // The lead re-issues a package; the rater changes their mind there.
    let again = f.base.with_file_name("reissued.concord");
    base.export_package(&f.raters[0], &again).unwrap();
    let p = Study::open(&again).unwrap();
    assert_eq!(
        p.info().unwrap().ratings,
        1,
        "the re-issued package carries the rater's work"
    );
    p.set_rating(&f.raters[0], &f.responses[0], "safety", Some(4))
        .unwrap();
    drop(p);
    let s = merge(&base, &again);
    assert_eq!((s.events_added, s.cells_changed), (1, 1));
    assert!(s.conflicts.is_empty(), "{:?}", s.conflicts);
    assert!(base.conflicts().unwrap().is_empty());
}

#[derive(Debug, Clone)]
struct Op {
    package: usize,
    response: usize,
    attribute: usize,
    value: Option<i64>,
}

fn op() -> impl Strategy<Value = Op> {
    (
        0..3usize,
        0..6usize,
        0..3usize,
        prop::option::weighted(0.85, 1..=5i64),
    )
        .prop_map(|(package, response, attribute, value)| Op {
            package,
            response,
            attribute,
            value,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn merge_is_idempotent_commutative_and_associative(ops in prop::collection::vec(op(), 1..10)) {
        let f = fixture();
        let keys = ["safety", "empathy", "guidance"];
        for o in &ops {
            let study = Study::open(&f.packages[o.package]).unwrap();
            let rater = &f.raters[usize::from(o.package == 2)];
            study.set_rating(rater, &f.responses[o.response], keys[o.attribute], o.value).unwrap();
        }
        let reference = merged(&f, &[0, 1, 2], "m012.concord");
        prop_assert_eq!(&merged(&f, &[2, 1, 0], "m210.concord"), &reference);
        prop_assert_eq!(&merged(&f, &[1, 0, 2, 1, 0], "m10210.concord"), &reference);
        // Associativity: (p0 ∪ p1) merged as one package, then p2.
        let left = copy(&f.packages[0], "left.concord");
        merge(&Study::open(&left).unwrap(), &f.packages[1]);
        let target = copy(&f.base, "assoc.concord");
        let study = Study::open(&target).unwrap();
        merge(&study, &left);
        merge(&study, &f.packages[2]);
        prop_assert_eq!(current(&target), reference);
    }
}

/// Every sampling round of a study by global ids, as comparable rows: (round, rater, seed,
/// mix, created_at, [(response, π, rated)]).
type Round = (String, String, i64, f64, i64, Vec<(String, f64, bool)>);

fn rounds(path: &Path) -> Vec<Round> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT hex(s.gid), hex(t.gid), s.seed, s.uniform_mix, s.created_at, s.id
             FROM sampling_round s JOIN rater t ON t.id = s.rater_id ORDER BY 1",
        )
        .unwrap();
    let heads: Vec<(Round, i64)> = stmt
        .query_map([], |r| {
            Ok((
                (
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    vec![],
                ),
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    heads
        .into_iter()
        .map(|(mut round, id)| {
            let mut stmt = conn
                .prepare(
                    "SELECT hex(p.gid), s.probability, s.rated FROM sampling_probability s
                     JOIN response p ON p.id = s.response_id WHERE s.round_id = ?1 ORDER BY 1",
                )
                .unwrap();
            round.5 = stmt
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            round
        })
        .collect()
}

/// Copies of the study (not packages) merged into a copy of the base, in `order`; returns the
/// rounds and the current values.
type Merged = (
    Vec<Round>,
    Vec<(String, String, String, Option<i64>, String)>,
);

fn merged_copies(base: &Path, copies: &[PathBuf], order: &[usize], name: &str) -> Merged {
    let target = copy(base, name);
    let study = Study::open(&target).unwrap();
    let opts = MergeOptions {
        copy: true,
        ..MergeOptions::default()
    };
    for &i in order {
        study.merge(&copies[i], &opts).unwrap();
    }
    assert!(study.check().unwrap().is_empty());
    // The rounds read back for `concord estimate` are in the same order in every merge order.
    let listed = study.sampling_rounds().unwrap();
    let by_time = {
        let mut r = rounds(&target);
        r.sort_by(|a, b| (a.4, &a.0).cmp(&(b.4, &b.0)));
        r
    };
    assert_eq!(
        listed.iter().map(|r| r.seed as i64).collect::<Vec<_>>(),
        by_time.iter().map(|r| r.2).collect::<Vec<_>>()
    );
    drop(study);
    (rounds(&target), current(&target))
}

/// One sampling round recorded in copy `copy`: every response a candidate with its π.
#[derive(Debug, Clone)]
struct RoundOp {
    copy: usize,
    seed: u64,
    pick: usize,
    probabilities: Vec<(f64, bool)>,
    rating: Option<i64>,
}

fn round_op() -> impl Strategy<Value = RoundOp> {
    (
        0..2usize,
        any::<u32>(),
        0..6usize,
        prop::collection::vec((0.0..=1.0f64, any::<bool>()), 6),
        prop::option::of(1..=5i64),
    )
        .prop_map(|(copy, seed, pick, probabilities, rating)| RoundOp {
            copy,
            seed: u64::from(seed),
            pick,
            probabilities,
            rating,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// A copy of the study brings its sampling rounds (with every candidate's π) along with its
    /// events; merging copies is idempotent, commutative and associative for rounds too.
    #[test]
    fn copies_carry_their_sampling_rounds(ops in prop::collection::vec(round_op(), 1..6)) {
        let f = fixture();
        let base = Study::open(&f.base).unwrap();
        let external: Vec<String> = {
            let by_gid: std::collections::HashMap<String, String> =
                base.response_ids().unwrap().into_iter().map(|(e, g)| (g, e)).collect();
            f.responses.iter().map(|g| by_gid[g].clone()).collect()
        };
        drop(base);
        let copies = [copy(&f.base, "c0.concord"), copy(&f.base, "c1.concord")];
        let mut recorded = [0usize; 2];
        for o in &ops {
            let study = Study::open(&copies[o.copy]).unwrap();
            let round = SamplingRound {
                seed: o.seed,
                uniform_mix: 0.2,
                candidates: external
                    .iter()
                    .zip(&o.probabilities)
                    .map(|(id, &(probability, rated))| SampledResponse {
                        response_id: id.clone(),
                        probability,
                        rated,
                    })
                    .collect(),
            };
            study.assign_sampled(&f.raters[0], &[external[o.pick].clone()], &round).unwrap();
            recorded[o.copy] += 1;
            if let Some(v) = o.rating {
                study.set_rating(&f.raters[0], &f.responses[o.pick], "safety", Some(v)).unwrap();
            }
        }
        let reference = merged_copies(&f.base, &copies, &[0, 1], "m01.concord");
        prop_assert_eq!(reference.0.len(), recorded[0] + recorded[1]);
        prop_assert_eq!(&reference.0, &rounds(&{
            // The union as the copies hold it.
            let u = copy(&copies[0], "u.concord");
            Study::open(&u).unwrap().merge(&copies[1], &MergeOptions { copy: true, ..MergeOptions::default() }).unwrap();
            u
        }));
        prop_assert_eq!(&merged_copies(&f.base, &copies, &[1, 0], "m10.concord"), &reference);
        // Associativity and idempotence: c0 ∪ c1 as one copy, after both were merged already.
        let left = copy(&copies[0], "left.concord");
        Study::open(&left).unwrap().merge(&copies[1], &MergeOptions { copy: true, ..MergeOptions::default() }).unwrap();
        let all = [copies[0].clone(), copies[1].clone(), left];
        prop_assert_eq!(&merged_copies(&f.base, &all, &[2], "m2.concord"), &reference);
        prop_assert_eq!(&merged_copies(&f.base, &all, &[1, 2, 0], "m120.concord"), &reference);
    }
}
