//! Writes every chart on the test fixtures as PNG and SVG to a directory (default
//! `/tmp/plots`), to look at them: `cargo run -p concord-plots --example samples [dir]`.

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

use concord_plots::*;

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/plots".into());
    std::fs::create_dir_all(&dir)?;
    let forest = fixtures::forest_data();
    let heatmap = fixtures::heatmap_data();
    let bias = fixtures::bias_data();
    let ba = fixtures::bland_altman_data();
    let dist = fixtures::distribution_data();
    let conf = fixtures::confusion_data();
    let prog = fixtures::progress_data();
    let scores = fixtures::model_scores_data();
    let empty_forest = ForestData {
        metric: "Krippendorff's α (interval)".into(),
        rows: forest
            .rows
            .iter()
            .map(|r| ForestRow {
                estimate: None,
                ci: None,
                reason: Some("fewer than 2 raters".into()),
                ..r.clone()
            })
            .collect(),
        note: None,
    };
    let charts = [
        Chart::Forest(&forest),
        Chart::Heatmap(&heatmap),
        Chart::Bias(&bias),
        Chart::BlandAltman(&ba),
        Chart::Distribution(&dist),
        Chart::Confusion(&conf),
        Chart::Progress(&prog),
        Chart::ModelScores(&scores),
    ];
    for chart in charts {
        let name = chart.name();
        std::fs::write(
            format!("{dir}/{name}.png"),
            render(&chart, Format::Png, None)?,
        )?;
        std::fs::write(
            format!("{dir}/{name}.svg"),
            render(&chart, Format::Svg, None)?,
        )?;
    }
    let long = fixtures::forest_long_data();
    let long_png = render(&Chart::Forest(&long), Format::Png, None)?;
    std::fs::write(format!("{dir}/forest-long.png"), long_png)?;
    let empty = Chart::Forest(&empty_forest);
    std::fs::write(
        format!("{dir}/forest-empty.png"),
        render(&empty, Format::Png, None)?,
    )?;
    println!("wrote {} charts to {dir}", chart_names().len() + 2);
    Ok(())
}
