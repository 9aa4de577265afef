//! The study's current ratings as the statistics crate's neutral input: one scan of the packed
//! `rating_block` (every attribute's value of one rater and 32 responses in one row) by integer keys,
//! split by rater over two connections, mapped to positions through dense tables (no string
//! hashing), and a refresh that reads only the cells changed since the last load. `concord estimate` and `next` load less: only the
//! raters they read, no response texts, and the scores straight into dense arrays
//! ([`Study::scoring_scores`]) rather than a list of single ratings; `concord agreement` reads
//! every rating as each attribute's cells ([`Study::study_sheets`]), again with no list.

use concord_stats::ppi::{model_index, ResponseModels, ResponseScores, ScoresPart};
use concord_stats::report::{
    AttributeSpec, Cells, Observation, RaterSpec, StudyRatings, TargetSpec,
};

use rusqlite::Connection;

use crate::error::Result;
use crate::model::{Rater, RaterKind};
use crate::schema;
use crate::study::{AttributeKey, Study};

/// Above this many changed cells a refresh reloads everything (one scan beats many inserts).
const MAX_INCREMENTAL: usize = 2_000;

/// Every response key, for a [`scan`] of whole raters.
const ALL_KEYS: std::ops::RangeInclusive<i64> = i64::MIN..=i64::MAX;

/// A loaded rating matrix that can be brought up to date cheaply.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveRatings {
    pub ratings: StudyRatings,
    keys: Keys,
    /// The last `rating_event` / `rater` / `response` keys seen; events after the watermark are
    /// the changes a refresh reads.
    watermark: i64,
    shape: (i64, i64),
}

/// What `concord estimate` and `next` read ([`Study::scoring_scores`]): the study's attributes,
/// raters and each response's model (and id), and the humans' and the judges' scores as dense
/// arrays, not as a list of single ratings.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringRatings {
    /// Attributes as [`Study::study_ratings`] lists them.
    pub attributes: Vec<AttributeSpec>,
    /// Raters as [`Study::study_ratings`] lists them.
    pub raters: Vec<RaterSpec>,
    /// The responses in [`Study::study_ratings`]' order: each one's model, and its external id
    /// when asked for.
    pub responses: ResponseModels,
    /// The humans' and the chosen judges' scores, by the positions of the lists above.
    pub scores: ResponseScores,
}

/// The key in this file of each rater, target and attribute position, and back: a load's
/// ratings are sorted by (rater, response, attribute) key, which a refresh's binary search
/// follows.
#[derive(Debug, Clone, PartialEq)]
struct Keys {
    rater_keys: Vec<i64>,
    target_keys: Vec<i64>,
    attribute_keys: Vec<i64>,
    rater_index: Vec<Option<usize>>,
    target_index: Vec<Option<usize>>,
    attribute_index: Vec<Option<usize>>,
}

/// A load before its ratings: the study without them, its keys, and what a refresh compares.
struct Frame {
    study: StudyRatings,
    keys: Keys,
    watermark: i64,
    shape: (i64, i64),
}

/// Every current rating as each attribute's cells ([`Study::study_sheets`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RatingSheets {
    /// The study's attributes, raters and targets; its list of single ratings stays empty.
    pub study: StudyRatings,
    /// Per attribute of `study`, its targets × raters cells.
    pub cells: Vec<Cells>,
}

/// What a refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    Unchanged,
    /// This many cells were re-read.
    Cells(usize),
    /// Raters or responses were added, or too much changed: everything was reloaded.
    Reloaded,
}

fn dense(pairs: impl Iterator<Item = (i64, usize)>) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    for (key, index) in pairs {
        let k = key as usize;
        if out.len() <= k {
            out.resize(k + 1, None);
        }
        out[k] = Some(index);
    }
    out
}

/// What a load reads: every rater and the responses' lengths and items, or less.
#[derive(Debug, Clone, Copy)]
struct Scope<'a> {
    /// `Some(name)`: of the LLM judges only this one's ratings (the humans' always).
    judge: Option<&'a str>,
    /// What each response carries (its length and item mean reading every response's text).
    columns: Columns,
}

