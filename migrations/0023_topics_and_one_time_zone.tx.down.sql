DROP TABLE topics;
--bun:split
ALTER TABLE practitioner_profiles ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
