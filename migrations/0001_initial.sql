-- Concord study file, schema version 1.
-- Identifiers are UUIDv7 text so that rows created on different machines merge without clashes.

CREATE TABLE study (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,          -- UTC milliseconds
    settings    TEXT NOT NULL DEFAULT '{}' -- JSON: blind, flags, overlap_target, seed, exclude_own
);

CREATE TABLE rubric (
    id    TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

CREATE TABLE attribute (
    id           TEXT PRIMARY KEY,
    rubric_id    TEXT NOT NULL REFERENCES rubric(id),
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
    attribute_id  TEXT NOT NULL REFERENCES attribute(id),
    value         INTEGER NOT NULL,
    label         TEXT NOT NULL DEFAULT '',
    descriptor    TEXT NOT NULL,
    PRIMARY KEY (attribute_id, value)
);

CREATE TABLE item (
    id           TEXT PRIMARY KEY,
    external_id  TEXT NOT NULL UNIQUE,
    text         TEXT NOT NULL,
    context      TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE response (
    id           TEXT PRIMARY KEY,
    item_id      TEXT NOT NULL REFERENCES item(id),
    external_id  TEXT NOT NULL UNIQUE,
    model        TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL,
    position     INTEGER NOT NULL
);
CREATE INDEX response_item ON response(item_id);

CREATE TABLE rater (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    kind      TEXT NOT NULL CHECK (kind IN ('human', 'llm')),
    role      TEXT NOT NULL DEFAULT 'rater',
    metadata  TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE assignment (
    rater_id     TEXT NOT NULL REFERENCES rater(id),
    response_id  TEXT NOT NULL REFERENCES response(id),
    order_key    INTEGER NOT NULL,
    PRIMARY KEY (rater_id, response_id)
);
CREATE INDEX assignment_order ON assignment(rater_id, order_key);

-- Append-only audit log. Never updated or deleted (enforced by the triggers below).
CREATE TABLE rating_event (
    id            TEXT PRIMARY KEY,
    rater_id      TEXT NOT NULL REFERENCES rater(id),
    response_id   TEXT NOT NULL REFERENCES response(id),
    attribute_id  TEXT NOT NULL REFERENCES attribute(id),
    value         INTEGER,               -- NULL = cleared
    created_at    INTEGER NOT NULL,      -- UTC milliseconds
    origin        TEXT NOT NULL,         -- device or package id
    undoes        TEXT                   -- id of the event this one reverts, if any
);
CREATE INDEX rating_event_rater ON rating_event(rater_id, created_at, id);
CREATE INDEX rating_event_cell ON rating_event(rater_id, response_id, attribute_id, created_at, id);

-- Current value per cell = latest event by (created_at, id); kept in step by trigger, so every
-- writer (the app, imports, merges) gets the same rule in the same transaction.
CREATE TABLE rating (
    rater_id      TEXT NOT NULL,
    response_id   TEXT NOT NULL,
    attribute_id  TEXT NOT NULL,
    value         INTEGER,
    created_at    INTEGER NOT NULL,
    event_id      TEXT NOT NULL,
    PRIMARY KEY (rater_id, response_id, attribute_id)
) WITHOUT ROWID;
CREATE INDEX rating_response ON rating(response_id);

CREATE TRIGGER rating_event_current AFTER INSERT ON rating_event
BEGIN
    INSERT INTO rating (rater_id, response_id, attribute_id, value, created_at, event_id)
    VALUES (NEW.rater_id, NEW.response_id, NEW.attribute_id, NEW.value, NEW.created_at, NEW.id)
    ON CONFLICT (rater_id, response_id, attribute_id) DO UPDATE SET
        value = excluded.value, created_at = excluded.created_at, event_id = excluded.event_id
    WHERE excluded.created_at > rating.created_at
       OR (excluded.created_at = rating.created_at AND excluded.event_id > rating.event_id);
END;

CREATE TRIGGER rating_event_no_update BEFORE UPDATE ON rating_event
BEGIN SELECT RAISE(ABORT, 'rating_event is append-only'); END;
CREATE TRIGGER rating_event_no_delete BEFORE DELETE ON rating_event
BEGIN SELECT RAISE(ABORT, 'rating_event is append-only'); END;

-- Rationale and flags per (rater, response), versioned like ratings.
CREATE TABLE note_event (
    id           TEXT PRIMARY KEY,
    rater_id     TEXT NOT NULL REFERENCES rater(id),
    response_id  TEXT NOT NULL REFERENCES response(id),
    rationale    TEXT NOT NULL,
    flags        TEXT NOT NULL DEFAULT '[]',  -- JSON array of flag names
    created_at   INTEGER NOT NULL,
    origin       TEXT NOT NULL
);

CREATE TABLE response_note (
    rater_id     TEXT NOT NULL,
    response_id  TEXT NOT NULL,
    rationale    TEXT NOT NULL,
    flags        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    event_id     TEXT NOT NULL,
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
       OR (excluded.created_at = response_note.created_at AND excluded.event_id > response_note.event_id);
END;

CREATE TRIGGER note_event_no_update BEFORE UPDATE ON note_event
BEGIN SELECT RAISE(ABORT, 'note_event is append-only'); END;
CREATE TRIGGER note_event_no_delete BEFORE DELETE ON note_event
BEGIN SELECT RAISE(ABORT, 'note_event is append-only'); END;

CREATE TABLE gold (
    response_id   TEXT NOT NULL REFERENCES response(id),
    attribute_id  TEXT NOT NULL REFERENCES attribute(id),
    value         INTEGER NOT NULL,
    adjudicator   TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (response_id, attribute_id)
);

CREATE TABLE merge_log (
    package_id    TEXT NOT NULL,
    file_hash     TEXT NOT NULL PRIMARY KEY,
    merged_at     INTEGER NOT NULL,
    events_added  INTEGER NOT NULL,
    notes_added   INTEGER NOT NULL
);
