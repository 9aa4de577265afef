-- Concord study file, schema version 4: the current ratings packed per (rater, response).
--
-- `rating` keeps one row per cell (value, time and event of its latest event): the per-cell
-- reads, the queue's and the progress counts, merges and `concord check` use it. Loading every
-- rating for the statistics needs only the values, and reading them one row per cell costs a
-- row step each: `rating_row` holds every attribute's current value of one (rater, response)
-- in one short text, one character per attribute id (character k = attribute id k): a space
-- when the cell has no value, else the character with code point 48 + value − the attribute's
-- scale minimum ('0' is the minimum; '1'–'5' on a 1–5 scale is 1–5 shifted by one).
-- The same trigger that keeps `rating` keeps it, in the same transaction as the event.

DROP TRIGGER rating_event_current;

CREATE TABLE rating_row (
    rater_id     INTEGER NOT NULL,
    response_id  INTEGER NOT NULL,
    vals         TEXT NOT NULL,         -- one character per attribute id, see above
    PRIMARY KEY (rater_id, response_id)
) WITHOUT ROWID;

CREATE TRIGGER rating_event_current AFTER INSERT ON rating_event
BEGIN
    SELECT RAISE(ABORT, 'rating value below its scale minimum or over 50,000 points above it')
    FROM attribute a
    WHERE a.id = NEW.attribute_id AND NEW.value NOT BETWEEN a.scale_min AND a.scale_min + 50000;
    INSERT INTO rating (rater_id, response_id, attribute_id, value, created_at, event_id)
    VALUES (NEW.rater_id, NEW.response_id, NEW.attribute_id, NEW.value, NEW.created_at, NEW.id)
    ON CONFLICT (rater_id, response_id, attribute_id) DO UPDATE SET
        value = excluded.value, created_at = excluded.created_at, event_id = excluded.event_id
    WHERE excluded.created_at > rating.created_at
       OR (excluded.created_at = rating.created_at
           AND NEW.gid > (SELECT gid FROM rating_event WHERE id = rating.event_id));
    INSERT INTO rating_row (rater_id, response_id, vals)
    VALUES (NEW.rater_id, NEW.response_id, printf('%*s', (SELECT max(id) FROM attribute), ''))
    ON CONFLICT (rater_id, response_id) DO NOTHING;
    -- Only when the new event became the cell's current one (an older merged event did not).
    UPDATE rating_row SET vals = substr(vals, 1, NEW.attribute_id - 1)
        || CASE WHEN NEW.value IS NULL THEN ' '
                ELSE char(48 + NEW.value - (SELECT scale_min FROM attribute WHERE id = NEW.attribute_id)) END
        || substr(vals, NEW.attribute_id + 1)
    WHERE rater_id = NEW.rater_id AND response_id = NEW.response_id
      AND (SELECT event_id FROM rating WHERE rater_id = NEW.rater_id AND response_id = NEW.response_id
                                         AND attribute_id = NEW.attribute_id) = NEW.id;
END;

-- Existing files: one row per (rater, response) that has a current rating, from `rating`.
WITH RECURSIVE slot(id) AS (
    SELECT 1 UNION ALL SELECT id + 1 FROM slot WHERE id < (SELECT max(id) FROM attribute)
), cell AS (
    SELECT k.rater_id, k.response_id, s.id AS slot,
           CASE WHEN r.value IS NULL THEN ' ' ELSE char(48 + r.value - a.scale_min) END AS ch
    FROM (SELECT DISTINCT rater_id, response_id FROM rating) k
    CROSS JOIN slot s
    LEFT JOIN rating r ON r.rater_id = k.rater_id AND r.response_id = k.response_id
                      AND r.attribute_id = s.id
    LEFT JOIN attribute a ON a.id = s.id
)
INSERT INTO rating_row (rater_id, response_id, vals)
SELECT rater_id, response_id, group_concat(ch, '' ORDER BY slot)
FROM cell GROUP BY rater_id, response_id;
