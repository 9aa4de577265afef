//! The study file itself: `new`, `info`, `check`, `rubric`, `settings`, `demo`.

use std::path::Path;

use anyhow::{bail, Result};
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::{Rubric, Study};

use super::open_study;
use super::parse_pairs;
use crate::cli::{DemoArgs, InfoArgs, NewArgs, RubricArgs, SettingsArgs};
use crate::output::{print_info, print_json, print_rubric};

/// `concord new`.
pub fn new(a: NewArgs) -> Result<()> {
    let rubric = Rubric::builtin_or_file(&a.rubric)?;
    let name = a.name.unwrap_or_else(|| {
        a.file
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    });
    let passphrase = if a.encrypt {
        Some(super::passphrase::new_passphrase(&a.file)?)
    } else {
        None
    };
    Study::create_with(&a.file, &name, &rubric, passphrase.as_ref())?;
    println!(
        "created {}{} with rubric {} ({} attributes)",
        a.file.display(),
        if a.encrypt { " (encrypted)" } else { "" },
        rubric.name,
        rubric.attributes.len()
    );
    Ok(())
}

/// `concord info`.
pub fn info(a: InfoArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    warn_storage(&study);
    let info = study.info()?;
    if a.json {
        print_json(&info);
    } else {
        print_info(&info);
    }
    Ok(())
}

/// `concord check`.
pub fn check(file: &Path) -> Result<()> {
    let study = open_study(file)?;
    warn_storage(&study);
    let problems = study.check()?;
    if !problems.is_empty() {
        bail!("{}: {}", file.display(), problems.join("; "));
    }
    println!("{}: ok", file.display());
    Ok(())
}

/// A study on a network drive: say so before anything else is printed.
fn warn_storage(study: &Study) {
    if let Some(warning) = study.storage_warning() {
        eprintln!("warning: {warning}");
    }
}

/// `concord rubric`.
pub fn rubric(a: RubricArgs) -> Result<()> {
    let rubric = if Path::new(&a.source)
        .extension()
        .is_some_and(|e| e == "concord")
    {
        open_study(Path::new(&a.source))?.rubric()?
    } else {
        Rubric::builtin_or_file(&a.source)?
    };
    if a.json {
        print_json(&rubric);
    } else {
        print_rubric(&rubric);
    }
    Ok(())
}

/// `concord settings`: changes what is given, prints the settings as stored.
pub fn settings(a: SettingsArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    let mut settings = study.settings()?;
    if let Some(b) = a.blind {
        settings.blind = b;
    }
    if let Some(f) = a.flags {
        settings.flags = f;
    }
    if let Some(o) = a.overlap {
        settings.overlap_target = o;
    }
    for (judge, model) in parse_pairs(&a.exclude_own)? {
        settings.exclude_own.entry(judge).or_default().push(model);
    }
    if let Some(to) = a.return_to {
        settings.return_to = to.trim().to_string();
    }
    if let Some(epsilon) = a.alt_epsilon {
        settings.alt_epsilon = epsilon;
    }
    print_json(&study.set_settings(&settings)?);
    Ok(())
}

/// `concord demo`.
pub fn demo(a: DemoArgs) -> Result<()> {
    let opts = DemoOptions {
        seed: a.seed,
        items: a.items,
        models: a.models,
        raters: a.raters,
        judges: a.judges,
        coverage: a.coverage,
        noise: a.noise,
        inflation: a.inflation,
        ..DemoOptions::default()
    };
    if !(0.0..=1.0).contains(&opts.coverage) {
        bail!("--coverage must be between 0 and 1");
    }
    let study = create_demo(&a.out, &opts)?;
    let info = study.info()?;
    println!(
        "created {}: {} items, {} responses, {} human raters, {} judges, {} ratings",
        a.out.display(),
        info.items,
        info.responses,
        info.raters.human,
        info.raters.llm,
        info.ratings
    );
    Ok(())
}
