ALTER TABLE user_tokens DROP COLUMN new_email;
--bun:split
DROP TABLE topics;
--bun:split
ALTER TABLE practitioner_profiles ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
