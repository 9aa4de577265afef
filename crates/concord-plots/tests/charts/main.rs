//! End-to-end tests: each chart on realistic data and on degenerate data, read back from
//! the SVG (as XML) and the PNG (signature and header).

#[path = "../fixtures/mod.rs"]
mod fixtures;
mod realistic;
mod robust;

use concord_plots::*;
use fixtures::*;

/// A `<text>` element: content, position, font size, anchor, rotated or not.
#[derive(Debug)]
struct Label {
    text: String,
    x: f64,
    y: f64,
    size: f64,
    anchor: String,
    rotated: bool,
}

struct Svg {
    labels: Vec<Label>,
    whiskers: usize,
    points: usize,
}

fn parse(svg: &str) -> Svg {
    let doc = roxmltree::Document::parse(svg).expect("SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let num = |n: &roxmltree::Node, a: &str| n.attribute(a).and_then(|v| v.parse::<f64>().ok());
    let labels = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| Label {
            text: n.text().unwrap_or("").trim().to_string(),
            x: num(&n, "x").unwrap_or(0.0),
            y: num(&n, "y").unwrap_or(0.0),
            size: num(&n, "font-size").unwrap_or(0.0),
            anchor: n.attribute("text-anchor").unwrap_or("start").to_string(),
            rotated: n.attribute("transform").is_some(),
        })
        .collect();
    let whisker_width = CI_STROKE_WIDTH.to_string();
    let whiskers = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .filter(|n| n.attribute("stroke-width") == Some(whisker_width.as_str()))
        .count();
    let radius = POINT_RADIUS.to_string();
    let points = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle") && n.attribute("r") == Some(radius.as_str()))
        .count();
    Svg {
        labels,
        whiskers,
        points,
    }
}

impl Svg {
    fn texts(&self) -> Vec<&str> {
        self.labels.iter().map(|l| l.text.as_str()).collect()
    }
    fn has(&self, s: &str) -> bool {
        self.labels.iter().any(|l| l.text == s)
    }
    fn contains(&self, s: &str) -> bool {
        self.labels.iter().any(|l| l.text.contains(s))
    }
    fn count(&self, s: &str) -> usize {
        self.labels.iter().filter(|l| l.text == s).count()
    }

    /// No two horizontal labels overlap (boxes from a generous average glyph width).
    fn assert_no_overlap(&self) {
        let boxes: Vec<(f64, f64, f64, f64, &str)> = self
            .labels
            .iter()
            .filter(|l| !l.rotated && !l.text.is_empty())
            .map(|l| {
                let w = l.text.chars().count() as f64 * l.size * 0.55;
                let x0 = match l.anchor.as_str() {
                    "middle" => l.x - w / 2.0,
                    "end" => l.x - w,
                    _ => l.x,
                };
                // y is the anchor; the exact baseline varies with dy, so compare bands
                // of one font size centred on the anchor's line.
                (x0, l.y - l.size / 2.0, w, l.size, l.text.as_str())
            })
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let x_overlap = a.0 < b.0 + b.2 && b.0 < a.0 + a.2;
                let y_overlap = (a.1 - b.1).abs() < a.3.min(b.3) * 0.9;
                assert!(
                    !(x_overlap && y_overlap),
                    "labels overlap: {:?} and {:?}",
                    a,
                    b
                );
            }
        }
    }
}

fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

/// One realistic input of every chart.
struct Inputs(
    ForestData,
    HeatmapData,
    BiasData,
    BlandAltmanData,
    DistributionData,
    ConfusionData,
    ProgressData,
    ModelScoresData,
);

impl Inputs {
    fn realistic() -> Inputs {
        Inputs(
            forest_data(),
            heatmap_data(),
            bias_data(),
            bland_altman_data(),
            distribution_data(),
            confusion_data(),
            progress_data(),
            model_scores_data(),
        )
    }

    /// Every chart, in `chart_names()` order.
    fn charts(&self) -> [Chart<'_>; 8] {
        [
            Chart::Forest(&self.0),
            Chart::Heatmap(&self.1),
            Chart::Bias(&self.2),
            Chart::BlandAltman(&self.3),
            Chart::Distribution(&self.4),
            Chart::Confusion(&self.5),
            Chart::Progress(&self.6),
            Chart::ModelScores(&self.7),
        ]
    }
}
