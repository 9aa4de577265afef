//! Packages of an encrypted study: each is encrypted with a passphrase of its own (generated or
//! given by the lead, never the study's), holds no clinical text in clear, opens only with its
//! passphrase, and merges back (by hand or through the unattended inbox) because the master
//! recorded it. A plain study's packages stay plain.

use std::path::{Path, PathBuf};

use concord_core::cipher::{self, Passphrase};
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::inbox::{scan_once, InboxStatus};
use concord_core::merge::MergeOptions;
use concord_core::{Error, RaterKind, Study};

const STUDY_KEY: &str = "lead's study passphrase";

struct Lead {
    dir: tempfile::TempDir,
    study: Study,
    rater: String,
}

/// An encrypted demo study (unless `plain`) with one human rater holding every response.
fn lead(plain: bool) -> Lead {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("master.concord");
    let opts = DemoOptions {
        items: 3,
        models: 2,
        raters: 1,
        judges: 0,
        coverage: 0.0,
        ..Default::default()
    };
    create_demo(&path, &opts).unwrap().close().unwrap();
    let key = (!plain).then(|| Passphrase::new(STUDY_KEY).unwrap());
    if let Some(key) = &key {
        cipher::rekey(&path, None, Some(key)).unwrap();
    }
    let study = Study::open_with(&path, key.as_ref()).unwrap();
    let rater = study
        .raters()
        .unwrap()
        .into_iter()
        .find(|r| r.kind == RaterKind::Human)
        .unwrap()
        .id;
    Lead { dir, study, rater }
}

impl Lead {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Exports the rater's package to `name` with a generated passphrase, and that passphrase.
    fn export(&self, name: &str) -> (PathBuf, Passphrase) {
        let pkg = self.path(name);
        let exported = self
            .study
            .export_package_with(&self.rater, &pkg, None)
            .unwrap();
        let key = Passphrase::new(exported.passphrase.expect("a generated passphrase")).unwrap();
        (pkg, key)
    }

    /// The texts of every prompt and response in the study.
    fn texts(&self) -> Vec<String> {
        (0..6)
            .map(|i| self.study.rating_view(&self.rater, i).unwrap())
            .flat_map(|v| [v.prompt, v.response])
            .collect()
    }
}

fn contains(file: &Path, text: &str) -> bool {
    let bytes = std::fs::read(file).unwrap();
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

/// Rates the package's first `n` responses and returns it to `out`.
fn rate_and_return(pkg: &Path, key: &Passphrase, rater: &str, n: usize, out: &Path) {
    let p = Study::open_with(pkg, Some(key)).unwrap();
    for position in 0..n {
        let id = p.rating_view(rater, position).unwrap().response_id;
        p.set_rating(rater, &id, "guidance", Some(4)).unwrap();
    }
    p.return_package(out).unwrap();
    p.close().unwrap();
}

#[test]
fn an_encrypted_studys_package_has_its_own_passphrase_and_no_text_in_clear() {
    let lead = lead(false);
    let pkg = lead.path("ana.concord");
    let exported = lead
        .study
        .export_package_with(&lead.rater, &pkg, None)
        .unwrap();
    let passphrase = exported.passphrase.clone().expect("a generated passphrase");
    // 5 groups of 4 from 32 symbols: 100 bits, readable aloud.
    assert_eq!(passphrase.len(), 24, "{passphrase}");
    assert!(passphrase.split('-').all(|g| g.len() == 4
        && g.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())));
    assert!(cipher::needs_passphrase(&pkg).unwrap());
    let texts = lead.texts();
    assert!(texts.len() == 12 && texts.iter().all(|t| !t.is_empty()));
    for text in &texts {
        assert!(!contains(&pkg, text), "in clear in the package: {text}");
    }
    // Neither the study's passphrase nor none opens it; its own does.
    let study_key = Passphrase::new(STUDY_KEY).unwrap();
    assert!(matches!(
        Study::open_with(&pkg, Some(&study_key)),
        Err(Error::WrongPassphrase(_))
    ));
    assert!(matches!(Study::open(&pkg), Err(Error::PassphraseNeeded(_))));
    let own = Passphrase::new(passphrase).unwrap();
    let opened = Study::open_with(&pkg, Some(&own)).unwrap();
    assert_eq!(
        opened.manifest().unwrap().unwrap().package_id,
        exported.package_id
    );
    // Two packages never share a passphrase.
    let second = lead
        .study
        .export_package_with(&lead.rater, &lead.path("ana-2.concord"), None)
        .unwrap();
    assert_ne!(second.passphrase, exported.passphrase);
}

