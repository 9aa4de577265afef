//! Raters' progress kept current by this connection's own saves, so the rating screen gets it
//! with every value, and the dashboard every human's, without recounting a 100k queue each time
//! (one count costs ~10× a save, see `benches/save_progress.rs`).
//!
//! Each rater's count is remembered with the `PRAGMA data_version` it was made at: a commit by
//! any other connection (a merge, an import, the CLI) changes that number and the next read
//! recounts. Every write of this connection drops them all (`Study::write`), except a saved
//! value, which moves its one response between todo, partial and done in its rater's count and
//! leaves the other raters' as they are.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;
use crate::model::Progress;
use crate::rating::Cell;

/// One rater's progress as counted, and the data version it was counted at.
#[derive(Debug, Clone)]
pub(crate) struct CountedProgress {
    pub rater: i64,
    pub data_version: i64,
    pub progress: Progress,
}

/// This connection's `PRAGMA data_version`: changes after another connection commits.
pub(crate) fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "data_version", |r| r.get(0))?)
}

/// Values set by `cell`'s rater on `cell`'s response, or None when it is not assigned to them
/// (then it is not in their progress).
pub(crate) fn values_set(conn: &Connection, cell: Cell) -> Result<Option<usize>> {
    let assigned = conn
        .query_row(
            "SELECT 1 FROM assignment WHERE rater_id = ?1 AND response_id = ?2",
            params![cell.rater, cell.response],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !assigned {
        return Ok(None);
    }
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM rating WHERE rater_id = ?1 AND response_id = ?2 AND value IS NOT NULL",
        params![cell.rater, cell.response],
        |r| r.get(0),
    )?;
    Ok(Some(n as usize))
}

impl CountedProgress {
    /// Moves one response that had `before` of `n_attributes` values set to `after`.
    pub fn moved(&mut self, before: usize, after: usize, n_attributes: usize) {
        let p = &mut self.progress;
        for (n, step) in [(before, -1i64), (after, 1)] {
            let count = if n == 0 {
                &mut p.todo
            } else if n >= n_attributes {
                &mut p.done
            } else {
                &mut p.partial
            };
            *count = (*count as i64 + step) as usize;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_moves_between_todo_partial_and_done() {
        let mut c = CountedProgress {
            rater: 1,
            data_version: 1,
            progress: Progress {
                total: 3,
                done: 0,
                partial: 1,
                todo: 2,
                flagged: 0,
            },
        };
        c.moved(0, 1, 3);
        assert_eq!(
            (c.progress.todo, c.progress.partial, c.progress.done),
            (1, 2, 0)
        );
        c.moved(2, 3, 3);
        assert_eq!(
            (c.progress.todo, c.progress.partial, c.progress.done),
            (1, 1, 1)
        );
        c.moved(3, 3, 3);
        assert_eq!(
            (c.progress.todo, c.progress.partial, c.progress.done),
            (1, 1, 1)
        );
        c.moved(1, 0, 3);
        assert_eq!(
            (c.progress.todo, c.progress.partial, c.progress.done),
            (2, 0, 1)
        );
        assert_eq!(c.progress.total, 3);
    }
}
