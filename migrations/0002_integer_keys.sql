-- Concord study file, schema version 2: integer keys inside, global ids at the edges.
--
-- Rows that can be created on more than one machine (raters, items, responses, attributes,
-- events, origins) keep a global id: a UUID stored as a 16-byte BLOB (`gid`). Every rating,
-- event and index refers to them by SQLite integer keys. Merging maps global ids to this file's
-- keys. Gold gets an append-only history like ratings; merges keep receipts and conflicts.
--
-- Version 1 files are converted in place (inside the migration's transaction, after the
-- `VACUUM INTO` backup): old tables are renamed to old_*, copied, then dropped.

DROP TRIGGER rating_event_current;
DROP TRIGGER rating_event_no_update;
DROP TRIGGER rating_event_no_delete;
DROP TRIGGER note_event_current;
DROP TRIGGER note_event_no_update;
DROP TRIGGER note_event_no_delete;
DROP INDEX rating_event_rater;
DROP INDEX rating_event_cell;
DROP INDEX rating_response;
DROP INDEX response_item;
DROP INDEX assignment_order;

ALTER TABLE study RENAME TO old_study;
ALTER TABLE rubric RENAME TO old_rubric;
ALTER TABLE attribute RENAME TO old_attribute;
ALTER TABLE attribute_level RENAME TO old_attribute_level;
ALTER TABLE item RENAME TO old_item;
ALTER TABLE response RENAME TO old_response;
ALTER TABLE rater RENAME TO old_rater;
ALTER TABLE assignment RENAME TO old_assignment;
ALTER TABLE rating_event RENAME TO old_rating_event;
ALTER TABLE rating RENAME TO old_rating;
ALTER TABLE note_event RENAME TO old_note_event;
ALTER TABLE response_note RENAME TO old_response_note;
ALTER TABLE gold RENAME TO old_gold;
ALTER TABLE merge_log RENAME TO old_merge_log;

-- The file itself. `id` is this file's own id (the origin of events created here); `lineage`
-- is shared by a study and every package and copy made from it, and is what a merge checks.
CREATE TABLE study (
    id          BLOB PRIMARY KEY,
    lineage     BLOB NOT NULL,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,          -- UTC milliseconds
    settings    TEXT NOT NULL DEFAULT '{}' -- JSON: blind, flags, overlap_target, seed, exclude_own
);

-- Files (studies, packages, copies) where events were created.
CREATE TABLE origin (
    id   INTEGER PRIMARY KEY,
    gid  BLOB NOT NULL UNIQUE
);

CREATE TABLE rubric (
    id    INTEGER PRIMARY KEY,
    gid   BLOB NOT NULL UNIQUE,
    name  TEXT NOT NULL
);

CREATE TABLE attribute (
    id           INTEGER PRIMARY KEY,
    gid          BLOB NOT NULL UNIQUE,
    rubric_id    INTEGER NOT NULL REFERENCES rubric(id),
    key          TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    grp          TEXT,
    position     INTEGER NOT NULL,
    scale_min    INTEGER NOT NULL,
    scale_max    INTEGER NOT NULL,
    CHECK (scale_min < scale_max)
);

CREATE TABLE attribute_level (
    attribute_id  INTEGER NOT NULL REFERENCES attribute(id),
    value         INTEGER NOT NULL,
    label         TEXT NOT NULL DEFAULT '',
    descriptor    TEXT NOT NULL,
    PRIMARY KEY (attribute_id, value)
) WITHOUT ROWID;

