-- The weekly listening poll. Both tables are keyed by server only (no member ids): the server
-- purge deletes them (cogs/poll/weekly_store.py).

-- When each server's weekly poll opens and how long polls it opens stay open.
CREATE TABLE poll_weekly_settings (
    guild_id       INTEGER PRIMARY KEY,
    weekday        INTEGER CHECK (weekday BETWEEN 0 AND 6),  -- 0 = Monday; NULL = no weekly poll
    post_time      TEXT,                   -- 'HH:MM' local to `timezone`
    timezone       TEXT,                   -- IANA name
    schedule_since TEXT,                   -- UTC ISO time the schedule was set
    length_hours   INTEGER NOT NULL DEFAULT 24 CHECK (length_hours BETWEEN 1 AND 168)
) STRICT;

-- One row per server and local week: the claim that makes each week's poll open once, across
-- restarts and processes. Inserted before the poll opens; its status then records what happened.
CREATE TABLE poll_weekly_rounds (
    guild_id   INTEGER NOT NULL,
    week       TEXT NOT NULL,              -- 'YYYY-MM-DD': the Monday of the local week
    status     TEXT NOT NULL CHECK (status IN ('claimed', 'opened', 'skipped', 'missed', 'failed')),
    claimed_at TEXT NOT NULL,              -- UTC ISO time
    poll_id    INTEGER,
    detail     TEXT,                       -- why the week was skipped, missed or failed
    PRIMARY KEY (guild_id, week)
) STRICT;
CREATE INDEX poll_weekly_rounds_unfinished ON poll_weekly_rounds(claimed_at) WHERE status = 'claimed';
