//! The rating matrix for one attribute: targets (rows) × raters (columns), cells may be missing.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a rating matrix could not be built.
#[derive(Debug, Error, PartialEq)]
pub enum MatrixError {
    /// The number of cells is not targets × raters.
    #[error("expected {expected} cells ({targets} targets × {raters} raters), got {got}")]
    Shape {
        /// Targets.
        targets: usize,
        /// Raters.
        raters: usize,
        /// Expected cell count.
        expected: usize,
        /// Cells given.
        got: usize,
    },
    /// A cell holds NaN or an infinity.
    #[error("cell (target {target}, rater {rater}) is not a finite number")]
    NonFinite {
        /// Row of the cell.
        target: usize,
        /// Column of the cell.
        rater: usize,
    },
    /// Rows of a row list have different lengths.
    #[error("row {row} has {got} cells, expected {expected}")]
    Ragged {
        /// Row index.
        row: usize,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
}

/// Whether two lists of values hold the same bits, value by value (NaN equals NaN: the stores
/// of ratings use it for "not rated").
pub(crate) fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Targets × raters matrix of ratings, row-major, `None` = not rated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingMatrix {
    n_targets: usize,
    n_raters: usize,
    cells: Vec<Option<f64>>,
}

impl RatingMatrix {
    /// Build from row-major cells; every present value must be finite.
    pub fn new(
        n_targets: usize,
        n_raters: usize,
        cells: Vec<Option<f64>>,
    ) -> Result<Self, MatrixError> {
        let expected = n_targets * n_raters;
        if cells.len() != expected {
            return Err(MatrixError::Shape {
                targets: n_targets,
                raters: n_raters,
                expected,
                got: cells.len(),
            });
        }
        // One branch-free pass over every cell; the bad one is looked for only when there is one.
        let finite = |c: &Option<f64>| c.is_none_or(f64::is_finite);
        if !cells.iter().fold(true, |all, c| all & finite(c)) {
            let i = cells.iter().position(|c| !finite(c)).unwrap_or_default();
            return Err(MatrixError::NonFinite {
                target: i / n_raters.max(1),
                rater: i % n_raters.max(1),
            });
        }
        Ok(RatingMatrix {
            n_targets,
            n_raters,
            cells,
        })
    }

    /// Build from rows of equal length.
    pub fn from_rows(rows: &[Vec<Option<f64>>]) -> Result<Self, MatrixError> {
        let k = rows.first().map_or(0, Vec::len);
        let mut cells = Vec::with_capacity(rows.len() * k);
        for (i, r) in rows.iter().enumerate() {
            if r.len() != k {
                return Err(MatrixError::Ragged {
                    row: i,
                    expected: k,
                    got: r.len(),
                });
            }
            cells.extend_from_slice(r);
        }
        RatingMatrix::new(rows.len(), k, cells)
    }

    /// Build from complete rows (no missing cells).
    pub fn from_complete(rows: &[Vec<f64>]) -> Result<Self, MatrixError> {
        let rows: Vec<Vec<Option<f64>>> = rows
            .iter()
            .map(|r| r.iter().map(|&v| Some(v)).collect())
            .collect();
        RatingMatrix::from_rows(&rows)
    }

    /// Number of targets (rows).
    pub fn n_targets(&self) -> usize {
        self.n_targets
    }

    /// Number of raters (columns).
    pub fn n_raters(&self) -> usize {
        self.n_raters
    }

    /// The cell for (target, rater).
    pub fn get(&self, target: usize, rater: usize) -> Option<f64> {
        self.cells[target * self.n_raters + rater]
    }

    /// One target's ratings.
    pub fn row(&self, target: usize) -> &[Option<f64>] {
        &self.cells[target * self.n_raters..(target + 1) * self.n_raters]
    }

    /// Iterator over rows.
    pub fn rows(&self) -> impl Iterator<Item = &[Option<f64>]> {
        (0..self.n_targets).map(move |t| self.row(t))
    }

    /// All cells, row-major.
    pub fn cells(&self) -> &[Option<f64>] {
        &self.cells
    }

    /// Number of present cells.
    pub fn n_observed(&self) -> usize {
        self.cells.iter().filter(|c| c.is_some()).count()
    }

    /// Raters with at least one rating.
    pub fn n_active_raters(&self) -> usize {
        (0..self.n_raters)
            .filter(|&j| (0..self.n_targets).any(|t| self.get(t, j).is_some()))
            .count()
    }

    /// The sub-matrix of the given raters (columns), in that order.
    pub fn select_raters(&self, raters: &[usize]) -> RatingMatrix {
        let mut cells = Vec::with_capacity(self.n_targets * raters.len());
        for t in 0..self.n_targets {
            for &j in raters {
                cells.push(self.get(t, j));
            }
        }
        RatingMatrix {
            n_targets: self.n_targets,
            n_raters: raters.len(),
            cells,
        }
    }

    /// Complete rows only, flattened row-major; returns (values, rows kept, rows dropped).
    pub fn complete_rows(&self) -> (Vec<f64>, usize, usize) {
        let mut out = Vec::with_capacity(self.cells.len());
        let mut kept = 0;
        for row in self.rows() {
            if row.iter().all(Option::is_some) {
                out.extend(row.iter().map(|c| c.unwrap_or_default()));
                kept += 1;
            }
        }
        (out, kept, self.n_targets - kept)
    }

    /// All present values.
    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.cells.iter().filter_map(|c| *c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_finite_value_is_refused_with_its_place() {
        let mut cells = vec![Some(1.0); 4 * 3];
        cells[1] = None;
        assert!(RatingMatrix::new(4, 3, cells.clone()).is_ok());
        cells[3 + 2] = Some(f64::NAN);
        cells[9] = Some(f64::INFINITY);
        let err = RatingMatrix::new(4, 3, cells).unwrap_err();
        assert!(
            matches!(
                err,
                MatrixError::NonFinite {
                    target: 1,
                    rater: 2
                }
            ),
            "{err:?}"
        );
    }
}