/// What a load reads of each response besides its key and model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Columns {
    /// Its external id, length and item.
    Details,
    /// Its external id only.
    Ids,
    /// Nothing more.
    Models,
}

impl Study {
    /// Every current, non-empty rating with its attribute, rater and response (and its model),
    /// in rubric, rater-name and response order. The one place a rating matrix is loaded.
    pub fn study_ratings(&self) -> Result<StudyRatings> {
        Ok(self.live_ratings()?.ratings)
    }

    /// Every current rating as each attribute's cells, for the agreement report
    /// (`concord_stats::report::agreement_report_on_cells`): the study of
    /// [`Study::study_ratings`] without its list of single ratings, and per attribute (rubric
    /// order) the targets × raters cells, row-major. The scan writes the cells as it reads the
    /// rows, on a second connection ([`read_beside`]) while this one reads the responses: no
    /// list of single ratings is built, then sorted.
    pub fn study_sheets(&self) -> Result<RatingSheets> {
        // One snapshot for everything read on this connection.
        let _snapshot = read_snapshot(&self.conn)?;
        let view = view_of(&self.conn)?;
        let raters = self.raters_with_keys()?;
        let specs = rater_specs(&raters);
        let reads = rater_reads(&raters, &specs, None);
        let (path, passphrase) = (self.path(), self.passphrase.as_ref());
        let (attributes, reads, nr) = (&self.attributes, &reads, specs.len());
        // Cells by response slot ([`response_slots`]), moved to the responses' order after
        // only when that is not the keys'.
        let slots = response_slots(view);
        // Every attribute's cells, read on `conn`: the second connection's part. With the
        // values packed 32 responses a row (migrations/0009) it costs about what this one's
        // part does, the responses (measured on the 490k demo).
        let cells_on = |conn: &Connection| -> Result<Vec<Cells>> {
            let mut cells: Vec<Cells> = attributes
                .iter()
                .map(|_| Cells::unrated(slots, nr))
                .collect();
            let put = |r, slot: usize, a: usize, v| cells[a].set(slot, r, v);
            scan(
                conn,
                attributes,
                reads,
                keys(0, slots),
                slot_in(0, slots),
                put,
            )?;
            Ok(cells)
        };
        let (frame, mut cells) = std::thread::scope(|s| -> Result<_> {
            let other = s.spawn(move || read_beside(path, passphrase, cells_on));
            let responses = response_rows(&self.conn, Columns::Details, slots, Positions::All)?;
            let frame = self.frame(raters, Columns::Details, responses, view)?;
            let seen = other.join().expect("the scan does not panic");
            Ok((frame, seen_in(view, seen, || cells_on(&self.conn))?))
        })?;
        if let Some(from) = slots_moved(&frame.keys.target_keys, slots) {
            for c in &mut cells {
                *c = c.rows_from(&from);
            }
        }
        Ok(RatingSheets {
            study: frame.study,
            cells,
        })
    }

    /// [`Study::study_ratings`], kept with what [`Study::refresh_ratings`] needs.
    pub fn live_ratings(&self) -> Result<LiveRatings> {
        self.load(Scope {
            judge: None,
            columns: Columns::Details,
        })
    }

    /// What `concord plan` reads (its ICC needs each human's own ratings):
    /// [`Study::study_ratings`] with, of the LLM judges, only `judge`'s ratings (every judge's
    /// when `None`; every rater is still listed), and responses without their length and item
    /// (reading them means reading every text).
    pub fn scoring_ratings(&self, judge: Option<&str>) -> Result<StudyRatings> {
        Ok(self
            .load(Scope {
                judge,
                columns: Columns::Ids,
            })?
            .ratings)
    }

