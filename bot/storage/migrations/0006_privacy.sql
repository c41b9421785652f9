-- Members' data: /privacy show and /privacy delete find a member's rows without scanning every
-- vote and answer; the retention purge finds servers that removed the bot.
CREATE INDEX poll_votes_by_user ON poll_votes(user_id);
CREATE INDEX film_trivia_answers_by_user ON film_trivia_answers(user_id);
CREATE INDEX server_quotes_by_adder ON server_quotes(guild_id, added_by);
CREATE INDEX config_changes_by_actor ON config_changes(guild_id, actor_id);
CREATE INDEX guild_settings_left ON guild_settings(left_at) WHERE left_at IS NOT NULL;
