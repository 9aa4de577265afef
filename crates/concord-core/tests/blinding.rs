//! Blinding that holds: in a blind study a rater sees only opaque per-rater ordinals, a package
//! carries no model name, no original response or item id and no judge setting (checked on the
//! file's raw bytes, as `strings` would), and such a package still merges back by global id. A
//! package opens in rater mode, where the lead's operations are refused.

use std::path::{Path, PathBuf};

use concord_core::import::ResponseRow;
use concord_core::merge::MergeOptions;
use concord_core::{Error, QueueFilter, RaterKind, Rubric, Study, StudyMode};

const MODELS: [&str; 2] = ["gpt-secretmodel-9", "claude-hiddenmodel-3"];
const JUDGE: &str = "JudgeOfSecretFamily";

fn response_id(i: usize, model: &str) -> String {
    format!("RESP-{i:03}-{model}")
}

fn item_id(i: usize) -> String {
    format!("ITEM-PROMPT-{i:03}")
}

/// A blind master with 4 items × 2 models, raters Ana and Bertolt Zyx (who has rated), a judge with an
/// own-model exclusion; returns (study, Ana's id, Bertolt's id).
fn master(path: &Path) -> (Study, String, String) {
    let study = Study::create(
        path,
        "Blind trial",
        &Rubric::builtin("mentalbench").unwrap(),
    )
    .unwrap();
    let mut rows = Vec::new();
    for i in 0..4 {
        for model in MODELS {
            rows.push(ResponseRow {
                row: rows.len() + 2,
                item_id: item_id(i),
                prompt: format!("prompt {i}"),
                response_id: response_id(i, model),
                model: model.into(),
                response: format!("reply {i} number {}", rows.len()),
            });
        }
    }
    study.import_responses(&rows).unwrap();
    let mut settings = study.settings().unwrap();
    assert!(settings.blind, "studies start blind");
    settings
        .exclude_own
        .insert(JUDGE.into(), vec![MODELS[0].into()]);
    study.set_settings(&settings).unwrap();
    let ana = study.add_rater("Ana", RaterKind::Human, None).unwrap().id;
    let ben = study
        .add_rater("Bertolt Zyx", RaterKind::Human, None)
        .unwrap()
        .id;
    study.add_rater(JUDGE, RaterKind::Llm, None).unwrap();
    study.assign_all(&ana).unwrap();
    study.assign_all(&ben).unwrap();
    let first = study.rating_view(&ben, 0).unwrap().response_id;
    study.set_rating(&ben, &first, "safety", Some(1)).unwrap();
    (study, ana, ben)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn package(study: &Study, rater: &str, dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    study.export_package(rater, &out).unwrap();
    out
}

#[test]
fn a_blind_package_holds_no_model_no_original_id_and_no_judge_setting() {
    let dir = tempfile::tempdir().unwrap();
    let (study, ana, _) = master(&dir.path().join("master.concord"));
    let out = package(&study, &ana, dir.path(), "ana.concord");
    let bytes = std::fs::read(&out).unwrap();
    // The master itself (with its write-ahead log) holds them, so the search below can find
    // what it looks for.
    let mut master_bytes = std::fs::read(study.path()).unwrap();
    let wal = dir.path().join("master.concord-wal");
    master_bytes.extend(std::fs::read(wal).unwrap_or_default());
    assert!(
        contains(&master_bytes, MODELS[0]) && contains(&master_bytes, &response_id(0, MODELS[1]))
    );
    for model in MODELS {
        assert!(
            !contains(&bytes, model),
            "model name {model} in the package"
        );
    }
    for i in 0..4 {
        assert!(
            !contains(&bytes, &item_id(i)),
            "item id {} in the package",
            item_id(i)
        );
        for model in MODELS {
            let id = response_id(i, model);
            assert!(!contains(&bytes, &id), "response id {id} in the package");
        }
    }
    assert!(!contains(&bytes, JUDGE), "judge name in the package");
    assert!(
        !contains(&bytes, "Bertolt Zyx"),
        "another rater's name in the package"
    );
    // What the rater reads holds neither.
    let p = Study::open(&out).unwrap();
    assert_eq!(p.mode(), StudyMode::Rater);
    assert!(p.settings().unwrap().exclude_own.is_empty());
    let view = p.rating_view(&ana, 2).unwrap();
    assert_eq!(view.label, "Response 3");
    assert_eq!(view.model, None);
    assert_eq!(
        (
            view.item_external_id.as_str(),
            view.response_external_id.as_str()
        ),
        ("", "")
    );
}

#[test]
fn the_blind_queue_shows_per_rater_ordinals_and_an_open_study_shows_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (study, ana, _) = master(&dir.path().join("master.concord"));
    let page = study.queue(&ana, QueueFilter::All, 0, 100).unwrap();
    assert_eq!(page.entries.len(), 8);
    for (k, e) in page.entries.iter().enumerate() {
        assert_eq!(e.label, format!("Response {}", k + 1));
        assert!(e.item_external_id.is_empty() && e.response_external_id.is_empty());
        assert!(MODELS.iter().all(|m| !e.preview.contains(m)));
    }
    let mut settings = study.settings().unwrap();
    settings.blind = false;
    study.set_settings(&settings).unwrap();
    let e = &study.queue(&ana, QueueFilter::All, 0, 1).unwrap().entries[0];
    assert!(e.label.starts_with("RESP-"), "{}", e.label);
    assert_eq!(e.label, e.response_external_id);
    // An open (not blind) study's package keeps what the rater is meant to see.
    let out = package(&study, &ana, dir.path(), "open.concord");
    assert!(contains(&std::fs::read(&out).unwrap(), MODELS[0]));
    let view = Study::open(&out).unwrap().rating_view(&ana, 0).unwrap();
    assert!(view.model.is_some() && view.response_external_id.starts_with("RESP-"));
}

