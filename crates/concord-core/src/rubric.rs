//! Rubrics: the attributes a response is rated on, loaded from a documented TOML format
//! (see `docs/rubric-format.md`) and validated before a study is created with them.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One anchor of an attribute's scale, shown to the rater.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Level {
    pub value: i64,
    pub descriptor: String,
}

/// One rated dimension of a response (e.g. "Safety", 1–5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Attribute {
    pub key: String,
    pub label: String,
    pub description: String,
    pub group: Option<String>,
    /// The group's name for raters, from the rubric's `[groups]` table (None: show the key).
    #[serde(default)]
    pub group_label: Option<String>,
    pub scale_min: i64,
    pub scale_max: i64,
    pub levels: Vec<Level>,
}

impl Attribute {
    /// Whether `value` lies on this attribute's integer scale.
    pub fn accepts(&self, value: i64) -> bool {
        (self.scale_min..=self.scale_max).contains(&value)
    }
}

/// A named, ordered set of attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rubric {
    pub name: String,
    pub description: String,
    pub attributes: Vec<Attribute>,
    /// Flags a rater can set on a response (e.g. "unsafe"); copied into the study settings.
    pub flags: Vec<String>,
}

const MENTALBENCH: &str = include_str!("../../../assets/rubrics/mentalbench.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RubricFile {
    name: String,
    #[serde(default)]
    description: String,
    scale: Option<[i64; 2]>,
    #[serde(default)]
    flags: Option<Vec<String>>,
    /// Group key → the name raters see.
    #[serde(default)]
    groups: BTreeMap<String, String>,
    #[serde(default, rename = "attribute")]
    attributes: Vec<AttributeFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttributeFile {
    key: String,
    label: Option<String>,
    #[serde(default)]
    description: String,
    group: Option<String>,
    scale: Option<[i64; 2]>,
    #[serde(default)]
    levels: BTreeMap<String, String>,
}

/// Flags offered when a rubric names none.
pub const DEFAULT_FLAGS: [&str; 3] = ["unsafe", "unclear", "off_topic"];

impl Rubric {
    /// Names accepted by [`Rubric::builtin`].
    pub fn template_names() -> Vec<&'static str> {
        vec!["mentalbench"]
    }

    /// A built-in template by name.
    pub fn builtin(name: &str) -> Result<Rubric> {
        match name {
            "mentalbench" => Rubric::from_toml_str(MENTALBENCH, "mentalbench"),
            other => Err(Error::Rubric {
                origin: other.to_string(),
                message: format!(
                    "no built-in rubric of that name (available: {})",
                    Rubric::template_names().join(", ")
                ),
            }),
        }
    }

    /// A built-in template name or a path to a TOML file.
    pub fn builtin_or_file(spec: &str) -> Result<Rubric> {
        if Rubric::template_names().contains(&spec) {
            Rubric::builtin(spec)
        } else {
            Rubric::load(Path::new(spec))
        }
    }

    /// Loads and validates a rubric TOML file.
    pub fn load(path: &Path) -> Result<Rubric> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Rubric::from_toml_str(&text, &path.display().to_string())
    }

    /// Parses and validates rubric TOML; `origin` names the source in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Rubric> {
        let err = |message: String| Error::Rubric {
            origin: origin.to_string(),
            message,
        };
        let file: RubricFile =
            toml::from_str(text).map_err(|e| err(e.to_string().trim().replace('\n', " ")))?;
        if file.attributes.is_empty() {
            return Err(err("no [[attribute]] defined".into()));
        }
        let mut seen = HashSet::new();
        let mut attributes = Vec::with_capacity(file.attributes.len());
        for a in file.attributes {
            let key = a.key.trim().to_string();
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(err(format!(
                    "attribute key '{}' must be non-empty letters, digits, '_' or '-'",
                    a.key
                )));
            }
            if !seen.insert(key.clone()) {
                return Err(err(format!("attribute '{key}' is defined twice")));
            }
            let [scale_min, scale_max] = a.scale.or(file.scale).ok_or_else(|| {
                err(format!(
                    "attribute '{key}' has no scale (set `scale = [min, max]`)"
                ))
            })?;
            if scale_min >= scale_max {
                return Err(err(format!("attribute '{key}': scale minimum {scale_min} must be below maximum {scale_max}")));
            }
            let mut levels = Vec::new();
            for (k, descriptor) in &a.levels {
                let value: i64 = k.trim().parse().map_err(|_| {
                    err(format!("attribute '{key}': level '{k}' is not an integer"))
                })?;
                if !(scale_min..=scale_max).contains(&value) {
                    return Err(err(format!("attribute '{key}': level {value} is outside the scale {scale_min}–{scale_max}")));
                }
                levels.push(Level {
                    value,
                    descriptor: descriptor.trim().to_string(),
                });
            }
            levels.sort_by_key(|l| l.value);
            for value in scale_min..=scale_max {
                match levels.iter().find(|l| l.value == value) {
                    Some(l) if !l.descriptor.is_empty() => {}
                    _ => {
                        return Err(err(format!(
                            "attribute '{key}': level {value} has no descriptor"
                        )))
                    }
                }
            }
            let group = a.group.filter(|g| !g.trim().is_empty());
            attributes.push(Attribute {
                label: a.label.unwrap_or_else(|| key.clone()),
                key,
                description: a.description.trim().to_string(),
                group_label: group
                    .as_ref()
                    .and_then(|g| file.groups.get(g))
                    .map(|l| l.trim().to_string()),
                group,
                scale_min,
                scale_max,
                levels,
            });
        }
        for (group, label) in &file.groups {
            if !attributes.iter().any(|a| a.group.as_ref() == Some(group)) {
                return Err(err(format!("[groups]: no attribute is in group '{group}'")));
            }
            if label.trim().is_empty() {
                return Err(err(format!("[groups]: group '{group}' has an empty name")));
            }
        }
        Ok(Rubric {
            name: file.name,
            description: file.description,
            attributes,
            flags: file
                .flags
                .unwrap_or_else(|| DEFAULT_FLAGS.iter().map(|s| s.to_string()).collect()),
        })
    }

    /// The attribute with this key.
    pub fn attribute(&self, key: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.key == key)
    }

    /// Group names in first-appearance order.
    pub fn groups(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for g in self.attributes.iter().filter_map(|a| a.group.clone()) {
            if !out.contains(&g) {
                out.push(g);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentalbench_has_seven_described_attributes_in_two_groups() {
        let r = Rubric::builtin("mentalbench").unwrap();
        let keys: Vec<_> = r.attributes.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "guidance",
                "informativeness",
                "relevance",
                "safety",
                "empathy",
                "helpfulness",
                "understanding"
            ]
        );
        assert_eq!(r.groups(), ["CSS", "ARS"]);
        let label = |key: &str| r.attribute(key).unwrap().group_label.as_deref();
        assert_eq!(label("guidance"), Some("Cognitive support"));
        assert_eq!(label("empathy"), Some("Affective resonance"));
        assert!(r
            .attributes
            .iter()
            .all(|a| a.levels.len() == 5 && a.scale_min == 1 && a.scale_max == 5));
    }

    fn load(text: &str) -> String {
        Rubric::from_toml_str(text, "t.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn validation_names_the_offending_key() {
        let dup = "name='x'\nscale=[1,2]\n[[attribute]]\nkey='a'\nlevels={1='x',2='y'}\n[[attribute]]\nkey='a'\nlevels={1='x',2='y'}";
        assert!(load(dup).contains("'a' is defined twice"), "{}", load(dup));
        let missing = "name='x'\nscale=[1,3]\n[[attribute]]\nkey='calm'\nlevels={1='x',2='y'}";
        assert!(load(missing).contains("'calm': level 3 has no descriptor"));
        let inverted = "name='x'\n[[attribute]]\nkey='b'\nscale=[5,1]\nlevels={1='x'}";
        assert!(load(inverted).contains("'b': scale minimum 5 must be below maximum 1"));
        let outside = "name='x'\nscale=[1,2]\n[[attribute]]\nkey='c'\nlevels={1='x',2='y',7='z'}";
        assert!(load(outside).contains("'c': level 7 is outside"));
        assert!(load("name='x'").contains("no [[attribute]]"));
    }

    #[test]
    fn group_names_must_name_a_used_group() {
        let rubric = |groups: &str| {
            Rubric::from_toml_str(
                &format!(
                    "name = \"r\"\nscale = [1, 2]\n{groups}\n[[attribute]]\nkey = \"a\"\ngroup = \"G\"\n[attribute.levels]\n1 = \"x\"\n2 = \"y\"\n"
                ),
                "r.toml",
            )
        };
        let ok = rubric("[groups]\nG = \" Group one \"").unwrap();
        assert_eq!(ok.attributes[0].group_label.as_deref(), Some("Group one"));
        assert_eq!(rubric("").unwrap().attributes[0].group_label, None);
        let err = rubric("[groups]\nH = \"Other\"").unwrap_err().to_string();
        assert!(
            err.contains("r.toml") && err.contains("no attribute is in group 'H'"),
            "{err}"
        );
        assert!(rubric("[groups]\nG = \" \"").is_err());
    }
}
