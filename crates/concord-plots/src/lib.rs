//! Concord's charts: data in, SVG out (PNG through plotters' bitmap backend).
//!
//! This crate computes no statistic of its own: every estimate, interval, limit of agreement
//! and count arrives in the input types below, which are plain serde structs so the app and
//! the CLI can pass them without depending on each other. It depends on no other Concord crate.
//!
//! There is one drawing routine per chart, generic over the plotters backend, so the SVG shown
//! in the app and the PNG written on export come from the same code. Each chart sizes its
//! canvas from the data ([`Chart::natural_size`]) so labels never overlap; empty or
//! degenerate input draws a chart that says why there is no estimate instead of failing.
//!
//! ```
//! use concord_plots::{confusion, ConfusionData};
//! let svg = confusion(&ConfusionData {
//!     attribute: "Safety".into(),
//!     rater_a: "Rater 1".into(),
//!     rater_b: "Rater 2".into(),
//!     scale: vec![1, 2, 3],
//!     counts: vec![vec![3, 1, 0], vec![0, 4, 1], vec![0, 1, 5]],
//!     reason: None,
//! })
//! .unwrap();
//! assert!(svg.starts_with("<svg"));
//! ```

#![warn(missing_docs)]

mod bland_altman;
mod common;
mod confusion;
mod distribution;
mod dot_whisker;
mod heatmap;
mod model_scores;
mod progress;

pub use bland_altman::{bland_altman, BlandAltmanData, BlandAltmanPoint, POINT_RADIUS};
pub use common::format_value;
pub use confusion::{confusion, ConfusionData};
pub use distribution::{distribution, DistributionData, RaterCounts, RaterKind};
pub use dot_whisker::{bias, forest, BiasData, BiasRow, ForestData, ForestRow, CI_STROKE_WIDTH};
pub use heatmap::{heatmap, HeatmapCell, HeatmapData};
pub use model_scores::{model_scores, ModelScoresData};
pub use progress::{progress, CoverageBin, ProgressData, RaterProgress};

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use common::DResult;

/// Errors from drawing a chart. Bad input data is drawn as a message, not reported here;
/// these are the cases where no picture can be produced at all.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The requested canvas is too small or too large to draw.
    #[error("cannot draw a {width}×{height} px chart: each side must be 100–16000 px")]
    InvalidSize {
        /// Requested width in pixels.
        width: u32,
        /// Requested height in pixels.
        height: u32,
    },
    /// The embedded font could not be registered with plotters.
    #[error("the embedded chart font could not be loaded")]
    Font,
    /// The input cannot be drawn as given (e.g. a matrix with the wrong shape).
    #[error("{chart} chart: {message}")]
    InvalidData {
        /// Chart name, as in [`chart_names`].
        chart: &'static str,
        /// What is wrong with the input.
        message: String,
    },
    /// The drawing backend failed.
    #[error("drawing the {chart} chart failed: {message}")]
    Drawing {
        /// Chart name, as in [`chart_names`].
        chart: &'static str,
        /// The backend's message.
        message: String,
    },
    /// Encoding the PNG failed.
    #[error("encoding the PNG failed: {0}")]
    Png(String),
}

/// Result of this crate's functions.
pub type Result<T> = std::result::Result<T, PlotError>;

/// Names of the charts this crate draws, in the order the app lists them.
pub fn chart_names() -> &'static [&'static str] {
    &[
        "forest",
        "heatmap",
        "bias",
        "bland-altman",
        "distribution",
        "confusion",
        "progress",
        "model-scores",
    ]
}

/// Canvas size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Output format of [`render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// SVG text (UTF-8); labels stay `<text>` elements.
    Svg,
    /// PNG image, RGB, 8 bits per channel.
    Png,
}