CREATE TABLE item (
    id           INTEGER PRIMARY KEY,
    gid          BLOB NOT NULL UNIQUE,
    external_id  TEXT NOT NULL UNIQUE,
    text         TEXT NOT NULL,
    context      TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE response (
    id           INTEGER PRIMARY KEY,
    gid          BLOB NOT NULL UNIQUE,
    item_id      INTEGER NOT NULL REFERENCES item(id),
    external_id  TEXT NOT NULL UNIQUE,
    model        TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL,
    position     INTEGER NOT NULL
);

CREATE TABLE rater (
    id        INTEGER PRIMARY KEY,
    gid       BLOB NOT NULL UNIQUE,
    name      TEXT NOT NULL UNIQUE,
    kind      TEXT NOT NULL CHECK (kind IN ('human', 'llm')),
    role      TEXT NOT NULL DEFAULT 'rater',
    metadata  TEXT NOT NULL DEFAULT '{}'
);

-- Primary key serves "is this response assigned to this rater"; assignment_order serves the
-- queue's page by position (WHERE rater_id = ? AND order_key >= ? ORDER BY order_key).
CREATE TABLE assignment (
    rater_id     INTEGER NOT NULL REFERENCES rater(id),
    response_id  INTEGER NOT NULL REFERENCES response(id),
    order_key    INTEGER NOT NULL,
    PRIMARY KEY (rater_id, response_id)
) WITHOUT ROWID;
CREATE INDEX assignment_order ON assignment(rater_id, order_key);

-- Append-only audit log (triggers below). `id` orders events by arrival in this file, which is
-- the dashboard's watermark; `gid` is the global id a merge unions by.
CREATE TABLE rating_event (
    id            INTEGER PRIMARY KEY,
    gid           BLOB NOT NULL UNIQUE,
    rater_id      INTEGER NOT NULL REFERENCES rater(id),
    response_id   INTEGER NOT NULL REFERENCES response(id),
    attribute_id  INTEGER NOT NULL REFERENCES attribute(id),
    value         INTEGER,               -- NULL = cleared
    created_at    INTEGER NOT NULL,      -- UTC milliseconds
    origin_id     INTEGER NOT NULL REFERENCES origin(id),
    undoes        BLOB                   -- gid of the event this one reverts, if any
);

-- Current value per cell = latest event by (created_at, gid); kept in step by trigger, so every
-- writer (the app, imports, merges) gets the same rule in the same transaction. The primary key
-- serves a rater's queue status and the per-cell lookups; loads scan it whole.
CREATE TABLE rating (
    rater_id      INTEGER NOT NULL,
    response_id   INTEGER NOT NULL,
    attribute_id  INTEGER NOT NULL,
    value         INTEGER,
    created_at    INTEGER NOT NULL,
    event_id      INTEGER NOT NULL,      -- rating_event.id of the latest event
    PRIMARY KEY (rater_id, response_id, attribute_id)
) WITHOUT ROWID;

CREATE TRIGGER rating_event_current AFTER INSERT ON rating_event
BEGIN
    INSERT INTO rating (rater_id, response_id, attribute_id, value, created_at, event_id)
    VALUES (NEW.rater_id, NEW.response_id, NEW.attribute_id, NEW.value, NEW.created_at, NEW.id)
    ON CONFLICT (rater_id, response_id, attribute_id) DO UPDATE SET
        value = excluded.value, created_at = excluded.created_at, event_id = excluded.event_id
    WHERE excluded.created_at > rating.created_at
       OR (excluded.created_at = rating.created_at
           AND NEW.gid > (SELECT gid FROM rating_event WHERE id = rating.event_id));
END;

CREATE TRIGGER rating_event_no_update BEFORE UPDATE ON rating_event
BEGIN SELECT RAISE(ABORT, 'rating_event is append-only'); END;
CREATE TRIGGER rating_event_no_delete BEFORE DELETE ON rating_event
BEGIN SELECT RAISE(ABORT, 'rating_event is append-only'); END;

-- Rationale and flags per (rater, response), versioned like ratings.
CREATE TABLE note_event (
    id           INTEGER PRIMARY KEY,
    gid          BLOB NOT NULL UNIQUE,
    rater_id     INTEGER NOT NULL REFERENCES rater(id),
    response_id  INTEGER NOT NULL REFERENCES response(id),
    rationale    TEXT NOT NULL,
    flags        TEXT NOT NULL DEFAULT '[]',  -- JSON array of flag names
    created_at   INTEGER NOT NULL,
    origin_id    INTEGER NOT NULL REFERENCES origin(id)
);

CREATE TABLE response_note (
    rater_id     INTEGER NOT NULL,
    response_id  INTEGER NOT NULL,
    rationale    TEXT NOT NULL,
    flags        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    event_id     INTEGER NOT NULL,
    PRIMARY KEY (rater_id, response_id)
) WITHOUT ROWID;

CREATE TRIGGER note_event_current AFTER INSERT ON note_event
BEGIN
    INSERT INTO response_note (rater_id, response_id, rationale, flags, created_at, event_id)
    VALUES (NEW.rater_id, NEW.response_id, NEW.rationale, NEW.flags, NEW.created_at, NEW.id)
    ON CONFLICT (rater_id, response_id) DO UPDATE SET
        rationale = excluded.rationale, flags = excluded.flags,
        created_at = excluded.created_at, event_id = excluded.event_id
    WHERE excluded.created_at > response_note.created_at
       OR (excluded.created_at = response_note.created_at
           AND NEW.gid > (SELECT gid FROM note_event WHERE id = response_note.event_id));
END;

CREATE TRIGGER note_event_no_update BEFORE UPDATE ON note_event
BEGIN SELECT RAISE(ABORT, 'note_event is append-only'); END;
CREATE TRIGGER note_event_no_delete BEFORE DELETE ON note_event
BEGIN SELECT RAISE(ABORT, 'note_event is append-only'); END;

-- Adjudicated (gold) values: an append-only history; the current gold is the latest event by
-- (created_at, gid), the same rule as ratings, so copies adjudicated apart merge into one.
CREATE TABLE gold_event (
    id            INTEGER PRIMARY KEY,
    gid           BLOB NOT NULL UNIQUE,
    response_id   INTEGER NOT NULL REFERENCES response(id),
    attribute_id  INTEGER NOT NULL REFERENCES attribute(id),
    value         INTEGER NOT NULL,
    adjudicator   TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    origin_id     INTEGER NOT NULL REFERENCES origin(id)
);

CREATE TABLE gold (
    response_id   INTEGER NOT NULL,
    attribute_id  INTEGER NOT NULL,
    value         INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    event_id      INTEGER NOT NULL,
    PRIMARY KEY (response_id, attribute_id)
) WITHOUT ROWID;

CREATE TRIGGER gold_event_current AFTER INSERT ON gold_event
BEGIN
    INSERT INTO gold (response_id, attribute_id, value, created_at, event_id)
    VALUES (NEW.response_id, NEW.attribute_id, NEW.value, NEW.created_at, NEW.id)
    ON CONFLICT (response_id, attribute_id) DO UPDATE SET
        value = excluded.value, created_at = excluded.created_at, event_id = excluded.event_id
    WHERE excluded.created_at > gold.created_at
       OR (excluded.created_at = gold.created_at
           AND NEW.gid > (SELECT gid FROM gold_event WHERE id = gold.event_id));
END;

CREATE TRIGGER gold_event_no_update BEFORE UPDATE ON gold_event
BEGIN SELECT RAISE(ABORT, 'gold_event is append-only'); END;
CREATE TRIGGER gold_event_no_delete BEFORE DELETE ON gold_event
BEGIN SELECT RAISE(ABORT, 'gold_event is append-only'); END;

-- One row per merged file: the receipt a merge prints. `kind` is 'package' (a returned rater
-- package), 'copy' (a copy of this study) or 'v1' (merged by Concord 0.1, before receipts).
CREATE TABLE merge_log (
    id                INTEGER PRIMARY KEY,
    package_id        TEXT NOT NULL,
    file_hash         TEXT NOT NULL UNIQUE,
    file_name         TEXT NOT NULL DEFAULT '',
    kind              TEXT NOT NULL DEFAULT 'package',
    merged_at         INTEGER NOT NULL,
    events_added      INTEGER NOT NULL,
    notes_added       INTEGER NOT NULL,
    gold_added        INTEGER NOT NULL DEFAULT 0,
    cells_changed     INTEGER NOT NULL DEFAULT 0,
    conflicts         INTEGER NOT NULL DEFAULT 0,
    accepted_altered  TEXT,                -- the lead's reason for merging an altered package
    receipt           TEXT NOT NULL DEFAULT '{}'   -- JSON: per rater added / changed / conflicts
);

-- A cell one rater edited in two copies after they diverged: both values, stored once. The
-- current value follows the usual rule until the lead resolves it.
CREATE TABLE conflict (
    id             INTEGER PRIMARY KEY,
    rater_id       INTEGER NOT NULL REFERENCES rater(id),
    response_id    INTEGER NOT NULL REFERENCES response(id),
    attribute_id   INTEGER NOT NULL REFERENCES attribute(id),
    here_value     INTEGER,               -- the value this file held before the merge
    incoming_value INTEGER,               -- the merged file's latest value
    merge_id       INTEGER NOT NULL REFERENCES merge_log(id),
    resolved_at    INTEGER,
    resolved_by    TEXT,
    resolution     INTEGER,               -- the value the lead kept
    UNIQUE (rater_id, response_id, attribute_id, merge_id)
);

-- Present only in a rater package: its manifest. Filled at export; `returned_at`, the counts
-- and `events_sha256` are filled by "Return package" and checked by the merge.
CREATE TABLE package (
    id             BLOB PRIMARY KEY,      -- = study.id of the package file
    lineage        BLOB NOT NULL,         -- the study it belongs to
    study_name     TEXT NOT NULL,
    master_id      BLOB NOT NULL,         -- the file that exported it
    rater_id       INTEGER NOT NULL REFERENCES rater(id),
    issued_at      INTEGER NOT NULL,
    return_to      TEXT NOT NULL DEFAULT '',
    returned_at    INTEGER,
    events         INTEGER,
    notes          INTEGER,
    events_sha256  TEXT
);

-- Version 1 data. Text UUIDs become 16-byte BLOBs; version 1 packages carried the master's
-- rubric id, so it is the lineage every version 1 file of one study shares.
INSERT INTO study (id, lineage, name, created_at, settings)
SELECT unhex(replace(s.id, '-', '')), (SELECT unhex(replace(id, '-', '')) FROM old_rubric LIMIT 1),
       s.name, s.created_at, s.settings
FROM old_study s;
INSERT INTO origin (gid)
SELECT DISTINCT unhex(replace(origin, '-', ''))
FROM (SELECT origin FROM old_rating_event UNION SELECT origin FROM old_note_event
      UNION SELECT id FROM old_study);
INSERT INTO rubric (gid, name) SELECT unhex(replace(id, '-', '')), name FROM old_rubric;
INSERT INTO attribute (gid, rubric_id, key, label, description, grp, position, scale_min, scale_max)
SELECT unhex(replace(a.id, '-', '')), r.id, a.key, a.label, a.description, a.grp, a.position,
       a.scale_min, a.scale_max
FROM old_attribute a JOIN rubric r ON r.gid = unhex(replace(a.rubric_id, '-', ''))
ORDER BY a.position;
INSERT INTO attribute_level (attribute_id, value, label, descriptor)
SELECT a.id, l.value, l.label, l.descriptor
FROM old_attribute_level l JOIN attribute a ON a.gid = unhex(replace(l.attribute_id, '-', ''));
INSERT INTO item (gid, external_id, text, context)
SELECT unhex(replace(id, '-', '')), external_id, text, context FROM old_item ORDER BY rowid;
INSERT INTO response (gid, item_id, external_id, model, text, position)
SELECT unhex(replace(p.id, '-', '')), i.id, p.external_id, p.model, p.text, p.position
FROM old_response p JOIN item i ON i.gid = unhex(replace(p.item_id, '-', ''))
ORDER BY p.position;
INSERT INTO rater (gid, name, kind, role, metadata)
SELECT unhex(replace(id, '-', '')), name, kind, role, metadata FROM old_rater ORDER BY rowid;
-- A version 1 package (one rater, named so by its export) gets the manifest it lacked, so it
-- can still be returned and merged.
INSERT INTO package (id, lineage, study_name, master_id, rater_id, issued_at)
SELECT s.id, s.lineage, substr(s.name, 1, instr(s.name, ' — package for ') - 1), s.lineage,
       (SELECT id FROM rater), s.created_at
FROM study s
WHERE instr(s.name, ' — package for ') > 0 AND (SELECT count(*) FROM rater) = 1;
INSERT INTO assignment (rater_id, response_id, order_key)
SELECT t.id, p.id, a.order_key
FROM old_assignment a
JOIN rater t ON t.gid = unhex(replace(a.rater_id, '-', ''))
JOIN response p ON p.gid = unhex(replace(a.response_id, '-', ''));
-- In arrival order, so the triggers rebuild exactly the current values version 1 held.
INSERT INTO rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id, undoes)
SELECT unhex(replace(e.id, '-', '')), t.id, p.id, a.id, e.value, e.created_at, o.id,
       unhex(replace(e.undoes, '-', ''))
