//! Raters and their work: `raters`, `assign`, `progress`, `package`, `return`, `rate`.

use std::io::{BufRead, Write};

use anyhow::{bail, Context, Result};
use concord_core::assignment::{AssignRequest, Strata};

use super::{open_study, rater_id};
use crate::cli::{
    AssignArgs, PackageArgs, ProgressArgs, RateArgs, RatersArgs, ReturnArgs, StrataArg,
};
use crate::output::{print_design, print_json, print_progress, print_raters, value_text};

/// `concord raters`: lists them, or adds one.
pub fn raters(a: RatersArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    if let Some(name) = a.add {
        let r = study.add_rater(&name, a.kind.into(), a.site.as_deref())?;
        println!("added {} ({})", r.name, r.kind.as_str());
        return Ok(());
    }
    let raters = study.raters()?;
    if a.json {
        print_json(&raters);
    } else {
        let progress = raters
            .iter()
            .map(|r| study.progress(&r.id))
            .collect::<Result<Vec<_>, _>>()?;
        print_raters(&raters, &progress);
    }
    Ok(())
}

/// `concord assign`: builds and writes a design, or hands a retired rater's work over.
pub fn assign(a: AssignArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    let request = AssignRequest {
        raters: a
            .raters
            .iter()
            .map(|n| rater_id(&study, n))
            .collect::<Result<_>>()?,
        overlap: a.overlap,
        strata: match a.strata {
            Some(StrataArg::Model) => Strata::Model,
            Some(StrataArg::Site) => Strata::Site,
            None => Strata::None,
        },
        seed: a.seed,
        retire: a
            .retire
            .as_deref()
            .map(|n| rater_id(&study, n))
            .transpose()?,
    };
    let design = study.assign_design(&request)?;
    if a.json {
        print_json(&design);
    } else {
        print_design(&design);
    }
    Ok(())
}

/// `concord progress`.
pub fn progress(a: ProgressArgs) -> Result<()> {
    let report = open_study(&a.file)?.progress_report_overdue(a.overdue_days)?;
    if a.json {
        print_json(&report);
    } else {
        print_progress(&report);
    }
    Ok(())
}

/// `concord package`.
pub fn package(a: PackageArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    let key = super::passphrase::package_passphrase()?;
    let exported = study.export_package_with(&rater_id(&study, &a.rater)?, &a.out, key.as_ref())?;
    println!(
        "wrote package {} for {} to {}",
        exported.package_id,
        a.rater,
        a.out.display()
    );
    if let Some(passphrase) = exported.passphrase {
        println!(
            "the package is encrypted; its passphrase (give it to {} separately, not with the file): {passphrase}",
            a.rater
        );
    }
    Ok(())
}

/// `concord return`.
pub fn return_package(a: ReturnArgs) -> Result<()> {
    let returned = open_study(&a.package)?.return_package(&a.out)?;
    if a.json {
        print_json(&returned);
    } else {
        println!("{}", returned.message);
        println!(
            "sha256 of its events: {}",
            returned.manifest.events_sha256.as_deref().unwrap_or("")
        );
    }
    Ok(())
}

/// `concord rate`: one rating per line of standard input, each durable before its `ok`.
pub fn rate(a: RateArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    let rater = rater_id(&study, &a.rater)?;
    let response_ids = study.response_ids()?;
    let mut out = std::io::stdout().lock();
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line?;
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [response, attribute, value] = parts[..] else {
            bail!("stdin line {}: expected RESPONSE_ID ATTRIBUTE VALUE", n + 1);
        };
        let id = response_ids
            .get(response)
            .with_context(|| format!("stdin line {}: unknown response '{response}'", n + 1))?;
        let value = match value {
            "-" => None,
            v => Some(
                v.parse()
                    .with_context(|| format!("stdin line {}: '{v}' is not an integer", n + 1))?,
            ),
        };
        let event = study.set_rating(&rater, id, attribute, value)?;
        writeln!(
            out,
            "ok {} {response} {attribute} {}",
            event.id,
            value_text(value)
        )?;
        out.flush()?;
    }
    // Fold the log into the file so that the study file alone holds every rating.
    study.close()?;
    Ok(())
}
