-- Concord study file, schema version 8: the per-cell `rating` table no longer repeats its event's
-- time.
--
-- `rating.created_at` was a copy of `rating_event.created_at` of the row's `event_id`, 7 of the
-- ~21 bytes of every current cell (2.4 MB of a MentalAlign-sized study's 40 MB). The trigger
-- that keeps `rating` now reads the current event's (created_at, gid) through `event_id`, an
-- integer-key lookup, so the rule "the latest event by (created_at, gid) is current" is
-- unchanged; readers that need the time join the event the same way.

CREATE TABLE rating_new (
    rater_id      INTEGER NOT NULL,
    response_id   INTEGER NOT NULL,
    attribute_id  INTEGER NOT NULL,
    value         INTEGER,
    event_id      INTEGER NOT NULL,      -- rating_event.id of the cell's latest event
    PRIMARY KEY (rater_id, response_id, attribute_id)
) WITHOUT ROWID;

INSERT INTO rating_new (rater_id, response_id, attribute_id, value, event_id)
SELECT rater_id, response_id, attribute_id, value, event_id FROM rating
ORDER BY rater_id, response_id, attribute_id;

DROP TRIGGER rating_event_current;
DROP TABLE rating;
ALTER TABLE rating_new RENAME TO rating;

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