    /// What `concord estimate` and `next` read, with no list of single ratings: the humans'
    /// scores and `judge`'s (every judge's when `None`; every rater is still listed) in dense
    /// arrays filled as the rows are read, of each response only its model (as an index) and,
    /// when `ids`, its external id (`next` names its picks, an active estimate matches rounds
    /// by id; a plain estimate needs neither, and 70k strings cost a tenth of its time).
    pub fn scoring_scores(&self, judge: Option<&str>, ids: bool) -> Result<ScoringRatings> {
        // One snapshot for everything read on this connection.
        let _snapshot = read_snapshot(&self.conn)?;
        let raters = self.raters_with_keys()?;
        let attributes = self.attribute_specs()?;
        let rater_specs = rater_specs(&raters);
        let reads = rater_reads(&raters, &rater_specs, judge);
        // The scores are filled by response slot ([`response_slots`]) in two halves of the
        // keys, written in place
        // ([`ResponseScores::halves`]), and the responses read in two halves of their
        // positions: one half of each on this connection, the others on a second one
        // ([`read_beside`]), matched up after. Two equal parts of the work, where reading the
        // responses on a third connection left one core idle at the end.
        let view = view_of(&self.conn)?;
        let slots = response_slots(view);
        let mid = slots / 2;
        let (path, passphrase) = (self.path(), self.passphrase.as_ref());
        let (specs, keyed, reads, n_attributes) =
            (&rater_specs, &self.attributes, &reads, attributes.len());
        let mut scores = ResponseScores::new(specs, judge, n_attributes, slots);
        let [mut lower, upper] = scores.halves(mid);
        // Each connection reads half the responses too, after its scores (the halves of the
        // positions: the covering index's first column).
        let half = middle_position(&self.conn)?;
        let columns = if ids { Columns::Ids } else { Columns::Models };
        // The upper half's scores and responses, read on `conn` (the scores cleared first: a
        // part read beside is read again here when the views differ).
        let upper_part = |conn: &Connection, part: &mut ScoresPart| -> Result<ResponseRows> {
            part.clear();
            let add = |rater, slot, attribute, value| part.add(rater, attribute, slot, value);
            scan(
                conn,
                keyed,
                reads,
                keys(mid, slots),
                slot_in(mid, slots),
                add,
            )?;
            response_rows(conn, columns, slots, Positions::From(half))
        };
        let (mut read, later, upper) = std::thread::scope(|s| -> Result<_> {
            let upper = s.spawn(move || {
                let mut part = upper;
                (
                    read_beside(path, passphrase, |c| upper_part(c, &mut part)),
                    part,
                )
            });
            let add = |rater, slot, attribute, value| lower.add(rater, attribute, slot, value);
            scan(&self.conn, keyed, reads, keys(0, mid), slot_in(0, mid), add)?;
            let read = response_rows(&self.conn, columns, slots, Positions::Below(half))?;
            let (seen, mut upper) = upper.join().expect("the second part does not panic");
            let later = seen_in(view, seen, || upper_part(&self.conn, &mut upper))?;
            Ok((read, later, upper))
        })?;
        read.append(later);
        let humans = [lower.into_humans(), upper.into_humans()];
        scores.join_humans(humans);
        let keys = read.keys;
        let responses = ResponseModels::new(read.names, read.model_of, read.external);
        let scores = match slots_moved(&keys, slots) {
            None => scores,
            Some(from) => scores.reordered(&from),
        };
        Ok(ScoringRatings {
            attributes,
            raters: rater_specs,
            responses,
            scores,
        })
    }