#[test]
fn a_wrong_passphrase_is_refused_and_writes_nothing() {
    let lead = lead(false);
    let pkg = lead.path("ana.concord");
    let given = Passphrase::new("told on the phone 4417").unwrap();
    let exported = lead
        .study
        .export_package_with(&lead.rater, &pkg, Some(&given))
        .unwrap();
    assert_eq!(
        exported.passphrase.as_deref(),
        Some("told on the phone 4417")
    );
    let before = std::fs::read(&pkg).unwrap();
    let wrong = Passphrase::new("told on the phone 4471").unwrap();
    let err = Study::open_with(&pkg, Some(&wrong))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("wrong passphrase") && err.contains("unchanged"),
        "{err}"
    );
    assert!(err.contains("ana.concord"), "names the file: {err}");
    assert_eq!(std::fs::read(&pkg).unwrap(), before);
    for sidecar in ["ana.concord-wal", "ana.concord-journal", "ana.concord-shm"] {
        assert!(!lead.path(sidecar).exists(), "{sidecar} written");
    }
}

#[test]
fn the_lead_cannot_reuse_the_study_passphrase_nor_encrypt_a_plain_studys_package() {
    let lead = lead(false);
    let out = lead.path("ana.concord");
    let study_key = Passphrase::new(STUDY_KEY).unwrap();
    let err = lead
        .study
        .export_package_with(&lead.rater, &out, Some(&study_key))
        .unwrap_err()
        .to_string();
    assert!(err.contains("must differ from the study's"), "{err}");
    assert!(!out.exists());

    let plain = self::lead(true);
    let out = plain.path("ana.concord");
    let err = plain
        .study
        .export_package_with(&plain.rater, &out, Some(&study_key))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not encrypted"), "{err}");
    assert!(!out.exists());
    // Without one, a plain study's package is plain, as before.
    let exported = plain
        .study
        .export_package_with(&plain.rater, &out, None)
        .unwrap();
    assert_eq!(exported.passphrase, None);
    assert!(!cipher::needs_passphrase(&out).unwrap());
    assert!(Study::open(&out).is_ok());
}

#[test]
fn a_chosen_passphrase_needs_fifteen_characters_and_an_entered_one_does_not() {
    let lead = lead(false);
    let short = Passphrase::new("14 characters!").unwrap();
    let long = Passphrase::new("15 characters!!").unwrap();
    let rule = |err: Error| {
        let text = err.to_string();
        assert!(text.contains("at least 15 characters"), "{text}");
    };
    // A package's typed passphrase: refused short, nothing written; 15 characters will do.
    let out = lead.path("ana.concord");
    rule(
        lead.study
            .export_package_with(&lead.rater, &out, Some(&short))
            .unwrap_err(),
    );
    assert!(!out.exists());
    let exported = lead
        .study
        .export_package_with(&lead.rater, &out, Some(&long))
        .unwrap();
    assert_eq!(exported.passphrase.as_deref(), Some("15 characters!!"));
    // A new encrypted study: refused short, no file.
    let rubric = concord_core::Rubric::builtin("mentalbench").unwrap();
    let new = lead.path("new.concord");
    rule(
        Study::create_with(&new, "New", &rubric, Some(&short))
            .err()
            .unwrap(),
    );
    assert!(!new.exists());
    Study::create_with(&new, "New", &rubric, Some(&long))
        .unwrap()
        .close()
        .unwrap();
    // Encrypting a plain study: refused short, the study stays plain.
    let plain = self::lead(true);
    let path = plain.path("master.concord");
    plain.study.close().unwrap();
    rule(cipher::rekey(&path, None, Some(&short)).unwrap_err());
    assert!(!cipher::needs_passphrase(&path).unwrap());
    // Opening is not choosing: a short passphrase entered to open is only wrong.
    assert!(matches!(
        Study::open_with(&new, Some(&short)),
        Err(Error::WrongPassphrase(_))
    ));
}

