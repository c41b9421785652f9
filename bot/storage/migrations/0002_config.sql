-- Per-server settings: the moderator role and the time zone.
CREATE TABLE guild_settings (
    guild_id    INTEGER PRIMARY KEY,
    mod_role_id INTEGER,
    timezone    TEXT NOT NULL DEFAULT 'UTC'
) STRICT;

-- Per-server, per-feature settings (features: quote, fact, poll).
CREATE TABLE feature_settings (
    guild_id   INTEGER NOT NULL,
    feature    TEXT NOT NULL,
    channel_id INTEGER,
    post_time  TEXT,               -- 'HH:MM', local to the server's time zone
    enabled    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (guild_id, feature)
) STRICT;
