"""The three files a public data set becomes for Concord: responses.csv for `concord import`,
humans.csv and judges.csv for `concord ratings import --kind human|llm` (long: one score a row)."""

import contextlib
import csv
from pathlib import Path

RESPONSE_COLUMNS = ["item_id", "prompt", "response_id", "model", "response"]
RATING_COLUMNS = ["response_id", "rater", "attribute", "score"]


@contextlib.contextmanager
def import_files(out: Path):
    """CSV writers for OUT/responses.csv, humans.csv and judges.csv, their headers written."""
    with (out / "responses.csv").open("w", newline="", encoding="utf-8") as r, \
         (out / "humans.csv").open("w", newline="", encoding="utf-8") as h, \
         (out / "judges.csv").open("w", newline="", encoding="utf-8") as j:
        responses, humans, judges = csv.writer(r), csv.writer(h), csv.writer(j)
        responses.writerow(RESPONSE_COLUMNS)
        humans.writerow(RATING_COLUMNS)
        judges.writerow(RATING_COLUMNS)
        yield responses, humans, judges
