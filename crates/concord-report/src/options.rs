//! From a study and what the user chose to the statistics options of an analysis, and from a
//! file name to a chart format: the one version of each, used by the command line and the app.

use std::path::Path;

use concord_core::{RaterKind, Study};
use concord_plots::Format;
use concord_stats::report::ReportOptions;

use crate::{ReportError, Result};

/// `chosen` checked against `study` and completed from it: every named human, judge and
/// attribute must exist (a judge named as a human is an error, not an empty selection), and
/// the study's own-model exclusions (`StudySettings::exclude_own`) come first, with the
/// chosen ones added per judge.
pub fn options_for(study: &Study, chosen: ReportOptions) -> Result<ReportOptions> {
    let raters = study.raters()?;
    for (names, kind, what) in [
        (&chosen.humans, RaterKind::Human, "human rater"),
        (&chosen.judges, RaterKind::Llm, "judge"),
    ] {
        if let Some(name) = names
            .iter()
            .flatten()
            .find(|n| !raters.iter().any(|r| r.name == **n && r.kind == kind))
        {
            return Err(ReportError::NotInStudy {
                what,
                name: name.clone(),
                study: study.path().display().to_string(),
            });
        }
    }
    let rubric = study.rubric()?;
    if let Some(key) = chosen
        .attributes
        .iter()
        .flatten()
        .find(|k| rubric.attribute(k).is_none())
    {
        return Err(ReportError::NotInRubric { key: key.clone() });
    }
    let mut exclude_own = study.settings()?.exclude_own;
    for (judge, models) in chosen.exclude_own {
        exclude_own.entry(judge).or_default().extend(models);
    }
    Ok(ReportOptions {
        exclude_own,
        ..chosen
    })
}

/// The chart format a file name asks for: `.svg` or `.png`, in any case.
pub fn chart_format(path: &Path) -> Option<Format> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "svg" => Some(Format::Svg),
        "png" => Some(Format::Png),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_core::demo::{create_demo, DemoOptions};

    #[test]
    fn names_are_checked_and_exclusions_merged() {
        let dir = tempfile::tempdir().unwrap();
        let study = create_demo(&dir.path().join("d.concord"), &DemoOptions::default()).unwrap();
        let fine = options_for(
            &study,
            ReportOptions {
                humans: Some(vec!["Rater 1".into()]),
                judges: Some(vec!["Judge A".into()]),
                attributes: Some(vec!["empathy".into()]),
                exclude_own: [("Judge A".to_string(), vec!["extra".to_string()])].into(),
                ..ReportOptions::default()
            },
        )
        .unwrap();
        let mut expected = study.settings().unwrap().exclude_own;
        expected
            .entry("Judge A".into())
            .or_default()
            .push("extra".into());
        assert_eq!(fine.exclude_own, expected);
        assert_eq!(fine.humans, Some(vec!["Rater 1".to_string()]));
        let err = |o: ReportOptions| options_for(&study, o).unwrap_err().to_string();
        let e = err(ReportOptions {
            humans: Some(vec!["Judge A".into()]),
            ..ReportOptions::default()
        });
        assert!(e.starts_with("no human rater named 'Judge A' in "), "{e}");
        let e = err(ReportOptions {
            judges: Some(vec!["Rater 1".into()]),
            ..ReportOptions::default()
        });
        assert!(e.starts_with("no judge named 'Rater 1' in "), "{e}");
        let e = err(ReportOptions {
            attributes: Some(vec!["kindness".into()]),
            ..ReportOptions::default()
        });
        assert_eq!(e, "no attribute 'kindness' in this study's rubric");
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(chart_format(Path::new("a/b.SVG")), Some(Format::Svg));
        assert_eq!(chart_format(Path::new("b.png")), Some(Format::Png));
        assert_eq!(chart_format(Path::new("b.pdf")), None);
        assert_eq!(chart_format(Path::new("svg")), None);
    }
}
