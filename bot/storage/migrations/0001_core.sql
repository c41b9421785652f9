-- Bot-wide key/value bookkeeping (the command-sync hash, the last start).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
