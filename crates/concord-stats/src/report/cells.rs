//! One attribute's ratings as a report holds them until its jobs read them: targets × raters,
//! row-major, NaN where the rater gave none.
//!
//! NaN, not `Option<f64>`: eight bytes a cell instead of sixteen, and a report holds every
//! attribute's and composite's cells at once (a load of the 490k demo fills 7 × 70,000), where
//! fresh memory, zeroed by the kernel page by page, costs more than the work done on it. The
//! statistics still read `Option<f64>` ([`RatingMatrix`]): each sheet's humans and judges are
//! copied out of these cells when their jobs start.

use crate::matrix::{same_bits, RatingMatrix};

/// Targets × raters, row-major; NaN marks a cell without a rating, every other value is finite.
#[derive(Debug, Clone, Default)]
pub struct Cells {
    n_raters: usize,
    values: Vec<f64>,
}

impl Cells {
    /// `n_targets` × `n_raters` cells, none rated.
    pub fn unrated(n_targets: usize, n_raters: usize) -> Cells {
        Cells {
            n_raters,
            values: vec![f64::NAN; n_targets * n_raters],
        }
    }

    /// Rate a cell; a NaN value leaves it unrated.
    ///
    /// # Panics
    /// When the cell is outside the sheet.
    #[inline] // a load calls it for every rating, from another crate
    pub fn set(&mut self, target: usize, rater: usize, value: f64) {
        assert!(rater < self.n_raters, "rater {rater} outside the sheet");
        self.values[target * self.n_raters + rater] = value;
    }

    /// The rating of `rater` on `target`, if any.
    #[inline]
    pub fn get(&self, target: usize, rater: usize) -> Option<f64> {
        let v = self.values[target * self.n_raters + rater];
        (!v.is_nan()).then_some(v)
    }

    /// Rows (targets).
    pub fn n_targets(&self) -> usize {
        self.values.len().checked_div(self.n_raters).unwrap_or(0)
    }

    /// Columns (raters).
    pub fn n_raters(&self) -> usize {
        self.n_raters
    }

    /// The rows `from[i]` in order (`None`, or a row outside the sheet: an unrated row).
    pub fn rows_from(&self, from: &[Option<usize>]) -> Cells {
        let width = self.n_raters;
        let mut out = Cells::unrated(from.len(), width);
        for (row, f) in out.values.chunks_exact_mut(width.max(1)).zip(from) {
            let source = f.and_then(|f| self.values.get(f * width..(f + 1) * width));
            if let Some(source) = source {
                row.copy_from_slice(source);
            }
        }
        out
    }

    /// Whether the sheet is `n_targets` × `n_raters` with no infinite value (a report leaves
    /// out a sheet that is not).
    pub(super) fn fits(&self, n_targets: usize, n_raters: usize) -> bool {
        self.n_raters == n_raters
            && self.values.len() == n_targets * n_raters
            && self.values.iter().fold(true, |ok, v| ok & !v.is_infinite())
    }

    /// The cell values, row-major.
    pub(super) fn values(&self) -> &[f64] {
        &self.values
    }

    /// `n_targets` × `n_raters` cells from their values, row-major, if they [fit](Cells::fits).
    pub(super) fn from_values(
        n_targets: usize,
        n_raters: usize,
        values: Vec<f64>,
    ) -> Option<Cells> {
        let cells = Cells { n_raters, values };
        cells.fits(n_targets, n_raters).then_some(cells)
    }

    /// The `humans` columns as a rating matrix and the `judges` columns by target, read in one
    /// pass over the rows (a column read alone touches every row's cache lines for one cell).
    pub(super) fn split(
        &self,
        humans: &[usize],
        judges: &[usize],
    ) -> (RatingMatrix, Vec<Vec<Option<f64>>>) {
        let (n, width, k) = (self.n_targets(), self.n_raters.max(1), humans.len());
        let mut human_cells = vec![None; n * k];
        let mut columns = vec![vec![None; n]; judges.len()];
        let cell = |v: f64| (!v.is_nan()).then_some(v);
        // By row index, not zipped with the humans' rows: with no humans there are none, and
        // the judges' columns are still filled.
        for (t, row) in self.values.chunks_exact(width).enumerate() {
            for (o, &h) in human_cells[t * k..(t + 1) * k].iter_mut().zip(humans) {
                *o = cell(row[h]);
            }
            for (column, &j) in columns.iter_mut().zip(judges) {
                column[t] = cell(row[j]);
            }
        }
        let m = RatingMatrix::new(n, humans.len(), human_cells)
            .expect("cells of a sheet are finite or unrated");
        (m, columns)
    }
}

/// Equal when every cell holds the same bits (NaN, unrated, equals NaN).
impl PartialEq for Cells {
    fn eq(&self, other: &Cells) -> bool {
        self.n_raters == other.n_raters && same_bits(&self.values, &other.values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrated_cells_read_none_and_compare_equal() {
        let mut a = Cells::unrated(3, 2);
        a.set(1, 0, 4.0);
        a.set(2, 1, 0.5);
        assert_eq!(
            (a.get(1, 0), a.get(0, 0), a.get(2, 1)),
            (Some(4.0), None, Some(0.5))
        );
        assert_eq!((a.n_targets(), a.n_raters()), (3, 2));
        let mut b = Cells::unrated(3, 2);
        assert_ne!(a, b);
        b.set(1, 0, 4.0);
        b.set(2, 1, 0.5);
        assert_eq!(a, b);
        assert!(a.fits(3, 2) && !a.fits(2, 3) && !a.fits(3, 1));
        a.set(0, 1, f64::INFINITY);
        assert!(!a.fits(3, 2));
        // A composite whose sum overflowed makes no sheet, as a RatingMatrix refused it.
        assert!(Cells::from_values(1, 2, vec![f64::NAN, 2.0]).is_some());
        assert!(Cells::from_values(1, 2, vec![f64::INFINITY, 2.0]).is_none());
        assert!(Cells::from_values(2, 2, vec![1.0, 2.0]).is_none());
    }

    #[test]
    fn rows_come_in_the_order_asked_and_split_into_humans_and_judges() {
        let mut a = Cells::unrated(2, 3);
        for (t, r, v) in [(0, 0, 1.0), (0, 2, 3.0), (1, 1, 5.0), (1, 2, 2.0)] {
            a.set(t, r, v);
        }
        let b = a.rows_from(&[Some(1), None, Some(0), Some(7)]);
        assert_eq!(b.n_targets(), 4);
        assert_eq!(b.get(0, 1), Some(5.0));
        assert_eq!((0..3).filter_map(|r| b.get(1, r)).count(), 0);
        assert_eq!(b.get(2, 2), Some(3.0));
        assert_eq!((0..3).filter_map(|r| b.get(3, r)).count(), 0);
        let (humans, judges) = a.split(&[1, 0], &[2]);
        assert_eq!(humans.row(0), &[None, Some(1.0)]);
        assert_eq!(humans.row(1), &[Some(5.0), None]);
        assert_eq!(judges, vec![vec![Some(3.0), Some(2.0)]]);
        // A sheet of judges only: their columns all the same.
        let (humans, judges) = a.split(&[], &[2, 1]);
        assert_eq!(humans.n_raters(), 0);
        assert_eq!(
            judges,
            vec![vec![Some(3.0), Some(2.0)], vec![None, Some(5.0)]]
        );
    }
}