    /// The rating scan is split between this connection and a second one on another thread
    /// ([`read_beside`]; the raters in key order: the other thread takes the first half, by
    /// response key, mapped to positions once the frame is known; this one reads the frame,
    /// then the rest).
    fn load(&self, scope: Scope) -> Result<LiveRatings> {
        // One snapshot for the frame and this thread's scan.
        let _snapshot = read_snapshot(&self.conn)?;
        let view = view_of(&self.conn)?;
        let raters = self.raters_with_keys()?;
        let specs = rater_specs(&raters);
        let reads = rater_reads(&raters, &specs, scope.judge);
        // This thread reads the frame too: the other takes the larger half.
        let (theirs, mine) = reads.split_at(reads.len().div_ceil(2));
        let (path, passphrase) = (self.path(), self.passphrase.as_ref());
        let attributes = &self.attributes;
        // Every cell has at least one event: the event count bounds the ratings. Room for all
        // of them in each half's list costs address space only, not memory (pages are taken
        // when written), and saves the copies of a growing list.
        let bound = view.0.max(0) as usize;
        // The first half's ratings, each with its response's key in place of its position.
        let by_key = |conn: &Connection| -> Result<Vec<Observation>> {
            let mut found = Vec::with_capacity(bound);
            let key_of = |key: i64| usize::try_from(key).ok();
            scan(
                conn,
                attributes,
                theirs,
                ALL_KEYS,
                key_of,
                push_into(&mut found),
            )?;
            Ok(found)
        };
        std::thread::scope(|s| {
            let other = s.spawn(move || read_beside(path, passphrase, by_key));
            let responses = response_rows(
                &self.conn,
                scope.columns,
                response_slots(view),
                Positions::All,
            )?;
            let frame = self.frame(raters, scope.columns, responses, view)?;
            let target_index = &frame.keys.target_index;
            let target_of = |key: i64| target_index.get(key as usize).copied().flatten();
            let mut rest = Vec::with_capacity(bound);
            scan(
                &self.conn,
                attributes,
                mine,
                ALL_KEYS,
                target_of,
                push_into(&mut rest),
            )?;
            let other = other.join().expect("the second scan does not panic");
            let mut ratings = frame.study;
            ratings.ratings = seen_in(view, other, || by_key(&self.conn))?;
            // The keys become positions in place; responses not loaded are dropped.
            ratings
                .ratings
                .retain_mut(|o| match target_index.get(o.target).copied().flatten() {
                    Some(t) => {
                        o.target = t;
                        true
                    }
                    None => false,
                });
            ratings.ratings.extend_from_slice(&rest);
            Ok(LiveRatings {
                ratings,
                keys: frame.keys,
                watermark: frame.watermark,
                shape: frame.shape,
            })
        })
    }

    /// The study's attributes, raters and `responses` (read with `columns`, in load order) with
    /// no ratings yet, and their keys in this file. `view` is what this connection sees (read
    /// in the caller's snapshot).
    fn frame(
        &self,
        raters: Vec<(i64, Rater)>,
        columns: Columns,
        responses: ResponseRows,
        view: View,
    ) -> Result<Frame> {
        let (watermark, shape) = view;
        let attributes = self.attribute_specs()?;
        let attribute_index = dense(self.attributes.iter().enumerate().map(|(i, a)| (a.id, i)));
        let rater_index = dense(raters.iter().enumerate().map(|(i, (k, _))| (*k, i)));
        // Items by key: the responses to one item form a cluster for the report's bootstrap.
        let mut items: Vec<Option<String>> = Vec::new();
        if columns == Columns::Details {
            let mut stmt = self.conn.prepare("SELECT id, external_id FROM item")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let k = r.get::<_, i64>(0)? as usize;
                if items.len() <= k {
                    items.resize(k + 1, None);
                }
                items[k] = Some(r.get(1)?);
            }
        }
        let ResponseRows {
            names,
            model_of,
            external,
            lengths,
            items: item_keys,
            keys: target_keys,
        } = responses;
        let targets: Vec<TargetSpec> = external
            .into_iter()
            .zip(model_of)
            .enumerate()
            .map(|(i, (id, model))| TargetSpec {
                id,
                model: names[model as usize].clone(),
                length: lengths.get(i).copied(),
                item: item_keys
                    .get(i)
                    .and_then(|&k| items.get(k as usize).cloned().flatten()),
            })
            .collect();
        let target_index = dense(target_keys.iter().enumerate().map(|(i, k)| (*k, i)));
        Ok(Frame {
            study: StudyRatings {
                attributes,
                raters: rater_specs(&raters),
                targets,
                ratings: Vec::new(),
            },
            keys: Keys {
                rater_keys: raters.iter().map(|(k, _)| *k).collect(),
                target_keys,
                attribute_keys: self.attributes.iter().map(|a| a.id).collect(),
                rater_index,
                target_index,
                attribute_index,
            },
            watermark,
            shape,
        })
    }

    /// The rubric's attributes as the statistics read them, in rubric order.
    fn attribute_specs(&self) -> Result<Vec<AttributeSpec>> {
        Ok(self
            .rubric()?
            .attributes
            .iter()
            .map(|a| AttributeSpec {
                key: a.key.clone(),
                group: a.group.clone(),
                scale_min: a.scale_min,
                scale_max: a.scale_max,
            })
            .collect())
    }

    /// Brings `live` up to date with the cells changed since it was loaded (events after its
    /// watermark), or reloads it when raters or responses were added. The result equals a fresh
    /// [`Study::live_ratings`].
    pub fn refresh_ratings(&self, live: &mut LiveRatings) -> Result<Refresh> {
        let watermark = event_watermark(&self.conn)?;
        // A new rater or response changes the matrix's shape even without a rating event.
        let reshaped = shape(&self.conn)? != live.shape;
        if watermark == live.watermark && !reshaped {
            return Ok(Refresh::Unchanged);
        }
        let changed: i64 = self.conn.query_row(
            "SELECT count(*) FROM rating_event WHERE id > ?1",
            [live.watermark],
            |r| r.get(0),
        )?;
        if reshaped || changed as usize > MAX_INCREMENTAL {
            *live = self.live_ratings()?;
            return Ok(Refresh::Reloaded);
        }
        let mut stmt = self.conn.prepare(
            "SELECT r.rater_id, r.response_id, r.attribute_id, r.value
             FROM (SELECT DISTINCT rater_id, response_id, attribute_id FROM rating_event WHERE id > ?1) c
             JOIN rating r ON r.rater_id = c.rater_id AND r.response_id = c.response_id
                          AND r.attribute_id = c.attribute_id",
        )?;
        let mut rows = stmt.query([live.watermark])?;
        let mut cells = 0;
        while let Some(row) = rows.next()? {
            let key: (i64, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
            let value: Option<i64> = row.get(3)?;
            live.set(key, value);
            cells += 1;
        }
        live.watermark = watermark;
        Ok(Refresh::Cells(cells))
    }
}

