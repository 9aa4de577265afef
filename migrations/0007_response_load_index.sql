-- Concord study file: a covering index for the rating loader's scan of the responses.
--
-- `Study::live_ratings` and `scoring_ratings` read every response's position, key, external id,
-- model, item and text length. In the table those sit around the text (34 MB on a
-- MentalAlign-sized study), so a scan steps through every text's overflow pages; this index holds
-- only what the loader reads (the key is every index's row id; `length(text)` is kept computed),
-- and SQLite scans it instead: the table row is never sought, as no other column is read.

CREATE INDEX response_load ON response(position, external_id, model, item_id, length(text));
