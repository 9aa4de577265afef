//! Scales, nice ticks and the x and y axes, drawn in pixel space.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{fs, line, text, text_width, vertical_text, DResult, GRID, INK, MUTED};

/// Linear map from data values to pixels.
#[derive(Clone, Copy)]
pub(crate) struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub p0: i32,
    pub p1: i32,
}

impl Scale {
    /// Pixel position of `v`.
    pub fn px(&self, v: f64) -> i32 {
        let span = if self.d1 == self.d0 {
            1.0
        } else {
            self.d1 - self.d0
        };
        (self.p0 as f64 + (v - self.d0) / span * (self.p1 - self.p0) as f64).round() as i32
    }

    /// Round tick values covering the domain, about `target` of them.
    pub fn ticks(&self, target: usize) -> Vec<f64> {
        nice_ticks(self.d0, self.d1, target)
    }
}

/// Tick values at a step of 1, 2, 2.5 or 5 × 10^k within `[lo, hi]`.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Label for a tick: as few decimals as the step needs, and never "-0".
pub(crate) fn tick_label(v: f64, ticks: &[f64]) -> String {
    let step = if ticks.len() > 1 {
        (ticks[1] - ticks[0]).abs()
    } else {
        1.0
    };
    let decimals = if step >= 1.0 {
        0
    } else if (step * 10.0 - (step * 10.0).round()).abs() < 1e-9 {
        1
    } else {
        2
    };
    let v = if v.abs() < step * 1e-6 { 0.0 } else { v };
    format!("{v:.decimals$}")
}

/// Draws a horizontal numeric axis along `y` with gridlines up to `grid_top`, and its label.
pub(crate) fn x_axis<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: &Scale,
    y: i32,
    grid_top: i32,
    label: &str,
) -> DResult {
    let ticks = scale.ticks(6);
    for t in &ticks {
        let x = scale.px(*t);
        line(root, (x, grid_top), (x, y), GRID, 1)?;
        line(root, (x, y), (x, y + 5), MUTED, 1)?;
        let s = tick_label(*t, &ticks);
        text(
            root,
            &s,
            (x, y + 8),
            fs::TICK,
            INK,
            (HPos::Center, VPos::Top),
        )?;
    }
    line(root, (scale.p0, y), (scale.p1, y), MUTED, 1)?;
    let mid = ((scale.p0 + scale.p1) / 2, y + 32);
    text(root, label, mid, fs::LABEL, INK, (HPos::Center, VPos::Top))
}

/// Draws a vertical numeric axis along `x` with gridlines to `grid_right`, and its label.
pub(crate) fn y_axis<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: &Scale,
    x: i32,
    grid_right: i32,
    label: &str,
) -> DResult {
    let ticks = scale.ticks(6);
    let mut widest = 0;
    for t in &ticks {
        let y = scale.px(*t);
        line(root, (x, y), (grid_right, y), GRID, 1)?;
        line(root, (x - 5, y), (x, y), MUTED, 1)?;
        let s = tick_label(*t, &ticks);
        widest = widest.max(text_width(&s, fs::TICK));
        text(
            root,
            &s,
            (x - 8, y),
            fs::TICK,
            INK,
            (HPos::Right, VPos::Center),
        )?;
    }
    line(root, (x, scale.p0), (x, scale.p1), MUTED, 1)?;
    let mid = (x - widest - 24, (scale.p0 + scale.p1) / 2);
    vertical_text(root, label, mid, fs::LABEL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_cover_forest_axis() {
        let t = nice_ticks(-0.2, 1.0, 6);
        assert_eq!(t.len(), 7);
        assert!((t[0] + 0.2).abs() < 1e-9 && (t[6] - 1.0).abs() < 1e-9);
        assert_eq!(tick_label(t[1], &t), "0.0");
    }
}
