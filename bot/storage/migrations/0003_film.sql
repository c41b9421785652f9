-- Film facts: per-server rotation. A fact is picked among those shown least often, so every
-- fact is shown once before any repeats; last_seq (the server's running show counter) keeps the
-- last one from coming straight back when a new round starts.
CREATE TABLE film_fact_shows (
    guild_id INTEGER NOT NULL,
    fact_id  TEXT NOT NULL,
    times    INTEGER NOT NULL CHECK (times > 0),
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (guild_id, fact_id)
) STRICT;

-- Trivia questions asked in a channel. The id is part of every answer button's custom_id, which
-- Discord keeps forever: AUTOINCREMENT so an id is never reused. The four choices are stored in
-- button order (JSON array) so the question closes correctly even if data/film.toml changes.
CREATE TABLE film_trivia_questions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL,
    message_id   INTEGER,                 -- set once the question message exists
    trivia_id    TEXT NOT NULL,
    question     TEXT NOT NULL,
    choices      TEXT NOT NULL,
    answer_index INTEGER NOT NULL CHECK (answer_index BETWEEN 0 AND 3),
    asked_by     INTEGER NOT NULL,
    opened_at    TEXT NOT NULL,           -- ISO 8601, UTC
    closes_at    TEXT NOT NULL,
    closed_at    TEXT                     -- NULL until the result has been shown
) STRICT;

CREATE INDEX film_trivia_due ON film_trivia_questions (closes_at) WHERE closed_at IS NULL;
CREATE INDEX film_trivia_open_in_channel
    ON film_trivia_questions (channel_id, closes_at) WHERE closed_at IS NULL;
CREATE INDEX film_trivia_asked ON film_trivia_questions (guild_id, trivia_id);

-- Each member's first answer to a question; later clicks are refused by the primary key.
CREATE TABLE film_trivia_answers (
    question_id  INTEGER NOT NULL REFERENCES film_trivia_questions (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    choice_index INTEGER NOT NULL CHECK (choice_index BETWEEN 0 AND 3),
    correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answered_at  TEXT NOT NULL,
    PRIMARY KEY (question_id, user_id)
) STRICT;

-- Per-server trivia scores, kept up to date with each answer (the leaderboard reads only this).
CREATE TABLE film_trivia_scores (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    points     INTEGER NOT NULL CHECK (points >= 0),
    answered   INTEGER NOT NULL CHECK (answered >= points),
    reached_at TEXT NOT NULL,             -- when the current points were reached: ties rank first-there first
    PRIMARY KEY (guild_id, user_id)
) STRICT;

CREATE INDEX film_trivia_ranking ON film_trivia_scores (guild_id, points DESC, reached_at);
