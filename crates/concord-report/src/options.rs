//! From a study and what the user chose to the statistics options of an analysis, and from a
//! file name to a chart format: the one version of each, used by the command line and the app.

use std::collections::BTreeMap;
use std::path::Path;

use concord_core::{RaterKind, Study};
use concord_plots::Format;
use concord_stats::report::{ReportOptions, StudyRatings};

use crate::{ReportError, Result};

/// `chosen` checked against `study` and completed from it: every named human, judge and
/// attribute must exist (a judge named as a human is an error, not an empty selection), the
/// alt-test ε must lie in (0, 1), every judge of an own-model exclusion (the study's
/// `StudySettings::exclude_own`, then the chosen ones added per judge) must be a judge of the
/// study. Model names and family patterns are resolved once the models are loaded
/// ([`resolve_exclusions`]).
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
    let epsilon = chosen.alt_test.epsilon;
    if !(epsilon > 0.0 && epsilon < 1.0) {
        return Err(ReportError::BadEpsilon(epsilon));
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
    let judges: Vec<&str> = raters
        .iter()
        .filter(|r| r.kind == RaterKind::Llm)
        .map(|r| r.name.as_str())
        .collect();
    for (judge, source) in exclude_own
        .keys()
        .map(|j| (j, "the study's settings"))
        .chain(chosen.exclude_own.keys().map(|j| (j, "the options")))
    {
        if !judges.contains(&judge.as_str()) {
            return Err(ReportError::UnknownExclusion {
                what: "judge",
                name: judge.clone(),
                origin: source,
                valid: list(&judges),
            });
        }
    }
    for (judge, models) in chosen.exclude_own {
        exclude_own.entry(judge).or_default().extend(models);
    }
    Ok(ReportOptions {
        exclude_own,
        ..chosen
    })
}

/// The alt-test ε of an analysis: the one `chosen` for this run, else the study's setting
/// (`StudySettings::alt_epsilon`, which the dashboard's ε control saves).
pub fn alt_epsilon_for(study: &Study, chosen: Option<f64>) -> Result<f64> {
    match chosen {
        Some(epsilon) => Ok(epsilon),
        None => Ok(study.settings()?.alt_epsilon),
    }
}

/// `opts` with every own-model exclusion resolved against the study's models: a family
/// pattern (`*` matches any run of characters, as in `"claude-*"`) becomes the models it
/// matches, in the study's order; a name or pattern matching no model is an error naming the
/// valid models, so a typo cannot silently switch an exclusion off.
pub fn resolve_exclusions(opts: ReportOptions, data: &StudyRatings) -> Result<ReportOptions> {
    if opts.exclude_own.is_empty() {
        return Ok(opts);
    }
    let mut models: Vec<&str> = Vec::new();
    for t in &data.targets {
        if models.last() != Some(&t.model.as_str()) && !models.contains(&t.model.as_str()) {
            models.push(&t.model);
        }
    }
    let mut exclude_own = BTreeMap::new();
    for (judge, patterns) in &opts.exclude_own {
        let mut chosen: Vec<String> = Vec::new();
        for pattern in patterns {
            let matched: Vec<&str> = models
                .iter()
                .copied()
                .filter(|m| matches(pattern.trim(), m))
                .collect();
            if matched.is_empty() {
                return Err(ReportError::UnknownExclusion {
                    what: "model",
                    name: pattern.clone(),
                    origin: "the own-model exclusions",
                    valid: list(&models),
                });
            }
            for m in matched {
                if !chosen.iter().any(|c| c == m) {
                    chosen.push(m.to_string());
                }
            }
        }
        exclude_own.insert(judge.clone(), chosen);
    }
    Ok(ReportOptions {
        exclude_own,
        ..opts
    })
}

/// Whether `name` matches `pattern`, where `*` stands for any run of characters.
fn matches(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// `names` comma-separated, or "none".
fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
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
    fn exclusions_are_checked_and_patterns_resolved() {
        let dir = tempfile::tempdir().unwrap();
        let study = create_demo(&dir.path().join("d.concord"), &DemoOptions::default()).unwrap();
        let data = study.study_ratings().unwrap();
        let chosen = |judge: &str, models: &[&str]| ReportOptions {
            exclude_own: [(
                judge.to_string(),
                models.iter().map(|m| m.to_string()).collect(),
            )]
            .into(),
            ..ReportOptions::default()
        };
        let e = options_for(&study, chosen("Judge Z", &["model-a"]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "exclude_own in the options: no judge 'Judge Z' in this study; valid judges: Judge A, Judge B"
        );
        let resolve = |o: ReportOptions| resolve_exclusions(options_for(&study, o)?, &data);
        let e = resolve(chosen("Judge A", &["model-x"]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "exclude_own in the own-model exclusions: no model 'model-x' in this study; valid models: model-a, model-b, model-c"
        );
        let o = resolve(chosen("Judge A", &["model-*", "model-b"])).unwrap();
        assert_eq!(
            o.exclude_own["Judge A"],
            vec!["model-a", "model-b", "model-c"]
        );
        let o = resolve(chosen("Judge B", &["*-c"])).unwrap();
        assert_eq!(o.exclude_own["Judge B"], vec!["model-c"]);
        assert!(matches("m*a*c", "model-a-c") && !matches("m*a*c", "model-ab"));
        assert!(matches("model-a", "model-a") && !matches("model-a", "model-ab"));
        let mut bad = ReportOptions::default();
        bad.alt_test.epsilon = 1.5;
        let e = options_for(&study, bad).unwrap_err();
        assert!(matches!(e, ReportError::BadEpsilon(x) if x == 1.5));
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(chart_format(Path::new("a/b.SVG")), Some(Format::Svg));
        assert_eq!(chart_format(Path::new("b.png")), Some(Format::Png));
        assert_eq!(chart_format(Path::new("b.pdf")), None);
        assert_eq!(chart_format(Path::new("svg")), None);
    }
}
