-- Quotes a server's moderators added with /quote add (curated quotes live in data/quotes.toml).
-- Numbers count per server and are never reused, so "#3" always means the same quote there.
CREATE TABLE server_quotes (
    guild_id   INTEGER NOT NULL,
    number     INTEGER NOT NULL,
    text       TEXT NOT NULL,
    speaker    TEXT NOT NULL,
    source_url TEXT,
    added_by   INTEGER NOT NULL,
    added_at   TEXT NOT NULL,         -- ISO 8601, UTC
    PRIMARY KEY (guild_id, number)
) STRICT;

-- Per server: the last number handed out, and the quote-of-the-day cycle with its shuffle seed.
CREATE TABLE quote_rotation (
    guild_id    INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL DEFAULT 0,
    cycle       INTEGER NOT NULL DEFAULT 0,   -- 0 until the first quote of the day is picked
    seed        INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The quote of the day per server and local date; `cycle` tells which quotes a cycle has used.
CREATE TABLE quote_days (
    guild_id   INTEGER NOT NULL,
    local_date TEXT NOT NULL,         -- YYYY-MM-DD in the server's time zone
    quote_key  TEXT NOT NULL,         -- 'curated:<id>' or 'server:<number>'
    cycle      INTEGER NOT NULL,
    PRIMARY KEY (guild_id, local_date)
) STRICT;
CREATE INDEX quote_days_cycle ON quote_days (guild_id, cycle);