/// What a connection saw of the study: its event watermark and shape. Two reads with the same
/// view read the same ratings (every change of a rating adds an event).
type View = (i64, (i64, i64));

/// `read` on a second, query-only connection to the study at `path`, in a read transaction
/// (for a part of a load read on another thread), with the view that connection saw. A part
/// read so is used only when its view is the first connection's ([`seen_in`]).
fn read_beside<T>(
    path: &std::path::Path,
    passphrase: Option<&crate::cipher::Passphrase>,
    read: impl FnOnce(&Connection) -> Result<T>,
) -> Result<(View, T)> {
    let reader = schema::open_reader(path, passphrase)?;
    // One pass never reads a page twice: a few pages of cache, recycled, fault in less fresh
    // memory than SQLite's default 2 MB.
    reader.pragma_update(None, "cache_size", 64)?;
    let _snapshot = read_snapshot(&reader)?;
    let view = view_of(&reader)?;
    Ok((view, read(&reader)?))
}

/// What [`read_beside`] read when its connection saw `view`; otherwise (a rating saved in
/// between, or no second connection) `read_here` on the first connection.
fn seen_in<T>(
    view: View,
    beside: Result<(View, T)>,
    read_here: impl FnOnce() -> Result<T>,
) -> Result<T> {
    match beside {
        Ok((seen, part)) if seen == view => Ok(part),
        _ => read_here(),
    }
}

/// A read transaction on `conn`, so that its reads see one state of the file; `None` when the
/// caller already holds a transaction, which does that. DEFERRED, whatever the connection's
/// default (the study's is IMMEDIATE, which would take the write lock and hold off a rater's
/// save for the length of the load).
fn read_snapshot(conn: &Connection) -> Result<Option<rusqlite::Transaction<'_>>> {
    if !conn.is_autocommit() {
        return Ok(None);
    }
    Ok(Some(rusqlite::Transaction::new_unchecked(
        conn,
        rusqlite::TransactionBehavior::Deferred,
    )?))
}

/// The position that splits the responses in two halves of the positions' range.
fn middle_position(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        // Two subqueries: SQLite answers a lone min() or max() with one index seek, and both
        // in one query with a scan.
        "SELECT coalesce((SELECT min(position) FROM response), 0), \
                coalesce((SELECT max(position) FROM response), 0)",
        [],
        |r| {
            let (lo, hi): (i64, i64) = (r.get(0)?, r.get(1)?);
            Ok(lo + (hi - lo + 1) / 2)
        },
    )?)
}

