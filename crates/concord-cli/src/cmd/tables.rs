//! Tables in and out through `concord-io`: `import`, `ratings import`, `export`.

use anyhow::Result;
use concord_io::export::{export as export_table, ExportLayout};
use concord_io::import::{import_ratings as import_rating_rows, import_responses, ColumnMap};
use concord_io::import::{RatingLayout, RESPONSE_FIELDS};

use super::open_study;
use crate::cli::{ExportArgs, ImportArgs, Layout, RatingsImportArgs};

/// `concord import`: prompts and responses.
pub fn import(a: ImportArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    let map = ColumnMap::parse(&a.map, &RESPONSE_FIELDS)?;
    let s = import_responses(&study, &a.data, a.format.as_deref(), &map)?;
    println!(
        "{}: {} rows: {} items and {} responses added, {} already present",
        a.data.display(),
        s.rows,
        s.items_added,
        s.responses_added,
        s.unchanged
    );
    Ok(())
}

/// `concord ratings import`.
pub fn import_ratings(a: RatingsImportArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    let layout = match a.layout {
        Layout::Long => RatingLayout::Long,
        Layout::Wide => RatingLayout::Wide,
    };
    let s = import_rating_rows(&study, &a.data, a.format.as_deref(), layout, a.kind.into())?;
    println!(
        "{}: {} rows: {} ratings and {} rationales added, {} raters created, {} values unchanged",
        a.data.display(),
        s.rows,
        s.ratings_added,
        s.notes_added,
        s.raters_added,
        s.unchanged
    );
    Ok(())
}

/// `concord export`.
pub fn export(a: ExportArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    let layout = match a.layout {
        Layout::Long => ExportLayout::Long,
        Layout::Wide => ExportLayout::Wide,
    };
    let s = export_table(&study, &a.out, a.format.as_deref(), layout)?;
    println!("wrote {} rows to {}", s.rows, a.out.display());
    Ok(())
}