FROM old_rating_event e
JOIN rater t ON t.gid = unhex(replace(e.rater_id, '-', ''))
JOIN response p ON p.gid = unhex(replace(e.response_id, '-', ''))
JOIN attribute a ON a.gid = unhex(replace(e.attribute_id, '-', ''))
JOIN origin o ON o.gid = unhex(replace(e.origin, '-', ''))
ORDER BY e.rowid;
INSERT INTO note_event (gid, rater_id, response_id, rationale, flags, created_at, origin_id)
SELECT unhex(replace(e.id, '-', '')), t.id, p.id, e.rationale, e.flags, e.created_at, o.id
FROM old_note_event e
JOIN rater t ON t.gid = unhex(replace(e.rater_id, '-', ''))
JOIN response p ON p.gid = unhex(replace(e.response_id, '-', ''))
JOIN origin o ON o.gid = unhex(replace(e.origin, '-', ''))
ORDER BY e.rowid;
-- Version 1 kept only the latest gold per cell; it becomes that cell's first gold event, with a
-- time-ordered id (creation milliseconds, then random bytes).
INSERT INTO gold_event (gid, response_id, attribute_id, value, adjudicator, reason, created_at, origin_id)
SELECT unhex(printf('%012x', g.created_at) || hex(randomblob(10))), p.id, a.id, g.value, g.adjudicator,
       g.reason, g.created_at, (SELECT o.id FROM origin o JOIN study s ON s.id = o.gid)
FROM old_gold g
JOIN response p ON p.gid = unhex(replace(g.response_id, '-', ''))
JOIN attribute a ON a.gid = unhex(replace(g.attribute_id, '-', ''))
ORDER BY g.created_at;
INSERT INTO merge_log (package_id, file_hash, kind, merged_at, events_added, notes_added)
SELECT package_id, file_hash, 'v1', merged_at, events_added, notes_added
FROM old_merge_log ORDER BY merged_at;

DROP TABLE old_response_note;
DROP TABLE old_note_event;
DROP TABLE old_rating;
DROP TABLE old_rating_event;
DROP TABLE old_gold;
DROP TABLE old_merge_log;
DROP TABLE old_assignment;
DROP TABLE old_rater;
DROP TABLE old_response;
DROP TABLE old_item;
DROP TABLE old_attribute_level;
DROP TABLE old_attribute;
DROP TABLE old_rubric;
DROP TABLE old_study;