/// Response slots a load by key fills: slot key − 1 for keys 1..=the largest response key
/// `view` saw (in a master the keys run 1..=max, rows are never deleted; the largest key also
/// bounds the count of responses).
fn response_slots(view: View) -> usize {
    (view.1).1.max(0) as usize
}

/// Where responses with these keys, in load order, are among the `slots` a load by key filled
/// (slot key − 1), or `None` when each already is in its own place: responses added in
/// order, the usual case, move nowhere.
fn slots_moved(keys: &[i64], slots: usize) -> Option<Vec<Option<usize>>> {
    if keys.len() == slots && keys.iter().zip(1..).all(|(&k, i)| k == i) {
        return None;
    }
    Some(keys.iter().map(|&k| usize::try_from(k - 1).ok()).collect())
}

/// Response keys from + 1 ..= to: one part of a load split by key.
fn keys(from: usize, to: usize) -> std::ops::RangeInclusive<i64> {
    from as i64 + 1..=to as i64
}

/// The slot of a response key in a part of [`keys`]`(from, to)` (key from + 1 in slot 0).
fn slot_in(from: usize, to: usize) -> impl Fn(i64) -> Option<usize> {
    move |key: i64| {
        let k = usize::try_from(key).ok()?;
        (from < k && k <= to).then(|| k - 1 - from)
    }
}

/// A [`scan`] callback that adds each rating to `list`.
fn push_into(list: &mut Vec<Observation>) -> impl FnMut(usize, usize, usize, f64) + '_ {
    |rater, target, attribute, value| {
        list.push(Observation {
            rater,
            target,
            attribute,
            value,
        })
    }
}

/// The event watermark and shape `conn` sees.
fn view_of(conn: &Connection) -> Result<View> {
    Ok((event_watermark(conn)?, shape(conn)?))
}

/// The last rating event's key: every change of a rating adds an event.
fn event_watermark(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT coalesce(max(id), 0) FROM rating_event", [], |r| {
            r.get(0)
        })?,
    )
}

/// Raters and responses present (their largest keys; rows are never deleted).
fn shape(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT (SELECT coalesce(max(id), 0) FROM rater), (SELECT coalesce(max(id), 0) FROM response)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// The raters a load reads, as (key, position in `raters`) in key order: the humans and the
/// judge `judge` (every judge when `None`).
fn rater_reads(
    raters: &[(i64, Rater)],
    specs: &[RaterSpec],
    judge: Option<&str>,
) -> Vec<(i64, usize)> {
    let mut read: Vec<(i64, usize)> = specs
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_judge || judge.is_none_or(|j| r.name == j))
        .map(|(i, _)| (raters[i].0, i))
        .collect();
    read.sort_unstable();
    read
}

/// Response keys per `rating_block` row (migrations/0009).
const BLOCK: i64 = 32;

