-- Concord study file, schema version 9: the packed current values in blocks of 32 responses.
--
-- `rating_row` held every attribute's current value of one (rater, response) in one row: 70,000
-- rows on the 490k-rating demo, 287,000 on a 70k-response study with 4 judges, and stepping
-- through rows was most of a load's time (SQLite's step and the per-row calls around it; the
-- values themselves are a few bytes). `rating_block` holds the same characters for 32
-- consecutive response keys of one rater in one row, a 32nd of the rows.
--
-- `vals` is 32 × A characters, A = the largest attribute id (the rubric is fixed when the study
-- is created): response key 32·block + 1 + i has its attribute `id`'s character at position
-- i·A + id (1-based). The character is a space for no value, else code point 48 + value − the
-- attribute's scale minimum, as in `rating_row`. A block exists once one of its cells was rated;
-- its unrated cells are spaces.

CREATE TABLE rating_block (
    rater_id  INTEGER NOT NULL,
    block     INTEGER NOT NULL,         -- (response_id − 1) / 32
    vals      TEXT NOT NULL,            -- 32 × (max attribute id) characters, see above
    PRIMARY KEY (rater_id, block)
) WITHOUT ROWID;

WITH RECURSIVE slot(i) AS (
    SELECT 0 UNION ALL SELECT i + 1 FROM slot WHERE i < 31
), width(a) AS (
    SELECT max(id) FROM attribute
), block AS (
    SELECT DISTINCT rater_id, (response_id - 1) / 32 AS block FROM rating_row
)
INSERT INTO rating_block (rater_id, block, vals)
SELECT b.rater_id, b.block,
       group_concat(coalesce(r.vals, printf('%*s', w.a, '')), '' ORDER BY s.i)
FROM block b CROSS JOIN slot s CROSS JOIN width w
LEFT JOIN rating_row r ON r.rater_id = b.rater_id AND r.response_id = 32 * b.block + s.i + 1
GROUP BY b.rater_id, b.block;

DROP TRIGGER rating_event_current;
DROP TABLE rating_row;

CREATE TRIGGER rating_event_current AFTER INSERT ON rating_event
BEGIN
    SELECT RAISE(ABORT, 'rating value below its scale minimum or over 50,000 points above it')
    FROM attribute a
    WHERE a.id = NEW.attribute_id AND NEW.value NOT BETWEEN a.scale_min AND a.scale_min + 50000;
    INSERT INTO rating (rater_id, response_id, attribute_id, value, event_id)
    VALUES (NEW.rater_id, NEW.response_id, NEW.attribute_id, NEW.value, NEW.id)
    ON CONFLICT (rater_id, response_id, attribute_id) DO UPDATE SET
        value = excluded.value, event_id = excluded.event_id
    WHERE (NEW.created_at, NEW.gid) > (SELECT created_at, gid FROM rating_event WHERE id = rating.event_id);
    INSERT INTO rating_block (rater_id, block, vals)
    VALUES (NEW.rater_id, (NEW.response_id - 1) / 32,
            printf('%*s', 32 * (SELECT max(id) FROM attribute), ''))
    ON CONFLICT (rater_id, block) DO NOTHING;
    -- Only when the new event became the cell's current one (an older merged event did not).
    UPDATE rating_block SET vals =
           substr(vals, 1, ((NEW.response_id - 1) % 32) * (SELECT max(id) FROM attribute)
                           + NEW.attribute_id - 1)
        || CASE WHEN NEW.value IS NULL THEN ' '
                ELSE char(48 + NEW.value - (SELECT scale_min FROM attribute WHERE id = NEW.attribute_id)) END
        || substr(vals, ((NEW.response_id - 1) % 32) * (SELECT max(id) FROM attribute)
                        + NEW.attribute_id + 1)
    WHERE rater_id = NEW.rater_id AND block = (NEW.response_id - 1) / 32
      AND (SELECT event_id FROM rating WHERE rater_id = NEW.rater_id AND response_id = NEW.response_id
                                         AND attribute_id = NEW.attribute_id) = NEW.id;
END;
