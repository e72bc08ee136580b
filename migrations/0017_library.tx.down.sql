DROP TABLE session_agendas;
--bun:split
DROP TABLE library_shares;
--bun:split
DROP TABLE library_votes;
--bun:split
DROP TABLE library_files;
--bun:split
DROP TABLE library_articles;
--bun:split
ALTER TABLE courses DROP COLUMN drip_days;
--bun:split
ALTER TABLE courses DROP COLUMN enforce_order;
--bun:split
ALTER TABLE lesson_progress DROP COLUMN seconds;
--bun:split
ALTER TABLE enrolments DROP COLUMN lesson_opened_at;