/// Calls `each(rater, target, attribute, value)` for every current rating of the raters `read`
/// ((key, position) pairs in key order, from [`rater_reads`]) on the responses whose keys are
/// in `keys`, on `conn`, in (rater, response, attribute) key order: `target` the position
/// `target_of` gives the response key (responses it gives none are skipped).
fn scan(
    conn: &Connection,
    attributes: &[AttributeKey],
    read: &[(i64, usize)],
    keys: std::ops::RangeInclusive<i64>,
    target_of: impl Fn(i64) -> Option<usize>,
    mut each: impl FnMut(usize, usize, usize, f64),
) -> Result<()> {
    // `rating_block` holds every attribute's current value of 32 consecutive response keys of
    // one rater, one character per (response, attribute id) (migrations/0009): a 32nd of the
    // rows of one per (rater, response), and row steps were most of a load's cost.
    // Per character position within a response (attribute id − 1): the attribute's position
    // and scale minimum.
    let mut slots: Vec<Option<(usize, i64)>> = Vec::new();
    for (i, a) in attributes.iter().enumerate() {
        let k = a.id as usize - 1;
        if slots.len() <= k {
            slots.resize(k + 1, None);
        }
        slots[k] = Some((i, a.scale_min));
    }
    if slots.is_empty() {
        return Ok(());
    }
    // One range of the primary key per rater, in key order: the order of one full scan. The
    // range ends here, not in SQL: SQLite's check of an upper bound compares each row's whole
    // key, a third of a scan's time (measured on packed rows: 8.9 against 5.5 ms for half the
    // 490k demo).
    let mut stmt = conn.prepare(
        "SELECT block, vals FROM rating_block
         WHERE rater_id = ?1 AND block >= ?2 ORDER BY block",
    )?;
    let first_block = (*keys.start()).max(1).saturating_sub(1) / BLOCK;
    let mut codes: Vec<char> = Vec::new();
    for &(key, rater) in read {
        let mut rows = stmt.query([key, first_block])?;
        while let Some(row) = rows.next()? {
            let first = row.get::<_, i64>(0)? * BLOCK + 1;
            if first > *keys.end() {
                break;
            }
            codes.clear();
            codes.extend(row.get_ref(1)?.as_str()?.chars());
            for (response, cells) in (first..).zip(codes.chunks(slots.len())) {
                if !keys.contains(&response) {
                    continue;
                }
                let Some(target) = target_of(response) else {
                    continue;
                };
                for (&ch, slot) in cells.iter().zip(&slots) {
                    if ch == ' ' {
                        continue;
                    }
                    if let Some((attribute, min)) = *slot {
                        each(rater, target, attribute, (ch as i64 - 48 + min) as f64);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Every response, or those whose positions are below a position, or from it on: the two
/// halves of the responses a load reads on its two connections.
#[derive(Debug, Clone, Copy)]
enum Positions {
    All,
    Below(i64),
    From(i64),
}

/// Some responses' keys and models (as indices into `names`, in order of first appearance),
/// with what [`Columns`] asked for (else empty): external ids, lengths in characters and item
/// keys, in load order.
struct ResponseRows {
    names: Vec<String>,
    model_of: Vec<u32>,
    external: Vec<String>,
    lengths: Vec<f64>,
    items: Vec<i64>,
    keys: Vec<i64>,
}

impl ResponseRows {
    /// `later`'s responses after these (its models matched to these by name).
    fn append(&mut self, later: ResponseRows) {
        let index: Vec<u32> = later
            .names
            .into_iter()
            .map(|name| {
                let at = self.names.iter().position(|n| *n == name);
                at.unwrap_or_else(|| {
                    self.names.push(name);
                    self.names.len() - 1
                }) as u32
            })
            .collect();
        self.model_of
            .extend(later.model_of.iter().map(|&m| index[m as usize]));
        self.external.extend(later.external);
        self.lengths.extend(later.lengths);
        self.items.extend(later.items);
        self.keys.extend(later.keys);
    }
}

/// The responses of `positions` in load order (position, then key) on `conn`: each one's key,
/// model and `columns`, with room made for `capacity` responses. Reads no [`TargetSpec`]: one
/// model string per response was a third of a scoring load.
fn response_rows(
    conn: &Connection,
    columns: Columns,
    capacity: usize,
    positions: Positions,
) -> Result<ResponseRows> {
    // Read in position order (the `response_load` index's, no sort), keys rising along it mean
    // (position, key) rises too: the load order without reading the positions. Keys that do
    // not rise (responses placed out of their order of creation, which no writer does today)
    // are sorted by SQLite, which costs more than the scan.
    match read_responses(conn, columns, capacity, positions, false)? {
        Some(read) => Ok(read),
        None => Ok(read_responses(conn, columns, capacity, positions, true)?
            .expect("responses sorted by SQLite are in load order")),
    }
}

/// [`response_rows`] in position order (`sorted`: and by key within a position, which SQLite
/// sorts), or `None` when the keys do not rise along the positions.
fn read_responses(
    conn: &Connection,
    columns: Columns,
    capacity: usize,
    positions: Positions,
    sorted: bool,
) -> Result<Option<ResponseRows>> {
    let (range, bound) = match positions {
        Positions::All => ("", None),
        Positions::Below(p) => ("WHERE position < ?1", Some(p)),
        Positions::From(p) => ("WHERE position >= ?1", Some(p)),
    };
    // Every column is in the `response_load` index: the texts are not read (SQLite's length()
    // of TEXT counts characters).
    let sql = format!(
        "SELECT id, model{} FROM response {range} ORDER BY position{}",
        match columns {
            Columns::Details => ", external_id, length(text), item_id",
            Columns::Ids => ", external_id",
            Columns::Models => "",
        },
        if sorted { ", id" } else { "" }
    );
    let mut stmt = conn.prepare(&sql)?;
    let room = |wanted: bool| if wanted { capacity } else { 0 };
    let (ids, details) = (columns != Columns::Models, columns == Columns::Details);
    let mut read = ResponseRows {
        names: Vec::new(),
        model_of: Vec::with_capacity(capacity),
        external: Vec::with_capacity(room(ids)),
        lengths: Vec::with_capacity(room(details)),
        items: Vec::with_capacity(room(details)),
        keys: Vec::with_capacity(capacity),
    };
    let mut last = 0;
    let mut rows = stmt.query(rusqlite::params_from_iter(bound))?;
    while let Some(r) = rows.next()? {
        let key: i64 = r.get(0)?;
        if !sorted && read.keys.last().is_some_and(|&k| k >= key) {
            return Ok(None);
        }
        read.keys.push(key);
        last = model_index(&mut read.names, last, r.get_ref(1)?.as_str()?);
        read.model_of.push(last as u32);
        if ids {
            read.external.push(r.get(2)?);
        }
        if details {
            read.lengths.push(r.get::<_, i64>(3)? as f64);
            read.items.push(r.get(4)?);
        }
    }
    Ok(Some(read))
}

/// The raters as the statistics read them, in load order.
fn rater_specs(raters: &[(i64, Rater)]) -> Vec<RaterSpec> {
    raters
        .iter()
        .map(|(_, r)| RaterSpec {
            name: r.name.clone(),
            is_judge: r.kind == RaterKind::Llm,
        })
        .collect()
}

impl LiveRatings {
    fn observation(&self, key: (i64, i64, i64), value: i64) -> Option<Observation> {
        let at = |v: &Vec<Option<usize>>, k: i64| v.get(k as usize).copied().flatten();
        Some(Observation {
            rater: at(&self.keys.rater_index, key.0)?,
            target: at(&self.keys.target_index, key.1)?,
            attribute: at(&self.keys.attribute_index, key.2)?,
            value: value as f64,
        })
    }

    /// Sets one cell's current value (`None` removes it), keeping the load order.
    fn set(&mut self, key: (i64, i64, i64), value: Option<i64>) {
        let obs = value.and_then(|v| self.observation(key, v));
        let found = self.ratings.ratings.binary_search_by(|o| {
            (
                self.keys.rater_keys[o.rater],
                self.keys.target_keys[o.target],
                self.keys.attribute_keys[o.attribute],
            )
                .cmp(&key)
        });
        match (found, obs) {
            (Ok(i), Some(o)) => self.ratings.ratings[i] = o,
            (Ok(i), None) => {
                self.ratings.ratings.remove(i);
            }
            (Err(i), Some(o)) => self.ratings.ratings.insert(i, o),
            (Err(_), None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_snapshot_leaves_the_write_lock_free() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut writer = Connection::open(&path).unwrap();
        writer.pragma_update(None, "journal_mode", "WAL").unwrap();
        writer.execute("CREATE TABLE t (x)", []).unwrap();
        // The study's connection begins IMMEDIATE by default; the snapshot must not.
        let mut reader = Connection::open(&path).unwrap();
        reader.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        let snapshot = read_snapshot(&reader).unwrap();
        let count = || -> i64 {
            reader
                .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(count(), 0);
        writer.busy_timeout(std::time::Duration::ZERO).unwrap();
        let tx = writer
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        tx.execute("INSERT INTO t VALUES (1)", []).unwrap();
        tx.commit().unwrap();
        // The snapshot still reads the state it began with.
        assert_eq!(count(), 0);
        drop(snapshot);
        assert_eq!(count(), 1);
    }
}
