-- Listening polls: one row per round, soft-closed (rows are kept for results and standings).
-- Times are Unix seconds (UTC).
CREATE TABLE polls (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    channel_id    INTEGER NOT NULL,
    message_id    INTEGER,                 -- NULL until the poll message is posted
    matchup_id    TEXT,                    -- NULL for a moderator's own pick
    kpop_label    TEXT NOT NULL,
    classic_label TEXT NOT NULL,
    started_by    INTEGER NOT NULL,
    opened_at     INTEGER NOT NULL,
    closes_at     INTEGER NOT NULL,
    closed_at     INTEGER,                 -- NULL while open
    close_reason  TEXT CHECK (close_reason IN ('deadline', 'ended', 'unposted')),
    kpop_votes    INTEGER,                 -- the final tally, written at the close
    classic_votes INTEGER,
    announced     INTEGER NOT NULL DEFAULT 0,  -- 1 once the result was posted (or cannot be)
    CHECK ((closed_at IS NULL) = (close_reason IS NULL))
) STRICT;

-- One open poll per channel, enforced by the database so two /poll start calls cannot race.
CREATE UNIQUE INDEX polls_open_channel ON polls(channel_id) WHERE closed_at IS NULL;
CREATE INDEX polls_open_deadline ON polls(closes_at) WHERE closed_at IS NULL;
CREATE INDEX polls_guild ON polls(guild_id, id);

-- One vote per member per poll: switching sides updates the row.
CREATE TABLE poll_votes (
    poll_id  INTEGER NOT NULL REFERENCES polls(id),
    user_id  INTEGER NOT NULL,
    side     TEXT NOT NULL CHECK (side IN ('kpop', 'classic')),
    voted_at INTEGER NOT NULL,
    PRIMARY KEY (poll_id, user_id)
) STRICT, WITHOUT ROWID;
