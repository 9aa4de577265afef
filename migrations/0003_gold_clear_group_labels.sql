-- Concord study file, schema version 3: a gold value can be cleared, and attribute groups have
-- the names the rubric gives them.
--
-- A clearing is one more gold event, with no value, so it carries through merges and the
-- current gold of a cell is still its latest event by (created_at, gid); a cleared cell's `gold`
-- row holds NULL. SQLite cannot drop a NOT NULL constraint in place: both tables are rebuilt
-- (DROP TABLE fires no delete trigger) with their rows and ids.

DROP TRIGGER gold_event_current;
DROP TRIGGER gold_event_no_update;
DROP TRIGGER gold_event_no_delete;

ALTER TABLE gold_event RENAME TO old_gold_event;
ALTER TABLE gold RENAME TO old_gold;

CREATE TABLE gold_event (
    id            INTEGER PRIMARY KEY,
    gid           BLOB NOT NULL UNIQUE,
    response_id   INTEGER NOT NULL REFERENCES response(id),
    attribute_id  INTEGER NOT NULL REFERENCES attribute(id),
    value         INTEGER,               -- NULL: the gold value was cleared
    adjudicator   TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    origin_id     INTEGER NOT NULL REFERENCES origin(id)
);

CREATE TABLE gold (
    response_id   INTEGER NOT NULL,
    attribute_id  INTEGER NOT NULL,
    value         INTEGER,               -- NULL: cleared by the latest event
    created_at    INTEGER NOT NULL,
    event_id      INTEGER NOT NULL,
    PRIMARY KEY (response_id, attribute_id)
) WITHOUT ROWID;

INSERT INTO gold_event (id, gid, response_id, attribute_id, value, adjudicator, reason, created_at, origin_id)
SELECT id, gid, response_id, attribute_id, value, adjudicator, reason, created_at, origin_id FROM old_gold_event;
INSERT INTO gold (response_id, attribute_id, value, created_at, event_id)
SELECT response_id, attribute_id, value, created_at, event_id FROM old_gold;

DROP TABLE old_gold;
DROP TABLE old_gold_event;

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

-- The rubric's name for an attribute's group (e.g. "Cognitive support" for group CSS), shown to
-- raters; NULL where the rubric names none (the group key is shown).
ALTER TABLE attribute ADD COLUMN group_label TEXT;