/// Any chart with its data, so one [`render`] call can produce either format.
#[derive(Debug, Clone, Copy)]
pub enum Chart<'a> {
    /// See [`forest`].
    Forest(&'a ForestData),
    /// See [`heatmap`].
    Heatmap(&'a HeatmapData),
    /// See [`bias`].
    Bias(&'a BiasData),
    /// See [`bland_altman`].
    BlandAltman(&'a BlandAltmanData),
    /// See [`distribution`].
    Distribution(&'a DistributionData),
    /// See [`confusion`].
    Confusion(&'a ConfusionData),
    /// See [`progress`].
    Progress(&'a ProgressData),
    /// See [`model_scores`].
    ModelScores(&'a ModelScoresData),
}

impl Chart<'_> {
    /// The chart's name, one of [`chart_names`].
    pub fn name(&self) -> &'static str {
        match self {
            Chart::Forest(_) => "forest",
            Chart::Heatmap(_) => "heatmap",
            Chart::Bias(_) => "bias",
            Chart::BlandAltman(_) => "bland-altman",
            Chart::Distribution(_) => "distribution",
            Chart::Confusion(_) => "confusion",
            Chart::Progress(_) => "progress",
            Chart::ModelScores(_) => "model-scores",
        }
    }

    /// The size at which every label fits without overlap (at least 900×520 px).
    pub fn natural_size(&self) -> Size {
        let (width, height) = match self {
            Chart::Forest(d) => dot_whisker::size(&dot_whisker::forest_spec(d)),
            Chart::Heatmap(d) => heatmap::natural_size(d),
            Chart::Bias(d) => dot_whisker::size(&dot_whisker::bias_spec(d)),
            Chart::BlandAltman(d) => bland_altman::natural_size(d),
            Chart::Distribution(d) => distribution::natural_size(d),
            Chart::Confusion(d) => confusion::natural_size(d),
            Chart::Progress(d) => progress::natural_size(d),
            Chart::ModelScores(d) => dot_whisker::size(&model_scores::spec(d)),
        };
        Size {
            width: width.max(900),
            height: height.max(520),
        }
    }

    /// The one drawing routine of each chart, for any backend.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let result: DResult = (|| {
            root.fill(&WHITE).map_err(common::de)?;
            match self {
                Chart::Forest(d) => dot_whisker::draw(&dot_whisker::forest_spec(d), root),
                Chart::Heatmap(d) => heatmap::draw(d, root),
                Chart::Bias(d) => dot_whisker::draw(&dot_whisker::bias_spec(d), root),
                Chart::BlandAltman(d) => bland_altman::draw(d, root),
                Chart::Distribution(d) => distribution::draw(d, root),
                Chart::Confusion(d) => confusion::draw(d, root),
                Chart::Progress(d) => progress::draw(d, root),
                Chart::ModelScores(d) => dot_whisker::draw(&model_scores::spec(d), root),
            }?;
            root.present().map_err(common::de)
        })();
        result.map_err(|message| PlotError::Drawing {
            chart: self.name(),
            message,
        })
    }

    /// Rejects input that cannot be drawn at all (shape errors); missing values are fine.
    fn validate(&self) -> Result<()> {
        let message = match self {
            Chart::Confusion(d) => confusion::validate(d),
            Chart::Distribution(d) => distribution::validate(d),
            _ => None,
        };
        match message {
            Some(message) => Err(PlotError::InvalidData {
                chart: self.name(),
                message,
            }),
            None => Ok(()),
        }
    }
}

fn check_size(size: Size) -> Result<()> {
    let ok = |v: u32| (100..=16_000).contains(&v);
    if ok(size.width) && ok(size.height) {
        Ok(())
    } else {
        Err(PlotError::InvalidSize {
            width: size.width,
            height: size.height,
        })
    }
}

/// Renders `chart` as SVG text at `size` (its [`Chart::natural_size`] when `None`).
pub fn render_svg(chart: &Chart<'_>, size: Option<Size>) -> Result<String> {
    common::ensure_font()?;
    chart.validate()?;
    let size = size.unwrap_or_else(|| chart.natural_size());
    check_size(size)?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (size.width, size.height)).into_drawing_area();
        chart.draw(&root)?;
    }
    Ok(out)
}

/// Renders `chart` as a PNG at `size` (its [`Chart::natural_size`] when `None`).
pub fn render_png(chart: &Chart<'_>, size: Option<Size>) -> Result<Vec<u8>> {
    common::ensure_font()?;
    chart.validate()?;
    let size = size.unwrap_or_else(|| chart.natural_size());
    check_size(size)?;
    let mut rgb = vec![0u8; size.width as usize * size.height as usize * 3];
    {
        let root =
            BitMapBackend::with_buffer(&mut rgb, (size.width, size.height)).into_drawing_area();
        chart.draw(&root)?;
    }
    let mut png_bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png_bytes, size.width, size.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .map_err(|e| PlotError::Png(e.to_string()))?;
        writer
            .write_image_data(&rgb)
            .map_err(|e| PlotError::Png(e.to_string()))?;
    }
    Ok(png_bytes)
}

/// Renders `chart` in `format` at `size` (its [`Chart::natural_size`] when `None`).
pub fn render(chart: &Chart<'_>, format: Format, size: Option<Size>) -> Result<Vec<u8>> {
    match format {
        Format::Svg => render_svg(chart, size).map(String::into_bytes),
        Format::Png => render_png(chart, size),
    }
}
