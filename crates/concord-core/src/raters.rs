//! The study's raters: listing, finding by name, and adding (the lead's, or an import's first
//! sight of a judge).

use rusqlite::{params, OptionalExtension, Transaction};

use crate::error::{Error, Result};
use crate::ids::{gid_text, new_gid};
use crate::model::{Rater, RaterKind};
use crate::study::Study;

impl Study {
    /// All raters, humans first, by name.
    pub fn raters(&self) -> Result<Vec<Rater>> {
        Ok(self
            .raters_with_keys()?
            .into_iter()
            .map(|(_, r)| r)
            .collect())
    }

    /// All raters with their keys in this file, humans first, by name.
    pub(crate) fn raters_with_keys(&self) -> Result<Vec<(i64, Rater)>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {RATER_COLUMNS} FROM rater ORDER BY kind, name"
        ))?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, rater_from_row(r)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The rater with this display name.
    pub fn find_rater(&self, name: &str) -> Result<Option<Rater>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {RATER_COLUMNS} FROM rater WHERE name = ?1"),
                [name.trim()],
                rater_from_row,
            )
            .optional()?)
    }

    /// Adds a rater at `site` (trimmed; empty or `None`: no site) in one transaction, so a
    /// rater never exists without the site the lead gave; the name (trimmed) must be new. The
    /// one way a person becomes a rater, and the lead's (a package's rater is fixed);
    /// [`Study::set_rater_site`] changes the site later.
    pub fn add_rater(&self, name: &str, kind: RaterKind, site: Option<&str>) -> Result<Rater> {
        self.require_lead("adding a rater")?;
        let tx = self.write()?;
        let rater = insert_rater(&tx, name, kind, site)?;
        tx.commit()?;
        Ok(rater)
    }

    /// Records rater `rater_id`'s site (trimmed; empty clears it), which `Strata::Site`
    /// spreads each response's raters over and progress reports. The lead's alone.
    pub fn set_rater_site(&self, rater_id: &str, site: &str) -> Result<()> {
        self.require_lead("setting a rater's site")?;
        let key = self.rater_key(rater_id)?;
        let site = site.trim();
        let tx = self.write()?;
        tx.execute(
            "UPDATE rater SET metadata = CASE WHEN ?2 = '' THEN json_remove(metadata, '$.site')
                                              ELSE json_set(metadata, '$.site', ?2) END
             WHERE id = ?1",
            params![key, site],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The rater with this name, created with `kind` on first sight, inside `tx`.
    pub(crate) fn rater_by_name_or_create(
        &self,
        tx: &Transaction,
        name: &str,
        kind: RaterKind,
    ) -> Result<(Rater, bool)> {
        match self.find_rater(name)? {
            Some(r) if r.kind != kind => Err(Error::Invalid(format!(
                "rater '{}' exists as {} and cannot be imported as {}",
                r.name,
                r.kind.as_str(),
                kind.as_str()
            ))),
            Some(r) => Ok((r, false)),
            None => Ok((insert_rater(tx, name, kind, None)?, true)),
        }
    }
}

fn insert_rater(
    tx: &Transaction,
    name: &str,
    kind: RaterKind,
    site: Option<&str>,
) -> Result<Rater> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a rater needs a name".into()));
    }
    let exists: bool = tx.query_row(
        "SELECT count(*) > 0 FROM rater WHERE name = ?1",
        [name],
        |r| r.get(0),
    )?;
    if exists {
        return Err(Error::Invalid(format!(
            "a rater named '{name}' already exists"
        )));
    }
    let site = site.map(str::trim).filter(|s| !s.is_empty());
    let gid = new_gid();
    tx.execute(
        "INSERT INTO rater (gid, name, kind, metadata)
         VALUES (?1, ?2, ?3, CASE WHEN ?4 IS NULL THEN '{}' ELSE json_object('site', ?4) END)",
        params![gid, name, kind.as_str(), site],
    )?;
    Ok(Rater {
        id: gid_text(&gid),
        name: name.to_string(),
        kind,
        site: site.map(str::to_string),
    })
}

/// The columns [`rater_from_row`] reads.
const RATER_COLUMNS: &str = "id, gid, name, kind, json_extract(metadata, '$.site')";

/// A rater from a row of [`RATER_COLUMNS`]: (key, gid, name, kind, site).
fn rater_from_row(r: &rusqlite::Row) -> rusqlite::Result<Rater> {
    let kind: String = r.get(3)?;
    Ok(Rater {
        id: gid_text(&r.get::<_, Vec<u8>>(1)?),
        name: r.get(2)?,
        kind: RaterKind::parse(&kind).unwrap_or(RaterKind::Human),
        site: r.get(4)?,
    })
}
