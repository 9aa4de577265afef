-- Version 5: the master's record of every rater package it issued (a package's own manifest
-- stays in the package's `package` table, whose presence makes a file a package). Progress
-- reads which packages are still out; the merge finds an encrypted package's passphrase here
-- by the SQLCipher salt that opens the package file (its first 16 bytes, kept by the rater's
-- return). Only an encrypted master holds passphrases: a plain study's packages are plain.
CREATE TABLE package_log (
    id          BLOB PRIMARY KEY,                        -- the package's id (its study.id)
    rater_id    INTEGER NOT NULL REFERENCES rater(id),
    issued_at   INTEGER NOT NULL,
    file        TEXT NOT NULL DEFAULT '',                -- where it was written
    salt        BLOB,                                    -- NULL for a plain package
    passphrase  TEXT                                     -- NULL for a plain package
);