#[test]
fn a_returned_encrypted_package_merges_back_by_hand_and_through_the_inbox() {
    let lead = lead(false);
    let (ana, key) = lead.export("ana.concord");
    let returned = lead.path("ana-returned.concord");
    rate_and_return(&ana, &key, &lead.rater, 2, &returned);
    assert!(cipher::needs_passphrase(&returned).unwrap());
    for text in lead.texts() {
        assert!(!contains(&returned, &text));
    }
    let receipt = lead
        .study
        .merge(&returned, &MergeOptions::default())
        .unwrap();
    assert_eq!(receipt.events_added, 2);
    assert!(lead.study.check().unwrap().is_empty());

    // A second package, returned into the inbox, is merged with nobody typing a passphrase.
    let (second, key) = lead.export("ana-second.concord");
    let inbox = lead.path("inbox");
    std::fs::create_dir(&inbox).unwrap();
    rate_and_return(&second, &key, &lead.rater, 4, &inbox.join("ana.concord"));
    assert_eq!(
        scan_once(&lead.study, &inbox).unwrap()[0].status,
        InboxStatus::Waiting
    );
    let scan = scan_once(&lead.study, &inbox).unwrap();
    assert_eq!(scan[0].status, InboxStatus::Merged, "{}", scan[0].detail);
    // Four ratings given in the second package (two of them again, on the first two responses).
    assert_eq!(scan[0].receipt.as_ref().unwrap().events_added, 4);
    assert!(inbox.join("merged/ana.concord").is_file());
}

#[test]
fn a_package_from_another_encrypted_study_is_refused_with_the_master_unchanged() {
    let lead = lead(false);
    let other = self::lead(false);
    let (foreign, key) = other.export("foreign.concord");
    let returned = lead.path("foreign-returned.concord");
    rate_and_return(&foreign, &key, &other.rater, 1, &returned);
    let before = lead.study.info().unwrap();
    let err = lead
        .study
        .merge(&returned, &MergeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("nothing was merged"), "{err}");
    assert_eq!(lead.study.info().unwrap(), before);
}

#[test]
fn a_half_copied_encrypted_package_waits_in_the_inbox_until_complete() {
    let lead = lead(false);
    let (pkg, key) = lead.export("ana.concord");
    let returned = lead.path("ana-returned.concord");
    rate_and_return(&pkg, &key, &lead.rater, 3, &returned);
    let bytes = std::fs::read(&returned).unwrap();
    assert!(bytes.len() >= 3 * 4096, "{} bytes", bytes.len());
    let inbox = lead.path("inbox");
    std::fs::create_dir(&inbox).unwrap();
    // The copy stalls after two whole pages, for longer than a scan.
    let target = inbox.join("ana.concord");
    std::fs::write(&target, &bytes[..2 * 4096]).unwrap();
    let before = lead.study.info().unwrap();
    for _ in 0..3 {
        let scan = scan_once(&lead.study, &inbox).unwrap();
        assert_eq!(scan[0].status, InboxStatus::Waiting, "{}", scan[0].detail);
    }
    let scan = scan_once(&lead.study, &inbox).unwrap();
    assert!(
        scan[0].detail.contains("bytes so far"),
        "{}",
        scan[0].detail
    );
    assert_eq!(lead.study.info().unwrap(), before);
    std::fs::write(&target, &bytes).unwrap();
    scan_once(&lead.study, &inbox).unwrap();
    let scan = scan_once(&lead.study, &inbox).unwrap();
    assert_eq!(scan[0].status, InboxStatus::Merged, "{}", scan[0].detail);
    assert_eq!(scan[0].receipt.as_ref().unwrap().events_added, 3);
}

