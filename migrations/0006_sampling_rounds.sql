-- Concord study file: the sampling probabilities of active rounds (`concord next --assign`).
--
-- Active statistical inference (Zrnic & Candès 2024) weights each clinician rating by 1/π, the
-- probability that its response was drawn. A response rated in round 3 needs its π of rounds 1
-- and 2 too (it could have been drawn then), so a round records every candidate, not only its
-- picks, and whether the response already had a human score when the round was drawn (the
-- first round's rated responses are the design's base sample).

CREATE TABLE sampling_round (
    id           INTEGER PRIMARY KEY,
    gid          BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    rater_id     INTEGER NOT NULL REFERENCES rater(id),   -- whose queue the picks went to
    seed         INTEGER NOT NULL,
    uniform_mix  REAL NOT NULL
);

CREATE TABLE sampling_probability (
    round_id     INTEGER NOT NULL REFERENCES sampling_round(id),
    response_id  INTEGER NOT NULL REFERENCES response(id),
    probability  REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
    rated        INTEGER NOT NULL CHECK (rated IN (0, 1)),
    PRIMARY KEY (round_id, response_id)
) WITHOUT ROWID;
