-- The language of a server's public posts (daily posts, polls, trivia): /config language.
-- 'auto' follows the server's preferred locale in Discord.
ALTER TABLE guild_settings ADD COLUMN language TEXT NOT NULL DEFAULT 'auto'
    CHECK (language IN ('auto', 'en', 'ko'));