#[test]
fn a_complete_but_damaged_encrypted_package_is_rejected_at_once_and_a_preallocated_one_waits() {
    let lead = lead(false);
    let (pkg, key) = lead.export("ana.concord");
    let returned = lead.path("ana-returned.concord");
    rate_and_return(&pkg, &key, &lead.rater, 3, &returned);
    let bytes = std::fs::read(&returned).unwrap();
    let pages = bytes.len() / 4096;
    assert!(
        pages >= 3 && bytes.len().is_multiple_of(4096),
        "{} bytes",
        bytes.len()
    );
    let inbox = lead.path("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let before = lead.study.info().unwrap();
    // Full length, one byte of the last page flipped (a bad disk, a broken transfer).
    let mut damaged = bytes.clone();
    damaged[bytes.len() - 2000] ^= 0x5a;
    std::fs::write(inbox.join("damaged.concord"), &damaged).unwrap();
    // A copy tool that preallocates: full length, the second half still zeros.
    let mut holes = bytes.clone();
    let half = pages / 2 * 4096;
    holes[half..].fill(0);
    std::fs::write(inbox.join("preallocated.concord"), &holes).unwrap();
    let first = scan_once(&lead.study, &inbox).unwrap();
    assert!(first.iter().all(|e| e.status == InboxStatus::Waiting));
    let second = scan_once(&lead.study, &inbox).unwrap();
    let status = |name: &str| second.iter().find(|e| e.file == name).unwrap();
    // Rejected at the first stable scan, not after 10 minutes, with the reason.
    let d = status("damaged.concord");
    assert_eq!(d.status, InboxStatus::Rejected, "{}", d.detail);
    assert!(
        d.detail.contains(&format!(
            "complete but damaged: page {pages} fails its integrity check"
        )),
        "{}",
        d.detail
    );
    let reason =
        std::fs::read_to_string(inbox.join("rejected/damaged.concord.reason.txt")).unwrap();
    assert!(reason.contains("nothing was merged"), "{reason}");
    // Intact pages so far and zeros after: still arriving.
    let p = status("preallocated.concord");
    assert_eq!(p.status, InboxStatus::Waiting, "{}", p.detail);
    assert!(
        p.detail.contains("shorter than its header says"),
        "{}",
        p.detail
    );
    assert_eq!(lead.study.info().unwrap(), before, "nothing merged");
    // The rest arrives: merged.
    std::fs::write(inbox.join("preallocated.concord"), &bytes).unwrap();
    scan_once(&lead.study, &inbox).unwrap();
    let done = scan_once(&lead.study, &inbox).unwrap();
    assert_eq!(done[0].status, InboxStatus::Merged, "{}", done[0].detail);
    assert_eq!(done[0].receipt.as_ref().unwrap().events_added, 3);
}

#[test]
fn decrypting_waits_for_every_encrypted_package_and_then_keeps_no_passphrase() {
    let lead = lead(false);
    let master = lead.path("master.concord");
    let ana = lead.path("ana.concord");
    let exported = lead
        .study
        .export_package_with(&lead.rater, &ana, None)
        .unwrap();
    let key = Passphrase::new(exported.passphrase.clone().unwrap()).unwrap();
    let study_key = Passphrase::new(STUDY_KEY).unwrap();

    // Out: the plain copy could not keep the package's passphrase, so decrypting is refused
    // and the master stays encrypted.
    let err = cipher::rekey(&master, Some(&study_key), None).unwrap_err();
    assert!(err.to_string().contains("still out"), "{err}");
    assert!(cipher::needs_passphrase(&master).unwrap());

    let returned = lead.path("ana-returned.concord");
    rate_and_return(&ana, &key, &lead.rater, 1, &returned);
    lead.study
        .merge(&returned, &MergeOptions::default())
        .unwrap();
    let Lead { dir, study, .. } = lead;
    study.close().unwrap();

    // Back: decrypting succeeds, and the plain file holds no package passphrase anywhere.
    cipher::rekey(&master, Some(&study_key), None).unwrap();
    assert!(!cipher::needs_passphrase(&master).unwrap());
    assert!(!contains(&master, exported.passphrase.as_deref().unwrap()));
    Study::open(&master).unwrap().close().unwrap();
    drop(dir);
}