#[test]
fn a_blind_package_merges_back_by_global_id() {
    let dir = tempfile::tempdir().unwrap();
    let (study, ana, _) = master(&dir.path().join("master.concord"));
    let out = package(&study, &ana, dir.path(), "ana.concord");
    let rated: Vec<String> = {
        let p = Study::open(&out).unwrap();
        let rated = (0..3)
            .map(|position| {
                let id = p.rating_view(&ana, position).unwrap().response_id;
                p.set_rating(&ana, &id, "safety", Some(4)).unwrap();
                id
            })
            .collect();
        p.return_package(&dir.path().join("ana-returned.concord"))
            .unwrap();
        rated
    };
    let summary = study
        .merge(
            &dir.path().join("ana-returned.concord"),
            &MergeOptions::default(),
        )
        .unwrap();
    assert_eq!(summary.events_added, 3);
    // Each rating lands on the master's response of the same global id, in the rater's order.
    for (position, id) in rated.iter().enumerate() {
        let view = study.rating_view(&ana, position).unwrap();
        assert_eq!(&view.response_id, id);
        assert_eq!(view.values.get("safety"), Some(&4));
    }
    assert!(study.check().unwrap().is_empty());
}

#[test]
fn a_package_is_rater_mode_and_refuses_the_leads_operations() {
    let dir = tempfile::tempdir().unwrap();
    let (study, ana, ben) = master(&dir.path().join("master.concord"));
    assert_eq!(study.mode(), StudyMode::Lead);
    let out = package(&study, &ana, dir.path(), "ana.concord");
    let p = Study::open(&out).unwrap();
    let mut settings = p.settings().unwrap();
    settings.blind = false;
    let lead_only = |e: Error| matches!(e, Error::LeadOnly(_));
    let err = p.set_settings(&settings).unwrap_err();
    assert!(err.to_string().contains("rater package"), "{err}");
    assert!(lead_only(err));
    assert!(p.settings().unwrap().blind, "blinding unchanged");
    assert!(lead_only(
        p.add_rater("Mallory", RaterKind::Human, None).unwrap_err()
    ));
    assert!(lead_only(
        p.export_package(&ana, &dir.path().join("again.concord"))
            .unwrap_err()
    ));
    // The package's one rater is its rater profile; nobody else is in it.
    assert_eq!(p.rater_profile("Ana").unwrap().id, ana);
    assert!(p.rater_profile("Bertolt Zyx").is_err());
    assert!(p.queue(&ben, QueueFilter::All, 0, 10).is_err());
}
