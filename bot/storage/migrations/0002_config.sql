-- Per-server settings: the moderator role and the time zone.
CREATE TABLE guild_settings (
    guild_id    INTEGER PRIMARY KEY,
    mod_role_id INTEGER,
    timezone    TEXT NOT NULL DEFAULT 'UTC',
    left_at     TEXT               -- UTC ISO time the bot was removed from the server; NULL while in it
) STRICT;

-- Per-server, per-feature settings (features: quote, fact, poll).
CREATE TABLE feature_settings (
    guild_id       INTEGER NOT NULL,
    feature        TEXT NOT NULL,
    channel_id     INTEGER,
    post_time      TEXT,           -- 'HH:MM', local to `timezone` (or the server's time zone)
    enabled        INTEGER NOT NULL DEFAULT 1,
    timezone       TEXT,           -- IANA name for post_time; NULL = the server's time zone
    schedule_since TEXT,           -- UTC ISO time post_time was set: earlier post times are not due
    PRIMARY KEY (guild_id, feature)
) STRICT;

-- Who changed what, and when (actor_id NULL = kpops-bot itself, after a gateway event).
CREATE TABLE config_changes (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    actor_id   INTEGER,
    summary    TEXT NOT NULL,
    changed_at TEXT NOT NULL       -- UTC ISO time
) STRICT;
CREATE INDEX config_changes_by_guild ON config_changes(guild_id, id);

-- One row per server, daily feature and local date: the claim that makes each post happen once.
-- A row is inserted (claimed) before the post is sent; its status then records what happened.
CREATE TABLE daily_posts (
    guild_id    INTEGER NOT NULL,
    feature     TEXT NOT NULL,
    local_date  TEXT NOT NULL,     -- 'YYYY-MM-DD' in the feature's time zone
    status      TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed', 'missed')),
    claimed_at  TEXT NOT NULL,     -- UTC ISO time
    channel_id  INTEGER,
    message_id  INTEGER,
    detail      TEXT,              -- why it failed or was missed
    finished_at TEXT,              -- UTC ISO time the post was sent or given up
    PRIMARY KEY (guild_id, feature, local_date)
) STRICT;
CREATE INDEX daily_posts_by_date ON daily_posts(local_date);
-- Claims never finished (the process died mid-post), found cheaply every minute.
CREATE INDEX daily_posts_unfinished ON daily_posts(claimed_at) WHERE status = 'claimed';
