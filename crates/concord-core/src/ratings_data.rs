//! The study's current ratings as the statistics crate's neutral input.

use std::collections::HashMap;

use concord_stats::report::{AttributeSpec, Observation, RaterSpec, StudyRatings, TargetSpec};

use crate::error::Result;
use crate::model::RaterKind;
use crate::study::Study;

impl Study {
    /// Every current, non-empty rating with its attribute, rater and response (and its model),
    /// in rubric, rater-name and response order. The one place a rating matrix is loaded.
    pub fn study_ratings(&self) -> Result<StudyRatings> {
        let rubric = self.rubric()?;
        let raters = self.raters()?;
        let attributes: Vec<AttributeSpec> = rubric
            .attributes
            .iter()
            .map(|a| AttributeSpec {
                key: a.key.clone(),
                group: a.group.clone(),
                scale_min: a.scale_min,
                scale_max: a.scale_max,
            })
            .collect();
        let attribute_index: HashMap<&str, usize> = rubric
            .attributes
            .iter()
            .enumerate()
            .map(|(i, a)| (self.attribute_ids[&a.key].as_str(), i))
            .collect();
        let rater_index: HashMap<&str, usize> = raters
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let mut stmt = self
            .conn
            .prepare("SELECT id, external_id, model, item_id FROM response ORDER BY position")?;
        let responses: Vec<(String, String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let target_index: HashMap<&str, usize> = responses
            .iter()
            .enumerate()
            .map(|(i, r)| (r.0.as_str(), i))
            .collect();
        let mut stmt = self.conn.prepare(
            "SELECT response_id, rater_id, attribute_id, value FROM rating WHERE value IS NOT NULL",
        )?;
        let mut ratings = Vec::new();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let (response, rater, attribute): (String, String, String) =
                (row.get(0)?, row.get(1)?, row.get(2)?);
            let value: i64 = row.get(3)?;
            ratings.push(Observation {
                target: target_index[response.as_str()],
                rater: rater_index[rater.as_str()],
                attribute: attribute_index[attribute.as_str()],
                value: value as f64,
            });
        }
        Ok(StudyRatings {
            attributes,
            raters: raters
                .iter()
                .map(|r| RaterSpec {
                    name: r.name.clone(),
                    is_judge: r.kind == RaterKind::Llm,
                })
                .collect(),
            targets: responses
                .into_iter()
                .map(|(_, external_id, model, item)| TargetSpec {
                    id: external_id,
                    model,
                    item: Some(item),
                })
                .collect(),
            ratings,
        })
    }
}
