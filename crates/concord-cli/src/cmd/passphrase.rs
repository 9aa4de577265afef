//! Passphrases of encrypted studies: from `CONCORD_PASSPHRASE` (scripts) or a prompt on the
//! terminal without echo; never stored, never printed. Every handler opens studies through
//! [`open_study`], so a plain study opens without asking.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{bail, Context, Result};
use concord_core::cipher::{self, Passphrase};
use concord_core::Study;

/// The environment variable a script sets instead of typing the passphrase.
const ENV: &str = "CONCORD_PASSPHRASE";
/// The environment variable a lead sets to choose a package's passphrase (else one is made).
const PACKAGE_ENV: &str = "CONCORD_PACKAGE_PASSPHRASE";

/// Opens `path`, asking for its passphrase only when it does not open as a plain study.
pub fn open_study(path: &Path) -> Result<Study> {
    match Study::open(path) {
        Err(err @ concord_core::Error::PassphraseNeeded(_)) => {
            match passphrase(&format!("Passphrase for {}: ", path.display()))? {
                Some(passphrase) => Ok(Study::open_with(path, Some(&passphrase))?),
                // Not encrypted as far as we can ask: the plain open's error stands.
                None => Err(err.into()),
            }
        }
        other => Ok(other?),
    }
}

/// The passphrase for a new encrypted file: `CONCORD_PASSPHRASE`, or typed twice.
pub fn new_passphrase(path: &Path) -> Result<Passphrase> {
    if let Some(p) = from_env()? {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "{}: set {ENV} or run in a terminal to give the new passphrase",
            path.display()
        );
    }
    let first = Passphrase::new(read(&format!("New passphrase for {}: ", path.display()))?)?;
    // Core refuses a short one anyway; saying so now spares typing it twice.
    first.check_chosen()?;
    let again = Passphrase::new(read("Type it again: ")?)?;
    if first != again {
        bail!("the two passphrases differ; nothing was changed");
    }
    Ok(first)
}

/// The passphrase the lead chose for a new package (`CONCORD_PACKAGE_PASSPHRASE`); `None`
/// lets core generate one for an encrypted study.
pub fn package_passphrase() -> Result<Option<Passphrase>> {
    match std::env::var(PACKAGE_ENV) {
        Ok(p) => {
            Ok(Some(Passphrase::new(p).with_context(|| {
                format!("{PACKAGE_ENV} is set but empty")
            })?))
        }
        Err(_) => Ok(None),
    }
}

/// `concord encrypt`.
pub fn encrypt(file: &Path) -> Result<()> {
    let to = new_passphrase(file)?;
    cipher::rekey(file, None, Some(&to))?;
    println!(
        "encrypted {}; the plain original is {}.bak: delete it once the study opens",
        file.display(),
        file.display()
    );
    Ok(())
}

/// `concord decrypt`.
pub fn decrypt(file: &Path) -> Result<()> {
    let from = passphrase(&format!("Passphrase for {}: ", file.display()))?
        .with_context(|| format!("{}: set {ENV} or run in a terminal", file.display()))?;
    cipher::rekey(file, Some(&from), None)?;
    println!(
        "decrypted {}; the encrypted original is {}.bak",
        file.display(),
        file.display()
    );
    Ok(())
}

/// `CONCORD_PASSPHRASE`, else a prompt when a terminal is attached, else none.
fn passphrase(prompt: &str) -> Result<Option<Passphrase>> {
    if let Some(p) = from_env()? {
        return Ok(Some(p));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    Ok(Some(Passphrase::new(read(prompt)?)?))
}

fn from_env() -> Result<Option<Passphrase>> {
    match std::env::var(ENV) {
        Ok(p) => Ok(Some(
            Passphrase::new(p).with_context(|| format!("{ENV} is set but empty"))?,
        )),
        Err(_) => Ok(None),
    }
}

fn read(prompt: &str) -> Result<String> {
    rpassword::prompt_password(prompt).context("cannot read the passphrase from the terminal")
}
